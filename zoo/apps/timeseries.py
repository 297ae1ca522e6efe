"""Train an LSTM forecaster on a CSV time series; report test MAE and RMSE beside baselines.

    zoo train timeseries --csv jena_climate_2009_2016.csv \\
        --target "T (degC)" --features "p (mbar)" "rh (%)" --window 72 --horizon 12
    zoo train timeseries --backend torch --csv load.csv --target load \\
        --window 48 --horizon 24 --season 24

Rows are split in time order (train, then validation, then test); the input scaling is fitted
on the training rows only, and the registered forecaster also normalises each window by its own
last value and spread (so it follows a level the training rows never reached); its linear map
starts at the least-squares fit to the training windows, pulled toward the naive or the
seasonal forecast, whichever (with its penalty) forecasts the validation windows best. Errors
are in the target's own units, beside the naive forecast (the last value, repeated) and the
seasonal-naive one (the value one season earlier; the season is `--season`, else the strongest
autocorrelation peak of the training rows) on the same test windows. Rerunning the same command
after a kill resumes the run.
"""

from pathlib import Path

import keras

from zoo import get_model_spec, list_models
from zoo._cli import OneLineArgumentParser, exit_on_user_error, fraction, positive_int
from zoo.apps._closing import close_run
from zoo.compress.options import Compression, add_compression_arguments
from zoo.data._reading import add_encoding_argument
from zoo.data.timeseries import (
    SeriesSplits,
    actual_values,
    estimate_season,
    forecast_errors,
    load_series,
    naive_forecasts,
)
from zoo.errors import ConfigError, DataSourceError
from zoo.evaluate import evaluate_forecasts
from zoo.models.forecast_start import choose_linear_start
from zoo.train.arguments import add_training_arguments, recipe_from_args, run_from_args


def parse_args(argv=None, prog="zoo train timeseries"):
    parser = OneLineArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="lstm_forecaster",
                        choices=list_models(task="time_series_forecasting"))  # fmt: skip
    parser.add_argument("--csv", required=True,
                        help="a CSV file with a header, or 'synthetic'")  # fmt: skip
    parser.add_argument("--target", required=True, help="the column to forecast")
    parser.add_argument("--features", nargs="+", default=[],
                        help="more input columns (the target is always an input)")  # fmt: skip
    parser.add_argument("--window", type=positive_int, default=24, help="past rows in")
    parser.add_argument("--horizon", type=positive_int, default=1, help="future rows out")
    parser.add_argument("--season", type=positive_int,
                        help="season length in rows (default: from autocorrelation)")  # fmt: skip
    parser.add_argument("--lstm-units", type=positive_int, nargs="+",
                        help="units of each LSTM layer (default: the model's)")  # fmt: skip
    parser.add_argument("--validation-split", type=fraction, default=0.15)
    parser.add_argument("--test-split", type=fraction, default=0.15)
    add_encoding_argument(parser)
    add_training_arguments(parser)
    add_compression_arguments(parser)
    return parser.parse_args(argv)


def baseline_forecasts(series, season, horizon):
    """The naive and (with a season) seasonal-naive forecasts of the test windows."""
    origins = series.origins("test")
    target = series.target_values
    forecasts = {"naive": naive_forecasts(target, origins, horizon)}
    if season > 1:
        forecasts["seasonal_naive"] = naive_forecasts(target, origins, horizon, season=season)
    return forecasts


def baselines(series, season, horizon):
    """Test errors of the naive and seasonal-naive forecasts, in the target's units."""
    actual = actual_values(series.target_values, series.origins("test"), horizon)
    return {name: forecast_errors(forecast, actual)
            for name, forecast in baseline_forecasts(series, season, horizon).items()}  # fmt: skip


def train(args):
    spec = get_model_spec(args.model)
    recipe = recipe_from_args(spec.recipe, args)
    if args.distill_from:
        raise ConfigError(f"--distill-from: {args.model} forecasts numbers, and distillation "
                          "learns a classifier's class probabilities; --prune and --quantize "
                          "work on forecasters.")  # fmt: skip
    run = run_from_args(args, f"runs/{args.model}_{Path(args.csv).stem}", recipe)  # fmt: skip
    columns = load_series(args.csv, args.target, args.features, encoding=args.encoding)
    series = SeriesSplits(columns, target=args.target, features=args.features,
                          window=args.window, horizon=args.horizon,
                          fractions=(args.validation_split, args.test_split))  # fmt: skip
    if not series.num_windows("test"):
        raise DataSourceError(
            f"The test split ({series.describe()['rows']['test']} rows) holds no window of "
            f"horizon {args.horizon}; raise --test-split."
        )
    train_start, train_end = series.bounds["train"]
    season = args.season or estimate_season(series.target_values[train_start:train_end])
    reference = baselines(series, season, args.horizon)  # before training: fails fast
    datasets = {split: series.dataset(split, batch_size=recipe.batch_size,
                                      training=split == "train", seed=args.seed)
                for split in ("train", "validation", "test")}  # fmt: skip
    overrides = {"lstm_units": tuple(args.lstm_units)} if args.lstm_units else {}
    steps_per_epoch = max(1, series.num_windows("train") // recipe.batch_size)
    compression = Compression.from_args(args)
    compile_kwargs = {"loss": "mse", "monitor": "loss", "monitor_mode": "min"}
    with run.scope():
        model = spec.build(input_shape=(args.window, series.num_features),
                           horizon=args.horizon, num_targets=1, **overrides)  # fmt: skip
        # The linear map starts at its least-squares fit to the training windows, with the
        # prior and penalty that forecast the validation windows best (a resumed run then
        # restores its trained weights over it).
        start = choose_linear_start(model, series.arrays("train"), series.arrays("validation"),
                                    season=season)  # fmt: skip
        compression.prepare(model, total_steps=steps_per_epoch * recipe.epochs,
                            distribution=run.distribution)  # fmt: skip
        run.compile(model, recipe, **compile_kwargs, steps_per_epoch=steps_per_epoch,
                    metrics=[keras.metrics.MeanAbsoluteError(name="normalized_mae")])  # fmt: skip
    run.fit(model, datasets["train"], validation=datasets["validation"], epochs=recipe.epochs,
            verbose=0 if args.quiet else "auto", callbacks=compression.callbacks())  # fmt: skip
    model = compression.finish(run, model, steps_per_epoch=steps_per_epoch, **compile_kwargs,
                               metrics=[keras.metrics.MeanAbsoluteError(name="normalized_mae")])
    record = {"model": args.model, "csv": str(args.csv), "epochs": recipe.epochs,
              "batch_size": recipe.batch_size, "season": season,
              "season_from": "--season" if args.season else "autocorrelation",
              **series.describe(), "synthetic": args.csv == "synthetic",
              "linear_start": start.describe(scale=float(series.std[0])) if start else None,
              **compression.describe(model)}  # fmt: skip
    metrics = run.finish(model, datasets["test"], record)
    predicted = series.to_original_units(run.predict(model, datasets["test"])[..., 0])
    actual = actual_values(series.target_values, series.origins("test"), args.horizon)
    errors = forecast_errors(predicted, actual)
    metrics.update(test_mae=errors["mae"], test_rmse=errors["rmse"],
                   baselines=reference)  # fmt: skip
    best = min(metrics["baselines"].items(), key=lambda item: item[1]["mae"])
    metrics["beats_baselines"] = errors["mae"] < best[1]["mae"]
    run.write_metrics(metrics)
    metrics = close_run(
        run, args, model, datasets["test"], metrics, compression=compression,
        evaluation=lambda: evaluate_forecasts(actual, predicted, description=series.describe(),
                                              baselines=baseline_forecasts(series, season,
                                                                           args.horizon)),
        evaluation_name="test", headline=None, synthetic=False,
    )  # fmt: skip
    report(metrics, args, run.run_dir, best)
    return metrics


def report(metrics, args, run_dir, best):
    print(f"test MAE {metrics['test_mae']:.4g}  RMSE {metrics['test_rmse']:.4g} "
          f"({args.target}, horizon {args.horizon}) | {args.model}, {metrics['backend']} "
          f"| {run_dir}{Compression.summary(metrics)}")  # fmt: skip
    for name, errors in metrics["baselines"].items():
        label = name.replace("_", "-")
        if name == "seasonal_naive":
            label += f" (season {metrics['season']})"
        print(f"  {label:28s} MAE {errors['mae']:.4g}  RMSE {errors['rmse']:.4g}")
    if not metrics["beats_baselines"]:
        print(f"  the forecaster does NOT beat the {best[0].replace('_', '-')} baseline "
              f"(MAE {metrics['test_mae']:.4g} vs {best[1]['mae']:.4g})")  # fmt: skip


@exit_on_user_error
def main(argv=None, prog="zoo train timeseries"):
    return train(parse_args(argv, prog))

