"""PNG pictures of explanations: heatmap overlays, token strips and feature bars.

Figures are plain `matplotlib.figure.Figure`s on an Agg canvas (no pyplot global state, safe
in threads and without a display) written atomically: a failed write leaves no half file.

Example:
>>> import numpy as np
>>> save_feature_scores(["user", "item"], np.array([0.3, -0.1]), "/tmp/f.png")  # doctest: +SKIP
"""

import numpy as np

from zoo._figures import new_figure, save_png
from zoo.errors import ConfigError


def _display_image(image):
    """`image` (h, w, c) or (h, w), possibly normalized, rescaled to [0, 1] for display."""
    image = np.asarray(image, "float32")
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
        raise ConfigError(
            f"save_heatmap_overlay: image must be (height, width[, 1|3|4]) channels-last, "
            f"got shape {image.shape}."
        )
    low, high = float(image.min()), float(image.max())
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def save_heatmap_overlay(image, heatmap, path, title=None):
    """Write the image beside the image overlaid with `heatmap` (height, width) to a PNG."""
    shown = _display_image(image)
    heatmap = np.asarray(heatmap, "float32")
    if heatmap.shape != shown.shape[:2]:
        raise ConfigError(
            f"save_heatmap_overlay: heatmap shape {heatmap.shape} must equal the image's "
            f"height and width {shown.shape[:2]}; upsample it first (grad_cam does)."
        )
    cmap = "gray" if shown.ndim == 2 else None
    figure = new_figure(6, 3)
    left, right = figure.subplots(1, 2)
    left.imshow(shown, cmap=cmap)
    left.set_title("image")
    right.imshow(shown, cmap=cmap)
    right.imshow(heatmap, cmap="jet", alpha=0.5, vmin=0.0, vmax=max(float(heatmap.max()), 1e-12))
    right.set_title("heatmap")
    for axes in (left, right):
        axes.axis("off")
    if title:
        figure.suptitle(title)
    return save_png(figure, path)


def save_token_scores(tokens, scores, path, title=None):
    """Write a strip of `tokens` coloured by `scores` (red positive, blue negative) to a PNG."""
    tokens, scores = [str(t) for t in tokens], np.asarray(scores, "float32").reshape(-1)
    if len(tokens) != len(scores):
        raise ConfigError(
            f"save_token_scores: got {len(tokens)} tokens but {len(scores)} scores; give one "
            "score per token."
        )
    limit = max(float(np.abs(scores).max()) if len(scores) else 0.0, 1e-12)
    figure = new_figure(max(4.0, 0.6 * len(tokens)), 1.6)
    axes = figure.subplots()
    axes.imshow(scores[None, :], cmap="bwr", vmin=-limit, vmax=limit, aspect="auto")
    axes.set_xticks(range(len(tokens)), tokens, rotation=60, ha="right")
    axes.set_yticks([])
    for i, score in enumerate(scores):
        axes.text(i, 0, f"{score:.2g}", ha="center", va="center", fontsize=7)
    if title:
        axes.set_title(title)
    return save_png(figure, path)


def save_feature_scores(names, scores, path, title=None):
    """Write horizontal bars of `scores` per feature name, largest |score| on top, to a PNG."""
    names, scores = [str(n) for n in names], np.asarray(scores, "float32").reshape(-1)
    if len(names) != len(scores):
        raise ConfigError(
            f"save_feature_scores: got {len(names)} names but {len(scores)} scores; give one "
            "score per feature."
        )
    order = np.argsort(np.abs(scores))  # barh draws bottom-up: largest last, on top
    figure = new_figure(5, 0.4 * len(names) + 1)
    axes = figure.subplots()
    axes.barh([names[i] for i in order], scores[order],
              color=["tab:red" if scores[i] > 0 else "tab:blue" for i in order])  # fmt: skip
    axes.axvline(0.0, color="black", linewidth=0.8)
    axes.set_xlabel("attribution")
    if title:
        axes.set_title(title)
    return save_png(figure, path)
