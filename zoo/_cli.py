"""What the `zoo` command and the applications share: one-line errors and exit status 2."""

import argparse
import functools
import gc
import math
import os
import sys

from zoo._storage import storage_failure
from zoo.errors import RunAlreadyFinished, ZooError, zoo_error_within

EXIT_USAGE = 2


class OneLineArgumentParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors are one line (no usage dump) and exit status 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def exit_on_user_error(main):
    """Turn a `ZooError` raised by `main`, or a write that failed for want of space or
    permission, into one line on stderr and exit status 2 (also a `ZooError` that tf.data
    raised wrapped in a TensorFlow error). A run that is already finished
    (`RunAlreadyFinished`) says so on stdout, and `main` returns its metrics."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except RunAlreadyFinished as done:
            print(done)
            return done.metrics
        except BrokenPipeError:
            # `zoo list | head`: the reader has gone. Python's advice: send the rest of the
            # output to devnull, so that the flush at exit raises nothing, and exit 1.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(1) from None
        except ZooError as error:
            _fail(str(error))
        except Exception as error:
            # a ZooError raised inside tf.data (a reader's generator) arrives wrapped
            message = storage_failure(error) or zoo_error_within(error)
            if message is None:
                raise
        # Out of the `except` block the failed write's objects are unreferenced: release them
        # now (an h5py file whose write failed crashes the interpreter if freed at exit).
        _collect_quietly()
        _fail(message)

    return wrapper


def _collect_quietly():
    hook, sys.unraisablehook = sys.unraisablehook, lambda _: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


def _fail(message):
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE) from None


def _parse(text, kind, description):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {description}") from None


def positive_int(text):
    """argparse type: an integer > 0."""
    value = _parse(text, int, "an integer")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _finite_float(text):
    value = _parse(text, float, "a number")
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def positive_float(text):
    """argparse type: a finite number > 0."""
    value = _finite_float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def non_negative_float(text):
    """argparse type: a finite number >= 0."""
    value = _finite_float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def fraction(text):
    """argparse type: a number in [0, 1)."""
    value = _parse(text, float, "a number")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value}")
    return value


def unit_interval(text):
    """argparse type: a number in [0, 1]."""
    value = _parse(text, float, "a number")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {value}")
    return value


def existing_dir(text):
    """argparse type: a path to an existing directory."""
    from pathlib import Path

    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is not a directory")
    return text


def existing_file(text):
    """argparse type: a path to an existing file."""
    from pathlib import Path

    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a file")
    return text
