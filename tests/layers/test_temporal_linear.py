import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trip, to_numpy
from zoo.layers import TemporalLinear

RNG = np.random.default_rng(0)
WINDOWS = RNG.normal(size=(4, 10, 3)).astype("float32")


def test_one_kernel_maps_each_target_channel_over_time():
    layer = TemporalLinear(horizon=4, channels=2, kernel_initializer="glorot_uniform")
    outputs = to_numpy(layer(WINDOWS))
    kernel, bias = (to_numpy(w) for w in layer.weights)
    assert kernel.shape == (10, 4) and bias.shape == (4,)
    expected = np.einsum("bwc,wh->bhc", WINDOWS[..., :2], kernel) + bias[None, :, None]
    np.testing.assert_allclose(outputs, expected, atol=1e-5)
    assert outputs.shape == (4, 4, 2)  # the third channel (a feature) is only an input


def test_starts_at_zero_and_can_express_seasonal_naive():
    layer = TemporalLinear(horizon=3)
    assert not to_numpy(layer(WINDOWS)).any()
    kernel = np.zeros((10, 3), "float32")
    kernel[[4, 5, 6], [0, 1, 2]] = 1.0  # each step's value one season (6 steps) earlier
    layer.set_weights([kernel, np.zeros(3, "float32")])
    np.testing.assert_allclose(to_numpy(layer(WINDOWS))[..., 0], WINDOWS[:, 4:7, 0])


def test_least_squares_fit_recovers_a_linear_rule():
    """Targets made by a known kernel from 200 windows: the ridge fit finds that kernel (and
    no intercept); a strong penalty shrinks it."""
    kernel = RNG.normal(size=(10, 4)).astype("float32")
    windows = RNG.normal(size=(200, 10, 3)).astype("float32")
    targets = np.einsum("bwc,wh->bhc", windows[..., :2], kernel)
    layer = TemporalLinear(horizon=4, channels=2)
    layer.fit_least_squares(windows, targets, l2=1e-3)
    fitted, bias = (to_numpy(w) for w in layer.weights)
    np.testing.assert_allclose(fitted, kernel, atol=1e-3)
    assert not bias.any()
    np.testing.assert_allclose(to_numpy(layer(windows)), targets, atol=1e-2)
    layer.fit_least_squares(windows, targets, l2=1e4)
    assert np.linalg.norm(to_numpy(layer.kernel)) < 0.5 * np.linalg.norm(kernel)


def test_a_strong_penalty_keeps_the_kernel_at_its_prior():
    """The penalty pulls toward `prior`: weak, the data's kernel; strong, the prior itself."""
    kernel = RNG.normal(size=(10, 4)).astype("float32")
    prior = RNG.normal(size=(10, 4)).astype("float32")
    windows = RNG.normal(size=(200, 10, 1)).astype("float32")
    targets = np.einsum("bwc,wh->bhc", windows, kernel)
    layer = TemporalLinear(horizon=4)
    layer.fit_least_squares(windows, targets, l2=1e-3, prior=prior)
    np.testing.assert_allclose(to_numpy(layer.kernel), kernel, atol=1e-3)
    layer.fit_least_squares(windows, targets, l2=1e8, prior=prior)
    np.testing.assert_allclose(to_numpy(layer.kernel), prior, atol=1e-3)
    with pytest.raises(ValueError, match=r"prior must have shape \(10, 4\)"):
        layer.fit_least_squares(windows, targets, prior=prior[:5])


def test_symbolic_shape():
    assert tuple(TemporalLinear(5, channels=2)(keras.Input((12, 3))).shape) == (None, 5, 2)


@pytest.mark.parametrize(
    "kwargs, shape, message",
    [
        ({"horizon": 0}, (10, 3), "horizon must be a positive integer"),
        ({"horizon": 2, "channels": True}, (10, 3), "channels must be a positive integer"),
        ({"horizon": 2, "channels": 4}, (10, 3), "features >= 4"),
        ({"horizon": 2}, (None, 3), "with a known window"),
    ],
)
def test_bad_arguments(kwargs, shape, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        TemporalLinear(**kwargs)(keras.Input(shape))


def test_round_trip(tmp_path):
    layer = TemporalLinear(4, channels=2, kernel_initializer="glorot_uniform", name="linear")
    assert_round_trip(layer, WINDOWS, tmp_path, atol=1e-5)
