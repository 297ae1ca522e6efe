import itertools

import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trip, to_numpy
from zoo import _kernels
from zoo.layers import LSTM

RNG = np.random.default_rng(0)
INPUTS = RNG.normal(size=(4, 7, 3)).astype("float32")
RIGHT_PADDED = np.arange(7)[None, :] < np.array([[7], [4], [1], [6]])
LEFT_PADDED = RIGHT_PADDED[:, ::-1].copy()


def _twins(**kwargs):
    """A Keras LSTM and a zoo LSTM with the same (random, non-trivial) weights."""
    reference, layer = keras.layers.LSTM(5, **kwargs), LSTM(5, **kwargs)
    reference.build(INPUTS.shape)
    layer.build(INPUTS.shape)
    weights = [RNG.normal(scale=0.5, size=w.shape) for w in reference.get_weights()]
    reference.set_weights(weights)
    layer.set_weights(weights)
    return reference, layer


# On tensorflow and jax zoo's LSTM is Keras's code path itself; only torch takes another one.
@pytest.mark.torch_only
@pytest.mark.parametrize(
    "go_backwards, return_sequences, zero_output_for_mask, mask",
    list(itertools.product([False, True], [False, True], [False, True],
                           [None, "right_padded", "left_padded"])),  # fmt: skip
)
def test_same_outputs_as_keras_lstm(go_backwards, return_sequences, zero_output_for_mask, mask):
    mask = {"right_padded": RIGHT_PADDED, "left_padded": LEFT_PADDED}.get(mask)
    reference, layer = _twins(go_backwards=go_backwards, return_sequences=return_sequences,
                              zero_output_for_mask=zero_output_for_mask)  # fmt: skip
    expected = to_numpy(reference(INPUTS, mask=mask))
    np.testing.assert_allclose(to_numpy(layer(INPUTS, mask=mask)), expected, atol=2e-6)


@pytest.mark.torch_only
def test_bidirectional_stack_matches_keras():
    def stack(lstm):
        return keras.Sequential([
            keras.Input((9,), dtype="int32"), keras.layers.Embedding(30, 6, mask_zero=True),
            keras.layers.Bidirectional(lstm(5, return_sequences=True)),
            keras.layers.Bidirectional(lstm(4)), keras.layers.Dense(3),
        ])  # fmt: skip

    reference, model = stack(keras.layers.LSTM), stack(LSTM)
    model.set_weights([RNG.normal(scale=0.5, size=w.shape) for w in reference.get_weights()])
    reference.set_weights(model.get_weights())
    ids = RNG.integers(1, 30, (3, 9)).astype("int32")
    ids[0, 4:], ids[1, 8:] = 0, 0
    np.testing.assert_allclose(to_numpy(model(ids)), to_numpy(reference(ids)), atol=2e-6)


@pytest.mark.torch_only
def test_torch_uses_the_native_kernel_with_the_same_gradients(monkeypatch):
    import torch

    calls = []
    native = _kernels.lstm_sequence
    monkeypatch.setattr(_kernels, "lstm_sequence",
                        lambda *a, **k: calls.append(1) or native(*a, **k))  # fmt: skip
    reference, layer = _twins(go_backwards=True)
    gradients = []
    for lstm in (reference, layer):
        loss = (lstm(INPUTS, mask=RIGHT_PADDED) ** 2).sum()
        gradients.append(torch.autograd.grad(loss, [v.value for v in lstm.trainable_variables]))
    assert calls, "zoo's LSTM did not take the native torch kernel"
    for expected, got in zip(*gradients, strict=True):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=1e-5)


def test_config_and_saving_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((7, 3)), LSTM(5, return_sequences=True, name="lstm")])
    path = assert_round_trip(model, INPUTS, tmp_path)
    assert isinstance(keras.saving.load_model(path).get_layer("lstm"), LSTM)
