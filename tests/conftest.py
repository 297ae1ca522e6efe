"""Backend markers and shared fixtures.

Tests run for the backend `KERAS_BACKEND` names (CI runs tensorflow, jax and torch in turn).
A test that only makes sense on some backends is marked `tf_only`, `jax_only` or
`torch_only` and is reported as skipped, with the reason, on the others. A test whose result
the backend cannot change (a layer graph's parameter count, a file written by zoo's own code,
the wheel's contents) is marked `backend_independent`: it runs once, on TensorFlow, the
fastest backend to build and compile on; the per-backend tests around it show each backend
runs the same code.
"""

import gc
import itertools
import os
import tempfile

# JAX compiles every new shape of every op once per process (a fresh GoogLeNet's initialisers
# alone: ~30 s on 2 cores). A persistent compilation cache shared by the test workers and the
# processes the tests start cuts that to seconds after the first time; set before JAX imports.
os.environ.setdefault(
    "JAX_COMPILATION_CACHE_DIR", os.path.join(tempfile.gettempdir(), "keras-zoo-tests-jax-cache")
)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")

import keras  # noqa: E402
import pytest  # noqa: E402

BACKEND_MARKERS = {"tf_only": "tensorflow", "jax_only": "jax", "torch_only": "torch"}
INDEPENDENT = "backend_independent"


def pytest_configure(config):
    for marker, backend in BACKEND_MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: runs only on the {backend} backend")
    config.addinivalue_line(
        "markers", f"{INDEPENDENT}: the backend cannot change the result; runs on tensorflow")
    config.addinivalue_line(
        "markers", "slow: end to end (real data, killed processes, several devices); the "
        "README's test command leaves these out, .ci/run runs them on every backend")  # fmt: skip
    config.addinivalue_line(
        "markers", "in_step: several processes or devices that wait for each other every "
        "step; .ci/run runs these one at a time (on 2 cores a test beside them stalls every "
        "step: the two-worker recommender test took 238 s there, 72 s alone)")  # fmt: skip


def pytest_collection_modifyitems(config, items):
    backend = keras.backend.backend()
    for item in items:
        for marker, wanted in BACKEND_MARKERS.items():
            if marker in item.keywords and backend != wanted:
                item.add_marker(pytest.mark.skip(reason=f"{marker}: backend is {backend}"))
        if INDEPENDENT in item.keywords and backend != "tensorflow":
            item.add_marker(pytest.mark.skip(reason=f"{INDEPENDENT}: checked on tensorflow"))


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}, pid {os.getpid()}"


# A full garbage collection after every test (Keras's `clear_session()` default) costs ~0.25 s,
# over a minute of CI per backend; one after every 20th test keeps memory as flat. What
# survives a collection (the backends' modules, caches, module-scoped fixtures) is frozen
# (`gc.freeze`): later collections skip it, which made tests/models + tests/layers 24%
# faster on TensorFlow (144 s -> 110 s, same peak memory); a frozen cycle is never freed.
COLLECT_EVERY = 20
_tests_run = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_keras_state():
    """Every test starts from the same seed and global Keras state."""
    keras.config.set_image_data_format("channels_last")
    keras.utils.set_random_seed(1234)
    yield
    keras.mixed_precision.set_dtype_policy("float32")
    if keras.backend.backend() == "jax":
        keras.distribution.set_distribution(None)
    keras.backend.clear_session(free_memory=False)
    if next(_tests_run) % COLLECT_EVERY == 0:
        gc.collect()
        gc.freeze()


def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()
