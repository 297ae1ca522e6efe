"""Start a training application: choose the Keras backend, then import and run the task.

Keras reads `KERAS_BACKEND` once, at import, so this module imports only the standard library
and zoo's two start-up helpers; the task's module (which imports Keras) is imported after
`--backend` is read.

Example:
    $ python -c 'from zoo.apps.launch import launch; launch("image")' --model cnn
"""

import importlib
import sys

from zoo._keras_backend import select_backend
from zoo._quiet import quiet_start
from zoo.apps import TASKS


def launch(task, argv=None, prog=None):
    """Run task `task`'s application on `argv` (default: the command line) and return its
    metrics; `prog` names the program in its help and messages (default: `zoo train TASK`)."""
    if task not in TASKS:
        raise ValueError(f"unknown training task {task!r}; choose from {', '.join(TASKS)}")
    argv = sys.argv[1:] if argv is None else list(argv)
    prog = prog or f"zoo train {task}"
    select_backend(argv, prog=prog)
    quiet_start(verbose="--verbose" in argv)
    module = importlib.import_module(f"zoo.apps.{task}")
    return module.main(argv, prog=prog)
