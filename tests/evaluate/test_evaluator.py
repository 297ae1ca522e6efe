"""`evaluate_classifier` / `evaluate_recommender`: what the model outputs (logits of one unit
or of many, probabilities made by an op, two-column softmax) and how the test set is read."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.evaluate import classification_metrics, evaluate_classifier, evaluate_recommender, roc_auc

X = np.array([[-2.0], [-1.0], [1.0], [2.0], [3.0], [-3.0]], "float32")
Y = np.array([0, 0, 1, 1, 1, 0])


def _dense_model(units, weights, activation=None, op=None):
    inputs = keras.Input((1,))
    outputs = keras.layers.Dense(units, activation=activation)(inputs)
    if op is not None:
        outputs = op(outputs)
    model = keras.Model(inputs, outputs)
    model.layers[1].set_weights([np.array([weights], "float32"), np.zeros(units, "float32")])
    return model


def _dataset(shuffle=False):
    data = tf.data.Dataset.from_tensor_slices((X, Y))
    if shuffle:
        data = data.shuffle(6, seed=0, reshuffle_each_iteration=True)
    return data.batch(4)


def test_a_single_logit_gets_a_sigmoid():
    result = evaluate_classifier(_dense_model(1, [4.0]), _dataset())["metrics"]
    assert result["accuracy"] == 1.0 and result["confusion_matrix"] == [[3, 0], [0, 3]]


def test_probabilities_made_by_an_op_are_not_softmaxed_twice():
    model = _dense_model(2, [-1.0, 1.0], op=keras.ops.softmax)
    result = evaluate_classifier(model, _dataset())["metrics"]
    expected = classification_metrics(Y, model.predict(X, verbose=0))
    assert result["expected_calibration_error"] == pytest.approx(
        expected["expected_calibration_error"])


def test_a_reshuffling_test_set_keeps_labels_and_predictions_aligned():
    result = evaluate_classifier(_dense_model(1, [4.0]), _dataset(shuffle=True))["metrics"]
    assert result["accuracy"] == 1.0


def test_recommender_with_a_two_column_softmax():
    model = _dense_model(2, [-1.0, 1.0], activation="softmax")
    result = evaluate_recommender(model, _dataset())["metrics"]
    assert result["auc"] == pytest.approx(roc_auc(Y, model.predict(X, verbose=0)[:, 1]))
