"""Errors that user-facing entry points turn into one clear line.

Every error a user can fix (a bad argument, a missing data file, an unknown model name)
derives from `ZooError`. The applications and the `zoo` command print its message and exit
with status 2; anything else is a bug and keeps its traceback.

Example:
>>> from zoo.errors import ConfigError
>>> try:
...     raise ConfigError("depth=7 is not 6n+2; use 20, 32, 44, 56 or 110")
... except ValueError as error:
...     print(error)
depth=7 is not 6n+2; use 20, 32, 44, 56 or 110
"""

import re


class ZooError(Exception):
    """Base class of errors a user can fix; its message is the whole story."""


class ConfigError(ZooError, ValueError):
    """An argument has a value that cannot work; the message names it and what would."""


class UnknownModelError(ZooError, KeyError):
    """A model name is not registered; the message lists the closest names."""

    def __str__(self):
        # KeyError quotes its message; a user should read plain text.
        return str(self.args[0]) if self.args else ""


class DataSourceError(ZooError, OSError):
    """A data set could not be read or downloaded; the message says which file goes where."""


class ExportError(ZooError, RuntimeError):
    """An artifact could not be written or does not match the model; nothing was left behind."""


class TrainingDivergedError(ZooError, ArithmeticError):
    """The loss became NaN or infinite; the run stopped and kept its last good epoch."""


class RunFolderBusyError(ZooError, OSError):
    """Another live process is training into the same run folder."""


class RunFolderWriteError(ZooError, OSError):
    """The run folder (or an output file) cannot be written: no space left, read-only or not
    permitted; what was saved before stays, so the same command resumes once it can write."""


class RunAlreadyFinished(ZooError):
    """Not a failure: the run folder already holds the finished run a command asks for.
    `metrics` is its `metrics.json`; applications print the message and exit with status 0."""

    def __init__(self, message, metrics):
        super().__init__(message)
        self.metrics = metrics


def zoo_error_within(error):
    """The message of a `ZooError` raised in Python code that TensorFlow ran (a tf.data
    generator: it reaches the caller as a TensorFlow error wrapping it), else None.

    >>> class Wrapped(Exception):
    ...     message = "Traceback ...\\nDataSourceError: a.parquet, line 3 holds inf\\n"
    >>> Wrapped.__module__ = "tensorflow.python.framework.errors_impl"
    >>> zoo_error_within(Wrapped())
    'a.parquet, line 3 holds inf'
    """
    if not type(error).__module__.startswith("tensorflow"):
        return None
    text = str(getattr(error, "message", error))
    names = "|".join(kind.__name__ for kind in _subclasses(ZooError))
    found = re.search(rf"\b(?:{names}): (.+)", text)
    return found.group(1).strip() if found else None


def _subclasses(kind):
    return [kind, *(sub for direct in kind.__subclasses__() for sub in _subclasses(direct))]
