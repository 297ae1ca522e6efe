"""Pick the Keras backend from `--backend` before anything imports keras (stdlib only)."""

import os
import sys

BACKENDS = ("tensorflow", "jax", "torch")


def select_backend(argv=None, default="tensorflow"):
    """Set `KERAS_BACKEND` from `--backend NAME` in `argv` (else the environment or `default`).

    Exits with status 2 and one line for an unknown backend. Keras reads the variable once,
    at import, so applications call this first.
    """
    argv = sys.argv[1:] if argv is None else argv
    backend = os.environ.get("KERAS_BACKEND", default)
    for i, arg in enumerate(argv):
        if arg == "--backend" and i + 1 < len(argv):
            backend = argv[i + 1]
        elif arg.startswith("--backend="):
            backend = arg.split("=", 1)[1]
    prog = os.path.basename(sys.argv[0])
    if backend not in BACKENDS:
        _fail(
            f"{prog}: error: argument --backend: invalid choice: {backend!r} "
            f"(choose from {', '.join(BACKENDS)})"
        )
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() != backend:
        _fail(
            f"{prog}: error: keras is already imported with the "
            f"{keras.backend.backend()} backend; cannot switch to {backend}"
        )
    os.environ["KERAS_BACKEND"] = backend
    return backend


def _fail(message):
    print(message, file=sys.stderr)
    raise SystemExit(2)
