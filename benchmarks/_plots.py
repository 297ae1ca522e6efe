"""The report's pictures: one bar chart of a suite's ratios, and a run's training curves.

Both go through zoo's figure helpers (Agg canvas, atomic PNG writes).

Example:
>>> rows = [{"model": "cnn", "figure": "zoo / jax", "metric": "images/s", "ratio": 0.45,
...          "higher_is_better": True}]
>>> plot_ratios(rows, "ratios.png", title="Training throughput")  # doctest: +SKIP
PosixPath('ratios.png')
"""

import math

BETTER, WORSE = "#2a9d8f", "#e76f51"
TICKS = (0.1, 0.2, 0.25, 0.5, 0.8, 0.9, 1, 1.1, 1.25, 2, 4, 5, 10, 20)


def _is_better(row):
    ratio, higher = float(row["ratio"]), row["higher_is_better"] in (True, "True")
    return ratio >= 1 if higher else ratio <= 1


def _label(row, with_reference):
    lower = "" if row["higher_is_better"] in (True, "True") else ", lower is better"
    model = "" if row["figure"].startswith(row["model"]) else f"{row['model']}: "
    versus = f" vs {row['reference']}" if with_reference else ""
    return f"{model}{row['figure']} ({row['metric']}{versus}{lower})"


def _ticks(reach):
    """Ticks from `TICKS` within exp(+-reach), at least a tenth of the axis apart, 1 kept."""
    kept = [1]
    for side in (sorted(t for t in TICKS if t > 1), sorted((t for t in TICKS if t < 1),
                                                            reverse=True)):  # fmt: skip
        last = 1
        for tick in side:
            if abs(math.log(tick)) < reach and abs(math.log(tick / last)) >= 0.2 * reach:
                kept.append(tick)
                last = tick
    return sorted(kept)


def plot_ratios(rows, path, *, title):
    """Horizontal bars from 1.0 (the reference, a vertical line) to each ratio, on a log scale
    so that 2x and 0.5x are as long; green where zoo's figure beats its reference."""
    from matplotlib.patches import Patch
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    from zoo._figures import new_figure, save_png

    ratios = [float(row["ratio"]) for row in rows]
    with_reference = len({row["reference"] for row in rows}) > 1  # say which, where several
    labels = [_label(row, with_reference) for row in rows]
    width = min(max(6 + 0.055 * max(map(len, labels)), 10), 16)  # room for the labels
    figure = new_figure(width, 0.32 * len(rows) + 1.6)
    ax = figure.subplots()
    positions = range(len(rows))[::-1]
    colours = [BETTER if _is_better(row) else WORSE for row in rows]
    ax.barh(list(positions), [r - 1 for r in ratios], left=1, color=colours, height=0.7)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    reach = max(max(abs(math.log(r)) for r in ratios) * 1.3, math.log(1.15))
    ax.set_xlim(math.exp(-reach), math.exp(reach))
    ax.xaxis.set_major_locator(FixedLocator(_ticks(reach)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}x"))
    for position, ratio in zip(positions, ratios, strict=True):
        text = f" {ratio:.2f}x " if abs(ratio - 1) >= 0.01 else f" {ratio:.3f}x "
        ax.text(ratio, position, text, va="center", ha="left" if ratio >= 1 else "right",
                fontsize=8)  # fmt: skip
    ax.set_yticks(list(positions), labels, fontsize=8)
    ax.set_xlabel("zoo figure / reference (1.0 = the reference)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    legend = [Patch(color=BETTER, label="better than the reference"),
              Patch(color=WORSE, label="worse than the reference")]  # fmt: skip
    figure.legend(handles=legend, loc="outside lower center", ncols=2, fontsize=8)
    return save_png(figure, path)


def plot_training_log(history_csv_path, path, *, title):
    """The training curves of a Keras CSV log (`zoo.evaluate.plots.plot_training_curves`)."""
    from zoo.evaluate.plots import plot_training_curves

    return plot_training_curves(history_csv_path, path, title=title)
