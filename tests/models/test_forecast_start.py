"""zoo.models.forecast_start: the seasonal prior's kernel, and the start chosen on held-out
windows (on a real short seasonal series, where the old zero-prior start lost to the
seasonal-naive forecast)."""

import os

import numpy as np
import pytest

from tests.helpers import REPO_ROOT, to_numpy
from zoo.data.timeseries import (
    SeriesSplits,
    actual_values,
    forecast_errors,
    load_series_csv,
    naive_forecasts,
)
from zoo.models.forecast_start import LinearStart, choose_linear_start, seasonal_prior
from zoo.models.lstm import build_lstm_forecaster, fit_linear_start

RNG = np.random.default_rng(0)


def test_seasonal_prior_averages_whole_seasons_and_carries_the_level():
    kernel = seasonal_prior(window=12, horizon=5, season=4)
    np.testing.assert_allclose(kernel.sum(axis=0), 1.0, atol=1e-6)  # shifts pass through
    # A season repeated at rising levels: the forecast repeats it at the last season's level.
    pattern = np.array([0.0, 3.0, 1.0, 2.0])
    window = np.concatenate([pattern + 10 * k for k in range(3)])
    np.testing.assert_allclose(window @ kernel, np.append(pattern, 0.0) + 20, atol=1e-5)
    # A jump of 3 in the last season moves the forecast by 1.5 (the seasonal-naive one: 3):
    # 1 from its phase's average over three seasons, 0.5 from the last season's level.
    noisy = window.copy()
    noisy[8] += 3.0
    assert (noisy @ kernel)[0] - (window @ kernel)[0] == pytest.approx(1.5, abs=1e-5)
    # One whole season in the window: the seasonal-naive forecast.
    one = seasonal_prior(window=6, horizon=3, season=4)
    assert [int(np.argmax(one[:, step])) for step in range(3)] == [2, 3, 4]
    assert np.count_nonzero(one) == 3
    assert seasonal_prior(window=6, horizon=3, season=8) is None
    assert seasonal_prior(window=6, horizon=3, season=1) is None


def _noisy_season(rows, noise):
    """A jagged monthly pattern (no smooth shape a few lags could interpolate) plus noise."""
    pattern = np.random.default_rng(1).normal(0, 10, 12)
    return 100 + np.resize(pattern, rows) + RNG.normal(0, noise, rows)


def _splits(values, window, horizon, cut):
    x = np.stack([values[i : i + window + horizon] for i in range(len(values) - window - horizon)])
    x = x[..., None].astype("float32")
    return (x[:cut, :window], x[:cut, window:]), (x[cut:, :window], x[cut:, window:])


def test_the_prior_and_penalty_are_chosen_on_the_validation_windows():
    # Few noisy windows of a strong, jagged season: the seasonal prior, held firmly.
    train, validation = _splits(_noisy_season(200, noise=5.0), 48, 6, cut=30)
    model = build_lstm_forecaster(input_shape=(48, 1), horizon=6, lstm_units=(4,))
    start = choose_linear_start(model, train, validation, season=12)
    assert start.prior == "seasonal" and start.l2 >= 100, start
    # A random walk: the naive (zero) prior, since nothing seasonal holds.
    walk = np.cumsum(RNG.normal(size=600))
    train, validation = _splits(walk, 24, 3, cut=400)
    start = choose_linear_start(model_24 := build_lstm_forecaster(input_shape=(24, 1), horizon=3),
                                train, validation, season=12)  # fmt: skip
    assert start.prior == "zero", start
    # The kept kernel is the one that scored: the untrained model (its LSTM adds zero)
    # forecasts the validation windows with exactly the recorded error.
    error = np.abs(to_numpy(model_24(validation[0])) - validation[1]).mean()
    assert error == pytest.approx(start.validation_mae, rel=1e-4)


def test_without_validation_windows_the_default_start_is_used():
    train, _ = _splits(_noisy_season(200, noise=1.0), 24, 3, cut=100)
    empty = (train[0][:0], train[1][:0])
    model = build_lstm_forecaster(input_shape=(24, 1), horizon=3, lstm_units=(4,))
    assert choose_linear_start(model, train, empty, season=12) == LinearStart("zero", 10.0, None)
    assert LinearStart("zero", 10.0, None).describe(scale=3.0) == {
        "prior": "zero", "l2": 10.0, "validation_mae": None
    }  # fmt: skip
    assert LinearStart("seasonal", 1.0, 0.5).describe(scale=3.0)["validation_mae"] == 1.5
    plain = build_lstm_forecaster(input_shape=(24, 1), horizon=3, linear=False)
    assert choose_linear_start(plain, train, empty, season=12) is None


def test_on_real_wine_sales_the_chosen_start_beats_the_seasonal_naive_forecast():
    """176 months of Australian wine sales (tests/real_data/series): 71 training windows of
    48 months for a 48 x 6 kernel. Fitted toward zero (the previous start) the linear map
    comes within 10% of the seasonal-naive forecast on the test windows (0.93x); the start
    chosen on the validation windows (the seasonal prior, held firmly) beats it by more than
    10% (0.85x)."""
    path = os.path.join(REPO_ROOT, "tests", "real_data", "series", "wineind.csv")
    series = SeriesSplits(load_series_csv(path, "sales"), target="sales", window=48, horizon=6,
                          fractions=(0.15, 0.15))  # fmt: skip
    origins = series.origins("test")
    actual = actual_values(series.target_values, origins, 6)
    seasonal = forecast_errors(naive_forecasts(series.target_values, origins, 6, 12),
                               actual)["mae"]  # fmt: skip

    def test_mae(model):
        predicted = to_numpy(model(series.arrays("test")[0]))[..., 0]
        return forecast_errors(series.to_original_units(predicted), actual)["mae"]

    chosen = build_lstm_forecaster(input_shape=(48, 1), horizon=6, lstm_units=(4,))
    start = choose_linear_start(chosen, series.arrays("train"), series.arrays("validation"),
                                season=12)  # fmt: skip
    assert start.prior == "seasonal", start
    assert test_mae(chosen) < 0.9 * seasonal, (test_mae(chosen), seasonal)
    previous = build_lstm_forecaster(input_shape=(48, 1), horizon=6, lstm_units=(4,))
    fit_linear_start(previous, *series.arrays("train"))
    assert test_mae(previous) > 0.9 * seasonal, (test_mae(previous), seasonal)
