"""Small infrastructure shared across zoo: argument checks and atomic file writes."""

import contextlib
import json
import numbers
import os
import shutil
import tempfile
from pathlib import Path

from zoo._faults import kill_point
from zoo.errors import ConfigError


def check_positive_int(name, value):
    """Return `value` as an int if it is an integer > 0 (a numpy integer too), else raise
    `ConfigError` naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int | numbers.Integral) or value <= 0:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_choice(name, value, choices):
    """Return `value` if it is one of `choices`, else raise `ConfigError` listing them."""
    if value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ConfigError(f"{name}={value!r} is not supported; use one of {listed}.")
    return value


def check_fraction(name, value, *, inclusive_high=False):
    """Return `value` if 0 <= value < 1 (or <= 1), else raise `ConfigError`."""
    high_ok = value <= 1 if inclusive_high else value < 1
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or not high_ok:
        bound = "[0, 1]" if inclusive_high else "[0, 1)"
        raise ConfigError(f"{name} must be a number in {bound}, got {value!r}.")
    return float(value)


def first_line(error, limit=200):
    """The first line of `error`'s message (at most `limit` characters), or its type's name
    when it has no message: what a one-line error quotes of the error it replaces.

    Example:
    >>> first_line(ValueError("bad shape (3,) at layer dense"), limit=14)
    'bad shape (3,)'
    """
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:limit]


# The mark in the name of a file being written (`atomic_path`, the exporter's staging): a
# process killed mid-write leaves it behind, and `remove_partial_files` clears it later.
PARTIAL = ".partial-"


def remove_partial_files(folder):
    """Delete what killed writers left in `folder` and its direct subfolders (hidden names
    with the `PARTIAL` mark); return their names. Call it only while no other process writes
    there (a run holds its folder's lock).

    Example:
    >>> remove_partial_files("runs/no_such_folder")
    []
    """
    folder = Path(folder)
    removed = []
    for pattern in (f".*{PARTIAL}*", f"*/.*{PARTIAL}*"):
        for path in sorted(folder.glob(pattern)):
            remove_path(path)
            removed.append(str(path.relative_to(folder)))
    return removed


def remove_path(path):
    """Delete `path`, a file or a whole folder; nothing if it does not exist."""
    path = Path(path)
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; rename it onto `path` only on success.

    A reader never sees a half-written file, and a failure leaves the old file in place.
    The temporary name keeps the final suffix (Keras checks `.keras` / `.weights.h5`).

    Example:
    >>> with atomic_path("runs/a/model.keras") as tmp:  # doctest: +SKIP
    ...     model.save(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = "".join(path.suffixes) or ".tmp"
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}{PARTIAL}", suffix=suffix,
                                        dir=path.parent)  # fmt: skip
    os.close(handle)
    os.unlink(tmp_name)  # writers such as h5py want to create the file themselves
    try:
        yield tmp_name
        kill_point(f"write {path.name}")
        os.replace(tmp_name, path)
    except OSError as error:
        if error.filename is None:  # a failed write() names no file: name the one meant
            error.filename = str(path)
        raise
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def write_json_atomic(path, data):
    """Write `data` as indented JSON to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
