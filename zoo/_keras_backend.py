"""Choose and check the Keras backend before anything imports Keras (standard library only).

Keras reads `KERAS_BACKEND` once, at import, and fails on a bad value with a traceback from
deep inside that import. `import zoo` checks the variable first (`check_backend_variable`), the
`zoo` command and the training applications read `--backend` (`select_backend`), and both say
in one line which extra installs a backend that is missing.

Example:
>>> check_backend_variable({"KERAS_BACKEND": "jax"})
>>> try:
...     check_backend_variable({"KERAS_BACKEND": "jaxx"})
... except ConfigError as error:
...     print(str(error).split(";")[0])
KERAS_BACKEND='jaxx' is not a Keras backend
>>> backend_from_argv(["--backend", "torch", "--epochs", "3"], default="tensorflow")
'torch'
"""

import importlib.util
import os
import sys

from zoo.errors import ConfigError

# Keras's own backends; zoo's models are built and tested on the first three.
KERAS_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")
# The backends zoo's training entry points offer.
BACKENDS = ("tensorflow", "jax", "torch")
# The package each backend imports, and the extra of keras-zoo that installs it.
_BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
_BACKEND_EXTRAS = {"jax": "jax", "torch": "torch"}


def is_zoo_command():
    """Whether this process is the `zoo` console command."""
    return os.path.basename(sys.argv[0]) == "zoo"


def check_backend_variable(environ=None):
    """Raise `ConfigError` (for the `zoo` command: exit 2 with one line) if `KERAS_BACKEND`
    names no Keras backend."""
    environ = os.environ if environ is None else environ
    name = environ.get("KERAS_BACKEND")
    if name is None or name in KERAS_BACKENDS:
        return
    message = (f"KERAS_BACKEND={name!r} is not a Keras backend; set it to tensorflow, jax or "
               "torch, or unset it (tensorflow).")  # fmt: skip
    if is_zoo_command():
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)
    raise ConfigError(message)


def missing_backend_message(backend):
    """The one line for a backend whose package is not installed, else None.

    Example:
    >>> missing_backend_message("tensorflow") is None
    True
    """
    package = _BACKEND_PACKAGES.get(backend)
    if package is None or importlib.util.find_spec(package) is not None:
        return None
    extra = _BACKEND_EXTRAS.get(backend)
    install = f'pip install "keras-zoo[{extra}]"' if extra else f"pip install {package}"
    return (f"the {backend} backend needs {package}, which is not installed: {install} "
            f"(or choose another backend: {', '.join(BACKENDS)})")


def backend_from_argv(argv, default):
    """The value of `--backend NAME` / `--backend=NAME` in `argv`, else `default`."""
    backend = default
    for i, arg in enumerate(argv):
        if arg == "--backend" and i + 1 < len(argv):
            backend = argv[i + 1]
        elif arg.startswith("--backend="):
            backend = arg.split("=", 1)[1]
    return backend


def select_backend(argv=None, default="tensorflow", prog=None):
    """Set `KERAS_BACKEND` from `--backend NAME` in `argv` (else the environment, else
    `default`) and return it; exit with status 2 and one line for an unknown backend, one
    that is not installed, or a switch after Keras was imported with another."""
    argv = sys.argv[1:] if argv is None else argv
    prog = prog or os.path.basename(sys.argv[0])
    backend = backend_from_argv(argv, os.environ.get("KERAS_BACKEND", default))
    if backend not in BACKENDS:
        _fail(f"{prog}: error: argument --backend: invalid choice: {backend!r} "
              f"(choose from {', '.join(BACKENDS)})")  # fmt: skip
    missing = missing_backend_message(backend)
    if missing:
        _fail(f"{prog}: error: {missing}")
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() != backend:
        _fail(f"{prog}: error: keras is already imported with the "
              f"{keras.backend.backend()} backend; cannot switch to {backend}")  # fmt: skip
    os.environ["KERAS_BACKEND"] = backend
    if backend == "jax":
        use_jax_compilation_cache()
    return backend


def use_jax_compilation_cache(environ=None):
    """Keep JAX's compiled programs on disk between runs (JAX's persistent compilation cache)
    unless the environment already configures it: `~/.cache/keras-zoo/jax` (under
    `XDG_CACHE_HOME` when set), programs that took 0.1 s or more to compile, at most 2 GB
    where the `filelock` package (which JAX's eviction needs) is installed.

    A second run of the same model and shapes then skips the compiles that make JAX start
    slowly on a CPU (a fresh CIFAR GoogLeNet: ~30 s of initialiser compiles, then the
    training step). Set `JAX_COMPILATION_CACHE_DIR` to another folder to move it.

    Example:
    >>> environ = {"HOME": "/home/me"}
    >>> use_jax_compilation_cache(environ)
    >>> environ["JAX_COMPILATION_CACHE_DIR"]
    '/home/me/.cache/keras-zoo/jax'
    """
    environ = os.environ if environ is None else environ
    if "JAX_COMPILATION_CACHE_DIR" in environ:
        return
    home = environ.get("XDG_CACHE_HOME") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".cache")
    environ["JAX_COMPILATION_CACHE_DIR"] = os.path.join(home, "keras-zoo", "jax")
    environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.1")
    if importlib.util.find_spec("filelock") is not None:  # JAX's eviction needs it
        environ.setdefault("JAX_COMPILATION_CACHE_MAX_SIZE", str(2 * 2**30))


def _fail(message):
    print(message, file=sys.stderr)
    raise SystemExit(2)


check_backend_variable()  # on import: `zoo/__init__.py` imports this module first
