"""Matplotlib figures drawn on the Agg canvas and written as PNG files atomically.

Every plot and picture in zoo (evaluation reports, explanations) goes through these two
functions: no pyplot global state, so a user's interactive backend and open figures are left
alone, and a killed run never leaves half a PNG.

Example:
>>> figure = new_figure(4, 3)
>>> axes = figure.subplots()
>>> save_png(figure, "runs/a/plot.png")  # doctest: +SKIP
PosixPath('runs/a/plot.png')
"""

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from zoo._utils import atomic_path

DPI = 100


def new_figure(width, height):
    """A `Figure` of `width` x `height` inches with a constrained layout and an Agg canvas."""
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself as `figure.canvas`
    return figure


def save_png(figure, path):
    """Write `figure` to `path` as a PNG, atomically; return the `Path`."""
    path = Path(path)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=DPI)
    return path
