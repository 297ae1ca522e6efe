"""Criteo-format click logs streamed through tf.data: never all rows in memory.

`CriteoStream.open(source)` names the files: one file, a glob, a list, or a folder (its
`train.txt` as Kaggle publishes it, else its `day_0`, `day_1`, ... in day order as the 1TB
release does, else every `.txt`/`.tsv` file, each also as `.gz`). `stream.dataset(...)` is a
`tf.data.Dataset` of `({column: (batch,) tensor}, label (batch, 1) float32)`: `I1..I13` as
float64 (NaN where missing, the values `read_criteo` gives), `C1..C26` as strings ("" where
missing).

* Reading: each file is a `TextLineDataset` (gzip by its `.gz` name) read in blocks of
  lines; files are interleaved, blocks are parsed by `tf.io.decode_csv` on parallel threads
  (`num_parallel_calls=AUTOTUNE`), re-batched to exactly `batch_size` rows, prefetched.
  Memory holds a few blocks, whatever the size of the files.
* Sharding over workers: `num_workers`, `worker_index` keep the rows whose line number
  (within its file) is `worker_index` modulo `num_workers` (`shard_by="rows"`: even shards
  from any number of files), or the files `worker_index::num_workers` (`shard_by="files"`:
  each worker reads only its files). Shards are disjoint; their union is every row. A
  sharded stream's auto-shard policy is OFF (tf.distribute takes it as it is, e.g. through
  `zoo.train.worker_input`); an unsharded one's is DATA (a multi-worker strategy keeps each
  worker's batches of the whole stream).
* Splits without loading: `split="train"|"validation"|"test"` keeps the rows whose text,
  hashed with a key made of `seed` (SipHash, `tf.strings.to_hash_bucket_strong`), falls in
  that split's share (`fractions` = validation, test): deterministic per seed, independent
  of file order, batch size and sharding, and identical rows always share a split.
* A bad row (a wrong number of fields, a label other than 0/1, a number that does not parse)
  stops the iteration with tf's error; `stream.bad_row()` scans the files for the first one
  and says which file, line and field (`zoo.data.streaming_stats` turns it into one
  `DataSourceError`).

Example:
>>> stream = CriteoStream.open("~/data/criteo")                       # doctest: +SKIP
>>> train = stream.dataset(4096, split="train", seed=0)               # doctest: +SKIP
>>> columns, labels = next(iter(train))                                # doctest: +SKIP
>>> columns["I1"].shape, columns["C1"].dtype, labels.shape             # doctest: +SKIP
(TensorShape([4096]), tf.string, TensorShape([4096, 1]))
"""

import dataclasses
import glob
import gzip
import math
import re
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo._utils import check_choice, check_fraction, check_positive_int
from zoo.data.tabular_files import CRITEO_COLUMNS
from zoo.errors import ConfigError, DataSourceError

SPLITS = ("train", "validation", "test")
SHARD_BY = ("rows", "files")
SUFFIXES = (".txt", ".tsv", ".txt.gz", ".tsv.gz")
_BUCKETS = 1 << 30  # resolution of the split hash: fractions to ~1e-9


def _defaults():
    """decode_csv's defaults (made when a pipeline is built: a tf op at import time would
    start TensorFlow before `multi_worker_mirrored` can configure its collectives)."""
    return ([tf.constant(math.nan, tf.float64)] * 14
            + [tf.constant("", tf.string)] * (len(CRITEO_COLUMNS) - 14))  # fmt: skip


def _files_of(source):
    if isinstance(source, (list, tuple)):
        return [f for item in source for f in _files_of(item)]
    path = Path(source).expanduser()
    if path.is_dir():
        files = [p for p in path.iterdir() if p.is_file()]
        # The published layouts: Kaggle's train.txt (beside an unlabelled test.txt and a
        # readme.txt), the 1TB release's day_0 .. day_23 (or day_0.gz ...).
        train = [p for p in files if p.name in ("train.txt", "train.txt.gz")]
        days = [p for p in files if re.fullmatch(r"day_\d+(\.gz|\.txt|\.txt\.gz)?", p.name)]
        found = (train[:1] or sorted(days, key=lambda p: int(p.name[4:].split(".")[0]))
                 or sorted(p for p in files if p.name.endswith(SUFFIXES)))  # fmt: skip
        if not found:
            raise DataSourceError(f"Criteo: {path} holds no train.txt, day_0 ... file, nor any "
                                  ".txt, .tsv, .txt.gz or .tsv.gz file.")  # fmt: skip
        return found
    if path.is_file():
        return [path]
    matches = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
    if not matches:
        raise DataSourceError(f"Criteo: no such file, folder or pattern {source}.")
    return matches


@dataclasses.dataclass(frozen=True)
class CriteoStream:
    """The files of a Criteo-format log, read as a stream (see the module docstring)."""

    files: tuple

    @classmethod
    def open(cls, source):
        """The stream of `source`: a file, a folder, a glob pattern or a list of them."""
        files = _files_of(source)
        return cls(tuple(str(f) for f in dict.fromkeys(files)))

    def dataset(self, batch_size=4096, *, split=None, fractions=(0.1, 0.1), seed=0,
                num_workers=1, worker_index=0, shard_by="rows", shuffle_buffer=0,
                block_rows=None, drop_remainder=False, positions=False,
                max_rows=None):  # fmt: skip
        """Batches of `({column: tensor}, label)`; see the module docstring for `split`,
        `fractions`, `seed`, `num_workers`, `worker_index`, `shard_by`.

        `shuffle_buffer` > 0 shuffles the file order each epoch and mixes rows within about
        that many (seeded, `_mixed`); 0 keeps the files' order. `positions=True` adds `file` (index
        into `self.files`) and `line` (1-based) columns: where each row came from. Lines are read
        and parsed in blocks of `block_rows` (default `batch_size`). `max_rows` reads only the
        first that many rows (the files one after another, in order; the same rows whatever
        the batch size, split or epoch), before sharding and splitting, as `read_criteo`'s
        bound.
        """
        batch_size = check_positive_int("batch_size", batch_size)
        block_rows = check_positive_int("block_rows", block_rows or batch_size)
        num_workers = check_positive_int("num_workers", num_workers)
        check_choice("shard_by", shard_by, SHARD_BY)
        if split is not None:
            check_choice("split", split, SPLITS)
        for fraction in fractions:
            check_fraction("split fraction", fraction)
        if sum(fractions) >= 1:
            raise ConfigError(f"split fractions {fractions} (validation, test) leave no "
                              "training rows; their sum must be below 1.")  # fmt: skip
        if isinstance(worker_index, bool) or not 0 <= worker_index < num_workers:
            raise ConfigError(f"worker_index={worker_index!r} must be in 0..{num_workers - 1} "
                              f"for num_workers={num_workers}.")  # fmt: skip
        indices = np.arange(len(self.files))
        row_workers = num_workers
        if shard_by == "files" and num_workers > 1:
            if len(self.files) < num_workers:
                raise ConfigError(
                    f"shard_by='files' needs at least one file per worker: {len(self.files)} "
                    f"files for {num_workers} workers; use shard_by='rows' or split the log "
                    "into more files."
                )
            indices, row_workers = indices[worker_index::num_workers], 1
        paths = tf.constant([self.files[i] for i in indices])
        files = tf.data.Dataset.from_tensor_slices((tf.constant(indices, tf.int64), paths))
        # With `max_rows`, files are read one after another in their order, so the first
        # rows are the same whatever the block size, the split or the epoch.
        if shuffle_buffer and max_rows is None:
            files = files.shuffle(len(indices), seed=seed, reshuffle_each_iteration=True)

        def blocks(index, path):
            gz = tf.strings.regex_full_match(path, r".*\.gz")
            lines = tf.data.TextLineDataset(path, tf.where(gz, "GZIP", ""), buffer_size=1 << 18)

            def number(block, text):
                first = block * block_rows + 1
                return index, first + tf.range(tf.size(text, tf.int64), dtype=tf.int64), text

            return lines.batch(block_rows).enumerate().map(number)

        cycle = 1 if max_rows is not None else min(len(indices), 4)
        data = files.interleave(blocks, cycle_length=cycle, block_length=1,
                                num_parallel_calls=tf.data.AUTOTUNE,
                                deterministic=True)  # fmt: skip
        if max_rows is not None:
            data = _first_rows(data, check_positive_int("max_rows", max_rows))
        low, high = _split_bounds(split, fractions)
        filtered = row_workers > 1 or split is not None
        names = tf.constant([self.files[i] for i in range(len(self.files))])
        defaults = _defaults()

        def parse(index, line, text):
            if filtered:
                keep = tf.ones_like(line, tf.bool)
                if row_workers > 1:
                    keep &= tf.equal((line - 1) % row_workers, worker_index)
                if split is not None:
                    bucket = tf.strings.to_hash_bucket_strong(text, _BUCKETS, key=[seed, 0x5A00])
                    keep &= (bucket >= low) & (bucket < high)
                text, line = tf.boolean_mask(text, keep), tf.boolean_mask(line, keep)
            fields = tf.io.decode_csv(text, defaults, field_delim="\t", use_quote_delim=False)
            columns = dict(zip(CRITEO_COLUMNS, fields, strict=True))
            label = columns.pop("label")
            bad = tf.logical_not(tf.equal(label, 0.0) | tf.equal(label, 1.0))
            # the first bad row's line; a sentinel after the rows keeps an empty block valid
            first = tf.argmax(tf.concat([tf.cast(bad, tf.int32), [1]], 0), output_type=tf.int64)
            where = tf.strings.as_string(tf.gather(tf.concat([line, [0]], 0), first))
            message = tf.strings.join(["Criteo: ", names[index], ", line ", where,
                                       " has a label that is not 0 or 1"])  # fmt: skip
            check = tf.debugging.Assert(tf.logical_not(tf.reduce_any(bad)), [message])
            with tf.control_dependencies([check]):
                label = tf.reshape(tf.cast(label, tf.float32), (-1, 1))
            if positions:
                columns["file"] = tf.fill(tf.shape(line), index)
                columns["line"] = line
            return columns, label

        data = data.map(parse, num_parallel_calls=tf.data.AUTOTUNE)
        if shuffle_buffer:
            data = _mixed(data, shuffle_buffer, block_rows, seed)
            data = data.rebatch(batch_size, drop_remainder=drop_remainder)
        elif filtered or drop_remainder or len(indices) > 1 or block_rows != batch_size:
            data = data.rebatch(batch_size, drop_remainder=drop_remainder)
        # Sharded here: tf.distribute must not shard again. Unsharded: a multi-worker
        # strategy keeps each worker's batches (its default, sharding by file, fails on
        # fewer files than workers).
        policy = tf.data.experimental.AutoShardPolicy
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (policy.OFF if num_workers > 1
                                                             else policy.DATA)  # fmt: skip
        data = data.with_options(options)
        return data.prefetch(tf.data.AUTOTUNE)

    def bad_row(self, limit=None):
        """The first malformed row of the files, as one line naming the file, line and field
        (None when every row is well formed); reads in Python: for diagnosing an error."""
        checked = 0
        for path in self.files:
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    problem = _row_problem(raw.rstrip(b"\r\n").split(b"\t"))
                    if problem:
                        return f"Criteo: {path}, line {number} {problem}; fix or drop the row."
                    checked += 1
                    if limit and checked >= limit:
                        return None
        return None


def _row_problem(fields):
    if len(fields) != len(CRITEO_COLUMNS):
        return (f"has {len(fields)} tab-separated fields, not {len(CRITEO_COLUMNS)} "
                "(label, I1..I13, C1..C26)")  # fmt: skip
    if fields[0].strip() not in (b"0", b"1", b"0.0", b"1.0"):
        return f"has label {fields[0][:20].decode(errors='replace')!r}, not 0 or 1"
    for name, cell in zip(CRITEO_COLUMNS[1:14], fields[1:14], strict=True):
        if cell.strip():
            try:
                float(cell)
            except ValueError:
                return f"column {name!r} holds {cell[:40].decode(errors='replace')!r}, not a number"
    return None


def _first_rows(blocks, max_rows):
    """The (file, lines, texts) blocks up to `max_rows` rows in all: whole blocks, then the
    first rows of the block that reaches the bound."""

    def running_total(total, block):
        return total + tf.size(block[2], tf.int64), (total, block)

    counted = blocks.scan(tf.constant(0, tf.int64), running_total)
    counted = counted.take_while(lambda before, block: before < max_rows)

    def cut(before, block):
        index, line, text = block
        keep = max_rows - before
        return index, line[:keep], text[:keep]

    return counted.map(cut)


WINDOW_BLOCKS = 16  # blocks whose rows one permutation mixes


def _mixed(blocks, buffer_rows, block_rows, seed):
    """Parsed blocks with their rows mixed, never one row at a time (a row-by-row shuffle
    buffer ran below 14k rows/s on one core, slower than DeepFM trains): blocks are shuffled
    in a buffer of about `buffer_rows` rows, then each window of up to `WINDOW_BLOCKS` of them
    is permuted row by row with one gather, so a batch draws its rows from many blocks."""
    buffered = max(1, buffer_rows // block_rows)
    blocks = blocks.shuffle(buffered, seed=seed, reshuffle_each_iteration=True)
    windows = blocks.rebatch(min(buffered, WINDOW_BLOCKS) * block_rows)

    def permute(columns, label):
        order = tf.random.shuffle(tf.range(tf.shape(label)[0]), seed=seed)
        mixed = {name: tf.gather(value, order) for name, value in columns.items()}
        return mixed, tf.gather(label, order)

    return windows.map(permute, num_parallel_calls=tf.data.AUTOTUNE)


def _split_bounds(split, fractions):
    """The [low, high) range of hash buckets of `split`: test first, then validation."""
    validation, test = (round(f * _BUCKETS) for f in fractions)
    return {None: (0, _BUCKETS), "test": (0, test), "validation": (test, test + validation),
            "train": (test + validation, _BUCKETS)}[split]  # fmt: skip
