"""The plain-Keras baseline of `lstm_forecaster` for the quality suite: LSTM 64 -> dense
forecasts of every horizon step, on the series standardised with its training rows' mean
and deviation (no per-window normalisation), Adam 1e-3, mean squared error, batch 64, trained
on the same chronological split and test windows as `applications/train_timeseries.py`
(zoo's `SeriesSplits` cuts and windows the rows). Prints one JSON line: test MAE in the
series' units.

    python benchmarks/_quality_series_baselines.py --csv co2.csv --target co2 --window 104 \\
        --horizon 4 --epochs 20
"""

import argparse
import json
import time

import keras

from zoo.data.timeseries import SeriesSplits, actual_values, forecast_errors, load_series


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--window", type=int, required=True)
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--season", type=int, help="unused: the zoo run's flag, accepted")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    keras.utils.set_random_seed(args.seed)
    series = SeriesSplits(load_series(args.csv, args.target), target=args.target,
                          window=args.window, horizon=args.horizon)  # fmt: skip
    train = series.dataset("train", batch_size=64, training=True, seed=args.seed)
    test = series.dataset("test", batch_size=64)
    model = keras.Sequential([
        keras.Input((args.window, series.num_features)),
        keras.layers.LSTM(64),
        keras.layers.Dense(args.horizon),
        keras.layers.Reshape((args.horizon, 1)),
    ])  # fmt: skip
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    start = time.perf_counter()
    model.fit(train, epochs=args.epochs, verbose=0)
    predicted = series.to_original_units(model.predict(test, verbose=0)[..., 0])
    actual = actual_values(series.target_values, series.origins("test"), args.horizon)
    print(json.dumps({"test_mae": forecast_errors(predicted, actual)["mae"],
                      "epochs": args.epochs, "seconds": round(time.perf_counter() - start, 1)}))


if __name__ == "__main__":
    main()
