import keras
import numpy as np
import pytest

from zoo.train.losses import SparseCategoricalCrossentropyWithSmoothing


def test_matches_the_smoothed_formula():
    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], "float32")
    labels = np.array([0, 2])
    loss = SparseCategoricalCrossentropyWithSmoothing(label_smoothing=0.3, from_logits=True)
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    targets = np.full((2, 3), 0.3 / 3) + 0.7 * np.eye(3)[labels]
    expected = -(targets * log_probs).sum(-1).mean()
    assert float(keras.ops.convert_to_numpy(loss(labels, logits))) == pytest.approx(
        expected, rel=1e-5
    )


def test_without_smoothing_equals_keras_sparse_loss():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], "float32")
    labels = np.array([[1], [2]])
    ours = SparseCategoricalCrossentropyWithSmoothing()(labels, probs)
    theirs = keras.losses.SparseCategoricalCrossentropy()(labels, probs)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs), rtol=1e-6
    )


def test_config_round_trip():
    loss = SparseCategoricalCrossentropyWithSmoothing(label_smoothing=0.2, from_logits=True)
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert (restored.label_smoothing, restored.from_logits) == (0.2, True)
