"""Time series from a CSV file: chronological splits, train-only normalisation, windows.

`load_series_csv` reads the named numeric columns of a CSV file (other columns, such as a
date, are ignored). `SeriesSplits` cuts the rows chronologically into train / validation /
test, fits the normalisation on the training rows only and makes windowed `tf.data`
datasets: `window` past rows of every feature in, the next `horizon` values of the targets
out. A validation or test window may read its inputs from earlier rows (they are the
past), but every value it predicts lies inside its own split.

Example:
>>> columns = load_series_csv("jena_climate.csv", target="T (degC)")  # doctest: +SKIP
>>> series = SeriesSplits(columns, target="T (degC)", window=72, horizon=12)  # doctest: +SKIP
>>> train = series.dataset("train", batch_size=64, training=True)  # doctest: +SKIP
"""

import functools
import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from zoo._utils import check_fraction, check_positive_int
from zoo.data._reading import DEFAULT_ENCODING, parse_number, read_csv_rows
from zoo.data.synthetic import synthetic_series
from zoo.errors import ConfigError, DataSourceError

SPLITS = ("train", "validation", "test")


def _selected(target, features):
    return [target, *[f for f in features if f != target]]


def _check_columns(source, available, wanted):
    missing = [name for name in wanted if name not in available]
    if missing:
        raise DataSourceError(
            f"{source}: no column named {missing[0]!r}; its columns are {available}."
        )


def load_series(source, target, features=(), encoding=DEFAULT_ENCODING):
    """{column: array} of `target` and `features` from a CSV path, or from `"synthetic"`
    (`zoo.data.synthetic.synthetic_series`: columns hour, load, temperature)."""
    if str(source) != "synthetic":
        return load_series_csv(source, target, features, encoding=encoding)
    columns = synthetic_series()
    wanted = _selected(target, features)
    _check_columns("the synthetic series", list(columns), wanted)
    return {name: columns[name] for name in wanted}


def load_series_csv(path, target, features=(), encoding=DEFAULT_ENCODING):
    """{column: float64 array} for `target` and `features` of the CSV file at `path`.

    The header names the columns; every value of a selected column must be a finite number
    (fill or drop gaps before training: a forecaster cannot learn from holes it does not
    see). The file is read as `encoding` text.
    """
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(f"--csv {path}: no such file.")
    wanted = _selected(target, features)
    table = read_csv_rows(path, delimiter=",", encoding=encoding)
    _check_columns(path, table.header, wanted)
    index = [table.header.index(name) for name in wanted]
    table.check_width(needed=max(index) + 1)
    values = np.empty((len(table.rows), len(wanted)), np.float64)
    for r, (row, line) in enumerate(zip(table.rows, table.lines, strict=True)):
        for j, i in enumerate(index):
            values[r, j] = parse_number(row[i], path=path, line=line, column=wanted[j])
    return {name: values[:, j] for j, name in enumerate(wanted)}


def estimate_season(values, max_lag=None):
    """The season length of `values`: the first autocorrelation peak (lag >= 2) within 90% of
    the strongest one (so a multiple of the period does not win by noise), or 1 if none.

    Example:
    >>> t = np.arange(500)
    >>> estimate_season(np.sin(2 * np.pi * t / 24))
    24
    """
    x = np.asarray(values, np.float64) - np.mean(values)
    n = len(x)
    max_lag = min(max_lag or n // 3, n - 2)
    if max_lag < 3 or not x.any():
        return 1
    spectrum = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[: max_lag + 2]
    acf = acf / acf[0] * n / (n - np.arange(len(acf)))  # unbiased: each lag's own pair count
    lags = np.arange(2, max_lag + 1)
    peaks = lags[(acf[lags] > acf[lags - 1]) & (acf[lags] >= acf[lags + 1]) & (acf[lags] > 0.3)]
    if not len(peaks):
        return 1
    return int(peaks[acf[peaks] >= 0.9 * acf[peaks].max()][0])


class SeriesSplits:
    """A multivariate series cut into chronological splits and windowed for forecasting.

    `columns` maps names to equal-length arrays (as `load_series_csv` returns); `target` is
    the column to forecast, `features` the extra input columns (the target is always an
    input). `fractions` are the (validation, test) shares of the rows, taken from the end.
    """

    def __init__(self, columns, *, target, features=(), window, horizon,
                 fractions=(0.15, 0.15)):  # fmt: skip
        check_positive_int("window", window)
        check_positive_int("horizon", horizon)
        for name, fraction in zip(("validation fraction", "test fraction"), fractions, strict=True):
            check_fraction(name, fraction)
        if sum(fractions) >= 1:
            raise ConfigError(
                f"The validation and test fractions {fractions} leave no training rows."
            )
        self.feature_names = _selected(target, features)
        self.target = target
        self.window, self.horizon = window, horizon
        self.values = np.stack([np.asarray(columns[n], np.float64) for n in self.feature_names], 1)
        rows = len(self.values)
        test_rows = int(round(rows * fractions[1]))
        validation_rows = int(round(rows * fractions[0]))
        train_end = rows - test_rows - validation_rows
        self.bounds = {"train": (0, train_end),
                       "validation": (train_end, train_end + validation_rows),
                       "test": (train_end + validation_rows, rows)}  # fmt: skip
        if train_end < window + horizon:
            raise DataSourceError(
                f"{rows} rows leave {train_end} for training, fewer than one window of "
                f"{window} + horizon {horizon}; use a shorter --window or a longer series."
            )
        if fractions[1] and test_rows < horizon:
            raise DataSourceError(
                f"The test split has {test_rows} rows, fewer than the horizon {horizon}; "
                "use a larger test fraction or a shorter --horizon."
            )
        train = self.values[:train_end]
        self.mean = train.mean(axis=0)
        self.std = np.where(train.std(axis=0) > 0, train.std(axis=0), 1.0)

    @property
    def num_features(self):
        return self.values.shape[1]

    @property
    def target_values(self):
        """The target column in original units."""
        return self.values[:, 0]

    def origins(self, split):
        """The index of the first forecast step of every window of `split`, in order."""
        start, end = self.bounds[split]
        first = max(start, self.window)
        return np.arange(first, end - self.horizon + 1)

    def num_windows(self, split):
        return len(self.origins(split))

    @functools.cached_property
    def normalised_values(self):
        """Every row scaled with the training rows' mean and standard deviation (float32)."""
        return ((self.values - self.mean) / self.std).astype(np.float32)

    def dataset(self, split, *, batch_size, training=False, seed=0):
        """Batches of (inputs (window, features), targets (horizon, 1)), normalised with the
        training rows' mean and standard deviation; None for a split without windows."""
        origins = self.origins(split)
        if not len(origins):
            return None
        rows = self.normalised_values[origins[0] - self.window : origins[-1] + self.horizon]
        # One window per origin, in a seeded random order when training; the shuffle buffer
        # then varies that order from epoch to epoch without holding every window.
        data = keras.utils.timeseries_dataset_from_array(
            rows, None, sequence_length=self.window + self.horizon, batch_size=None,
            shuffle=training, seed=seed,
        )  # fmt: skip
        if training:
            data = data.shuffle(min(len(origins), 10_000), seed=seed, reshuffle_each_iteration=True)
        window = self.window
        drop = training and len(origins) >= batch_size  # whole global batches for the replicas
        data = data.batch(batch_size, drop_remainder=drop)
        data = data.map(lambda rows: (rows[:, :window, :], rows[:, window:, :1]))
        return data.prefetch(tf.data.AUTOTUNE)

    def arrays(self, split):
        """(inputs (windows, window, features), targets (windows, horizon, 1)) of `split` as
        float32 arrays, normalised like `dataset`'s batches, in time order."""
        origins = self.origins(split)
        normalised = self.normalised_values
        inputs = normalised[origins[:, None] + np.arange(-self.window, 0)[None, :]]
        targets = normalised[origins[:, None] + np.arange(self.horizon)[None, :], :1]
        return inputs, targets

    def to_original_units(self, normalised_targets):
        """Targets predicted in normalised units, back in the target column's units."""
        return np.asarray(normalised_targets) * self.std[0] + self.mean[0]

    def describe(self):
        return {
            "target": self.target,
            "features": self.feature_names,
            "window": self.window,
            "horizon": self.horizon,
            "rows": {split: end - start for split, (start, end) in self.bounds.items()},
            "windows": {split: self.num_windows(split) for split in SPLITS},
        }


def naive_forecasts(target, origins, horizon, season=1):
    """Forecasts of the last value seen one `season` earlier (season 1: the last value).

    Step h after origin t repeats `target[t + h - season * ceil((h + 1) / season)]`, the most
    recent observed value at the same phase of the season.

    Example:
    >>> naive_forecasts(np.arange(10.0), origins=[5, 6], horizon=2).tolist()
    [[4.0, 4.0], [5.0, 5.0]]
    """
    steps = np.arange(horizon)
    lag = season * np.ceil((steps + 1) / season).astype(int)
    index = np.asarray(origins)[:, None] + steps[None, :] - lag[None, :]
    if len(index) and index.min() < 0:
        raise DataSourceError(
            f"The seasonal-naive forecast needs {season} past rows before the first forecast; "
            "use a smaller --season."
        )
    return np.asarray(target)[index]


def forecast_errors(forecasts, actual):
    """{"mae", "rmse"} of `forecasts` against `actual` (same shape, original units)."""
    error = np.asarray(forecasts, np.float64) - np.asarray(actual, np.float64)
    return {"mae": float(np.abs(error).mean()), "rmse": float(math.sqrt((error**2).mean()))}


def actual_values(target, origins, horizon):
    """The true next `horizon` target values after each origin, shape (windows, horizon)."""
    return np.asarray(target)[np.asarray(origins)[:, None] + np.arange(horizon)[None, :]]
