"""Check `KERAS_BACKEND` before Keras reads it: a misspelt name is one line, not a traceback.

Keras fails on an unknown backend with a traceback from deep inside its import. `import zoo`
checks the variable first and raises `ConfigError` naming it and the choices; when the
process is the `zoo` command, the error is its one line and exit status 2 (the command's own
error handling cannot catch what fails while `zoo` itself is being imported).

Example:
>>> check_backend_variable({"KERAS_BACKEND": "jax"})
>>> try:
...     check_backend_variable({"KERAS_BACKEND": "jaxx"})
... except ConfigError as error:
...     print(str(error).split(";")[0])
KERAS_BACKEND='jaxx' is not a Keras backend
"""

import os
import sys

from zoo.errors import ConfigError

# Keras's own backends; zoo's models are built and tested on the first three.
KERAS_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")


def check_backend_variable(environ=None):
    """Raise `ConfigError` (for the `zoo` command: exit 2 with one line) if `KERAS_BACKEND`
    names no Keras backend."""
    environ = os.environ if environ is None else environ
    name = environ.get("KERAS_BACKEND")
    if name is None or name in KERAS_BACKENDS:
        return
    message = (f"KERAS_BACKEND={name!r} is not a Keras backend; set it to tensorflow, jax or "
               "torch, or unset it (tensorflow).")  # fmt: skip
    if os.path.basename(sys.argv[0]) == "zoo":
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)
    raise ConfigError(message)


check_backend_variable()  # on import: `zoo/__init__.py` imports this module first
