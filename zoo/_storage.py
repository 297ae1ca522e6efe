"""Recognise a failed write (full disk, read-only or forbidden folder) in any library's error.

Writes fail deep inside h5py, TensorFlow's file system or Python's `open`, each with its own
exception type; what they share is the operating system's error code (`errno`) or its text.
`storage_failure` finds it anywhere in an exception's chain and says in one line which file
it was, why, and what to do; `zoo._cli.exit_on_user_error` prints that line.

Example:
>>> import errno
>>> error = OSError(errno.ENOSPC, "No space left on device", "runs/a/model.keras")
>>> print(storage_failure(error).split(";")[0])
cannot write runs/a/model.keras: no space left on the device
"""

import errno
import re

# errno -> (what the user reads, what to do)
_SPACE = "free some space or give another --output-dir"
_ACCESS = "give a writable --output-dir (or change the file's permissions)"
REASONS = {
    errno.ENOSPC: ("no space left on the device", _SPACE),
    errno.EDQUOT: ("the disk quota is exceeded", _SPACE),
    errno.EFBIG: ("the file is larger than the file system (or the process's limit) allows",
                  _SPACE),  # fmt: skip
    errno.EROFS: ("the file system is read-only", _ACCESS),
    errno.EACCES: ("permission denied", _ACCESS),
    errno.EPERM: ("the operation is not permitted", _ACCESS),
}
# The same codes as their messages, for libraries that keep only the text.
_TEXTS = {
    "no space left on device": errno.ENOSPC,
    "disk quota exceeded": errno.EDQUOT,
    "file too large": errno.EFBIG,
    "read-only file system": errno.EROFS,
    "permission denied": errno.EACCES,
    "operation not permitted": errno.EPERM,
}
_NAME_IN_TEXT = re.compile(r"name = '([^']+)'|'([^']+)'")


def _chain(error):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _code_and_file(error):
    if isinstance(error, OSError) and error.errno in REASONS:
        return error.errno, error.filename
    text = str(error)
    for phrase, code in _TEXTS.items():
        if phrase in text.lower():
            match = _NAME_IN_TEXT.search(text)
            return code, (match.group(1) or match.group(2)) if match else None
    return None, None


def storage_failure(error):
    """One line for `error` if it (or an error it came from) is a failed write of a full,
    read-only or forbidden file system; None for any other error."""
    for link in _chain(error):
        code, filename = _code_and_file(link)
        if code is not None:
            reason, advice = REASONS[code]
            verb = "access" if code in (errno.EACCES, errno.EPERM) else "write"
            where = f"{verb} {filename}" if filename else f"{verb} a file of the run"
            return (f"cannot {where}: {reason}; {advice}, and rerun the same command (a "
                    "training run resumes from its last saved epoch).")  # fmt: skip
    return None
