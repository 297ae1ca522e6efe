import os

import keras
import numpy as np
import pytest

from tests.helpers import (
    REPO_ROOT,
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
from zoo.data.timeseries import (
    SeriesSplits,
    actual_values,
    forecast_errors,
    load_series_csv,
    naive_forecasts,
)
from zoo.errors import ConfigError
from zoo.models.lstm import fit_linear_start

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
    assert build_lstm_forecaster(input_shape=(None, 3), linear=False).output_shape == (None, 1, 1)


def _randomise(model, seed=0):
    """Non-trivial weights everywhere (the forecaster's projection and linear map start at 0)."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.3, size=w.shape) for w in model.get_weights()])
    return model


def _levelled_windows(batch=4, window=10, features=3, level=1000.0, seed=0):
    """Windows whose target channel (the first) sits far from 0, as real levels do."""
    x = _windows(batch, window, features, seed)
    x[..., 0] = x[..., 0] * 5 + level
    return x


@pytest.mark.parametrize("location", ["last", "mean"])
def test_window_normalisation_is_exactly_reversed(location):
    """A forecaster that outputs its normalised window's last value gives the naive forecast:
    the window's statistics map the forecast back to the window's own units exactly."""
    model = build_lstm_forecaster(input_shape=(10, 3), horizon=4, lstm_units=(8,),
                                  location=location)  # fmt: skip
    x = _levelled_windows()
    naive = np.repeat(x[:, -1:, :1], 4, axis=1)
    if location == "last":  # untrained: the projection and the linear map start at zero
        np.testing.assert_array_equal(to_numpy(model(x)), naive)
    _randomise(model)
    kernel = np.zeros((10, 4), "float32")
    kernel[-1] = 1.0  # the linear map repeats the last normalised value ...
    model.get_layer("lstm_forecaster_linear").set_weights([kernel, np.zeros(4, "float32")])
    projection = model.get_layer("lstm_forecaster_projection")  # ... and the LSTM adds 0
    projection.set_weights([np.zeros_like(w) for w in projection.get_weights()])
    np.testing.assert_allclose(to_numpy(model(x)), naive, rtol=1e-6)


def test_forecasts_follow_the_level_and_unit_of_the_window():
    """Shift a window's target by 1000 and the forecast shifts by 1000; scale it by 10 and the
    forecast scales by 10: the model forecasts relative to where the window is."""
    model = _randomise(build_lstm_forecaster(input_shape=(10, 3), horizon=4, lstm_units=(8,)))
    x = _levelled_windows(level=0.0)
    forecast = to_numpy(model(x))
    assert np.abs(forecast - x[:, -1:, :1]).mean() > 0.1  # not the trivial naive forecast
    shifted, scaled = x.copy(), x.copy()
    shifted[..., 0] += 1000.0
    scaled[..., 0] *= 10.0
    np.testing.assert_allclose(to_numpy(model(shifted)), forecast + 1000.0, atol=2e-3)
    np.testing.assert_allclose(to_numpy(model(scaled)), forecast * 10.0, rtol=1e-4, atol=1e-4)
    # Without the normalisation (the old model) a shifted window gives another forecast shape.
    plain = _randomise(build_lstm_forecaster(input_shape=(10, 3), horizon=4, lstm_units=(8,),
                                             normalization=None, linear=False))  # fmt: skip
    difference = to_numpy(plain(shifted)) - to_numpy(plain(x))
    assert np.abs(difference - 1000.0).min() > 100


def test_linear_start_fits_the_training_windows_in_closed_form():
    """A yearly sine on a trend at level 1000 is an exact linear recurrence of its window:
    after `fit_linear_start` the untrained forecaster (its LSTM adds zero) forecasts it
    within 1% of the naive forecast's error, and a plain LSTM model is left unchanged."""
    t = np.arange(300.0)
    y = 1000.0 + 0.05 * t + 3.0 * np.sin(2 * np.pi * t / 12)
    windows = np.stack([y[i : i + 24] for i in range(270)])[..., None].astype("float32")
    targets = np.stack([y[i + 24 : i + 27] for i in range(270)])[..., None].astype("float32")
    model = build_lstm_forecaster(input_shape=(24, 1), horizon=3, lstm_units=(8,))
    assert fit_linear_start(model, windows, targets, l2=1e-3) is model
    error = np.abs(to_numpy(model(windows)) - targets).mean()
    naive_error = np.abs(windows[:, -1:] - targets).mean()
    assert error < 0.01 * naive_error, (error, naive_error)
    plain = build_lstm_forecaster(input_shape=(24, 1), horizon=3, normalization=None,
                                  linear=False)  # fmt: skip
    before = [w.copy() for w in plain.get_weights()]
    fit_linear_start(plain, windows, targets)
    assert all(np.array_equal(a, b) for a, b in zip(before, plain.get_weights(), strict=True))


def test_normalization_none_is_the_plain_lstm():
    model = build_lstm_forecaster(normalization=None, linear=False)
    assert model.count_params() == 16_961
    assert [layer.name for layer in model.layers] == [
        "window", "lstm_forecaster_lstm1", "lstm_forecaster_projection", "lstm_forecaster_forecast"
    ]  # fmt: skip
    registered = create_model("lstm_forecaster")
    assert registered.get_layer("lstm_forecaster_normalization").location == "last"
    assert registered.get_layer("lstm_forecaster_linear").count_params() == 24 + 1


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
        (build_lstm_forecaster, {"normalization": "global"}, "normalization must be one of"),
        (build_lstm_forecaster, {"location": "median"}, "location must be one of ('last', 'mean')"),
        (build_lstm_forecaster, {"linear": 1}, "linear must be True or False, got 1"),
        (build_lstm_forecaster, {"num_targets": 2}, "num_targets 2 exceeds the 1 input features"),
        (build_lstm_forecaster, {"input_shape": (None, 1)}, "linear=True needs a fixed window"),
    ],
)
def test_bad_arguments_name_the_argument(builder, kwargs, message):
    with pytest.raises(ConfigError) as error:
        builder(**kwargs)
    assert message in str(error.value) and builder.__name__ in str(error.value)


def test_both_train_one_step():
    classifier = build_lstm_classifier(50, 2, lstm_units=(8, 8), bidirectional=True)
    assert_trains_one_step(classifier, _token_ids(), np.array([0, 1, 1]))
    # The projection starts at zero, so the first step moves it and not yet the LSTM below.
    forecaster = _randomise(build_lstm_forecaster(input_shape=(10, 3), horizon=2,
                                                  lstm_units=(8, 4)))  # fmt: skip
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
    # The window statistics are float32: an untrained forecaster repeats the last value
    # exactly, where bfloat16 would round 1003.3 to 1000 or 1008.
    x = _levelled_windows(window=10, features=3)
    np.testing.assert_array_equal(to_numpy(forecaster(x)), np.repeat(x[:, -1:, :1], 2, axis=1))
    assert forecaster.get_layer("lstm_forecaster_lstm1").compute_dtype == "bfloat16"


def test_save_and_reload_in_a_fresh_process(tmp_path):
    classifier = build_lstm_classifier(50, 3, lstm_units=(8, 8), bidirectional=True)
    forecaster = _randomise(build_lstm_forecaster(input_shape=(10, 3), horizon=4,
                                                  lstm_units=(8, 4)))  # fmt: skip
    cases = []
    for model, inputs in ((classifier, _token_ids()), (forecaster, _levelled_windows())):
        path = assert_round_trip(model, inputs, tmp_path, atol=1e-5)
        cases.append((path, inputs, to_numpy(model(inputs, training=False))))
    assert_reloads_in_fresh_process(cases, tmp_path)


def test_forecaster_beats_the_naive_forecast_on_real_co2():
    """Mauna Loa CO2, weekly (a trend and a yearly season; tests/real_data): the last 800
    weeks, the final 20% held out. The least-squares start and then three epochs of the
    registered recipe must each stay well below the naive forecast's error (the plain LSTM,
    fitted to the training levels, is 6-8x worse than it; a wrong normalisation, a broken
    start or a diverging fit cannot pass)."""
    path = os.path.join(REPO_ROOT, "tests", "real_data", "series", "co2.csv")
    columns = {name: values[-800:] for name, values in load_series_csv(path, "co2").items()}
    series = SeriesSplits(columns, target="co2", window=52, horizon=4, fractions=(0.0, 0.2))
    origins = series.origins("test")
    actual = actual_values(series.target_values, origins, 4)
    naive, seasonal = (forecast_errors(naive_forecasts(series.target_values, origins, 4, s),
                                       actual)["mae"] for s in (1, 52))  # fmt: skip
    assert naive == pytest.approx(0.744, abs=1e-3) and seasonal > naive  # ppm

    def test_mae():
        predicted = model.predict(series.arrays("test")[0], verbose=0)[..., 0]
        return forecast_errors(series.to_original_units(predicted), actual)["mae"]

    recipe = get_model_spec("lstm_forecaster").recipe
    keras.utils.set_random_seed(0)
    model = create_model("lstm_forecaster", input_shape=(52, 1), horizon=4, lstm_units=(16,))
    fit_linear_start(model, *series.arrays("train"))
    start = test_mae()
    model.compile(keras.optimizers.Adam(recipe.learning_rate), loss="mse")
    train = series.dataset("train", batch_size=recipe.batch_size, training=True)
    history = model.fit(train, epochs=3, verbose=0, shuffle=False)  # the dataset shuffles
    trained = test_mae()
    assert np.isfinite(history.history["loss"]).all()
    assert start < 0.7 * naive and trained < 0.7 * naive, (start, trained, naive)
