"""PNG pictures of explanations: heatmap overlays, token strips, feature bars, attention maps
and rollout.

Figures are plain `matplotlib.figure.Figure`s on an Agg canvas (no pyplot global state, safe
in threads and without a display) written atomically: a failed write leaves no half file.

Example:
>>> import numpy as np
>>> save_feature_scores(["user", "item"], np.array([0.3, -0.1]), "/tmp/f.png")  # doctest: +SKIP
"""

import keras
import numpy as np

from zoo._figures import new_figure, save_png
from zoo.errors import ConfigError

_MAX_LABELLED_TOKENS = 32  # longer sequences are drawn without tick labels


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


def _one_score_each(caller, labels, scores, counted, each):
    """(labels as strings, scores as a float32 vector), one score per label, else ConfigError
    ("got 2 `counted` but 1 scores; give one score per `each`")."""
    labels, scores = [str(label) for label in labels], np.asarray(scores, "float32").reshape(-1)
    if len(labels) != len(scores):
        raise ConfigError(
            f"{caller}: got {len(labels)} {counted} but {len(scores)} scores; give one score "
            f"per {each}."
        )
    return labels, scores


def save_token_scores(tokens, scores, path, title=None):
    """Write a strip of `tokens` coloured by `scores` (red positive, blue negative) to a PNG."""
    tokens, scores = _one_score_each("save_token_scores", tokens, scores, "tokens", "token")
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
    names, scores = _one_score_each("save_feature_scores", names, scores, "names", "feature")
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


def save_attention_maps(maps, tokens, path, *, example=0, layers=None, heads=None):
    """Draw one example's attention maps as a grid of heat maps, layers × heads, as a PNG.

    `maps` is `attention_maps`'s output; `tokens` the token strings (the first
    `len(tokens)` positions are drawn, so pass the real tokens to leave padding out), or
    `None` to draw every position unlabelled. `layers` / `heads` pick rows and columns
    (indices; all by default). Rows of each panel are queries, columns keys. Written
    atomically; returns the path.

    Example:
    >>> save_attention_maps(maps, ["[CLS]", "hi", "[SEP]"], "runs/attention.png")  # doctest: +SKIP
    """
    maps = np.asarray(maps)
    if maps.ndim != 5:
        raise ConfigError(
            "save_attention_maps: maps must be (layers, batch, heads, length, length), got "
            f"shape {maps.shape}."
        )
    if not 0 <= example < maps.shape[1]:
        raise ConfigError(
            f"save_attention_maps: example={example} is out of range for a batch of "
            f"{maps.shape[1]}."
        )
    layers = list(range(maps.shape[0]) if layers is None else layers)
    heads = list(range(maps.shape[2]) if heads is None else heads)
    tokens, length = _check_tokens("save_attention_maps", tokens, maps.shape[-1])
    figure = new_figure(2.4 * len(heads) + 1.0, 2.4 * len(layers) + 0.6)
    grid = figure.subplots(len(layers), len(heads), squeeze=False)
    for row, layer in enumerate(layers):
        for column, head in enumerate(heads):
            axes = grid[row][column]
            image = axes.imshow(
                maps[layer, example, head, :length, :length], cmap="viridis", vmin=0.0, vmax=1.0
            )
            axes.set_title(f"layer {layer}, head {head}", fontsize=8)
            _label_axes(axes, tokens, length, x=True, y=True)
    figure.colorbar(image, ax=grid, shrink=0.6, label="attention")
    return save_png(figure, path)


def save_rollout(rollout_row, tokens, path):
    """Draw a rollout row (e.g. `attention_rollout(...)[example, 0]`, what [CLS] draws from)
    as a bar chart over the tokens, or a whole `(length, length)` rollout as a heat map.

    `tokens` as for `save_attention_maps`. Written atomically as a PNG; returns the path.

    Example:
    >>> save_rollout(rollout[0, 0], ["[CLS]", "hi", "[SEP]"], "runs/rollout.png")  # doctest: +SKIP
    """
    values = np.asarray(keras.ops.convert_to_numpy(rollout_row), dtype="float32")
    if values.ndim not in (1, 2) or (values.ndim == 2 and values.shape[0] != values.shape[1]):
        raise ConfigError(
            f"save_rollout: rollout_row must be (length,) or (length, length), got shape "
            f"{values.shape}."
        )
    tokens, length = _check_tokens("save_rollout", tokens, values.shape[-1])
    if values.ndim == 1:
        figure = new_figure(max(4.0, 0.35 * length + 1.5), 3.2)
        axes = figure.subplots()
        axes.bar(np.arange(length), values[:length], color="tab:blue")
        axes.set_ylabel("rollout attention")
        axes.set_xlim(-0.5, length - 0.5)
        _label_axes(axes, tokens, length, x=True, y=False)
    else:
        figure = new_figure(max(4.0, 0.3 * length + 2.0), max(3.5, 0.3 * length + 1.5))
        axes = figure.subplots()
        image = axes.imshow(values[:length, :length], cmap="viridis", vmin=0.0)
        axes.set_xlabel("input token")
        axes.set_ylabel("position")
        _label_axes(axes, tokens, length, x=True, y=True)
        figure.colorbar(image, ax=axes, label="rollout attention")
    axes.set_title("attention rollout")
    return save_png(figure, path)


def _check_tokens(caller, tokens, length):
    if tokens is None:
        return None, length
    tokens = [str(token) for token in tokens]
    if not 0 < len(tokens) <= length:
        raise ConfigError(
            f"{caller}: got {len(tokens)} tokens for maps of length {length}; pass between 1 "
            f"and {length}."
        )
    return tokens, len(tokens)


def _label_axes(axes, tokens, length, *, x, y):
    if tokens is None or length > _MAX_LABELLED_TOKENS:
        if not x:
            axes.set_xticks([])
        if not y:
            axes.set_yticks([])
        return
    positions = np.arange(length)
    if x:
        axes.set_xticks(positions, tokens, rotation=90, fontsize=6)
    if y:
        axes.set_yticks(positions, tokens, fontsize=6)
