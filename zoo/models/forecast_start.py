"""Where a forecaster's linear map starts: the prior and ridge penalty that forecast the
validation windows best.

`fit_linear_start` fits the linear map (`zoo.layers.TemporalLinear`) to the training windows
by ridge regression toward a prior kernel. Which prior and how strong a pull depend on the
series: a long, regular series wants little penalty, while a short, noisy seasonal one (176
months of wine sales: 71 training windows for a 48 x 6 kernel) forecasts best close to the
average of its past seasons. `choose_linear_start` fits every pair of prior (the zero kernel,
which after the registered forecaster's shift to the window's last value is the naive
forecast; and, when the window
holds a whole season, `seasonal_prior`) and penalty, keeps the one with the smallest error on
the validation windows, and says which (ridge regression with its penalty chosen on held-out
data, as scikit-learn's `RidgeCV`, over two priors).

Example:
>>> import numpy as np
>>> from zoo.models.lstm import build_lstm_forecaster
>>> season = np.random.default_rng(1).normal(0, 10, 12)  # a jagged monthly pattern
>>> y = 100 + np.resize(season, 200) + np.random.default_rng(0).normal(0, 5, 200)
>>> x = np.stack([y[i : i + 54] for i in range(146)])[..., None].astype("float32")
>>> train, validation = (x[:30, :48], x[:30, 48:]), (x[30:, :48], x[30:, 48:])
>>> model = build_lstm_forecaster(input_shape=(48, 1), horizon=6)
>>> choose_linear_start(model, train, validation, season=12).prior
'seasonal'
"""

import dataclasses

import numpy as np
from keras import ops

from zoo.layers import TemporalLinear, WindowDenormalization, WindowNormalization
from zoo.models.lstm import first_layer, fit_linear_start

PENALTIES = (1.0, 10.0, 100.0, 1e3, 1e4, 1e6)


@dataclasses.dataclass(frozen=True)
class LinearStart:
    """The chosen start: `prior` ("zero": the naive forecast when windows are shifted by their
    last value, as in the registered forecaster, their mean with `location="mean"`; or
    "seasonal"), the ridge penalty `l2`, and the validation windows' mean absolute error with
    it (in the windows' units; None when there were no validation windows and the default
    start was used)."""

    prior: str
    l2: float
    validation_mae: float | None

    def describe(self, scale=1.0):
        """The record a run keeps in metrics.json, with the validation error multiplied by
        `scale` (the data pipeline's standard deviation: the error in the target's units)."""
        record = dataclasses.asdict(self)
        if self.validation_mae is not None:
            record["validation_mae"] = self.validation_mae * scale
        return record


def seasonal_prior(window, horizon, season):
    """The `(window, horizon)` kernel of the seasonal forecast a window can make, or None when
    the window holds no whole season (or `season` < 2).

    Each forecast step is the average of the values at the same phase in each whole season of
    the window, shifted by how far the last season's mean lies from those seasons' mean (so the
    forecast starts from the last season's level). With one season in the window it is the
    seasonal-naive forecast. Every column sums to one, so shifting a window shifts its forecast
    alike: the kernel means the same on raw windows and on windows shifted by their last value
    or mean.

    Example:
    >>> seasonal_prior(window=3, horizon=2, season=2).tolist()  # one season: seasonal-naive
    [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    >>> float(seasonal_prior(window=4, horizon=1, season=2).sum())
    1.0
    >>> seasonal_prior(window=4, horizon=1, season=8) is None
    True
    """
    if season < 2 or window < season:
        return None
    seasons = window // season
    kernel = np.zeros((window, horizon), "float32")
    for step in range(horizon):
        phase = step % season
        for back in range(1, seasons + 1):
            kernel[window - back * season + phase, step] += 1 / seasons
            start = window - back * season
            kernel[start : start + season, step] -= 1 / (seasons * season)
        kernel[window - season :, step] += 1 / season
    return kernel


def _linear_forecast(model, linear, windows):
    """The forecast of the linear map alone, in the windows' units."""
    windows = ops.convert_to_tensor(windows, "float32")
    normalization = first_layer(model, WindowNormalization)
    if normalization is None:
        return linear(windows)
    normalised, location, scale = normalization(windows)
    return first_layer(model, WindowDenormalization)([linear(normalised), location, scale])


def choose_linear_start(model, train, validation, season=None, penalties=PENALTIES):
    """Fit the model's linear map to `train` with each prior and penalty, keep the pair whose
    forecasts of `validation` have the smallest mean absolute error, and return it as a
    `LinearStart` (None for a model without a linear map, which is left unchanged).

    `train` and `validation` are `(windows, targets)` pairs as the model reads and predicts
    them (e.g. `SeriesSplits.arrays`); `season` (rows) adds the seasonal prior when the window
    holds a whole season. Without validation windows the default start is used
    (`fit_linear_start`'s zero prior and penalty 10).
    """
    linear = first_layer(model, TemporalLinear)
    if linear is None:
        return None
    windows, targets = validation
    if len(windows) == 0:
        fit_linear_start(model, *train)
        return LinearStart("zero", 10.0, None)
    priors = {"zero": None}
    window = int(np.shape(train[0])[1])
    seasonal = seasonal_prior(window, linear.horizon, season) if season else None
    if seasonal is not None:
        priors["seasonal"] = seasonal
    targets = ops.convert_to_tensor(targets, "float32")
    errors = {}
    for name, prior in priors.items():
        for l2 in penalties:
            fit_linear_start(model, *train, l2=l2, prior=prior)
            forecast = _linear_forecast(model, linear, windows)
            errors[name, l2] = float(ops.mean(ops.abs(forecast - targets)))
    (name, l2), error = min(errors.items(), key=lambda item: item[1])
    fit_linear_start(model, *train, l2=l2, prior=priors[name])
    return LinearStart(name, float(l2), error)
