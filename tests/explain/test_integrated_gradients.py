import keras
import numpy as np
import pytest

from tests.explain import make_golden
from zoo import build_lstm_classifier
from zoo.explain import COMPLETENESS_TOLERANCE, integrated_gradients

# Smooth models (no ReLU kinks on the path): the trapezoid rule's error is O(1 / steps**2).
SMOOTH_TOLERANCE = {"relative": 1e-3, "absolute": 1e-6}


def _assert_complete(attribution, tolerance=COMPLETENESS_TOLERANCE):
    difference = np.abs(attribution.output_difference)
    allowed = tolerance["relative"] * difference + tolerance["absolute"]
    assert (attribution.completeness_gap <= allowed).all(), (
        attribution.completeness_gap,
        attribution.output_difference,
    )
    assert (difference > 10 * COMPLETENESS_TOLERANCE["absolute"]).any()  # not vacuous


def test_linear_model_gets_exactly_input_minus_baseline_times_weight():
    rng = np.random.RandomState(0)
    w = rng.normal(size=(5, 3)).astype("float32")
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    model.set_weights([w, rng.normal(size=3).astype("float32")])
    x, baseline = rng.normal(size=(4, 5)), rng.normal(size=(5,))
    result = integrated_gradients(model, x, target=1, baseline=baseline, steps=2)
    np.testing.assert_allclose(result.attributions, (x - baseline) * w[:, 1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.output_difference, (x - baseline) @ w[:, 1], rtol=1e-5)
    assert result.completeness_gap.max() < 1e-5 and result.target.tolist() == [1] * 4


def test_cnn_completeness_and_image_scores():
    result = make_golden.explanations()["cnn_ig"]
    assert result.attributions.shape == (3, 8, 8, 3) and result.scores.shape == (3, 8, 8)
    np.testing.assert_allclose(result.scores, result.attributions.sum(-1), rtol=1e-6)
    _assert_complete(result)


def test_bert_completeness_over_token_embeddings():
    result = make_golden.explanations()["bert_ig"]
    assert result.attributions.shape == (2, 6, 8) and result.scores.shape == (2, 6)
    # Padded positions (the last two of example 0) cannot matter to the prediction.
    np.testing.assert_allclose(result.scores[0, -2:], 0.0, atol=1e-7)
    _assert_complete(result, SMOOTH_TOLERANCE)


def test_dense_model_completeness_and_gap_shrinks_with_steps():
    model = make_golden.set_weights(keras.Sequential([
        keras.Input((6,)), keras.layers.Dense(16, activation="tanh"),
        keras.layers.Dense(3, activation="softmax")]), seed=7, scale=0.8)  # fmt: skip
    x = np.random.RandomState(8).normal(size=(5, 6))
    coarse = integrated_gradients(model, x, steps=4)
    fine = integrated_gradients(model, x, steps=64)
    _assert_complete(fine, SMOOTH_TOLERANCE)
    assert fine.completeness_gap.sum() < coarse.completeness_gap.sum() / 10
    np.testing.assert_array_equal(fine.target, np.argmax(model.predict(x, verbose=0), axis=1))


def test_dict_inputs_attribute_only_the_float_ones():
    ids = keras.Input((2,), dtype="int32", name="ids")
    values = keras.Input((3,), name="values")
    embedded = keras.layers.Flatten()(keras.layers.Embedding(5, 2, name="embedding")(ids))
    out = keras.layers.Dense(1, name="out")(keras.layers.Concatenate()([embedded, values]))
    model = keras.Model({"ids": ids, "values": values}, out)
    batch = {"ids": np.array([[1, 2], [3, 4]]), "values": np.ones((2, 3), "float32")}
    result = integrated_gradients(model, batch, steps=8)
    assert sorted(result.attributions) == ["values"] and result.scores["values"].shape == (2, 3)
    both = integrated_gradients(model, batch, layer=["embedding"], steps=8)
    assert sorted(both.attributions) == ["embedding"]
    assert both.attributions["embedding"].shape == (2, 2, 2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": 4}, r"target 4 is out of range for an output with 4 classes; use 0..3"),
        ({"target": [0, 1]}, r"target must be None, an int or 3 ints"),
        ({"output": "logits"}, r"output='logits' is not an output of 'cnn'; use one of"),
        ({"layer": "nope"}, r"layer='nope' is not a layer of 'cnn'; its layers are"),
        ({"steps": 0}, r"steps must be a positive integer, got 0"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        integrated_gradients(make_golden.tiny_cnn(), make_golden.images(), **kwargs)


def test_integer_only_model_asks_for_a_layer():
    with pytest.raises(ValueError, match="only integer inputs; pass layer=<its embedding"):
        integrated_gradients(make_golden.tiny_bert(), make_golden.token_batch())


def test_output_is_chosen_by_name_among_several():
    x = keras.Input((2,), name="x")
    double = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones", name="double")(x)
    negated = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones", name="neg")(x)
    model = keras.Model(x, {"double": double * 2.0, "negated": -negated})
    with pytest.raises(ValueError, match=r"has outputs \['double', 'negated'\]; pass output="):
        integrated_gradients(model, np.ones((1, 2)))
    result = integrated_gradients(model, np.ones((1, 2)), output="negated", steps=2)
    np.testing.assert_allclose(result.attributions, [[-1.0, -1.0]], rtol=1e-6)


def test_lstm_text_over_masked_embeddings():
    """Padding (id 0) is masked by the embedding; the mask still applies when the embeddings
    are the attributed tensor, so padded steps get exactly zero."""
    model = make_golden.set_weights(
        build_lstm_classifier(20, 2, embedding_dim=4, lstm_units=(4,)), seed=9, scale=0.8
    )
    ids = np.array([[3, 5, 7, 0, 0], [0, 0, 2, 9, 11]], "int32")
    result = integrated_gradients(model, ids, layer="lstm_classifier_embedding", steps=64)
    assert result.scores.shape == (2, 5)
    np.testing.assert_array_equal(result.scores[ids == 0], 0.0)
    assert (result.scores[ids != 0] != 0).all()
    _assert_complete(result)


def test_a_weight_change_changes_the_explanation():
    """The graphs behind an explanation are cached per model (compiled once on JAX): they must
    read the weights as they are at each call, not as they were when first built."""
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1, use_bias=False)(inputs))
    x = np.ones((1, 3), "float32")
    for weights in ([1.0, 2.0, 3.0], [10.0, -20.0, 30.0]):
        model.set_weights([np.array(weights, "float32").reshape(3, 1)])
        attribution = integrated_gradients(model, x, steps=2)
        np.testing.assert_allclose(attribution.attributions, [weights], rtol=1e-6)
