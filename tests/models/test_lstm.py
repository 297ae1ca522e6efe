import keras
import numpy as np
import pytest

from tests.helpers import (
    assert_jit_compile,
    assert_reloads_in_fresh_process,
    assert_round_trip,
    assert_trains_one_step,
    to_numpy,
)
from zoo import (
    build_lstm_classifier,
    build_lstm_forecaster,
    create_model,
    get_model_spec,
    list_models,
)
from zoo.errors import ConfigError

TEXT_MODELS = list_models(task="text_classification")
SEQUENCE_MODELS = TEXT_MODELS + list_models(task="time_series_forecasting")


def _token_ids(batch=3, length=12, vocabulary=50, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(2, vocabulary, size=(batch, length)).astype("int32")
    ids[0, 7:] = 0  # a padded review
    return ids


def _windows(batch=4, window=10, features=3, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, window, features)).astype("float32")


def test_registry_holds_the_issue_models():
    assert SEQUENCE_MODELS == ["bilstm_text", "lstm_text", "lstm_forecaster"]


@pytest.mark.parametrize("name", SEQUENCE_MODELS)
def test_registered_parameter_counts(name):
    spec = get_model_spec(name)
    model = create_model(name)
    assert model.count_params() == spec.parameter_count
    assert model.input_shape == (None, *spec.input_shape)
    assert model.name == name


def test_bilstm_text_is_the_keras_example_network():
    model = create_model("bilstm_text")
    lstm_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.Bidirectional)]
    assert [layer.forward_layer.units for layer in lstm_layers] == [64, 64]
    assert model.get_layer("bilstm_text_embedding").output_dim == 128
    assert model.output_shape == (None, 2)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_is_masked_out(bidirectional):
    model = build_lstm_classifier(50, 3, lstm_units=(8, 8), bidirectional=bidirectional)
    ids = _token_ids()
    right = to_numpy(model(ids))
    # The same reviews padded on the left, and padded to a longer length: same outputs.
    left = np.stack([np.concatenate([row[row > 0] * 0, row[row > 0]]) for row in ids[:1]])
    np.testing.assert_allclose(to_numpy(model(left)), right[:1], atol=1e-5)
    longer = np.pad(ids, ((0, 0), (0, 5)))
    np.testing.assert_allclose(to_numpy(model(longer)), right, atol=1e-5)
    # ... while changing a real token changes the output.
    changed = ids.copy()
    changed[0, 3] = 1
    assert not np.allclose(to_numpy(model(changed))[0], right[0], atol=1e-6)


def test_headless_classifier_returns_lstm_features():
    model = build_lstm_classifier(50, include_top=False, lstm_units=(8, 6), bidirectional=True)
    assert model.output_shape == (None, 12)


def test_forecaster_shapes_and_stacking():
    model = build_lstm_forecaster(input_shape=(10, 3), horizon=5, num_targets=2,
                                  lstm_units=(16, 8), dropout=0.1)  # fmt: skip
    assert model.output_shape == (None, 5, 2)
    assert to_numpy(model(_windows())).shape == (4, 5, 2)
    lstm_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert [layer.units for layer in lstm_layers] == [16, 8]
    assert build_lstm_forecaster(input_shape=(None, 3)).output_shape == (None, 1, 1)


@pytest.mark.parametrize(
    "builder, kwargs, message",
    [
        (build_lstm_classifier, {"vocabulary_size": 0}, "vocabulary_size must be a positive"),
        (build_lstm_classifier, {"lstm_units": ()}, "lstm_units must be a non-empty sequence"),
        (build_lstm_classifier, {"lstm_units": (64, -1)}, "got (64, -1)"),
        (build_lstm_classifier, {"num_classes": 0}, "num_classes must be a positive integer"),
        (build_lstm_classifier, {"dropout": 1.5}, "dropout must be a number in [0, 1)"),
        (build_lstm_classifier, {"sequence_length": 0}, "sequence_length must be a positive"),
        (build_lstm_forecaster, {"input_shape": (24,)}, "input_shape must be (window, features)"),
        (build_lstm_forecaster, {"horizon": 0}, "horizon must be a positive integer, got 0"),
        (build_lstm_forecaster, {"num_targets": 1.5}, "num_targets must be a positive integer"),
    ],
)
def test_bad_arguments_name_the_argument(builder, kwargs, message):
    with pytest.raises(ConfigError) as error:
        builder(**kwargs)
    assert message in str(error.value) and builder.__name__ in str(error.value)


def test_both_train_one_step():
    classifier = build_lstm_classifier(50, 2, lstm_units=(8, 8), bidirectional=True)
    assert_trains_one_step(classifier, _token_ids(), np.array([0, 1, 1]))
    forecaster = build_lstm_forecaster(input_shape=(10, 3), horizon=2, lstm_units=(8, 4))
    assert_trains_one_step(forecaster, _windows(), np.zeros((4, 2, 1), "float32"), loss="mse")


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="XLA: tensorflow and jax only")
def test_classifier_jit_compiles():
    model = build_lstm_classifier(50, 2, sequence_length=12, lstm_units=(8,), bidirectional=True)
    assert_jit_compile(model, _token_ids(), np.array([0, 1, 1]))


def test_mixed_precision_keeps_outputs_float32():
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    try:
        classifier = build_lstm_classifier(50, 2, lstm_units=(8,))
        forecaster = build_lstm_forecaster(input_shape=(10, 3), horizon=2, lstm_units=(8,))
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert classifier.get_layer("lstm_classifier_lstm1").compute_dtype == "bfloat16"
    assert keras.backend.standardize_dtype(classifier(_token_ids()).dtype) == "float32"
    assert keras.backend.standardize_dtype(forecaster(_windows()).dtype) == "float32"


def test_save_and_reload_in_a_fresh_process(tmp_path):
    classifier = build_lstm_classifier(50, 3, lstm_units=(8, 8), bidirectional=True)
    forecaster = build_lstm_forecaster(input_shape=(10, 3), horizon=4, lstm_units=(8, 4))
    cases = []
    for model, inputs in ((classifier, _token_ids()), (forecaster, _windows())):
        path = assert_round_trip(model, inputs, tmp_path, atol=1e-5)
        cases.append((path, inputs, to_numpy(model(inputs, training=False))))
    assert_reloads_in_fresh_process(cases, tmp_path)
