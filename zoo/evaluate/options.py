"""`--evaluate` for the applications: the full evaluation report of the run's test split.

With the flag, an application evaluates its final model on the test split it loaded (with the
run's own preprocessing) and writes `evaluation.json`, the plots and `evaluation.md` into the
run folder; `metrics.json` records where.

Example:
>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_evaluation_arguments(parser)
>>> parser.parse_args(["--evaluate"]).evaluate
True
"""

from pathlib import Path

from zoo.evaluate.report import write_report


def add_evaluation_arguments(parser):
    """Add --evaluate to an application's parser."""
    parser.add_argument_group("evaluation").add_argument(
        "--evaluate",
        action="store_true",
        help="after training, write the evaluation report (evaluation.json, evaluation.md, "
        "plots) of the test split into the run folder",
    )


def evaluate_run(run, results, metrics, *, title=None):
    """Write the report of `results` (test-set name → `evaluate_*` entry) into the run
    folder, on the chief only; record it in `metrics` (and `metrics.json`); return
    `metrics`."""
    if not run.distribution.is_chief:
        return metrics
    run_dir = Path(run.run_dir)
    history = run_dir / "history.csv"
    title = title or f"Evaluation of {metrics.get('model', run_dir.name)}"
    write_report(run_dir, results, history_csv=history if history.is_file() else None,
                 title=title)  # fmt: skip
    metrics["evaluation"] = {"report": "evaluation.md", "results": "evaluation.json"}
    run.write_metrics(metrics)
    print(f"evaluation report: {run_dir / 'evaluation.md'}")
    return metrics
