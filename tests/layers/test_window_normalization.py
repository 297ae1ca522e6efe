import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trip, to_numpy
from zoo.layers import WindowDenormalization, WindowNormalization

RNG = np.random.default_rng(0)
# Two target channels at very different levels, then one extra feature.
WINDOWS = np.concatenate(
    [RNG.normal(size=(3, 9, 1)) * 5 + 1000, RNG.normal(size=(3, 9, 1)), RNG.normal(size=(3, 9, 1))],
    axis=-1,
).astype("float32")


@pytest.mark.parametrize("location", ["last", "mean"])
def test_target_channels_are_shifted_and_scaled_by_their_window(location):
    normalised, shift, scale = (to_numpy(t) for t in WindowNormalization(2, location)(WINDOWS))
    targets = WINDOWS[..., :2].astype("float64")
    expected_shift = targets[:, -1:] if location == "last" else targets.mean(1, keepdims=True)
    np.testing.assert_allclose(shift, expected_shift, rtol=1e-6)
    np.testing.assert_allclose(scale, targets.std(1, keepdims=True), rtol=1e-4)
    np.testing.assert_allclose(normalised[..., :2], (targets - shift) / scale, atol=2e-4)
    np.testing.assert_array_equal(normalised[..., 2:], WINDOWS[..., 2:])  # features untouched
    if location == "last":
        assert not normalised[:, -1, :2].any()  # the forecast is made from where it ends


def test_denormalization_inverts_normalization_exactly():
    normalised, shift, scale = WindowNormalization(2, "mean")(WINDOWS)
    restored = to_numpy(WindowDenormalization()([normalised[..., :2], shift, scale]))
    np.testing.assert_allclose(restored, WINDOWS[..., :2], rtol=1e-6)


def test_normalised_windows_ignore_level_and_unit():
    layer = WindowNormalization(1)
    base = to_numpy(layer(WINDOWS[..., :1])[0])
    moved = to_numpy(layer(WINDOWS[..., :1] * 7 - 3000)[0])
    np.testing.assert_allclose(moved, base, atol=1e-3)


def test_constant_window_is_floored_not_divided_by_zero():
    flat = np.full((2, 6, 1), 42.0, "float32")
    layer = WindowNormalization(1, epsilon=1e-3)
    normalised, shift, scale = (to_numpy(t) for t in layer(flat))
    assert np.all(scale == np.float32(1e-3)) and not normalised.any()
    np.testing.assert_array_equal(shift, 42.0)
    # ... and its statistics have finite gradients (sqrt's is infinite at 0).
    assert np.isfinite(_gradient(lambda x: keras.ops.sum(layer(x)[2]), flat)).all()


def _gradient(function, x):
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(function)(x))
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = function(x)
        return tape.gradient(y, x).numpy()
    import torch

    x = torch.tensor(x, requires_grad=True)
    function(x).backward()
    return x.grad.numpy()


def test_statistics_stay_float32_under_mixed_precision():
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    try:
        normalization, denormalization = WindowNormalization(1), WindowDenormalization()
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    x = np.linspace(1003.25, 1003.5, 8, dtype="float32").reshape(1, 8, 1)  # bfloat16: 1000, 1008
    normalised, shift, scale = normalization(x)
    assert {keras.backend.standardize_dtype(t.dtype) for t in (normalised, shift, scale)} == {
        "float32"
    }
    assert float(to_numpy(shift).ravel()[0]) == 1003.5
    restored = denormalization([normalised, shift, scale])
    np.testing.assert_allclose(to_numpy(restored), x, rtol=1e-7)


def test_symbolic_shapes():
    normalised, shift, scale = WindowNormalization(2)(keras.Input((None, 3)))
    assert tuple(normalised.shape) == (None, None, 3)
    assert tuple(shift.shape) == tuple(scale.shape) == (None, 1, 2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"channels": 0}, "channels must be a positive integer"),
        ({"location": "median"}, "location must be one of ('last', 'mean')"),
        ({"epsilon": 0}, "epsilon must be > 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as error:
        WindowNormalization(**kwargs)
    assert message in str(error.value)


def test_more_channels_than_features_is_refused():
    with pytest.raises(ValueError, match=r"features >= 4"):
        WindowNormalization(4)(WINDOWS)


def test_round_trip(tmp_path):
    inputs = keras.Input((9, 2))
    normalised, shift, scale = WindowNormalization(2, "mean", epsilon=1e-4, name="norm")(inputs)
    outputs = WindowDenormalization(name="denorm")([normalised, shift, scale])
    model = keras.Model(inputs, outputs)
    path = assert_round_trip(model, WINDOWS[..., :2], tmp_path, atol=1e-3)
    reloaded = keras.saving.load_model(path).get_layer("norm")
    assert (reloaded.channels, reloaded.location, reloaded.epsilon) == (2, "mean", 1e-4)
