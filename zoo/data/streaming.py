"""Delimited-text tables (Criteo-format click logs, any CSV/TSV) streamed through tf.data:
never all rows in memory.

`CriteoStream.open(source)` names a Criteo log's files: one file, a glob, a list, or a folder
(its `train.txt` as Kaggle publishes it, else its `day_0`, `day_1`, ... in day order as the
1TB release does, else every `.txt`/`.tsv` file, each also as `.gz`). `stream.dataset(...)` is
a `tf.data.Dataset` of `({column: (batch,) tensor}, label (batch, 1) float32)`: `I1..I13` as
float64 (NaN where missing, the values `read_criteo` gives), `C1..C26` as strings ("" where
missing).

`TableStream.open(source, label=..., numeric=...)` does the same for CSV/TSV files with a
header row (a file, glob, list, or a folder's `.csv`/`.tsv` files, each also as `.gz`; every
file has the same header): the `numeric` columns as float64 (NaN where empty), the others as
strings, the 0/1 `label` column as the label. Commas (with RFC 4180 quotes) unless the files
are `.tsv` or their header holds tabs and no comma; a quoted field may not span lines.

Each file is a `TextLineDataset` (gzip by its `.gz` name) read in blocks of lines, parsed by
`tf.io.decode_csv`; sharding over workers, hash splits (of each line's text), mixing and
batching are `zoo.data.row_stream.RowStream`'s. Line numbers count a header line: the first
row of a CSV file is its line 2. A bad row (a wrong number of fields, a label other than 0/1,
a number that does not parse) stops the iteration with tf's error; `stream.bad_row()` scans
the files for the first one and says which file, line and field (`zoo.data.streaming_stats`
turns it into one `DataSourceError`).

Example:
>>> stream = CriteoStream.open("~/data/criteo")                       # doctest: +SKIP
>>> train = stream.dataset(4096, split="train", seed=0)               # doctest: +SKIP
>>> columns, labels = next(iter(train))                                # doctest: +SKIP
>>> columns["I1"].shape, columns["C1"].dtype, labels.shape             # doctest: +SKIP
(TensorShape([4096]), tf.string, TensorShape([4096, 1]))
>>> clicks = TableStream.open("logs/*.csv.gz", label="clicked", numeric=["price"])  # doctest: +SKIP
"""

import csv
import dataclasses
import glob
import gzip
import io
import math
import re
from pathlib import Path

import tensorflow as tf

from zoo.data._reading import MISSING_MARKERS
from zoo.data.row_stream import RowStream
from zoo.data.tabular_files import CRITEO_COLUMNS
from zoo.errors import DataSourceError

SUFFIXES = (".txt", ".tsv", ".txt.gz", ".tsv.gz")
CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
MISSING_CELLS = frozenset(m.encode() for m in MISSING_MARKERS)  # "", "NA", "null", ...


@dataclasses.dataclass(frozen=True)
class TableFormat:
    """How the rows of a delimited text file read: `columns` in file order, the `numeric`
    ones (float64, NaN where empty; the others strings), the 0/1 `label` column, the
    `delimiter`, whether fields may be `quoted` ("a, b" in double quotes) and whether each
    file opens with a `header` line. `name` starts every message about a row."""

    name: str
    columns: tuple
    numeric: frozenset
    label: str
    delimiter: str = "\t"
    quoted: bool = False
    header: bool = False
    missing: frozenset = frozenset()  # numeric cells that mean "no value" besides ""
    skip_blank: bool = False  # blank lines are no rows (else a row of one empty field)

    def defaults(self):
        """decode_csv's defaults (made when a pipeline is built: a tf op at import time would
        start TensorFlow before `multi_worker_mirrored` can configure its collectives).
        Numeric columns with `missing` markers are read as text and converted by `numbers`."""
        return [tf.constant(math.nan, tf.float64) if name in self.numeric and not self.missing
                else tf.constant("", tf.string) for name in self.columns]  # fmt: skip

    def numbers(self, columns):
        """`columns` (decoded) with the numeric ones read as text turned into float64: NaN
        where empty or a `missing` marker (any case), tf's error where not a finite number
        (an infinity would make every standardised value infinite or NaN)."""
        if not self.missing:
            return columns
        markers = tf.constant(sorted(self.missing))
        for name in self.numeric:
            text = tf.strings.strip(columns[name])
            lowered = tf.strings.lower(text)
            gone = tf.reduce_any(tf.equal(lowered[:, None], markers[None, :]), axis=1)
            values = tf.strings.to_number(tf.where(gone, "0", text), tf.float64)
            finite = tf.debugging.Assert(tf.reduce_all(tf.math.is_finite(values)),
                                         [f"column {name!r} holds a number that is not finite"])
            with tf.control_dependencies([finite]):
                columns[name] = tf.where(gone, tf.constant(math.nan, tf.float64), values)
        return columns

    def describe_fields(self):
        if self.name == "Criteo":
            return "label, I1..I13, C1..C26"
        return ", ".join(self.columns[:6]) + (", ..." if len(self.columns) > 6 else "")

    def row_problem(self, raw):
        """Why the line `raw` (bytes, without its end of line) is not a row, or None."""
        if self.quoted:
            text = raw.decode("utf-8", "replace")
            fields = next(csv.reader(io.StringIO(text), delimiter=self.delimiter), [""])
            fields = [field.encode() for field in fields]
        else:
            fields = raw.split(self.delimiter.encode())
        if len(fields) != len(self.columns):
            kind = "tab" if self.delimiter == "\t" else f"{self.delimiter!r}"
            return (f"has {len(fields)} {kind}-separated fields, not {len(self.columns)} "
                    f"({self.describe_fields()})")  # fmt: skip
        cells = dict(zip(self.columns, fields, strict=True))
        if cells[self.label].strip() not in (b"0", b"1", b"0.0", b"1.0"):
            value = cells[self.label][:20].decode(errors="replace")
            return f"has label {value!r}, not 0 or 1"
        missing = {b"", *self.missing}
        for name in self.columns:
            cell = cells[name].strip()
            if name in self.numeric and name != self.label and cell.lower() not in missing:
                try:
                    finite = math.isfinite(float(cell))
                except ValueError:
                    finite = None
                if not finite:
                    return (f"column {name!r} holds {cell[:40].decode(errors='replace')!r}, "
                            f"not a {'number' if finite is None else 'finite number'}")
        return None


CRITEO = TableFormat("Criteo", CRITEO_COLUMNS, frozenset(CRITEO_COLUMNS[:14]), "label")


def _criteo_files(source):
    if isinstance(source, (list, tuple)):
        return [f for item in source for f in _criteo_files(item)]
    path = Path(source).expanduser()
    if path.is_dir():
        files = [p for p in path.iterdir() if p.is_file()]
        # The published layouts: Kaggle's train.txt (beside an unlabelled test.txt and a
        # readme.txt), the 1TB release's day_0 .. day_23 (or day_0.gz ...).
        train = [p for p in files if p.name in ("train.txt", "train.txt.gz")]
        days = [p for p in files if re.fullmatch(r"day_\d+(\.gz|\.txt|\.txt\.gz)?", p.name)]
        found = (train[:1] or sorted(days, key=lambda p: int(p.name[4:].split(".")[0]))
                 or natural_order(p for p in files if p.name.endswith(SUFFIXES)))  # fmt: skip
        if not found:
            raise DataSourceError(f"Criteo: {path} holds no train.txt, day_0 ... file, nor any "
                                  ".txt, .tsv, .txt.gz or .tsv.gz file.")  # fmt: skip
        return found
    return files_matching(path, source, "Criteo")


def _csv_files(source):
    if isinstance(source, (list, tuple)):
        return [f for item in source for f in _csv_files(item)]
    path = Path(source).expanduser()
    if path.is_dir():
        found = natural_order(p for p in path.rglob("*")
                              if p.is_file() and p.name.endswith(CSV_SUFFIXES))  # fmt: skip
        if not found:
            raise DataSourceError(f"CSV: {path} holds no .csv, .tsv, .csv.gz or .tsv.gz file.")
        return found
    return files_matching(path, source, "CSV")


def natural_order(paths):
    """`paths` sorted with the numbers in their names compared as numbers: day_2 before
    day_10 (the order a split over files by time takes)."""

    def key(path):
        return [(0, int(part), "") if part.isdigit() else (1, 0, part)
                for part in re.split(r"(\d+)", str(path))]  # fmt: skip

    return sorted(paths, key=key)


def files_matching(path, source, name):
    """[`path`] when it is a file, else the files its glob pattern matches (sorted); a
    `DataSourceError` starting with `name` when there are none."""
    if path.is_file():
        return [path]
    matches = natural_order(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
    if not matches:
        raise DataSourceError(f"{name}: no such file, folder or pattern {source}.")
    return matches


def _open_binary(path):
    return gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")


def _header(path):
    """The first line of `path`, decoded, without its end of line."""
    try:
        with _open_binary(path) as handle:
            line = handle.readline()
    except (OSError, EOFError) as error:
        raise DataSourceError(f"CSV: {path} cannot be read ({error}).") from None
    try:
        return line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise DataSourceError(f"CSV: {path}'s header is not UTF-8 text; a streamed table is "
                              "read as UTF-8 (convert it, e.g. with iconv).") from None


def csv_format(files, label, numeric=(), delimiter=None):
    """The `TableFormat` of CSV/TSV `files` with a header row (the same in every file)."""
    header = _header(files[0])
    if delimiter is None:
        tabbed = str(files[0]).endswith((".tsv", ".tsv.gz"))
        delimiter = "\t" if tabbed or ("\t" in header and "," not in header) else ","
    columns = tuple(name.strip() for name in next(csv.reader([header], delimiter=delimiter)))
    if not header or len(set(columns)) != len(columns) or not all(columns):
        raise DataSourceError(f"CSV: {files[0]} needs a header line of distinct column names, "
                              f"not {header[:120]!r}.")  # fmt: skip
    for other in files[1:]:
        if _header(other) != header:
            raise DataSourceError(f"CSV: {other}'s header differs from {files[0]}'s "
                                  f"({header[:120]!r}); every file needs the same columns.")
    missing = [name for name in (label, *numeric) if name not in columns]
    if missing:
        raise DataSourceError(f"CSV: {files[0]} has no column {missing[0]!r}; its columns are "
                              f"{list(columns)}.")  # fmt: skip
    # Quotes are CSV's (RFC 4180); a tab-separated file's fields are taken as they are, as
    # the in-memory reader takes them.
    return TableFormat("CSV", columns, frozenset({label, *numeric}), label, delimiter,
                       quoted=delimiter != "\t", header=True, missing=MISSING_CELLS,
                       skip_blank=True)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class TableStream(RowStream):
    """The files of a delimited-text table, read as a stream (see the module docstring)."""

    format: TableFormat = CRITEO

    @classmethod
    def open(cls, source, *, label, numeric=(), delimiter=None):
        """The stream of CSV/TSV `source` (a file, a folder, a glob pattern or a list of
        them), its `label` column 0/1 and its `numeric` columns numbers."""
        files = tuple(str(f) for f in dict.fromkeys(_csv_files(source)))
        return cls(files, csv_format(files, label, tuple(numeric), delimiter))

    name = property(lambda self: self.format.name)
    first_line = property(lambda self: 1 + int(self.format.header))
    label = property(lambda self: self.format.label)

    def _blocks(self, index, path, block_rows):
        gz = tf.strings.regex_full_match(path, r".*\.gz")
        lines = tf.data.TextLineDataset(path, tf.where(gz, "GZIP", ""), buffer_size=1 << 18)
        lines = lines.skip(self.first_line - 1)  # the header

        skip_blank = self.format.skip_blank

        def number(block, text):
            first = block * block_rows + self.first_line
            line = first + tf.range(tf.size(text, tf.int64), dtype=tf.int64)
            if skip_blank:
                filled = tf.strings.length(tf.strings.strip(text)) > 0
                line, text = tf.boolean_mask(line, filled), tf.boolean_mask(text, filled)
            return index, line, text

        return lines.batch(block_rows).enumerate().map(number)

    def _row_keys(self, raw):
        return raw  # the line's text

    def _decode(self, raw):
        table = self.format
        fields = tf.io.decode_csv(raw, table.defaults(), field_delim=table.delimiter,
                                  use_quote_delim=table.quoted)  # fmt: skip
        return table.numbers(dict(zip(table.columns, fields, strict=True)))

    def bad_row(self, limit=None):
        """The first malformed row of the files, as one line naming the file, line and field
        (None when every row is well formed); reads in Python: for diagnosing an error."""
        checked = 0
        for path in self.files:
            with _open_binary(path) as handle:
                for number, raw in enumerate(handle, start=1):
                    if number == 1 and self.format.header:
                        continue
                    if self.format.skip_blank and not raw.strip():
                        continue
                    problem = self.format.row_problem(raw.rstrip(b"\r\n"))
                    if problem:
                        return (f"{self.format.name}: {path}, line {number} {problem}; fix or "
                                "drop the row.")  # fmt: skip
                    checked += 1
                    if limit and checked >= limit:
                        return None
        return None


class CriteoStream(TableStream):
    """A Criteo-format log (tab-separated, no header: label, I1..I13, C1..C26)."""

    @classmethod
    def open(cls, source):
        """The stream of `source`: a file, a folder, a glob pattern or a list of them."""
        files = _criteo_files(source)
        return cls(tuple(str(f) for f in dict.fromkeys(files)), CRITEO)


