"""Train an LSTM forecaster on a CSV time series; report test MAE and RMSE beside baselines.

    python applications/train_timeseries.py --csv jena_climate_2009_2016.csv \\
        --target "T (degC)" --features "p (mbar)" "rh (%)" --window 72 --horizon 12
    python applications/train_timeseries.py --backend torch --csv load.csv --target load \\
        --window 48 --horizon 24 --season 24

This recipe is `zoo train timeseries` (the same code, installed with keras-zoo): what the run
writes and how it resumes is told in `zoo.apps.timeseries` and `zoo train timeseries --help`.
"""

from zoo.apps.launch import launch

if __name__ == "__main__":
    launch("timeseries", prog="train_timeseries.py")
