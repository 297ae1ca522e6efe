"""What the quality suite's families share: a task, its result rows, running an application as
a user would, and turning the rows into the registry's `measured` entries.

A task trains one registered recipe on one real data set and returns rows, one per figure:
the zoo run (`role="zoo"`), plain baselines of the same network trained in the same run
(`role="baseline"`) and the published reference where the comparison is fair
(`role="reference"`). Every row of a task shares its metric, so they compare directly.

Example:
>>> row = figure_row(TASK, role="zoo", figure="zoo, registered recipe", value=91.7,
...                  epochs=20, backend="jax", command="python ...")  # doctest: +SKIP
"""

import json
import os
import pprint
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("task", "family", "model", "dataset", "metric", "unit", "higher_is_better", "role",
           "figure", "value", "epochs", "backend", "command", "seconds", "note")  # fmt: skip
ROLES = ("zoo", "baseline", "reference")


@dataclass(frozen=True)
class Context:
    """Where and how a task runs: the backend of the zoo runs, a scratch folder, smoke size."""

    backend: str
    work: Path
    quick: bool
    epochs: int | None = None  # overrides every run's epochs (a time budget, stated)


@dataclass(frozen=True)
class QualityTask:
    """One registered recipe on one real data set; `run(task, context)` returns its rows."""

    name: str
    family: str
    model: str
    dataset: str
    metric: str
    run: Callable
    unit: str = "%"
    higher_is_better: bool = True
    note: str = ""  # why the reference is (not) comparable, data size, epochs


def figure_row(task, *, role, figure, value, epochs="", backend="", command="", seconds="",
               note=""):  # fmt: skip
    """One result row of `task` (see `COLUMNS`)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    return {
        "task": task.name, "family": task.family, "model": task.model, "dataset": task.dataset,
        "metric": task.metric, "unit": task.unit, "higher_is_better": task.higher_is_better,
        "role": role, "figure": figure, "value": round(float(value), 2 if task.unit == "%" else 4),
        "epochs": epochs,
        "backend": backend, "command": command, "seconds": seconds, "note": note or task.note,
    }  # fmt: skip


def reference_rows(task, dataset_in_registry):
    """The registry's published reference of `task.model`, where it was measured on
    `dataset_in_registry` (the data set this task trains on); else no row."""
    from zoo import get_model_spec

    reference = get_model_spec(task.model).reference
    if reference is None or reference.dataset != dataset_in_registry:
        return []
    return [figure_row(task, role="reference", figure=reference.source, value=reference.value)]


def run_application(script, arguments, *, backend, output_dir, timeout=6 * 3600):
    """Run `applications/<script>` (the recipe of `zoo train TASK`) as a user would (plus
    --backend, --output-dir, --quiet, and --overwrite: a figure is always measured afresh);
    return (its metrics.json, the user's command line as text, as `zoo train TASK ...`)."""
    argv = [str(a) for a in arguments]
    task = script.removeprefix("train_").removesuffix(".py").replace("cifar", "image")
    command = user_command(f"zoo train {task} {shlex.join(argv)}")  # the same code, installed
    full = [sys.executable, str(ROOT / "applications" / script), *argv, "--backend", backend,
            "--output-dir", str(output_dir), "--quiet", "--overwrite"]  # fmt: skip
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(full, capture_output=True, text=True, env=env, timeout=timeout,
                            cwd=ROOT)  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{command} --backend {backend} failed:\n{result.stderr[-3000:]}")
    return json.loads((Path(output_dir) / "metrics.json").read_text()), command


def user_command(command):
    """`command` as a user types it: the real-data cache written as `$ZOO_REAL_DATA` (the
    folder `python -m benchmarks.real_data prepare NAME` fills), not this machine's path."""
    from benchmarks.real_data import cache_root

    return command.replace(str(cache_root()), "$ZOO_REAL_DATA")


def run_baseline(script, arguments, *, backend=None, timeout=6 * 3600):
    """Run a baseline worker (`benchmarks/<script> ARGS`, a plain-Keras one on `backend`, the
    zoo run's); return its last JSON line."""
    command = [sys.executable, str(ROOT / "benchmarks" / script), *map(str, arguments)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if backend:
        env["KERAS_BACKEND"] = backend
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout,
                            cwd=ROOT)  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def merge_rows(old, new):
    """`old` rows with every (task, backend) that `new` measured replaced by `new`'s rows
    (reference rows, which have no backend, by task), so a partial run keeps the rest."""
    measured = {(row["task"], row["backend"]) for row in new}
    tasks = {row["task"] for row in new}
    kept = [row for row in old
            if (row["task"], row["backend"]) not in measured
            and not (row["role"] == "reference" and row["task"] in tasks)]  # fmt: skip
    return kept + list(new)


def measured_entries(rows):
    """{model: [MeasuredResult fields]} from the rows: each zoo figure beside the strongest
    baseline of its task and backend (what `zoo._measured` holds)."""
    entries = {}
    for row in rows:
        if row["role"] != "zoo":
            continue
        baselines = [other for other in rows if other["role"] == "baseline"
                     and other["task"] == row["task"] and other["backend"] == row["backend"]]
        sign = 1 if str(row["higher_is_better"]) == "True" else -1
        baseline = max(baselines, key=lambda other: sign * float(other["value"]), default=None)
        entries.setdefault(row["model"], []).append({
            "dataset": row["dataset"], "metric": row["metric"], "value": float(row["value"]),
            "epochs": int(row["epochs"]), "backend": row["backend"], "date": row["date"],
            "command": row["command"], "unit": row["unit"],
            "baseline": baseline["figure"] if baseline else "",
            "baseline_value": float(baseline["value"]) if baseline else None,
            "higher_is_better": str(row["higher_is_better"]) == "True",
        })  # fmt: skip
    return entries


def measured_module(rows):
    """The text of `zoo/_measured.py` for `rows`."""
    body = pprint.pformat(measured_entries(rows), width=100, sort_dicts=True)
    return ('"""What zoo\'s quality benchmark measured, by registered model name '
            "(`ModelSpec.measured`).\n\nWritten by `benchmarks/quality.py` from "
            '`benchmarks/results/quality.csv`: do not edit by hand.\n"""\n\n'
            f"MEASURED = {body}\n")
