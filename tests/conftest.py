"""Backend markers and shared fixtures.

Tests run for the backend `KERAS_BACKEND` names (CI runs tensorflow, jax and torch in turn).
A test that only makes sense on some backends is marked `tf_only`, `jax_only` or
`torch_only` and is reported as skipped, with the reason, on the others.
"""

import gc
import itertools
import os

import keras
import pytest

BACKEND_MARKERS = {"tf_only": "tensorflow", "jax_only": "jax", "torch_only": "torch"}


def pytest_configure(config):
    for marker, backend in BACKEND_MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: runs only on the {backend} backend")
    config.addinivalue_line(
        "markers", "slow: end to end (real data, killed processes, several devices); the "
        "README's test command leaves these out, .ci/run runs them on every backend")  # fmt: skip


def pytest_collection_modifyitems(config, items):
    backend = keras.backend.backend()
    for item in items:
        for marker, wanted in BACKEND_MARKERS.items():
            if marker in item.keywords and backend != wanted:
                item.add_marker(pytest.mark.skip(reason=f"{marker}: backend is {backend}"))


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}, pid {os.getpid()}"


# A full garbage collection after every test (Keras's `clear_session()` default) costs ~0.25 s,
# over a minute of CI per backend; one after every 20th test keeps memory as flat.
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
