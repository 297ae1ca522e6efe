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

import codecs
import contextlib
import dataclasses
import glob
import gzip
import hashlib
import io
import math
import threading
import zlib
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo._utils import check_fraction, check_positive_int
from zoo.data._reading import DEFAULT_ENCODING, _codec, check_encoding, decode_error_message
from zoo.data.packing import RowPacker
from zoo.errors import ConfigError, DataSourceError

SUFFIXES = (".txt", ".txt.gz")
PASSAGE_LINES = 16  # lines of one document tokenized and split together
SHARD_PASSAGES = 4  # consecutive passages a worker reads together
GROUP_PASSAGES = 16  # passages tokenized in one call
WINDOW_BYTES = 1 << 20  # a sample reads windows of about this size
MAX_WINDOWS = 256  # windows a file, at most
SPLITS = ("train", "validation")


def _files_of(sources):
    files = []
    for source in sources:
        text = str(Path(source).expanduser())
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
            if not found:
                raise DataSourceError(f"{path} holds no {' or '.join(SUFFIXES)} files.")
        elif path.is_file():
            found = [path]
        elif glob.has_magic(text):
            found = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
            if not found:
                raise DataSourceError(f"No corpus file matches {text}.")
        else:
            raise DataSourceError(f"Corpus file {path} does not exist.")
        files += found
    return tuple(dict.fromkeys(files))  # in order, each once


def _opened(path, encoding):
    """`path` as a text stream (gzip by its name), read with `encoding`'s codec."""
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")
    return io.TextIOWrapper(raw, encoding=_codec(encoding), newline=None)


def read_lines(path, encoding=DEFAULT_ENCODING):
    """The stripped lines of `path` ("" for a blank one), one at a time; a byte that is not
    valid `encoding` text is one `DataSourceError` naming the file and its line."""
    path = Path(path)
    number = 0
    try:
        with _opened(path, encoding) as handle:
            for number, line in enumerate(handle, 1):  # noqa: B007 (read after the loop)
                yield line.strip()
    except UnicodeError:
        raise DataSourceError(_not_text(path, encoding, number)) from None
    except (OSError, EOFError) as error:
        raise DataSourceError(f"cannot read {path}: {error}.") from None


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


def _not_text(path, encoding, lines_read=None):
    """The one line that says `path` is not valid `encoding` text, and what to do."""
    if not path.name.endswith(".gz"):
        return decode_error_message(path, encoding)  # names the line and the byte
    where = f", after line {lines_read}" if lines_read is not None else ""
    return (f"{path}{where}: not valid {encoding} text; pass --encoding with the corpus's "
            "encoding, or re-save it as UTF-8.")


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


def _ascii_compatible(encoding):
    return codecs.lookup(check_encoding(encoding)).encode("\n")[0] == b"\n"


@dataclasses.dataclass(frozen=True)
class CorpusSample:
    """Lines read from evenly spaced windows of a corpus ("" ends a document; each window
    ends one), their size in bytes, and the corpus's whole size in text bytes (estimated for
    gzip files from the sample's compression ratio)."""

    lines: list
    sample_bytes: int
    corpus_bytes: int

    def texts(self):
        """The sample's non-blank lines (what a tokenizer is trained on)."""
        return [line for line in self.lines if line]

    def documents(self):
        """The sample's documents, each a list of lines."""
        document = []
        for line in self.lines:
            if line:
                document.append(line)
            elif document:
                yield document
                document = []
        if document:
            yield document


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
        return cls(_files_of(sources), encoding)

    def sample(self, max_bytes):
        """A `CorpusSample` of about `max_bytes` bytes, spread over every file: a file's
        equal share is read in evenly spaced windows (from its start for gzip files and for
        encodings whose newline is not the byte 0x0A, which cannot be entered mid-file)."""
        check_positive_int("max_bytes", max_bytes)
        share = max(1, max_bytes // len(self.files))
        lines, sample_bytes, corpus_bytes = [], 0, 0
        for path in self.files:
            read, whole = self._sample_file(path, share, lines)
            sample_bytes += read
            corpus_bytes += whole
        if not any(lines):
            raise DataSourceError(f"The corpus {[str(f) for f in self.files]} holds no text.")
        return CorpusSample(lines, sample_bytes, corpus_bytes)

    def _sample_file(self, path, share, lines):
        """Append `path`'s sample to `lines`; (text bytes read, estimated text bytes of the
        file). Text that is not valid in the encoding is one `DataSourceError`, before any
        training starts."""
        try:
            return self._sample_any(path, share, lines)
        except UnicodeError:
            raise DataSourceError(_not_text(path, self.encoding)) from None

    def _sample_any(self, path, share, lines):
        size = path.stat().st_size
        if not _ascii_compatible(self.encoding):
            return self._sample_head(path, share, lines, size)
        if path.name.endswith(".gz"):
            return self._sample_gzip(path, share, lines, size)
        codec = _codec(self.encoding)
        share = min(share, size)  # a file smaller than its share is read once, whole
        windows = max(1, min(MAX_WINDOWS, share // WINDOW_BYTES)) if share < size else 1
        width, read = share // windows, 0
        with open(path, "rb") as handle:
            for window in range(windows):
                handle.seek(window * size // windows)
                if window:
                    handle.readline()  # the rest of a line the window starts inside
                taken = 0
                while taken < width and (raw := handle.readline()):
                    taken += len(raw)
                    lines.append(raw.decode(codec).strip())
                lines.append("")
                read += taken
        return read, size

    def _sample_gzip(self, path, share, lines, size):
        """The head of a gzip file; its text size from the head's compression ratio (exact
        when the sample reaches the end)."""
        text, compressed = bytearray(), 0
        decompressor = zlib.decompressobj(wbits=31)
        with open(path, "rb") as raw:
            try:
                while len(text) < share and (chunk := raw.read(1 << 16)):
                    compressed += len(chunk)
                    while chunk:
                        text += decompressor.decompress(chunk)
                        chunk = decompressor.unused_data  # a multi-member file's next member
                        if decompressor.eof:
                            decompressor = zlib.decompressobj(wbits=31)
            except zlib.error as error:
                raise DataSourceError(f"{path} is not a readable gzip file ({error}); "
                                      "re-compress it or pass it uncompressed.") from None
            ended = not raw.read(1)
        if not ended:
            text = text[: text.rfind(b"\n") + 1]  # whole lines only
        codec = _codec(self.encoding)
        lines += [line.decode(codec).strip() for line in text.splitlines()]
        lines.append("")
        whole = len(text) if ended else int(len(text) * size / max(1, compressed))
        return len(text), whole

    def _sample_head(self, path, share, lines, size):
        """The head of a file in an encoding whose newline is not the byte 0x0A; a gzip
        file's text size from the head's compression ratio."""
        read, encoder = 0, codecs.getincrementalencoder(_codec(self.encoding))()
        with open(path, "rb") as raw:
            binary = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
            handle = io.TextIOWrapper(binary, encoding=_codec(self.encoding))
            for line in handle:
                read += len(encoder.encode(line))  # a byte-order mark once, as in the file
                lines.append(line.strip())
                if read >= share:
                    break
            ended = not handle.read(1)
            consumed = raw.tell()
        lines.append("")
        if ended or not path.name.endswith(".gz"):
            return read, read if ended else size
        return read, int(read * size / max(1, consumed))

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
        check_positive_int("num_workers", num_workers)
        if split not in SPLITS:
            raise ConfigError(f"split={split!r}: choose one of {', '.join(SPLITS)}.")
        if validation_fraction:
            check_fraction("validation_fraction", validation_fraction)
        if not 0 <= worker_index < num_workers:
            raise ConfigError(f"worker_index={worker_index} is not in [0, {num_workers}).")
        return _FileRows(self.encoding, tokenizer, sequence_length,
                         _Keep(split, validation_fraction, seed, num_workers, worker_index))

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
class _Keep:
    """Which passages a split and a worker keep (see the module docstring)."""

    split: str
    validation_fraction: float
    seed: int
    num_workers: int
    worker_index: int

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
