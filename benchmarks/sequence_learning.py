r"""What the LSTM applications learn, on each backend, on data with a known answer.

* Forecasting: `train_timeseries.py --csv synthetic` (a daily cycle plus AR(1) noise; the best
  possible one-step forecast errs by the noise's innovations alone, MAE about 0.4), window 48,
  horizon 6, the registered recipe; test MAE and RMSE beside the naive and seasonal-naive
  forecasts on the same windows.
* Text: `train_text.py` on reviews in IMDB's `aclImdb` layout whose label is one sentiment word
  at a random place among filler words (written by `tests/data/fake_files.write_acl_imdb`).

Results go to `benchmarks/results/sequence_learning.csv` (or `--results-dir`) and into
`docs/models/sequence.md`.

    python benchmarks/sequence_learning.py
    python benchmarks/sequence_learning.py --backends jax --epochs 1 \
        --results-dir /tmp/bench --no-docs   # a smoke run
    python -m benchmarks run --suites sequence_learning   # the same, through the runner
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from _harness import add_output_arguments, save_results  # noqa: E402
from _machine import stamp  # noqa: E402

from tests.data.fake_files import write_acl_imdb  # noqa: E402

RESULTS = "sequence_learning.csv"
DOCS = ROOT / "docs" / "models" / "sequence.md"
MARKERS = ("<!-- sequence_results:start -->", "<!-- sequence_results:end -->")
BACKENDS = ("tensorflow", "jax", "torch")


def run_application(script, backend, args, out):
    command = [sys.executable, str(ROOT / "applications" / script), "--backend", backend,
               *args, "--output-dir", str(out), "--quiet", "--overwrite"]  # fmt: skip
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return json.loads((out / "metrics.json").read_text())


def forecasting(backend, work, epochs=None):
    """The registered recipe's epochs unless `epochs` is given."""
    metrics = run_application("train_timeseries.py", backend, [
        "--csv", "synthetic", "--target", "load", "--features", "temperature",
        "--window", "48", "--horizon", "6",
        *(["--epochs", str(epochs)] if epochs else [])], work / f"forecast_{backend}")  # fmt: skip
    baselines = metrics["baselines"]
    return {
        "task": "forecast load, horizon 6", "model": "lstm_forecaster", "backend": backend,
        "epochs": metrics["epochs"], "metric": "test MAE / RMSE",
        "result": f"{metrics['test_mae']:.3f} / {metrics['test_rmse']:.3f}",
        "baseline": f"naive {baselines['naive']['mae']:.3f} / {baselines['naive']['rmse']:.3f}; "
                    f"seasonal-naive ({metrics['season']}) "
                    f"{baselines['seasonal_naive']['mae']:.3f} / "
                    f"{baselines['seasonal_naive']['rmse']:.3f}",
        "train_seconds": metrics["train_seconds"],
    }  # fmt: skip


def text(backend, model, data, work, epochs=4):
    metrics = run_application("train_text.py", backend, [
        "--model", model, "--dataset", "imdb", "--data-dir", str(data), "--epochs", str(epochs),
        "--sequence-length", "24", "--batch-size", "32"], work / f"{model}_{backend}")  # fmt: skip
    return {
        "task": "aclImdb-layout sentiment word", "model": model, "backend": backend,
        "epochs": metrics["epochs"], "metric": "test accuracy",
        "result": f"{metrics['test_accuracy']:.4f}", "baseline": "chance 0.5",
        "train_seconds": metrics["train_seconds"],
    }  # fmt: skip


def markdown_table(rows):
    lines = ["| task | model | backend | epochs | result | baselines | training time (s) |",
             "|---|---|---|---:|---|---|---:|"]  # fmt: skip
    for row in rows:
        lines.append(f"| {row['task']} | `{row['model']}` | {row['backend']} | {row['epochs']} "
                     f"| {row['metric']} {row['result']} | {row['baseline']} "
                     f"| {float(row['train_seconds']):.1f} |")  # fmt: skip
    lines += ["", f"Measured {rows[0]['date']} on {rows[0]['machine']} with "
                  "`python benchmarks/sequence_learning.py`."]  # fmt: skip
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--epochs", type=int,
                        help="every run's epochs (default: the forecasting recipe's, 4 for text)")
    add_output_arguments(parser, docs="docs/models/sequence.md")
    return parser


def main():
    args = build_parser().parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_acl_imdb(work / "reviews", per_class=500, seed=0)
        for backend in args.backends:
            rows.append(forecasting(backend, work, args.epochs))
            for model in ("lstm_text", "bilstm_text"):
                rows.append(text(backend, model, work / "reviews", work, args.epochs or 4))
            for row in rows[-3:]:
                print(row, flush=True)
    rows = [{**row, **stamp()} for row in rows]
    save_results(rows, args.results_dir / RESULTS, DOCS, MARKERS, markdown_table,
                 update_docs=not args.no_docs)


if __name__ == "__main__":
    main()
