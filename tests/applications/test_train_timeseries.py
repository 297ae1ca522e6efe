import json
import subprocess

import keras
import numpy as np
import pytest

from tests.applications.conftest import (
    app_command,
    assert_exits_2_with_one_line,
    kill_after_epochs,
    load_app,
)
from zoo.data.synthetic import synthetic_series
from zoo.models.forecast_start import PENALTIES


def write_series_csv(path, rows=1500, seed=0):
    """The synthetic hourly load series as a CSV file with a timestamp column."""
    columns = synthetic_series(rows, seed=seed)
    lines = ["timestamp,load,temperature"]
    for t in range(rows):
        day, hour = divmod(t, 24)
        lines.append(f"2024-01-{day % 28 + 1:02d}T{hour:02d}:00,{columns['load'][t]:.5f},"
                     f"{columns['temperature'][t]:.3f}")  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    return path


def _metrics(folder):
    return json.loads((folder / "metrics.json").read_text())


def test_forecaster_beats_naive_baselines_on_a_known_pattern(run_app, tmp_path):
    """A daily cycle plus persistent noise: the naive forecast lags the cycle, the
    seasonal-naive one misses the noise; the registered recipe (3 of its epochs) must beat
    the better of them by 20%."""
    csv = write_series_csv(tmp_path / "load.csv")
    out = tmp_path / "run"
    result = run_app("train_timeseries.py", "--csv", str(csv), "--target", "load",
                     "--features", "temperature", "--window", "36", "--horizon", "3",
                     "--epochs", "3", "--output-dir", str(out), "--quiet",
                     "--evaluate")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(out)
    assert metrics["season"] == 24 and metrics["season_from"] == "autocorrelation"
    assert metrics["windows"]["test"] == 225 - 3 + 1  # 15% of 1500 rows, horizon 3
    # The linear map's start was chosen on the validation windows (the window holds a season).
    start = metrics["linear_start"]
    assert start["prior"] in ("zero", "seasonal") and start["l2"] in PENALTIES
    # In the target's units; the validation windows precede the test windows, where the
    # naive forecast errs by 1.4 (and the chosen start, measured, by 0.6).
    assert 0 < start["validation_mae"] < 0.5 * metrics["baselines"]["naive"]["mae"]
    baseline = min(errors["mae"] for errors in metrics["baselines"].values())
    assert metrics["test_mae"] < 0.8 * baseline, (metrics["test_mae"], metrics["baselines"])
    assert metrics["beats_baselines"] is True and "does NOT beat" not in result.stdout
    assert "seasonal-naive (season 24)" in result.stdout
    assert metrics["test_rmse"] >= metrics["test_mae"]
    # Errors are in the target's units: the naive forecast's, recomputed here, agree.
    load = synthetic_series(1500)["load"]
    origins = np.arange(1275, 1498)
    naive = np.abs(load[origins - 1, None] - load[origins[:, None] + np.arange(3)]).mean()
    assert metrics["baselines"]["naive"]["mae"] == pytest.approx(naive, rel=1e-4)
    # --evaluate: the same errors per forecast step, beside both baselines.
    report = json.loads((out / "evaluation.json").read_text())["results"]["test"]["metrics"]
    assert report["model"]["mae"] == pytest.approx(metrics["test_mae"], rel=1e-6)
    assert len(report["model"]["mae_per_step"]) == 3
    assert report["baselines"]["naive"]["mae"] == pytest.approx(naive, rel=1e-4)
    assert set(report["skill"]) == {"naive", "seasonal_naive"}
    assert (out / "horizon_errors.png").stat().st_size > 1000
    model = keras.saving.load_model(out / "model.keras")
    assert model.input_shape == (None, 36, 2) and model.output_shape == (None, 3, 1)


def test_report_says_when_the_forecaster_loses(capsys):
    app = load_app("train_timeseries.py")
    metrics = {"test_mae": 2.0, "test_rmse": 2.5, "backend": "jax", "season": 24,
               "beats_baselines": False,
               "baselines": {"naive": {"mae": 1.5, "rmse": 2.0},
                             "seasonal_naive": {"mae": 3.0, "rmse": 3.5}}}  # fmt: skip
    args = app.parse_args(["--csv", "x.csv", "--target", "load", "--horizon", "2"])
    app.report(metrics, args, "runs/x", ("naive", metrics["baselines"]["naive"]))
    out = capsys.readouterr().out
    assert "seasonal-naive (season 24)" in out
    assert "does NOT beat the naive baseline (MAE 2 vs 1.5)" in out


# The resume mechanism (RunBackup through TrainingRun) is tested on every backend by
# train_cifar's and train_bert's kill tests; what this application adds (its best checkpoint
# by val_loss) does not depend on the backend, so one backend runs this slow test.
@pytest.mark.slow
@pytest.mark.tf_only
def test_killed_run_resumes(tmp_path):
    out = tmp_path / "run"
    command = app_command("train_timeseries.py", "--csv", "synthetic", "--target", "load",
                          "--window", "24", "--epochs", "5", "--batch-size", "16",
                          "--output-dir", str(out), "--quiet")  # fmt: skip
    killed_at = kill_after_epochs(command, out, epochs=1)
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Resuming from epoch {killed_at}" in result.stdout
    metrics = _metrics(out)
    assert metrics["resumed_from_epoch"] == killed_at and metrics["synthetic"] is True
    assert metrics["best"]["monitor"] == "val_loss"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--target", "price"], "no column named 'price'; its columns are ['timestamp', 'load'"),
        (["--target", "timestamp"], "line 2: column 'timestamp' holds '2024-01-01T00:00'"),
        (["--target", "load", "--window", "2000"], "fewer than one window of 2000"),
        (["--target", "load", "--season", "1400"], "needs 1400 past rows"),
        (["--target", "load", "--horizon", "0"], "argument --horizon: must be a positive integer"),
        (["--target", "load", "--test-split", "1.5"], "argument --test-split"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys, tmp_path):
    csv = write_series_csv(tmp_path / "load.csv", rows=200)
    argv = ["--csv", str(csv), *argv, "--epochs", "1", "--quiet", "--output-dir", str(tmp_path)]
    assert_exits_2_with_one_line("train_timeseries.py", argv, message, capsys)
