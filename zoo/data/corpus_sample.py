"""Samples of a plain-text corpus spread over its files, without reading it all.

`sample_corpus(files, encoding, max_bytes)` gives each file an equal share of `max_bytes`,
read in evenly spaced windows of about `WINDOW_BYTES` (a file smaller than its share is read
once, whole; gzip files, and encodings whose newline is not the byte 0x0A, from their start).
The sample also tells the corpus's size in text bytes: exact for plain files, from the
compression ratio of what was read for gzip ones. A tokenizer is trained on a sample, and a
stream's length estimated from one (`zoo.data.corpus_stream`).

Example:
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = path.write_text("One line.\\n\\nA second document.\\n")
>>> sample = sample_corpus([path], "utf-8", 1 << 20)
>>> sample.texts(), list(sample.documents()), sample.corpus_bytes
(['One line.', 'A second document.'], [['One line.'], ['A second document.']], 30)
"""

import codecs
import dataclasses
import gzip
import io
import json
import zlib
from pathlib import Path

from zoo._utils import atomic_path, check_positive_int
from zoo.data._reading import _codec, check_encoding
from zoo.data.corpus_files import not_text
from zoo.errors import DataSourceError

WINDOW_BYTES = 1 << 20  # a sample reads windows of about this size
MAX_WINDOWS = 256  # windows a file, at most
ESTIMATE_FILE = "corpus/size.json"  # a `CorpusEstimate` in a run folder


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
class CorpusEstimate:
    """A streamed corpus's estimated size in training examples (BERT's packed rows, a causal
    LM's windows), from a sample: saved in a run folder (`ESTIMATE_FILE`), so a resumed run
    does not estimate again.

    Example:
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> CorpusEstimate(count=1200, corpus_bytes=10_000, sample_bytes=5_000).save(folder)
    >>> CorpusEstimate.load(folder).count
    1200
    """

    count: int
    corpus_bytes: int
    sample_bytes: int

    def save(self, folder):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(folder / Path(ESTIMATE_FILE).name) as tmp:
            Path(tmp).write_text(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def load(cls, folder):
        saved = json.loads((Path(folder) / Path(ESTIMATE_FILE).name).read_text())
        saved.setdefault("count", saved.pop("rows", None))  # written as "rows" until 2026-12-04
        return cls(**saved)


def _unstripped(line):
    return line.rstrip("\r\n")


def sample_corpus(files, encoding, max_bytes, strip=True):
    """A `CorpusSample` of about `max_bytes` bytes of `files`, spread over every file: a file's
    equal share is read in evenly spaced windows (from its start for gzip files and for
    encodings whose newline is not the byte 0x0A, which cannot be entered mid-file). Lines
    are stripped, or with `strip=False` kept as they are, less the line break."""
    clean = str.strip if strip else _unstripped
    check_positive_int("max_bytes", max_bytes)
    share = max(1, max_bytes // len(files))
    lines, sample_bytes, corpus_bytes = [], 0, 0
    for path in files:
        read, whole = _sample_file(path, encoding, share, lines, clean)
        sample_bytes += read
        corpus_bytes += whole
    if not any(lines):
        raise DataSourceError(f"The corpus {[str(f) for f in files]} holds no text.")
    return CorpusSample(lines, sample_bytes, corpus_bytes)


def _sample_file(path, encoding, share, lines, clean):
    """Append `path`'s sample to `lines`; (text bytes read, estimated text bytes of the
    file). Text that is not valid in the encoding is one `DataSourceError`, before any
    training starts."""
    try:
        return _sample_any(path, encoding, share, lines, clean)
    except UnicodeError:
        raise DataSourceError(not_text(path, encoding)) from None


def _sample_any(path, encoding, share, lines, clean):
    size = path.stat().st_size
    if not _ascii_compatible(encoding):
        return _sample_head(path, encoding, share, lines, size, clean)
    if path.name.endswith(".gz"):
        return _sample_gzip(path, encoding, share, lines, size, clean)
    codec = _codec(encoding)
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
                lines.append(clean(raw.decode(codec)))
            lines.append("")
            read += taken
    return read, size


def _sample_gzip(path, encoding, share, lines, size, clean):
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
    codec = _codec(encoding)
    lines += [clean(line.decode(codec)) for line in text.splitlines()]
    lines.append("")
    whole = len(text) if ended else int(len(text) * size / max(1, compressed))
    return len(text), whole


def _sample_head(path, encoding, share, lines, size, clean):
    """The head of a file in an encoding whose newline is not the byte 0x0A; a gzip
    file's text size from the head's compression ratio."""
    read, encoder = 0, codecs.getincrementalencoder(_codec(encoding))()
    with open(path, "rb") as raw:
        binary = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
        handle = io.TextIOWrapper(binary, encoding=_codec(encoding))
        for line in handle:
            read += len(encoder.encode(line))  # a byte-order mark once, as in the file
            lines.append(clean(line))
            if read >= share:
                break
        ended = not handle.read(1)
        consumed = raw.tell()
    lines.append("")
    if ended or not path.name.endswith(".gz"):
        return read, read if ended else size
    return read, int(read * size / max(1, consumed))
