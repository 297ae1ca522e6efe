"""The tf.data pipeline every streamed table shares: blocks of rows read file by file,
sharded over workers, split by a hash, mixed and batched; never all rows in memory.

A `RowStream` subclass says how its files read (`_blocks`: `(file index, line numbers,
raw rows)` blocks; `_row_keys`: the text a row's split hash is taken of; `_decode`: raw rows
to `{column: tensor}`, the label among them). `RowStream.dataset(...)` is then a
`tf.data.Dataset` of `({column: (batch,) tensor}, label (batch, 1) float32)`:

* Reading: files are interleaved (4 at once), their blocks decoded on parallel threads
  (`num_parallel_calls=AUTOTUNE`), re-batched to exactly `batch_size` rows, prefetched.
  Memory holds a few blocks, whatever the size of the files.
* Sharding over workers: `num_workers`, `worker_index` keep the rows whose row number
  (within its file) is `worker_index` modulo `num_workers` (`shard_by="rows"`: even shards
  from any number of files; each worker still reads every file, and decodes only its own
  rows, except Parquet's, which are converted before the others are dropped), or the files
  `worker_index::num_workers` (`shard_by="files"`: each worker reads only its files). Shards
  are disjoint; their union is every row. A sharded stream's auto-shard policy is OFF
  (tf.distribute takes it as it is, e.g. through `zoo.train.worker_input`); an unsharded
  one's is DATA (a multi-worker strategy keeps each worker's batches of the whole stream).
* Splits without loading: `split="train"|"validation"|"test"` keeps the rows whose key,
  hashed with a key made of `seed` (SipHash, `tf.strings.to_hash_bucket_strong`), falls in
  that split's share (`fractions` = validation, test): deterministic per seed, independent
  of file order, batch size and sharding, and identical rows always share a split. With
  `split_by="files"` (a time split over files such as `day_0` ... `day_23`) a split is whole
  files instead, in their order: the last `fractions[1]` of the files (at least one) are
  the test files, the ones before them the validation files, the rest the training files
  (`file_splits`).
* A label other than 0/1 stops the iteration with tf's error naming the file and line
  (`LABEL_PROBLEM`); `zoo.data.streaming_stats` turns it into one `DataSourceError`.

Example:
>>> stream = CriteoStream.open("~/data/criteo")                       # doctest: +SKIP
>>> train = stream.dataset(4096, split="train", seed=0)               # doctest: +SKIP
"""

import dataclasses

import numpy as np
import tensorflow as tf

from zoo._utils import check_choice, check_fraction, check_positive_int
from zoo.errors import ConfigError

SPLITS = ("train", "validation", "test")
SHARD_BY = ("rows", "files")
SPLIT_BY = ("hash", "files")
LABEL_PROBLEM = "label that is not 0 or 1"  # the stream's own check, in tf's error
_BUCKETS = 1 << 30  # resolution of the split hash: fractions to ~1e-9


@dataclasses.dataclass(frozen=True)
class RowStream:
    """The files of a table, read as a stream (see the module docstring); subclasses say
    how their files read."""

    files: tuple

    # --- what a subclass provides ---------------------------------------------------------
    name = "table"  # starts every message about a row
    first_line = 1  # the line number of a file's first row (2 after a header)

    @property
    def label(self):
        """The 0/1 label column's name."""
        raise NotImplementedError

    def _blocks(self, index, path, block_rows):
        """A dataset of `(index, line numbers, raw rows)` blocks of the file `path`."""
        raise NotImplementedError

    def _row_keys(self, raw):
        """One string per row of `raw`: what the split hash is taken of."""
        raise NotImplementedError

    def _decode(self, raw):
        """`{column: (rows,) tensor}` of `raw`, the label among them (float)."""
        raise NotImplementedError

    def bad_row(self, limit=None):
        """The first malformed row, as one line naming its file and line, or None."""
        return None

    # --- the shared pipeline -------------------------------------------------------------
    def file_splits(self, fractions=(0.1, 0.1)):
        """{split: file indices} of a split by files (see the module docstring); one error
        when the files are too few to give every split with a share at least one."""
        counts = [max(1, round(len(self.files) * f)) if f else 0 for f in fractions]
        train = len(self.files) - sum(counts)
        if train < 1:
            raise ConfigError(
                f"a split by files needs a training file beside {counts[0]} validation and "
                f"{counts[1]} test file(s): {self.name} has {len(self.files)} file(s); give "
                "more files or split by a hash of each row."
            )
        indices = np.arange(len(self.files))
        return {"train": indices[:train], "validation": indices[train:train + counts[0]],
                "test": indices[train + counts[0]:]}  # fmt: skip

    def dataset(self, batch_size=4096, *, split=None, fractions=(0.1, 0.1), seed=0,
                split_by="hash", num_workers=1, worker_index=0, shard_by="rows",
                shuffle_buffer=0, block_rows=None, drop_remainder=False, positions=False,
                max_rows=None):  # fmt: skip
        """Batches of `({column: tensor}, label)`; see the module docstring for `split`,
        `fractions`, `seed`, `num_workers`, `worker_index`, `shard_by`.

        `shuffle_buffer` > 0 shuffles the file order each epoch and mixes rows within about
        that many (seeded, `mixed_blocks`); 0 keeps the files' order. `positions=True` adds
        `file` (index into `self.files`) and `line` (1-based) columns: where each row came
        from. Lines are read and parsed in blocks of `block_rows` (default `batch_size`).
        `max_rows` reads only the first that many rows (the files one after another, in
        order; the same rows whatever the batch size, split or epoch), before sharding by
        rows and splitting by hash, as `read_criteo`'s bound; with `split_by="files"` or
        `shard_by="files"`, the first rows of the files this stream reads (a split's, a
        worker's).
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
        check_choice("split_by", split_by, SPLIT_BY)
        indices = np.arange(len(self.files))
        if split is not None and split_by == "files":
            indices, split = self.file_splits(fractions)[split], None
        row_workers = num_workers
        if shard_by == "files" and num_workers > 1:
            if len(indices) < num_workers:
                raise ConfigError(
                    f"shard_by='files' needs at least one file per worker: {len(indices)} "
                    f"files for {num_workers} workers; use shard_by='rows' or split the log "
                    "into more files."
                )
            indices, row_workers = indices[worker_index::num_workers], 1
        paths = tf.constant([self.files[i] for i in indices], tf.string)
        files = tf.data.Dataset.from_tensor_slices((tf.constant(indices, tf.int64), paths))
        # With `max_rows`, files are read one after another in their order, so the first
        # rows are the same whatever the block size, the split or the epoch.
        if shuffle_buffer and max_rows is None:
            files = files.shuffle(max(1, len(indices)), seed=seed,
                                  reshuffle_each_iteration=True)  # fmt: skip

        def blocks(index, path):
            return self._blocks(index, path, block_rows)

        cycle = 1 if max_rows is not None else min(max(1, len(indices)), 4)
        data = files.interleave(blocks, cycle_length=cycle, block_length=1,
                                num_parallel_calls=tf.data.AUTOTUNE,
                                deterministic=True)  # fmt: skip
        if max_rows is not None:
            data = _first_rows(data, check_positive_int("max_rows", max_rows))
        low, high = _split_bounds(split, fractions)
        filtered = row_workers > 1 or split is not None
        names = tf.constant([self.files[i] for i in range(len(self.files))])

        def parse(index, line, raw):
            if filtered:
                keep = tf.ones_like(line, tf.bool)
                if row_workers > 1:
                    keep &= tf.equal((line - self.first_line) % row_workers, worker_index)
                if split is not None:
                    bucket = tf.strings.to_hash_bucket_strong(self._row_keys(raw), _BUCKETS,
                                                              key=[seed, 0x5A00])  # fmt: skip
                    keep &= (bucket >= low) & (bucket < high)
                raw = tf.nest.map_structure(lambda rows: tf.boolean_mask(rows, keep), raw)
                line = tf.boolean_mask(line, keep)
            columns = self._decode(raw)
            label = columns.pop(self.label)
            bad = tf.logical_not(tf.equal(label, 0.0) | tf.equal(label, 1.0))
            # the first bad row's line; a sentinel after the rows keeps an empty block valid
            first = tf.argmax(tf.concat([tf.cast(bad, tf.int32), [1]], 0), output_type=tf.int64)
            where = tf.strings.as_string(tf.gather(tf.concat([line, [0]], 0), first))
            message = tf.strings.join([f"{self.name}: ", names[index], ", line ", where,
                                       f" has a {LABEL_PROBLEM}"])  # fmt: skip
            check = tf.debugging.Assert(tf.logical_not(tf.reduce_any(bad)), [message])
            with tf.control_dependencies([check]):
                label = tf.reshape(tf.cast(label, tf.float32), (-1, 1))
            if positions:
                columns["file"] = tf.fill(tf.shape(line), index)
                columns["line"] = line
            return columns, label

        data = data.map(parse, num_parallel_calls=tf.data.AUTOTUNE)
        if shuffle_buffer:
            data = mixed_blocks(data, shuffle_buffer, block_rows, seed)
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


def _first_rows(blocks, max_rows):
    """The (file, lines, raw rows) blocks up to `max_rows` rows in all: whole blocks, then
    the first rows of the block that reaches the bound."""

    def running_total(total, block):
        return total + tf.size(block[1], tf.int64), (total, block)

    counted = blocks.scan(tf.constant(0, tf.int64), running_total)
    counted = counted.take_while(lambda before, block: before < max_rows)

    def cut(before, block):
        index, line, raw = block
        keep = max_rows - before
        return index, line[:keep], tf.nest.map_structure(lambda rows: rows[:keep], raw)

    return counted.map(cut)


WINDOW_BLOCKS = 16  # blocks whose rows one permutation mixes


def mixed_blocks(blocks, buffer_rows, block_rows, seed):
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
