"""One training process per run folder: a lock that a second run refuses in one line.

`hold_run_folder(folder)` takes an exclusive `flock` on `folder/.lock` (and writes the
holder's pid there) for the rest of the process; the operating system drops it when the
process ends, however it ends, so a killed run never leaves a stale lock. A second process
that wants the folder meanwhile gets `RunFolderBusyError` naming the holder's pid. Within one
process the lock is re-entrant (a new `TrainingRun` on the same folder continues the same
work). Where `fcntl` does not exist (Windows) there is no lock.

Example:
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> hold_run_folder(folder) is hold_run_folder(folder)  # re-entrant in one process
True
"""

import os
from pathlib import Path

from zoo.errors import RunFolderBusyError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None

LOCK_FILE = ".lock"
_HELD = {}  # resolved folder -> open lock file, for the life of the process


def hold_run_folder(folder):
    """Lock `folder` for this process (creating it); return the open lock file. Raises
    `RunFolderBusyError` when another live process holds it."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if folder in _HELD or fcntl is None:
        return _HELD.get(folder)
    handle = open(folder / LOCK_FILE, "a+")  # noqa: SIM115 (held open for the process)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise RunFolderBusyError(
            f"{folder} is in use by another run (pid {holder}); wait for it to finish, stop "
            "it, or give another --output-dir."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _HELD[folder] = handle
    return handle


def release_run_folder(folder):
    """Drop this process's lock on `folder` (a no-op if it holds none)."""
    handle = _HELD.pop(Path(folder).resolve(), None)
    if handle is not None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
