"""The encoded training rows of a streamed table, written to disk once and read every epoch.

Every epoch of a streamed log otherwise reads and parses its text again (decompression,
CSV fields, hashing, vocabulary lookups): on a 2-core machine that is CPU the model could
train with. `cached_training_rows(blocks, folder, ...)` writes the encoded blocks once, in
one pass before training (TFRecord shards of serialized tensors, into a temporary folder
renamed when the pass is whole: a killed or failed pass leaves nothing that is read, and is
removed), and reads them back every epoch with the rows mixed anew (the shards in a new
order, then `mixed_blocks`). A resumed run reads the cache it finds. Before writing, a
cache the disk cannot hold is refused (`check_space`); `remove` deletes it once training
ends.

Example:
>>> blocks = encode_stream(encoder, stream.dataset(4096, split="train"))   # doctest: +SKIP
>>> train = cached_training_rows(blocks, run_dir / "encoded_cache", batch_size=4096,
...                              shuffle_rows=100_000, block_rows=4096)   # doctest: +SKIP
"""

import os
import shutil
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo.data.row_stream import mixed_blocks
from zoo.errors import ConfigError

SHARDS = 16  # files the rows are dealt into (read in a new order every epoch)
SHARDS_IN_FLIGHT = 4
PARTIAL = ".partial-"  # a pass being written: <folder>.partial-<pid>


def row_bytes(blocks):
    """The bytes one row of `blocks` (a dataset of `(features, label)` blocks) takes."""
    return sum(int(np.prod(spec.shape[1:])) * spec.dtype.size
               for spec in tf.nest.flatten(blocks.element_spec))  # fmt: skip


def check_space(folder, rows, bytes_per_row):
    """`ConfigError` when the disk under `folder` cannot hold `rows` encoded rows."""
    need = rows * bytes_per_row * 1.1
    parent = Path(folder)
    while not parent.exists():
        parent = parent.parent
    free = shutil.disk_usage(parent).free
    if free < need:
        raise ConfigError(
            f"--cache-encoded keeps about {need / 1e9:.2f} GB of encoded rows in {folder}, and "
            f"its disk has {free / 1e9:.2f} GB free; free some, or drop --cache-encoded."
        )


def remove(folder):
    """Delete the cache (when training has ended)."""
    shutil.rmtree(folder, ignore_errors=True)


def _clear_partial(folder):
    for stale in folder.parent.glob(f"{folder.name}{PARTIAL}*"):
        shutil.rmtree(stale, ignore_errors=True)


def _serialized(block):
    """One record: the block's tensors, each serialized, in one serialized string tensor."""
    parts = [tf.io.serialize_tensor(tensor) for tensor in tf.nest.flatten(block)]
    return tf.io.serialize_tensor(tf.stack(parts)).numpy()


def write_once(blocks, folder, rows=None):
    """`blocks` written to `folder` unless a whole earlier pass is there; the seconds the
    writing took (0 when the cache was there). With `rows` (how many the blocks hold), a
    disk that cannot hold them is refused first (`check_space`). A pass that fails is
    removed and its error raised; one that is killed is removed by the next call."""
    folder = Path(folder)
    if folder.is_dir():
        return 0.0
    if rows is not None:
        check_space(folder, rows, row_bytes(blocks))
    _clear_partial(folder)
    partial = folder.parent / f"{folder.name}{PARTIAL}{os.getpid()}"
    partial.mkdir(parents=True)
    started = time.perf_counter()
    writers = [tf.io.TFRecordWriter(str(partial / f"shard-{i:02}.tfrecord"))
               for i in range(SHARDS)]  # fmt: skip
    try:
        for number, block in enumerate(blocks):
            writers[number % SHARDS].write(_serialized(block))
        for writer in writers:
            writer.close()
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    os.replace(partial, folder)  # the cache exists only once it is whole
    return time.perf_counter() - started


def _reader(element_spec):
    specs = tf.nest.flatten(element_spec)

    def parse(record):
        parts = tf.io.parse_tensor(record, tf.string)
        tensors = []
        for index, spec in enumerate(specs):
            tensor = tf.io.parse_tensor(parts[index], spec.dtype)
            tensor.set_shape(spec.shape)
            tensors.append(tensor)
        return tf.nest.pack_sequence_as(element_spec, tensors)

    return parse


def cached_training_rows(blocks, folder, *, batch_size, shuffle_rows, block_rows, seed=0,
                         rows=None, drop_remainder=False):  # fmt: skip
    """Batches of `batch_size` from `blocks` (a dataset of encoded `(features, label)`
    blocks of about `block_rows` rows; `rows` in all, when known), written to `folder` once
    (`write_once`) and read from it every pass, rows mixed within about `shuffle_rows` (see
    the module docstring)."""
    write_once(blocks, folder, rows)
    shards = tf.data.Dataset.list_files(str(Path(folder) / "shard-*.tfrecord"), shuffle=True,
                                        seed=seed)  # fmt: skip
    records = shards.interleave(tf.data.TFRecordDataset, cycle_length=SHARDS_IN_FLIGHT,
                                num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
    cached = records.map(_reader(blocks.element_spec), num_parallel_calls=tf.data.AUTOTUNE)
    mixed = mixed_blocks(cached, shuffle_rows, block_rows, seed)
    return mixed.rebatch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
