import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trip, to_numpy
from zoo.layers import ZeroPadShortcut


def test_subsamples_and_pads_channels_symmetrically():
    x = np.arange(2 * 5 * 5 * 4, dtype="float32").reshape(2, 5, 5, 4)
    y = to_numpy(ZeroPadShortcut(filters=8, strides=2)(x))
    assert y.shape == (2, 3, 3, 8)
    np.testing.assert_array_equal(y[..., 2:6], x[:, ::2, ::2, :])
    assert not y[..., :2].any() and not y[..., 6:].any()


def test_channels_first():
    x = np.random.default_rng(0).normal(size=(1, 3, 4, 4)).astype("float32")
    y = to_numpy(ZeroPadShortcut(filters=6, strides=2, data_format="channels_first")(x))
    assert y.shape == (1, 6, 2, 2)
    np.testing.assert_array_equal(y[:, 1:4], x[:, :, ::2, ::2])


def test_output_shape_matches_call():
    layer = ZeroPadShortcut(filters=32, strides=2)
    symbolic = layer(keras.Input((9, 9, 16)))
    assert tuple(symbolic.shape) == (None, 5, 5, 32)


def test_refuses_to_drop_channels():
    with pytest.raises(ValueError, match="option B"):
        ZeroPadShortcut(filters=4)(np.ones((1, 4, 4, 8), "float32"))


def test_round_trip(tmp_path):
    x = np.ones((2, 8, 8, 16), "float32")
    assert_round_trip(ZeroPadShortcut(filters=32, strides=2, name="shortcut"), x, tmp_path)
