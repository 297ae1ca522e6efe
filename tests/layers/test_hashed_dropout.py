"""HashedDropout: Keras Dropout's semantics with a mask from a counter-based hash."""

import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trip, to_numpy
from zoo.errors import ConfigError
from zoo.layers import HashedDropout
from zoo.layers.hashed_dropout import keep_mask

ONES = np.ones((64, 3200), "float32")  # 204,800 elements


def _kept(layer, x=ONES):
    return to_numpy(layer(x, training=True)) != 0


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_keeps_one_minus_rate_and_preserves_the_mean(rate):
    out = to_numpy(HashedDropout(rate, seed=3)(ONES, training=True))
    kept = out != 0
    assert abs(kept.mean() - (1 - rate)) < 0.005  # ~5 standard deviations at this size
    np.testing.assert_allclose(out[kept], 1 / (1 - rate), rtol=1e-6)
    assert abs(out.mean() - 1.0) < 0.02


def test_identity_at_inference_and_at_rate_zero():
    x = np.random.default_rng(0).normal(size=(4, 7)).astype("float32")
    np.testing.assert_array_equal(to_numpy(HashedDropout(0.5)(x)), x)
    np.testing.assert_array_equal(to_numpy(HashedDropout(0.0)(x, training=True)), x)


def test_bits_look_independent_within_and_across_calls():
    layer = HashedDropout(0.5, seed=0)
    first, second = _kept(layer).ravel(), _kept(layer).ravel()
    # neighbours, rows and consecutive calls are uncorrelated (agreement 0.5 by chance);
    # a counter hash with a weak key would repeat or shift the last call's mask
    assert abs(np.corrcoef(first[:-1], first[1:])[0, 1]) < 0.01
    assert abs(np.corrcoef(first[:-3200], first[3200:])[0, 1]) < 0.01
    for shift in range(0, 50):
        agreement = (first[shift:] == second[: second.size - shift]).mean()
        assert abs(agreement - 0.5) < 0.01, shift


def test_a_seed_repeats_its_masks_and_another_seed_does_not():
    a, b, c = HashedDropout(0.3, seed=7), HashedDropout(0.3, seed=7), HashedDropout(0.3, seed=8)
    np.testing.assert_array_equal(_kept(a), _kept(b))
    assert (_kept(a) == _kept(c)).mean() < 0.7  # 0.58 by chance


def test_keep_mask_is_a_pure_function_of_seed_and_shape():
    first = to_numpy(keep_mask((5, 9), np.array([1, 2]), 0.5))
    np.testing.assert_array_equal(first, to_numpy(keep_mask((5, 9), np.array([1, 2]), 0.5)))
    assert first.shape == (5, 9) and first.dtype == bool


def test_half_precision_stays_half_and_the_layer_trains_compiled():
    half = HashedDropout(0.5, dtype="mixed_float16")(ONES[:2].astype("float16"), training=True)
    assert keras.backend.standardize_dtype(half.dtype) == "float16"
    inputs = keras.Input((16,))
    model = keras.Model(inputs, keras.layers.Dense(1)(HashedDropout(0.5, seed=1)(inputs)))
    model.compile("sgd", "mse", jit_compile="auto")
    history = model.fit(ONES[:32, :16], ONES[:32, :1], epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_compiled_training_draws_a_new_mask_every_step():
    inputs = keras.Input((64,))
    dropout = HashedDropout(0.5, seed=1)
    model = keras.Model(inputs, keras.layers.Dense(1)(dropout(inputs)))
    model.compile("sgd", "mse", jit_compile="auto")
    before = to_numpy(dropout.seed_generator.state).copy()
    model.fit(ONES[:64, :64], ONES[:64, :1], batch_size=16, epochs=1, verbose=0)
    after = to_numpy(dropout.seed_generator.state)
    assert after[1] - before[1] == 4  # one draw per step: no step reuses a mask


def test_rate_outside_zero_one_is_refused_by_name():
    with pytest.raises(ConfigError, match="HashedDropout: rate"):
        HashedDropout(1.0)


def test_round_trip(tmp_path):
    assert_round_trip(HashedDropout(0.25, seed=5), ONES[:2, :8], tmp_path)
