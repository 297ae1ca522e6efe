"""A plain-text corpus's files: which they are, and their lines read one at a time.

Sources are files, globs or folders (their `.txt` and `.txt.gz` files, recursively, in name
order); a file is read as text in the corpus's encoding, gzip by its `.gz` name. Text that is
not valid in the encoding is one `DataSourceError` naming the file and the line.

Example:
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("One line.\\n\\nA second document.\\n")
>>> print(*(path.name for path in corpus_files([folder])))
a.txt
>>> list(read_lines(folder / "a.txt"))
['One line.', '', 'A second document.']
"""

import glob
import gzip
import io
from pathlib import Path

from zoo.data._reading import DEFAULT_ENCODING, _codec, decode_error_message
from zoo.errors import DataSourceError

SUFFIXES = (".txt", ".txt.gz")


def corpus_files(sources):
    """The files of `sources` (files, globs, folders), in order, each once."""
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


def read_lines(path, encoding=DEFAULT_ENCODING, strip=True):
    """The stripped lines of `path` ("" for a blank one), one at a time (with `strip=False`,
    as they are, less the line break); a byte that is not valid `encoding` text is one
    `DataSourceError` naming the file and its line."""
    path = Path(path)
    number = 0
    try:
        with _opened(path, encoding) as handle:
            for number, line in enumerate(handle, 1):  # noqa: B007 (read after the loop)
                yield line.strip() if strip else line.rstrip("\n")
    except UnicodeError:
        raise DataSourceError(not_text(path, encoding, number)) from None
    except (OSError, EOFError) as error:
        raise DataSourceError(f"cannot read {path}: {error}.") from None


def not_text(path, encoding, lines_read=None):
    """The one line that says `path` is not valid `encoding` text, and what to do."""
    if not path.name.endswith(".gz"):
        return decode_error_message(path, encoding)  # names the line and the byte
    where = f", after line {lines_read}" if lines_read is not None else ""
    return (f"{path}{where}: not valid {encoding} text; pass --encoding with the corpus's "
            "encoding, or re-save it as UTF-8.")
