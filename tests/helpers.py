"""Reusable checks for layers and models, in the spirit of keras-hub's TestCase.

* `assert_round_trip`: config round trip and `.keras` save/reload with identical outputs.
* `assert_reloads_in_fresh_process`: the saved files load in a new Python process (where
  only `import zoo` registers the custom objects) and give identical outputs.
* `assert_trains_one_step`: one optimizer step changes the weights and gives a finite loss.
* `assert_jit_compile`: XLA really resolves on (TensorFlow, JAX) and matches eager outputs.
"""

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

# Small real samples shipped with the tests (sources and licences: tests/real_data/README.md).
REAL_DATA = Path(__file__).resolve().parent / "real_data"
FASHION_MNIST_SAMPLE = REAL_DATA / "fashion-mnist"  # 3,000 train + 1,000 test images, idx

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Registered models whose training step or export takes tens of seconds to compile on 2 cores
# (the CIFAR GoogLeNet's ~60 convolutions, Inception-v3 at 299x299): the registry-driven tests
# run their expensive cases in the slow set (`with_cost_marks`), their cheap ones in the fast.
# On JAX even building one costs ~30 s (an XLA compile per initialiser shape) and an eager
# forward pass a minute (a compile per op shape), so their architecture checks (parameter
# counts, names, output shapes) run on TensorFlow only (`with_architecture_marks`).
SLOW_TO_COMPILE = frozenset({"inception_cifar", "inception_v3"})


def with_cost_marks(names):
    """`names` for `pytest.mark.parametrize`, those in `SLOW_TO_COMPILE` marked slow."""
    return [pytest.param(name, marks=pytest.mark.slow) if name in SLOW_TO_COMPILE else name
            for name in names]  # fmt: skip


def with_architecture_marks(names):
    """`names` for `pytest.mark.parametrize` of a check the backend cannot change, those in
    `SLOW_TO_COMPILE` marked `backend_independent`."""
    return [pytest.param(name, marks=pytest.mark.backend_independent)
            if name in SLOW_TO_COMPILE else name for name in names]  # fmt: skip


def to_numpy(value):
    return keras.ops.convert_to_numpy(value)


def assert_round_trip(model_or_layer, inputs, tmp_path, atol=1e-6):
    """Config and `.keras` round trips give the same outputs; returns the saved path."""
    expected = to_numpy(model_or_layer(inputs, training=False))
    clone = model_or_layer.__class__.from_config(model_or_layer.get_config())
    assert clone.get_config() == model_or_layer.get_config()
    if isinstance(model_or_layer, keras.Model):
        path = os.path.join(tmp_path, f"{model_or_layer.name}.keras")
        model_or_layer.save(path)
        reloaded = keras.saving.load_model(path)
    else:
        wrapper = keras.Sequential([keras.Input(inputs.shape[1:]), model_or_layer])
        path = os.path.join(tmp_path, f"{model_or_layer.name}.keras")
        wrapper.save(path)
        reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(to_numpy(reloaded(inputs, training=False)), expected, atol=atol)
    return path


_FRESH_PROCESS_CHECK = textwrap.dedent(
    """
    import sys
    import numpy as np
    import keras
    import zoo  # registers every zoo layer, loss and schedule
    assert keras.backend.backend() == sys.argv[1], keras.backend.backend()
    for model_path, arrays_path in zip(sys.argv[2::2], sys.argv[3::2]):
        arrays = np.load(arrays_path)
        inputs = {k[len("input/"):]: arrays[k] for k in arrays.files if k.startswith("input/")}
        model = keras.saving.load_model(model_path)
        got = model(inputs.get("", inputs), training=False)
        key = str(arrays["output_key"])
        got = keras.ops.convert_to_numpy(got[key] if key else got)
        np.testing.assert_allclose(got, arrays["expected"], atol=float(arrays["atol"]))
        print("ok", model_path)
    """
)


def assert_reloads_in_fresh_process(cases, tmp_path, atol=1e-5):
    """`cases`: (saved .keras path, inputs (array or dict), expected[, output key]) tuples."""
    argv = []
    for i, (path, inputs, expected, *key) in enumerate(cases):
        arrays = os.path.join(tmp_path, f"case{i}.npz")
        named = inputs if isinstance(inputs, dict) else {"": inputs}
        named = {f"input/{name}": value for name, value in named.items()}
        np.savez(
            arrays,
            expected=expected,
            atol=atol,
            output_key=(key[0] if key else None) or "",
            **named,
        )
        argv += [path, arrays]
    env = {**os.environ, "PYTHONPATH": REPO_ROOT}
    result = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS_CHECK, keras.backend.backend(), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("ok ") == len(cases)


def assert_trains_one_step(model, inputs, labels, loss="sparse_categorical_crossentropy"):
    """One SGD step on (inputs, labels) changes every trainable variable's values.

    Compiled as each backend trains by default on JAX (one XLA program: JAX's op-by-op
    mode compiles every op's shape on its own, minutes for a GoogLeNet), eagerly on the others
    (TensorFlow's XLA compile of one step costs more than the step).
    """
    jit = "auto" if keras.backend.backend() == "jax" else False
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss, jit_compile=jit)
    before = [to_numpy(v).copy() for v in model.trainable_variables]
    logs = model.train_on_batch(inputs, labels, return_dict=True)
    assert np.isfinite(logs["loss"]), logs
    after = [to_numpy(v) for v in model.trainable_variables]
    unchanged = [
        v.path
        for v, b, a in zip(model.trainable_variables, before, after, strict=True)
        if np.array_equal(b, a)
    ]
    assert not unchanged, f"variables not updated by a training step: {unchanged}"
    return logs


def assert_jit_compile(model, inputs, labels, atol=1e-4):
    """Compiled with `jit_compile=True`, XLA resolves on and predictions match eager ones.

    Only the TensorFlow and JAX backends compile with XLA; on torch Keras maps
    `jit_compile=True` to `torch.compile`, which these checks do not cover. The compiled
    training step is taken on TensorFlow only: on JAX, `assert_trains_one_step` trains
    through the same XLA program (`jit_compile="auto"` is XLA there).
    """
    eager = to_numpy(model(inputs, training=False))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", jit_compile=True)
    assert model.jit_compile is True
    np.testing.assert_allclose(model.predict(inputs, verbose=0), eager, atol=atol)
    if keras.backend.backend() == "tensorflow":
        logs = model.train_on_batch(inputs, labels, return_dict=True)
        assert np.isfinite(logs["loss"])


def free_ports(count):
    """`count` localhost ports free now (for the processes of a multi-worker test)."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("localhost", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports
