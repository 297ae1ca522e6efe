"""Reading local text data files: one clear `DataSourceError` for bad bytes, never a traceback.

Every reader of delimited or plain-text files (text classification, BERT corpora, recommender
tables, time series) opens them here, so a byte that is not valid in the file's encoding, a
CSV quoting error, a row with too few fields or a number that is not finite are reported in
one line naming the file, the line and the way out (usually `--encoding` or fixing the row).

Example:
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = path.write_bytes(b"text,label\\ncaf\\xe9,1\\n")
>>> try:
...     read_csv_rows(path, delimiter=",")
... except DataSourceError as error:
...     print(str(error).split(";")[0])  # doctest: +ELLIPSIS
/.../t.csv, line 2: byte b'\\xe9' is not valid utf-8 text
>>> read_csv_rows(path, delimiter=",", encoding="latin-1").rows
[['café', '1']]
"""

import argparse
import codecs
import contextlib
import csv
import dataclasses
import math
from pathlib import Path

from zoo.errors import ConfigError, DataSourceError

DEFAULT_ENCODING = "utf-8"
# Cells that mean "no value" in exported tables (pandas' default missing-value markers).
MISSING_MARKERS = frozenset({"", "nan", "-nan", "na", "n/a", "#n/a", "<na>", "null", "none"})
# csv's default limit (131,072 characters a field) refuses long documents; a field may be as
# long as a C long allows on every platform.
FIELD_SIZE_LIMIT = 2**31 - 1


def check_encoding(name):
    """The codec name of `name` (e.g. "latin-1" -> "iso8859-1"); ConfigError if unknown."""
    try:
        return codecs.lookup(name).name
    except (LookupError, TypeError):
        raise ConfigError(
            f"--encoding {name!r} is not a known text encoding; use e.g. utf-8, latin-1, "
            "cp1252 or utf-16."
        ) from None


def encoding_argument(text):
    """argparse type of --encoding: a known text encoding."""
    try:
        check_encoding(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--encoding ")) from None
    return text


def add_encoding_argument(parser):
    """Add `--encoding` (default utf-8) to an application's or command's parser."""
    parser.add_argument(
        "--encoding", type=encoding_argument, default=DEFAULT_ENCODING,
        help="text encoding of the data files (default utf-8; e.g. latin-1, cp1252, utf-16)",
    )  # fmt: skip


def _codec(encoding):
    """The codec to read with: UTF-8 also accepts (and drops) a leading byte-order mark."""
    name = check_encoding(encoding)
    return "utf-8-sig" if name == "utf-8" else name


def _first_bad_bytes(path, codec, chunk_size=1 << 20):
    """(line number, offending bytes) of the first byte sequence `codec` cannot decode."""
    decoder = codecs.getincrementaldecoder(codec)()
    line = 1
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            pending = decoder.getstate()[0]
            try:
                line += decoder.decode(chunk).count("\n")
            except UnicodeError as error:  # UTF-16 without a byte-order mark: no position
                data = pending + chunk
                start, end = getattr(error, "start", 0), getattr(error, "end", 2)
                before = data[:start].decode(codec, errors="replace")
                return line + before.count("\n"), data[start:end]
    pending = decoder.getstate()[0]  # an incomplete sequence at the very end of the file
    return line, pending or b"?"


def _suggested_encoding(path, codec):
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(b"\0") > 1:
        return "utf-16"
    return "latin-1" if codec.startswith("utf-8") else "utf-8"


def decode_error_message(path, encoding, advice=None):
    """The one line that says where `path` is not valid `encoding` text and what to do:
    `advice`, else the `--encoding` to try."""
    codec = _codec(encoding)
    line, bad = _first_bad_bytes(path, codec)
    if advice is None:
        advice = (
            f"if the file is in another encoding pass --encoding "
            f"{_suggested_encoding(path, codec)} (or the right one), else re-save it as "
            f"{encoding}."
        )
    return f"{path}, line {line}: byte {bad[:4]!r} is not valid {encoding} text; {advice}"


@contextlib.contextmanager
def open_text(path, encoding=DEFAULT_ENCODING, newline=None, advice=None):
    """Open `path` for reading text; a decode error or an unreadable file inside the `with`
    block becomes one `DataSourceError` naming the file (and the line of the bad byte), with
    `advice` as the way out (default: the `--encoding` to try)."""
    path = Path(path)
    codec = _codec(encoding)
    try:
        with open(path, encoding=codec, newline=newline) as handle:
            yield handle
    except UnicodeError:
        raise DataSourceError(decode_error_message(path, encoding, advice)) from None
    except OSError as error:
        if isinstance(error, DataSourceError):
            raise
        raise DataSourceError(f"cannot read {path}: {error.strerror or error}.") from None


def read_text(path, encoding=DEFAULT_ENCODING, advice=None):
    """The whole text of `path` (see `open_text`)."""
    with open_text(path, encoding, advice=advice) as handle:
        return handle.read()


def read_lines(path, encoding=DEFAULT_ENCODING, advice=None):
    """The lines of `path`, without line ends (see `open_text`)."""
    return read_text(path, encoding, advice).splitlines()


@dataclasses.dataclass
class CsvRows:
    """A delimited file's header, its rows (blank ones dropped) and each row's line number."""

    path: Path
    header: list
    rows: list
    lines: list
    delimiter: str

    def check_width(self, needed=None):
        """Refuse the first row with fewer fields than `needed` (default: the header's)
        or, without `needed`, a different number of fields than the header."""
        width = len(self.header)
        for row, line in zip(self.rows, self.lines, strict=True):
            if (len(row) < needed) if needed else (len(row) != width):
                raise DataSourceError(
                    f"{self.path}, line {line}: {_fields(len(row))} where the header has {width}; "
                    f"every row needs one value per column (quote fields that hold "
                    f"{self.delimiter!r}, or fix or drop the row)."
                )
        return self


def _fields(count):
    return f"{count} field" if count == 1 else f"{count} fields"


def delimiter_of(path):
    """Tab for `.tsv` / `.tab` files, else a comma."""
    return "\t" if Path(path).suffix.lower() in (".tsv", ".tab") else ","


def read_csv_rows(path, *, delimiter=None, encoding=DEFAULT_ENCODING):
    """`CsvRows` of a delimited file with a header (rows of blank cells dropped); bad bytes
    and quoting errors are one `DataSourceError` naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(f"No such file: {path}.")
    delimiter = delimiter or delimiter_of(path)
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    rows, lines = [], []
    with open_text(path, encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader, [])
            start = reader.line_num + 1  # a quoted field may span lines: name the first
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append(row)
                    lines.append(start)
                start = reader.line_num + 1
        except csv.Error as error:
            raise DataSourceError(
                f"{path}, line {reader.line_num}: {error}; fix the row's quoting or drop it."
            ) from None
    return CsvRows(path, [name.strip() for name in header], rows, lines, delimiter)


def is_missing(cell):
    """Whether a cell means "no value" (empty, NaN, NA, null, ...)."""
    return cell.strip().lower() in MISSING_MARKERS


def parse_number(cell, *, path, line, column, missing_ok=False):
    """The finite float in `cell` (NaN for a missing one if `missing_ok`); else one
    `DataSourceError` naming the file, line and column."""
    if missing_ok and is_missing(cell):
        return math.nan
    try:
        value = float(cell)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        what = "not a number" if value is None else "not a finite number"
        raise DataSourceError(
            f"{path}, line {line}: column {column!r} holds {cell.strip()[:40]!r}, {what}; "
            "fix or drop the row" + (" (an empty cell is a missing value)." if missing_ok else ".")
        )
    return value
