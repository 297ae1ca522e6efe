"""Truncated or corrupt gzip files found while a stream is read, not read as shorter data.

TensorFlow's gzip reader stops without an error where a gzip file is cut short (a copy that
was interrupted, a full disk): a truncated Criteo day would train on the rows before the cut
and say nothing. `GzipCheck(paths)` decompresses each `.gz` file once with zlib on a
background thread (zlib releases the GIL: about 400 MB of text a second on one core, run
beside a pass that reads the same files anyway) and `GzipCheck.raise_if_bad()` waits for it
and raises one `DataSourceError` naming the first bad file.

Example:
>>> import gzip, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "day_0.gz"
>>> _ = path.write_bytes(gzip.compress(b"1\\t2\\n" * 10_000)[:-40])
>>> gzip_problem(path)
'is truncated: it ends before its gzip stream does'
>>> GzipCheck([path]).raise_if_bad()  # doctest: +ELLIPSIS
Traceback (most recent call last):
zoo.errors.DataSourceError: ...day_0.gz is truncated: ... re-copy or re-compress it.
"""

import threading
import zlib
from pathlib import Path

from zoo.errors import DataSourceError

CHUNK = 1 << 20


def gzip_problem(path):
    """Why the gzip file at `path` cannot be read to its end, or None when it can (every
    member of a multi-member file is checked)."""
    decompressor = zlib.decompressobj(wbits=31)
    started = False
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                while chunk:
                    started = True
                    decompressor.decompress(chunk)
                    chunk = decompressor.unused_data
                    if decompressor.eof:  # a member ended: the next one starts here
                        decompressor, started = zlib.decompressobj(wbits=31), False
    except zlib.error as error:
        return f"is not a readable gzip file ({error})"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if started:
        return "is truncated: it ends before its gzip stream does"
    return None


class GzipCheck:
    """`gzip_problem` of every `.gz` file of `paths`, on a background thread."""

    def __init__(self, paths):
        self.paths = [Path(p) for p in paths if str(p).endswith(".gz")]
        self._problem = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        for path in self.paths:
            problem = gzip_problem(path)
            if problem:
                self._problem = f"{path} {problem}; re-copy or re-compress it."
                return

    def raise_if_bad(self):
        """Wait for the check; `DataSourceError` naming the first bad file, if any."""
        self._thread.join()
        if self._problem:
            raise DataSourceError(self._problem)
