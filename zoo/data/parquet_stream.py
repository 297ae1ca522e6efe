"""Parquet tables streamed through tf.data: never all rows in memory.

`ParquetStream.open(source, label=..., numeric=..., columns=...)` names the files (a file, a
glob, a list, or a folder's `.parquet` files, recursively, as Spark and pandas write
partitioned tables; every file has the label and the asked columns). `stream.dataset(...)`
is the same `tf.data.Dataset` of `({column: (batch,) tensor}, label (batch, 1) float32)` that
`zoo.data.streaming.TableStream` gives for CSV: the `numeric` columns as float64 (NaN where
null), the others as strings ("" where null; a list column's items joined by "|", as a
`sequence` feature expects), the 0/1 `label` column as the label. Sharding, hash splits (of
each row's values joined), mixing and batching are `zoo.data.row_stream.RowStream`'s.

Each file is read by pyarrow in record batches of `block_rows` rows, only the asked columns
(Parquet is columnar: the others are never decoded), in a Python generator inside tf.data's
`interleave`; a row's "line" is its 1-based row number in its file. Needs pyarrow
(`pip install "keras-zoo[parquet]"`).

Example:
>>> stream = ParquetStream.open("clicks/", label="clicked", numeric=["price"],
...                             columns=["user", "item", "price"])          # doctest: +SKIP
>>> train = stream.dataset(4096, split="train", seed=0)                    # doctest: +SKIP
"""

import dataclasses
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo.data.row_stream import RowStream
from zoo.data.streaming import files_matching, natural_order
from zoo.errors import DataSourceError

SUFFIXES = (".parquet", ".parq")
LIST_SEPARATOR = "|"


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.parquet
    except ImportError:
        raise DataSourceError('Parquet files are read with pyarrow: pip install '
                              '"keras-zoo[parquet]" (or pyarrow).') from None  # fmt: skip
    return pyarrow


def _parquet_files(source):
    if isinstance(source, (list, tuple)):
        return [f for item in source for f in _parquet_files(item)]
    path = Path(source).expanduser()
    if path.is_dir():
        found = natural_order(p for p in path.rglob("*") if p.is_file()
                              and p.name.endswith(SUFFIXES)
                              and not p.name.startswith((".", "_")))  # fmt: skip
        if not found:
            raise DataSourceError(f"Parquet: {path} holds no .parquet file.")
        return found
    return files_matching(path, source, "Parquet")


def is_parquet(source):
    """True when `source` (a path, pattern or list) names Parquet files."""
    if isinstance(source, (list, tuple)):
        return bool(source) and all(is_parquet(item) for item in source)
    path = Path(str(source)).expanduser()
    if path.is_dir():
        return any(p.name.endswith(SUFFIXES) for p in path.rglob("*"))
    return path.name.endswith(SUFFIXES)


def _schema(path):
    pa = _pyarrow()
    try:
        return pa.parquet.read_schema(path)
    except (OSError, pa.ArrowException) as error:
        raise DataSourceError(f"Parquet: {path} cannot be read ({error}).") from None


def _is_number(pa, kind):
    types = pa.types
    return types.is_integer(kind) or types.is_floating(kind) or types.is_boolean(kind) or (
        types.is_decimal(kind))


def _check_columns(files, label, numeric, columns):
    """The columns to read, in the first file's order; one error for a file that lacks one
    or a numeric column that holds no numbers."""
    pa = _pyarrow()
    schema = _schema(files[0])
    wanted = [label, *numeric, *(columns or schema.names)]
    for path in files:
        names = _schema(path).names if path != files[0] else schema.names
        missing = [name for name in wanted if name not in names]
        if missing:
            raise DataSourceError(f"Parquet: {path} has no column {missing[0]!r}; its columns "
                                  f"are {names}.")  # fmt: skip
    for name in (label, *numeric):
        kind = schema.field(name).type
        if not _is_number(pa, kind):
            raise DataSourceError(f"Parquet: column {name!r} of {files[0]} holds {kind}, not "
                                  "numbers; read it as a categorical feature instead.")
    return tuple(name for name in schema.names if name in wanted)


def _as_strings(pa, values):
    """A pyarrow column as a NumPy array of UTF-8 bytes ("" for null; lists joined)."""
    compute = pa.compute
    if pa.types.is_list(values.type) or pa.types.is_large_list(values.type):
        values = values.cast(pa.list_(pa.string()))
        joined = compute.binary_join(values, LIST_SEPARATOR)
        # a list with a null item joins to null: join those few in Python, the item empty
        broken = compute.and_(compute.is_null(joined), compute.is_valid(values))
        if compute.any(broken).as_py():
            texts = joined.to_pylist()
            for row in np.flatnonzero(broken.to_numpy(zero_copy_only=False)):
                items = values[int(row)].as_py()
                texts[row] = LIST_SEPARATOR.join(item or "" for item in items)
            joined = pa.array(texts, pa.string())
        values = joined
    elif not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return np.asarray(compute.fill_null(values, "").to_numpy(zero_copy_only=False),
                      dtype=object)  # fmt: skip


def _as_numbers(pa, values):
    """A pyarrow column as float64 (NaN for null)."""
    return values.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)


def _check_finite(path, name, numbers, offset):
    infinite = np.isinf(numbers)
    if infinite.any():
        row = offset + int(np.argmax(infinite)) + 1
        raise DataSourceError(f"Parquet: {path}, line {row} column {name!r} holds "
                              f"{numbers[row - offset - 1]}, not a finite number; fix or drop "
                              "the row.")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ParquetStream(RowStream):
    """Parquet files read as a stream (see the module docstring)."""

    label_column: str = "label"
    numeric: frozenset = frozenset()
    columns: tuple = ()  # read, in file order; the label among them
    name = "Parquet"

    @classmethod
    def open(cls, source, *, label, numeric=(), columns=None):
        """The stream of `source`'s Parquet files: its `label` column 0/1, its `numeric`
        columns numbers, reading only `columns` (and those two; default every column)."""
        files = tuple(str(f) for f in dict.fromkeys(_parquet_files(source)))
        numeric = tuple(numeric)
        read = _check_columns(files, label, numeric, columns)
        return cls(files, label, frozenset({label, *numeric}), read)

    @property
    def label(self):
        return self.label_column

    def _signature(self):
        columns = {name: tf.TensorSpec((None,), tf.float64 if name in self.numeric else tf.string)
                   for name in self.columns}  # fmt: skip
        return tf.TensorSpec((), tf.int64), columns

    def _read(self, path, block_rows):
        """(rows before it, {column: NumPy array}) for each record batch of the file `path`
        (pyarrow may cut a batch short, e.g. at a row group's end)."""
        pa = _pyarrow()
        path = path.decode() if isinstance(path, bytes) else path
        handle = pa.parquet.ParquetFile(path)
        offset = 0
        for batch in handle.iter_batches(batch_size=int(block_rows), columns=list(self.columns)):
            columns = {}
            for name in self.columns:
                if name in self.numeric:
                    columns[name] = _as_numbers(pa, batch.column(name))
                    _check_finite(path, name, columns[name], offset)
                else:
                    columns[name] = _as_strings(pa, batch.column(name))
            yield offset, columns
            offset += batch.num_rows

    def _blocks(self, index, path, block_rows):
        batches = tf.data.Dataset.from_generator(self._read, args=(path, block_rows),
                                                 output_signature=self._signature())  # fmt: skip

        def number(offset, raw):
            rows = tf.size(raw[self.label], tf.int64)
            return index, offset + 1 + tf.range(rows, dtype=tf.int64), raw

        return batches.map(number)

    def _row_keys(self, raw):
        texts = [raw[name] if name not in self.numeric
                 else tf.strings.as_string(raw[name], precision=17) for name in self.columns]
        return tf.strings.reduce_join(tf.stack(texts, axis=1), axis=1, separator="\x1f")

    def _decode(self, raw):
        return dict(raw)
