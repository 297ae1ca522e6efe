"""The evaluation folder: `evaluation.json`, a short `evaluation.md` and the plots it links.

Test sets sit side by side in the headline table, with a change column against the first set
(the generalisation check: "test" vs "shifted"). Files of the first set have plain names
(`confusion_matrix.png`); later sets' carry their label (`confusion_matrix_shifted.png`).

Example:
>>> from zoo.evaluate import classification_metrics, write_report
>>> metrics = classification_metrics([0, 1], [[0.9, 0.1], [0.2, 0.8]])
>>> report = write_report("runs/a/eval", {"test": {"task": "classification",
...                                                "metrics": metrics}})  # doctest: +SKIP
>>> [path.name for path in report.paths]  # doctest: +SKIP
['evaluation.json', 'evaluation.md', 'confusion_matrix.png', 'reliability.png']
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from zoo._utils import atomic_path, write_json_atomic
from zoo.errors import ConfigError
from zoo.evaluate.plots import (
    plot_confusion_matrix,
    plot_group_auc,
    plot_horizon_errors,
    plot_reliability_diagram,
    plot_training_curves,
)

TASKS = ("classification", "binary", "forecasting", "language_model")
PER_CLASS_MAX_CLASSES = 20


@dataclass(frozen=True)
class EvaluationReport:
    """What `write_report` wrote: the JSON, the Markdown, plots per test set, training curves."""

    directory: Path
    json_path: Path
    markdown_path: Path
    plots: dict = field(default_factory=dict)  # test-set label -> [Path, ...]
    training_curves: Path | None = None
    skipped: tuple = ()  # human-readable reasons for plots that were not drawn

    @property
    def paths(self):
        """Every file written, JSON and Markdown first."""
        written = [self.json_path, self.markdown_path]
        for paths in self.plots.values():
            written.extend(paths)
        if self.training_curves is not None:
            written.append(self.training_curves)
        return written


def _check_results(results):
    if not hasattr(results, "items") or not results:
        raise ConfigError(
            "results must be a non-empty mapping of test-set label -> "
            '{"task": ..., "metrics": ...}, e.g. {"test": {"task": "classification", ...}}.'
        )
    for label, entry in results.items():
        if not isinstance(label, str) or not label:
            raise ConfigError(f"test-set labels must be non-empty strings, got {label!r}.")
        if not hasattr(entry, "get") or entry.get("task") not in TASKS:
            task = entry.get("task") if hasattr(entry, "get") else entry
            raise ConfigError(
                f"results[{label!r}] has task {task!r}; use one of {', '.join(TASKS)}."
            )
        if not hasattr(entry.get("metrics"), "get"):
            raise ConfigError(
                f"results[{label!r}] has no 'metrics' dict; pass the dict returned by "
                f"the {entry['task']} metrics function."
            )


def _suffixes(labels):
    """'' for the first set, then '_<label>' made file-safe and unique."""
    suffixes, used = [], set()
    for index, label in enumerate(labels):
        slug = "" if index == 0 else "_" + (re.sub(r"[^A-Za-z0-9.-]+", "_", label) or "set")
        while slug in used:
            slug += f"_{index}"
        used.add(slug)
        suffixes.append(slug)
    return suffixes


def _headline(task, metrics):
    """[(row name, value, is_count)] for the headline table."""
    if task == "classification":
        rows = [("accuracy", metrics["accuracy"], False)]
        for key, value in metrics.get("top_k_accuracy", {}).items():
            rows.append((f"{key.replace('_', '-')} accuracy", value, False))
        rows += [
            ("macro F1", metrics["macro_f1"], False),
            ("ECE", metrics["expected_calibration_error"], False),
            ("examples", metrics["num_examples"], True),
        ]
    elif task == "binary":
        rows = [("AUC", metrics["auc"], False), ("logloss", metrics["logloss"], False)]
        if "group_auc" in metrics:
            group = metrics["group_auc"]
            rows.append((f"GAUC ({group['name']})", group["weighted_auc"], False))
        rows += [
            ("positive rate", metrics["positive_rate"], False),
            ("mean prediction", metrics["mean_prediction"], False),
            ("examples", metrics["num_examples"], True),
        ]
    elif task == "language_model":
        rows = [("perplexity", metrics["perplexity"], False), ("loss", metrics["loss"], False),
                ("bits per token", metrics["bits_per_token"], False),
                ("next-token accuracy", metrics["next_token_accuracy"], False),
                ("tokens", metrics["num_tokens"], True)]  # fmt: skip
    else:
        rows = [("MAE", metrics["model"]["mae"], False), ("RMSE", metrics["model"]["rmse"], False)]
        for name, baseline in metrics.get("baselines", {}).items():
            rows.append((f"MAE {name}", baseline["mae"], False))
        for name, skill in metrics.get("skill", {}).items():
            rows.append((f"skill vs {name}", skill, False))
        rows.append(("windows", metrics["num_windows"], True))
    return rows


def _cell(value):
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4f}"


def _escape(text):
    return str(text).replace("|", "\\|")


def _headline_table(results):
    labels = list(results)
    table = {}  # row name -> (is_count, {label: value})
    for label, entry in results.items():
        for name, value, is_count in _headline(entry["task"], entry["metrics"]):
            table.setdefault(name, (is_count, {}))[1][label] = value
    first = labels[0]
    rows = []
    for name, (is_count, values) in table.items():
        cells = [_escape(name), *(_cell(values.get(label)) for label in labels)]
        for other in labels[1:]:
            base, value = values.get(first), values.get(other)
            change = "" if is_count or base is None or value is None else f"{value - base:+.4f}"
            cells.append(change)
        rows.append(cells)
    header = ["metric", *labels, *(f"change ({other} − {first})" for other in labels[1:])]
    # A change column stays only where it compares something (the sets may differ in task).
    keep = [i for i in range(len(header)) if i <= len(labels) or any(row[i] for row in rows)]
    lines = [
        "| " + " | ".join(_escape(header[i]) for i in keep) + " |",
        "|---" + "|---:" * (len(keep) - 1) + "|",
    ]
    lines += ["| " + " | ".join(row[i] for i in keep) + " |" for row in rows]
    return lines


def _per_class_table(label, metrics):
    lines = [
        f"## Per class ({_escape(label)})",
        "",
        "| class | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in metrics["per_class"]:
        lines.append(
            f"| {_escape(row['class'])} | {row['precision']:.4f} | {row['recall']:.4f} "
            f"| {row['f1']:.4f} | {row['support']:,} |"
        )
    return lines


def _plot_set(directory, entry, suffix):
    """Draw the plots of one test set; return [(alt text, Path)]."""
    task, metrics = entry["task"], entry["metrics"]
    drawn = []
    if task == "classification":
        names = [row["class"] for row in metrics["per_class"]]
        path = directory / f"confusion_matrix{suffix}.png"
        drawn.append(
            ("confusion matrix", plot_confusion_matrix(metrics["confusion_matrix"], names, path))
        )
        path = directory / f"reliability{suffix}.png"
        drawn.append(
            (
                "reliability diagram",
                plot_reliability_diagram(
                    metrics["reliability"], path, ece=metrics["expected_calibration_error"]
                ),
            )
        )
    elif task == "binary":
        if metrics.get("group_auc", {}).get("per_group"):
            path = directory / f"group_auc{suffix}.png"
            drawn.append(("group AUC", plot_group_auc(metrics["group_auc"], path)))
    elif task == "forecasting":
        path = directory / f"horizon_errors{suffix}.png"
        drawn.append(("errors per horizon step", plot_horizon_errors(metrics, path)))
    return drawn


def write_report(output_dir, results, *, history_csv=None, title="Evaluation"):
    """Write `evaluation.json`, `evaluation.md` and the plots of every test set to `output_dir`.

    `results` maps a test-set label to {"task": "classification" | "binary" | "forecasting" |
    "language_model",
    "metrics": <dict from the matching metrics function>, "dataset": optional dict describing
    the data}; its order is the column order, the first set being the reference. With
    `history_csv` (a Keras `CSVLogger` file) that exists, `training_curves.png` is drawn too;
    a missing or empty history is noted in `skipped`, not raised. Returns an `EvaluationReport`.
    """
    _check_results(results)
    directory = Path(output_dir)
    directory.mkdir(parents=True, exist_ok=True)
    labels = list(results)
    plots, links, skipped = {}, {}, []
    for label, suffix in zip(labels, _suffixes(labels), strict=True):
        drawn = _plot_set(directory, results[label], suffix)
        plots[label] = [path for _, path in drawn]
        links[label] = [f"![{alt}]({path.name})" for alt, path in drawn]

    training_curves = None
    if history_csv is not None:
        if Path(history_csv).is_file():
            try:
                training_curves = plot_training_curves(
                    history_csv, directory / "training_curves.png"
                )
            except ConfigError as error:
                skipped.append(f"training curves: {error}")
        else:
            skipped.append(f"training curves: {history_csv} does not exist")

    json_path = directory / "evaluation.json"
    write_json_atomic(
        json_path,
        {
            "title": title,
            "test_sets": labels,
            "results": {
                label: {
                    "task": entry["task"],
                    "metrics": entry["metrics"],
                    "dataset": entry.get("dataset"),
                }
                for label, entry in results.items()
            },
            "plots": {label: [path.name for path in paths] for label, paths in plots.items()},
            "training_curves": training_curves.name if training_curves else None,
            "skipped": skipped,
        },
    )

    lines = [f"# {title}", "", *_headline_table(results), ""]
    described = [(label, e["dataset"]) for label, e in results.items() if e.get("dataset")]
    if described:
        lines += ["## Test sets", ""]
        for label, dataset in described:
            text = (
                dataset
                if isinstance(dataset, str)
                else ", ".join(f"{key}: {value}" for key, value in dataset.items())
            )
            lines.append(f"- **{_escape(label)}**: {text}")
        lines.append("")
    for label, entry in results.items():
        if entry["task"] == "classification":
            if entry["metrics"]["num_classes"] <= PER_CLASS_MAX_CLASSES:
                lines += [*_per_class_table(label, entry["metrics"]), ""]
            break
    if any(links.values()):
        lines += ["## Plots", ""]
        for label in labels:
            if links[label]:
                lines += [f"### {_escape(label)}", "", *links[label], ""]
    if training_curves is not None:
        lines += ["## Training", "", f"![training curves]({training_curves.name})", ""]
    for reason in skipped:
        lines.append(f"_Skipped_ {reason}")
    markdown_path = directory / "evaluation.md"
    with atomic_path(markdown_path) as tmp:
        Path(tmp).write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return EvaluationReport(
        directory=directory,
        json_path=json_path,
        markdown_path=markdown_path,
        plots=plots,
        training_curves=training_curves,
        skipped=tuple(skipped),
    )
