"""Plain-text corpora streamed for masked-LM pretraining: never the whole corpus in memory.

`CorpusStream.open(sources)` names the files: files, globs or folders (their `.txt` and
`.txt.gz` files, recursively, in name order). A line is a sentence or a paragraph; a blank
line ends a document, as `read_corpus` reads them. `stream.rows(tokenizer, 128)` is a
`tf.data.Dataset` of packed int32 rows `[CLS] tokens [SEP] [PAD]...` (`RowPacker`).

* Reading: each file is read line by line (gzip by its `.gz` name) in passages of at most
  `PASSAGE_LINES` lines of one document. A passage is tokenized in one batch by the
  tokenizer's Rust encoder and packed into rows; `files_in_flight` files are read at once
  (`interleave`, a tokenizer per thread), rows are mixed in a shuffle buffer of
  `shuffle_rows`. Memory holds `GROUP_PASSAGES` passages a file, tf.data's buffers and the
  shuffle buffer, whatever the corpus's size.
* Splits without loading: a passage is held out for validation when its text, hashed with a
  key made of `seed` (BLAKE2b), falls in the first `validation_fraction` of the hash range:
  deterministic per seed, independent of file order and sharding; identical passages share a
  split. Rows never span a passage that was left out.
* Sharding over workers: `num_workers`, `worker_index` deal a file's passages out in runs of
  `SHARD_PASSAGES`: run `k` of file `f` (in `files` order) goes to worker `(f + k)` modulo
  `num_workers`, so many small files spread as evenly as a few large ones. The shards are
  disjoint and their union is the corpus. Each worker reads every line (cheap) and
  tokenizes only its own passages.
* Size without a pass: `stream.sample(max_bytes)` reads evenly spaced windows of every file
  (the tokenizer is trained on one); `estimate_rows` packs a sample and scales it to the
  corpus's size, so that an epoch's steps are known before the first step.

Example:
>>> stream = CorpusStream.open(["~/corpora/wiki"])                         # doctest: +SKIP
>>> tokenizer = WordPieceTokenizer.from_texts(stream.sample(100 << 20).texts())  # doctest: +SKIP
>>> rows = stream.rows(tokenizer, 128, split="train", shuffle_rows=10_000)  # doctest: +SKIP
>>> next(iter(rows)).shape                                                  # doctest: +SKIP
TensorShape([128])
"""

import contextlib
import dataclasses
import hashlib
import math
import threading
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo._utils import check_fraction, check_positive_int
from zoo.data._reading import DEFAULT_ENCODING, check_encoding
from zoo.data.corpus_files import corpus_files, read_lines
from zoo.data.corpus_sample import sample_corpus
from zoo.data.packing import RowPacker
from zoo.errors import ConfigError, DataSourceError

PASSAGE_LINES = 16  # lines of one document tokenized and split together
SHARD_PASSAGES = 4  # consecutive passages a worker reads together
GROUP_PASSAGES = 16  # passages tokenized in one call
SPLITS = ("train", "validation")


@contextlib.contextmanager
def read_errors():
    """A `DataSourceError` raised while tf.data reads a corpus (on its threads, where it
    arrives as a TensorFlow error wrapping the Python one) as the one line it was."""
    try:
        yield
    except tf.errors.OpError as error:
        marker = "DataSourceError: "
        if marker not in str(error.message):
            raise
        raise DataSourceError(str(error.message).split(marker, 1)[1].splitlines()[0]) from None


def _passages(lines):
    """(lines, ends_document) for each passage of at most PASSAGE_LINES non-blank lines."""
    passage = []
    for line in lines:
        if line:
            passage.append(line)
            if len(passage) == PASSAGE_LINES:
                yield passage, False
                passage = []
        else:
            yield passage, True  # possibly empty: it closes a full passage's document
            passage = []
    yield passage, True


@dataclasses.dataclass(frozen=True)
class CorpusStream:
    """A corpus's files, read with `encoding` (see the module docstring)."""

    files: tuple
    encoding: str = DEFAULT_ENCODING

    @classmethod
    def open(cls, sources, encoding=DEFAULT_ENCODING):
        """The stream of `sources`: files, globs or folders (a single one may be a string)."""
        check_encoding(encoding)
        sources = [sources] if isinstance(sources, (str, Path)) else list(sources)
        if not sources:
            raise ConfigError("A corpus needs at least one file, glob or folder.")
        return cls(corpus_files(sources), encoding)

    def sample(self, max_bytes, strip=True):
        """A `CorpusSample` of about `max_bytes` bytes spread over every file, its lines
        stripped or (`strip=False`) as they are (`zoo.data.corpus_sample.sample_corpus`)."""
        return sample_corpus(self.files, self.encoding, max_bytes, strip)

    def estimate_rows(self, tokenizer, sequence_length, sample):
        """About how many rows the whole corpus packs into: `sample`'s rows per byte times
        the corpus's bytes (at least 1)."""
        packer = RowPacker.for_tokenizer(tokenizer, sequence_length)
        rows = 0
        for document in sample.documents():
            for passage, ends_document in _passages(document):
                for ids in tokenizer.encode_ids(passage) if passage else []:
                    rows += len(packer.add(ids))
                if ends_document:
                    rows += len(packer.end_document())
        return max(1, math.ceil(rows * sample.corpus_bytes / max(1, sample.sample_bytes)))

    def _reader(self, tokenizer, sequence_length, split, validation_fraction, seed,
                num_workers=1, worker_index=0):  # fmt: skip
        return _FileRows(self.encoding, tokenizer, sequence_length,
                         PassageFilter(split, validation_fraction, seed, num_workers, worker_index))

    def has_rows(self, tokenizer, sequence_length, *, split="train", validation_fraction=0.05,
                 seed=0):  # fmt: skip
        """Whether `split` holds any row: reads (in Python, without tf.data) up to the first
        passage it keeps, the whole corpus if it keeps none."""
        reader = self._reader(tokenizer, sequence_length, split, validation_fraction, seed)
        return any(len(block) for index, path in enumerate(self.files)
                   for block in reader(path, index))  # fmt: skip

    def rows(self, tokenizer, sequence_length, *, split="train", validation_fraction=0.05,
             seed=0, shuffle_rows=0, num_workers=1, worker_index=0, files_in_flight=4):  # fmt: skip
        """A `tf.data.Dataset` of this split's packed rows, (sequence_length,) int32, one pass.

        `shuffle_rows` > 0 also shuffles the files' order every pass (seeded)."""
        check_positive_int("files_in_flight", files_in_flight)
        reader = self._reader(tokenizer, sequence_length, split, validation_fraction, seed,
                              num_workers, worker_index)  # fmt: skip
        paths = tf.data.Dataset.from_tensor_slices(([str(path) for path in self.files],
                                                    list(range(len(self.files)))))  # fmt: skip
        if shuffle_rows:
            paths = paths.shuffle(len(self.files), seed=seed, reshuffle_each_iteration=True)
        signature = tf.TensorSpec((None, sequence_length), tf.int32)
        rows = paths.interleave(
            lambda path, index: tf.data.Dataset.from_generator(reader, args=(path, index),
                                                               output_signature=signature),
            cycle_length=min(files_in_flight, len(self.files)), block_length=1,
            num_parallel_calls=min(files_in_flight, len(self.files)),
            deterministic=not shuffle_rows,
        ).unbatch()  # fmt: skip
        if shuffle_rows:
            rows = rows.shuffle(shuffle_rows, seed=seed, reshuffle_each_iteration=True)
        return rows


@dataclasses.dataclass(frozen=True)
class PassageFilter:
    """Which passages a split and a worker keep (see the module docstring); the split and
    the shard are checked when it is made."""

    split: str
    validation_fraction: float
    seed: int
    num_workers: int
    worker_index: int

    def __post_init__(self):
        check_positive_int("num_workers", self.num_workers)
        if self.split not in SPLITS:
            raise ConfigError(f"split={self.split!r}: choose one of {', '.join(SPLITS)}.")
        if self.validation_fraction:
            check_fraction("validation_fraction", self.validation_fraction)
        if not 0 <= self.worker_index < self.num_workers:
            raise ConfigError(f"worker_index={self.worker_index} is not in "
                              f"[0, {self.num_workers}).")  # fmt: skip

    def __call__(self, passage, number, file_index=0):
        if (file_index + number // SHARD_PASSAGES) % self.num_workers != self.worker_index:
            return False
        if not self.validation_fraction:
            return self.split == "train"
        digest = hashlib.blake2b("\n".join(passage).encode("utf-8", "replace"), digest_size=8,
                                 key=str(self.seed).encode()).digest()  # fmt: skip
        held_out = int.from_bytes(digest, "little") < self.validation_fraction * 2.0**64
        return held_out == (self.split == "validation")


class _FileRows:
    """The generator of one file's kept rows, as arrays of up to a few hundred rows (one
    Python call per array, not per row). tf.data calls it on several threads: each thread
    tokenizes with its own copy of the tokenizer."""

    def __init__(self, encoding, tokenizer, sequence_length, keep):
        self.encoding, self.tokenizer, self.keep = encoding, tokenizer, keep
        self.sequence_length = sequence_length
        self._local = threading.local()

    def _tokenizer(self):
        if not hasattr(self._local, "tokenizer"):
            self._local.tokenizer = self.tokenizer.copy()
        return self._local.tokenizer

    def _groups(self, path, file_index):
        """Lists of (passage, ends_document, kept), GROUP_PASSAGES passages each."""
        group, number = [], 0
        for passage, ends_document in _passages(read_lines(path, self.encoding)):
            kept = bool(passage) and self.keep(passage, number, file_index)
            number += bool(passage)
            group.append((passage, ends_document, kept))
            if len(group) == GROUP_PASSAGES:
                yield group
                group = []
        yield group

    def __call__(self, path, file_index=0):
        path = Path(path.decode() if isinstance(path, bytes) else path)
        packer = RowPacker.for_tokenizer(self.tokenizer, self.sequence_length)
        for group in self._groups(path, int(file_index)):
            # One tokenizer call for the group's kept lines (the Rust encoder's threads stay
            # busy), with this thread's copy: tf.data may resume a generator on another thread.
            ids = iter(self._tokenizer().encode_ids([line for passage, _, kept in group if kept
                                             for line in passage]))  # fmt: skip
            rows = []
            for passage, ends_document, kept in group:
                if kept:
                    for _ in passage:
                        rows += packer.add(next(ids))
                if ends_document or not kept:  # no row spans a left-out passage
                    rows += packer.end_document()
            if rows:
                yield np.stack(rows)
        final = packer.end_document()
        if final:
            yield np.stack(final)
