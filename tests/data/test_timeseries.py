import numpy as np
import pytest

from zoo.data.synthetic import synthetic_series
from zoo.data.timeseries import (
    SeriesSplits,
    actual_values,
    estimate_season,
    forecast_errors,
    load_series,
    load_series_csv,
    naive_forecasts,
)
from zoo.errors import ConfigError, DataSourceError


def write_csv(path, rows=100):
    lines = ["date,value,other"]
    lines += [f"2020-01-01 {i:02d}:00,{float(i)},{2.0 * i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_csv_columns_by_name_ignoring_others(tmp_path):
    columns = load_series_csv(write_csv(tmp_path / "s.csv"), "value", ["other"])
    assert list(columns) == ["value", "other"]
    np.testing.assert_array_equal(columns["value"], np.arange(100.0))
    np.testing.assert_array_equal(columns["other"], 2 * np.arange(100.0))


def test_csv_errors_name_the_problem(tmp_path):
    path = write_csv(tmp_path / "s.csv")
    with pytest.raises(DataSourceError, match=r"no column named 'temp'; its columns are \['date'"):
        load_series_csv(path, "temp")
    with pytest.raises(DataSourceError, match="line 2: column 'date' holds '2020-01-01 00:00'"):
        load_series_csv(path, "date")
    path.write_text("value\n1\n\n2\nnan\n")
    # The blank line is skipped but still counted: line numbers are the file's own.
    with pytest.raises(DataSourceError, match="line 5: column 'value' holds 'nan', not a finite"):
        load_series_csv(path, "value")
    with pytest.raises(DataSourceError, match="no such file"):
        load_series_csv(tmp_path / "missing.csv", "value")
    with pytest.raises(DataSourceError, match="synthetic series: no column named 'x'"):
        load_series("synthetic", "x")


def test_chronological_splits_and_train_only_normalisation():
    columns = {"y": np.arange(100.0), "x": np.arange(100.0) ** 2}
    series = SeriesSplits(columns, target="y", features=["x"], window=5, horizon=2,
                          fractions=(0.2, 0.1))  # fmt: skip
    assert series.bounds == {"train": (0, 70), "validation": (70, 90), "test": (90, 100)}
    assert series.mean[0] == pytest.approx(34.5)
    assert series.std[0] == pytest.approx(np.std(range(70)))
    # Every forecast of a split lies inside it; inputs may read earlier rows.
    assert series.origins("train").tolist() == list(range(5, 69))
    assert series.origins("validation").tolist() == list(range(70, 89))
    assert series.origins("test").tolist() == list(range(90, 99))


def test_windows_pair_the_past_with_the_next_horizon():
    series = SeriesSplits({"y": np.arange(50.0), "x": -np.arange(50.0)}, target="y",
                          features=["x"], window=4, horizon=3, fractions=(0.2, 0.2))  # fmt: skip
    inputs, targets = next(iter(series.dataset("test", batch_size=100).as_numpy_iterator()))
    origins = series.origins("test")
    assert inputs.shape == (len(origins), 4, 2) and targets.shape == (len(origins), 3, 1)
    original_inputs = inputs * series.std + series.mean
    np.testing.assert_allclose(original_inputs[0, :, 0], np.arange(origins[0] - 4, origins[0]),
                               atol=1e-4)  # fmt: skip
    np.testing.assert_allclose(original_inputs[0, :, 1], -np.arange(origins[0] - 4, origins[0]),
                               atol=1e-4)  # fmt: skip
    actual = actual_values(series.target_values, origins, 3)
    np.testing.assert_allclose(series.to_original_units(targets[..., 0]), actual, atol=1e-4)
    train = series.dataset("train", batch_size=8, training=True, seed=0)
    assert sum(len(y) for _, y in train.as_numpy_iterator()) == series.num_windows("train")


def test_arrays_are_the_datasets_windows_in_time_order():
    series = SeriesSplits({"y": np.arange(60.0), "x": np.arange(60.0) ** 2}, target="y",
                          features=["x"], window=6, horizon=2, fractions=(0.2, 0.2))  # fmt: skip
    for split in ("train", "test"):
        inputs, targets = series.arrays(split)
        batched = list(series.dataset(split, batch_size=7).as_numpy_iterator())
        np.testing.assert_array_equal(inputs, np.concatenate([x for x, _ in batched]))
        np.testing.assert_array_equal(targets, np.concatenate([y for _, y in batched]))
        assert inputs.dtype == targets.dtype == np.float32
        assert len(inputs) == series.num_windows(split)
    np.testing.assert_allclose(series.to_original_units(targets[0, :, 0]), [48.0, 49.0], atol=1e-4)


def test_split_errors():
    with pytest.raises(DataSourceError, match="fewer than one window"):
        SeriesSplits({"y": np.arange(20.0)}, target="y", window=12, horizon=4)
    with pytest.raises(ConfigError, match="leave no training rows"):
        SeriesSplits({"y": np.arange(20.0)}, target="y", window=2, horizon=1, fractions=(0.5, 0.5))
    with pytest.raises(DataSourceError, match="fewer than the horizon 5"):
        SeriesSplits({"y": np.arange(40.0)}, target="y", window=2, horizon=5, fractions=(0.1, 0.1))


def test_naive_and_seasonal_naive_forecasts():
    target = np.arange(30.0)
    np.testing.assert_array_equal(naive_forecasts(target, [10], horizon=3), [[9.0, 9.0, 9.0]])
    # Season 4: steps 0..5 after origin 10 repeat rows 6, 7, 8, 9, 6, 7.
    np.testing.assert_array_equal(naive_forecasts(target, [10], horizon=6, season=4),
                                  [[6.0, 7.0, 8.0, 9.0, 6.0, 7.0]])  # fmt: skip
    with pytest.raises(DataSourceError, match="needs 24 past rows"):
        naive_forecasts(target, [10], horizon=1, season=24)
    errors = forecast_errors([[1.0, 3.0]], [[2.0, 2.0]])
    assert errors == {"mae": 1.0, "rmse": 1.0}


def test_season_estimate_finds_the_daily_cycle():
    load = synthetic_series(24 * 30)["load"]
    assert estimate_season(load) == 24
    assert estimate_season(np.random.default_rng(0).normal(size=500)) == 1
