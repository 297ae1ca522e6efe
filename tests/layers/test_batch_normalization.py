import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trip, to_numpy
from zoo.layers import BatchNormalization


def _pair(**kwargs):
    return BatchNormalization(**kwargs), keras.layers.BatchNormalization(**kwargs)


def _inputs(shape=(8, 5, 5, 4)):
    return np.random.default_rng(0).normal(2.0, 3.0, size=shape).astype("float32")


@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.9, "epsilon": 1e-5}, {"center": False},
                                    {"scale": False}])  # fmt: skip
def test_training_matches_keras_outputs_and_moving_statistics(kwargs):
    x = _inputs()
    ours, theirs = _pair(**kwargs)
    ours.build(x.shape)
    theirs.build(x.shape)
    if ours.scale:
        for layer in (ours, theirs):
            layer.gamma.assign(np.linspace(0.5, 2.0, 4).astype("float32"))
    np.testing.assert_allclose(to_numpy(ours(x, training=True)), to_numpy(theirs(x, training=True)),
                               atol=2e-5)  # fmt: skip
    np.testing.assert_allclose(to_numpy(ours.moving_mean), to_numpy(theirs.moving_mean), atol=1e-6)
    np.testing.assert_allclose(to_numpy(ours.moving_variance), to_numpy(theirs.moving_variance),
                               rtol=1e-5)  # fmt: skip
    # Inference uses the moving statistics, exactly as Keras does.
    inference = to_numpy(ours(x, training=False)), to_numpy(theirs(x, training=False))
    np.testing.assert_allclose(*inference, atol=1e-5)


def _train_step(norm_layer):
    keras.utils.set_random_seed(3)
    model = keras.Sequential([
        keras.Input((6, 6, 3)), keras.layers.Conv2D(4, 3, use_bias=False), norm_layer,
        keras.layers.ReLU(), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2),
    ])  # fmt: skip
    model.compile(keras.optimizers.SGD(0.5), keras.losses.MeanSquaredError(), jit_compile=False)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 6, 6, 3)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    model.train_on_batch(x, y)
    return [to_numpy(v) for v in model.weights]


def test_gradients_match_keras():
    ours = _train_step(BatchNormalization(momentum=0.9))
    theirs = _train_step(keras.layers.BatchNormalization(momentum=0.9))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_other_ranks_fall_back_to_keras():
    x = np.random.default_rng(0).normal(size=(6, 3)).astype("float32")
    ours, theirs = _pair()
    np.testing.assert_allclose(to_numpy(ours(x, training=True)), to_numpy(theirs(x, training=True)),
                               atol=1e-6)  # fmt: skip


def test_mixed_precision_output_dtype():
    layer = BatchNormalization(dtype="mixed_bfloat16")
    y = layer(keras.ops.cast(_inputs(), "bfloat16"), training=True)
    assert keras.backend.standardize_dtype(y.dtype) == "bfloat16"
    assert keras.backend.standardize_dtype(layer.moving_mean.dtype) == "float32"


def test_round_trip(tmp_path):
    assert_round_trip(BatchNormalization(momentum=0.9, name="bn"), _inputs(), tmp_path)
