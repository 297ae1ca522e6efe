"""A quiet start for the `zoo` command and the training applications.

TensorFlow's C++ start-up writes lines to stderr that are not about the user's run (absl's
"All log messages before absl::InitializeLog()", oneDNN and CUDA-stub notices, on a CPU
machine "failed call to cuInit ... UNKNOWN ERROR (303)", which reads as an error), and
tensorflow-datasets logs absl warnings about its own cache. `quiet_start()` sends them away
before TensorFlow is imported; `--verbose` keeps them. A library import (`import zoo`) changes
nothing: only the entry points call this.

Example:
>>> quiet_start(verbose=True)   # keeps every log line
"""

import contextlib
import os
import sys


def quiet_start(verbose=False):
    """Import TensorFlow with its C++ start-up lines silenced and keep its later C++ logs and
    absl's Python warnings below ERROR out of stderr (Python exceptions are unaffected)."""
    if verbose:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" not in sys.modules:
        with _native_stderr_silenced():
            import tensorflow  # noqa: F401
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)


@contextlib.contextmanager
def _native_stderr_silenced():
    """Point file descriptor 2 at /dev/null (C++ writes there directly) for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
