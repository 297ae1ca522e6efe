"""PNG plots of evaluation results, drawn on the Agg canvas without pyplot's global state.

Each function builds its own `matplotlib.figure.Figure`, so a user's interactive backend and
open figures are left alone, writes the PNG atomically and returns its `Path`.

Example:
>>> plot_confusion_matrix([[5, 1], [0, 4]], ["cat", "dog"], "runs/a/cm.png")  # doctest: +SKIP
PosixPath('runs/a/cm.png')
"""

import csv
import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from zoo._figures import new_figure, save_png
from zoo.errors import ConfigError

ANNOTATE_MAX_CLASSES = 20
TICK_MAX_CLASSES = 50
LEARNING_RATE_COLUMNS = ("learning_rate", "lr")


def _figure(width, height, rows=1, columns=1, **kwargs):
    figure = new_figure(width, height)
    return figure, figure.subplots(rows, columns, squeeze=False, **kwargs)


def plot_confusion_matrix(matrix, class_names, path, *, title="Confusion matrix"):
    """Confusion matrix (rows true, columns predicted), coloured by row-normalised share.

    Counts are written in the cells when there are at most 20 classes.
    """
    matrix = np.asarray(matrix, dtype=np.int64)
    num_classes = matrix.shape[0]
    if matrix.ndim != 2 or matrix.shape[1] != num_classes or len(class_names) != num_classes:
        raise ConfigError(
            f"confusion matrix must be square with one class name per row, got shape "
            f"{matrix.shape} and {len(class_names)} names."
        )
    support = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, support, out=np.zeros(matrix.shape), where=support > 0)
    side = min(max(4.0, 0.45 * num_classes + 2.0), 20.0)
    figure, axes = _figure(side + 1.0, side)
    ax = axes[0, 0]
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    figure.colorbar(image, ax=ax, label="share of true class")
    if num_classes <= TICK_MAX_CLASSES:
        ticks = np.arange(num_classes)
        ax.set_xticks(ticks, [str(name) for name in class_names], rotation=90)
        ax.set_yticks(ticks, [str(name) for name in class_names])
    if num_classes <= ANNOTATE_MAX_CLASSES:
        for (row, column), count in np.ndenumerate(matrix):
            colour = "white" if shares[row, column] > 0.5 else "black"
            ax.text(column, row, str(count), ha="center", va="center", color=colour, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return save_png(figure, path)


def plot_reliability_diagram(reliability_bins, path, ece=None, *, title="Reliability"):
    """Accuracy per confidence bin against the diagonal, above a histogram of bin counts.

    `reliability_bins` is the `"reliability"` list of `classification_metrics`.
    """
    if not reliability_bins:
        raise ConfigError(
            "reliability_bins is empty; pass classification_metrics(...)['reliability']."
        )
    lower = np.array([b["lower"] for b in reliability_bins], dtype=np.float64)
    upper = np.array([b["upper"] for b in reliability_bins], dtype=np.float64)
    counts = np.array([b["count"] for b in reliability_bins], dtype=np.float64)
    filled = counts > 0
    accuracy = np.array([b["accuracy"] if b["count"] else 0.0 for b in reliability_bins])
    confidence = np.array([b["confidence"] if b["count"] else 0.0 for b in reliability_bins])
    figure, axes = _figure(5.0, 6.0, 2, 1, sharex=True, height_ratios=[3, 1])
    top, bottom = axes[0, 0], axes[1, 0]
    width = upper - lower
    top.bar(
        lower[filled],
        accuracy[filled],
        width=width[filled],
        align="edge",
        edgecolor="black",
        color="tab:blue",
        label="accuracy",
    )
    top.bar(
        lower[filled],
        confidence[filled] - accuracy[filled],
        bottom=accuracy[filled],
        width=width[filled],
        align="edge",
        fill=False,
        edgecolor="tab:red",
        hatch="//",
        label="gap to confidence",
    )
    top.plot([0, 1], [0, 1], linestyle="--", color="gray", label="perfect calibration")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    top.legend(loc="upper left")
    top.set_title(title if ece is None else f"{title} (ECE {ece:.4f})")
    bottom.bar(lower, counts, width=width, align="edge", edgecolor="black", color="tab:gray")
    bottom.set_xlabel("confidence (top-class probability)")
    bottom.set_ylabel("examples")
    return save_png(figure, path)


def _float(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def read_history_csv(history_csv_path):
    """Columns of a Keras `CSVLogger` file as {name: float array}, last row per epoch kept.

    Empty cells read as NaN.
    """
    with open(history_csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or "epoch" not in rows[0]:
        raise ConfigError(
            f"{history_csv_path} has no epochs; expected a Keras CSVLogger file with an 'epoch' "
            "column and one row per epoch."
        )
    by_epoch = {}
    for row in rows:  # CSVLogger(append=True) repeats epochs re-run after a resume
        by_epoch[int(_float(row["epoch"]))] = row
    epochs = sorted(by_epoch)
    names = [name for name in rows[0] if name and name != "epoch"]
    columns = {"epoch": np.array(epochs, dtype=np.float64)}
    for name in names:
        columns[name] = np.array([_float(by_epoch[e].get(name)) for e in epochs])
    return columns


def plot_training_curves(history_csv_path, path, *, title="Training curves"):
    """One panel per metric pairing `name` and `val_name`, and one for the learning rate.

    Epochs are shown 1-based, as Keras prints them (the CSV's `epoch` column starts at 0).
    """
    columns = read_history_csv(history_csv_path)
    epochs = columns.pop("epoch") + 1
    panels = []
    for name in columns:
        if name in LEARNING_RATE_COLUMNS:
            continue
        base = name[4:] if name.startswith("val_") else name
        if base not in panels and (base in columns or f"val_{base}" in columns):
            panels.append(base)
    panels += [name for name in LEARNING_RATE_COLUMNS if name in columns]
    if not panels:
        raise ConfigError(f"{history_csv_path} has an epoch column but no metric columns.")
    columns_per_row = min(len(panels), 3)
    rows = math.ceil(len(panels) / columns_per_row)
    figure, axes = _figure(4.0 * columns_per_row, 3.0 * rows, rows, columns_per_row)
    for ax, name in zip(axes.flat, panels, strict=False):
        if name in LEARNING_RATE_COLUMNS:
            ax.plot(epochs, columns[name], marker=".", color="tab:green")
            if np.all(columns[name][np.isfinite(columns[name])] > 0):
                ax.set_yscale("log")
        else:
            for label, key in (("train", name), ("validation", f"val_{name}")):
                if key in columns:
                    ax.plot(epochs, columns[key], marker=".", label=label)
            ax.legend()
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    figure.suptitle(title)
    return save_png(figure, path)


def plot_horizon_errors(forecast_metrics, path, *, title="MAE per forecast step"):
    """MAE per horizon step of the model and of each baseline, from `forecast_metrics(...)`."""
    steps = np.arange(1, forecast_metrics["horizon"] + 1)
    figure, axes = _figure(6.0, 4.0)
    ax = axes[0, 0]
    ax.plot(
        steps, forecast_metrics["model"]["mae_per_step"], marker="o", linewidth=2, label="model"
    )
    for name, values in forecast_metrics.get("baselines", {}).items():
        ax.plot(steps, values["mae_per_step"], marker=".", linestyle="--", label=name)
    ax.set_xlabel("steps ahead")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("MAE")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title)
    return save_png(figure, path)


def plot_group_auc(group_auc, path, *, title=None):
    """AUC of the largest groups (bars) against the impression-weighted GAUC (line)."""
    groups = group_auc["per_group"]
    if not groups:
        raise ConfigError("group_auc has no evaluated groups to plot (each needs both labels).")
    figure, axes = _figure(max(5.0, 0.35 * len(groups) + 2.0), 4.0)
    ax = axes[0, 0]
    positions = np.arange(len(groups))
    ax.bar(positions, [g["auc"] for g in groups], color="tab:blue")
    ax.set_xticks(
        positions, [f"{g['group']} ({g['count']})" for g in groups], rotation=90, fontsize=7
    )
    if group_auc.get("weighted_auc") is not None:
        ax.axhline(
            group_auc["weighted_auc"],
            color="tab:red",
            linestyle="--",
            label=f"weighted AUC {group_auc['weighted_auc']:.4f}",
        )
        ax.legend(loc="lower right")
    ax.axhline(0.5, color="gray", linewidth=0.8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("AUC")
    ax.set_xlabel(f"{group_auc.get('name', 'group')} (impressions), largest first")
    ax.set_title(title or f"AUC per {group_auc.get('name', 'group')}")
    return save_png(figure, path)
