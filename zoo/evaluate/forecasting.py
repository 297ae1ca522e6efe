"""Multi-step forecast errors per horizon step, against simple baselines (numpy only).

Skill against a baseline is 1 - MAE_model / MAE_baseline: positive when the model beats it,
0 when it only matches, None when the baseline is exact (MAE 0).

Example:
>>> actual = [[1.0, 2.0], [3.0, 4.0]]
>>> m = forecast_metrics(actual, [[1.0, 3.0], [3.0, 4.0]], baselines={"zero": [[0, 0], [0, 0]]})
>>> model, skill = m["model"], m["skill"]
>>> model["mae_per_step"], skill["zero"]
([0.0, 0.5], 0.9)
"""

import numpy as np

from zoo.errors import ConfigError


def _as_windows(name, values):
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim not in (2, 3):
        raise ConfigError(
            f"{name} must have shape (windows, horizon) or (windows, horizon, targets), "
            f"got {values.shape}."
        )
    if values.shape[0] == 0:
        raise ConfigError(f"{name} has no windows; evaluate on at least one.")
    if not np.all(np.isfinite(values)):
        raise ConfigError(f"{name} has non-finite values (NaN or inf); drop or fill those windows.")
    return values


def _errors(actual, forecast):
    error = forecast - actual
    axes = tuple(axis for axis in range(error.ndim) if axis != 1)
    return {
        "mae": float(np.mean(np.abs(error))),
        "rmse": float(np.sqrt(np.mean(error**2))),
        "mae_per_step": np.mean(np.abs(error), axis=axes).tolist(),
        "rmse_per_step": np.sqrt(np.mean(error**2, axis=axes)).tolist(),
    }


def forecast_metrics(actual, forecast, *, baselines=None):
    """MAE and RMSE overall and per horizon step, for the model and each baseline, plus skill.

    `actual` and `forecast` have shape (N, horizon), or (N, horizon, targets) as
    `build_lstm_forecaster` predicts (errors are then averaged over targets too); (N,) means
    horizon 1. `baselines` maps a name (e.g. "last value", "seasonal naive") to forecasts of
    the same shape.
    """
    actual = _as_windows("actual", actual)
    forecast = _as_windows("forecast", forecast)
    if forecast.shape != actual.shape:
        raise ConfigError(
            f"forecast has shape {forecast.shape} but actual has {actual.shape}; they must match."
        )
    model = _errors(actual, forecast)
    baseline_metrics, skill = {}, {}
    for name, values in (baselines or {}).items():
        values = _as_windows(f"baseline {name!r}", values)
        if values.shape != actual.shape:
            raise ConfigError(
                f"baseline {name!r} has shape {values.shape} but actual has {actual.shape}; "
                "they must match."
            )
        baseline_metrics[str(name)] = _errors(actual, values)
        baseline_mae = baseline_metrics[str(name)]["mae"]
        skill[str(name)] = 1.0 - model["mae"] / baseline_mae if baseline_mae > 0 else None
    return {
        "horizon": int(actual.shape[1]),
        "num_windows": int(actual.shape[0]),
        "model": model,
        "baselines": baseline_metrics,
        "skill": skill,
    }
