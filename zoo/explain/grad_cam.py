"""Grad-CAM (Selvaraju et al. 2017): where a convolutional classifier looked for a class.

The gradient of the class score (before the softmax, as in the paper: the input of a softmax
`Activation` output layer, zoo's `*_logits`, else the output itself) w.r.t. a 4-D activation
`A` (batch, h, w, k), averaged over the spatial positions, weights each channel:
`ReLU(sum_k w_k A_k)`, upsampled bilinearly (half-pixel centres, computed in numpy so every
backend gives the same map) to the image size and divided by its maximum per image (an
all-zero map stays zero).

Example:
>>> from zoo import create_model
>>> model = create_model("resnet20", num_classes=10)
>>> images = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
>>> grad_cam(model, images, target=3).shape
(2, 32, 32)
"""

import weakref

import keras
import numpy as np

from zoo.errors import ConfigError
from zoo.explain.gradients import value_and_gradients
from zoo.explain.targets import (
    as_functional,
    class_scores,
    model_input_list,
    output_tensor,
    resolve_target,
    target_one_hot,
    target_scores,
)

_GRAPHS = weakref.WeakKeyDictionary()


def _graph(model, layer, out):
    """(inputs -> activation, activation and inputs -> output, score function), cached per
    model so that JAX compiles each once."""
    cache = _GRAPHS.setdefault(model, {})
    key = (layer.name, id(out))
    if key not in cache:
        body = keras.Model(model.inputs, layer.output)
        head = keras.Model([layer.output, *model.inputs], out)

        def fn(activation, *rest):
            return target_scores(head([activation, *rest[:-1]], training=False), rest[-1])

        cache[key] = (body, head, fn)
    return cache[key]


def _channels_first():
    return keras.config.image_data_format() == "channels_first"


def last_convolutional_layer(model):
    """The last layer of `model` whose output is 4-D (batch, height, width, channels)."""
    for layer in reversed(model.layers):
        shape = getattr(layer, "output", None) is not None and layer.output.shape
        if shape and len(shape) == 4 and not isinstance(layer, keras.layers.InputLayer):
            return layer
    raise ConfigError(
        f"Grad-CAM needs a convolutional model, and {model.name!r} has no layer with a 4-D "
        "output; use integrated_gradients."
    )


def _resize_matrix(size_in, size_out):
    """(size_out, size_in) bilinear interpolation weights with half-pixel centres."""
    position = (np.arange(size_out) + 0.5) * size_in / size_out - 0.5
    position = np.clip(position, 0, size_in - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, size_in - 1)
    frac = position - low
    matrix = np.zeros((size_out, size_in))
    np.add.at(matrix, (np.arange(size_out), low), 1 - frac)
    np.add.at(matrix, (np.arange(size_out), high), frac)
    return matrix


def upsample(maps, size):
    """Bilinear resize of `(batch, h, w)` maps to `size` = (height, width)."""
    rows = _resize_matrix(maps.shape[1], size[0])
    cols = _resize_matrix(maps.shape[2], size[1])
    return np.einsum("Hh,nhw,Ww->nHW", rows, maps, cols)


def normalize_maps(maps):
    """Divide each map by its maximum; maps with no positive value become zeros."""
    peak = maps.reshape(len(maps), -1).max(axis=1).reshape(-1, 1, 1)
    return np.where(peak > 0, maps / np.where(peak > 0, peak, 1.0), 0.0).astype("float32")


def grad_cam(model, images, *, target=None, layer=None, output=None):
    """Grad-CAM heatmaps `(batch, height, width)` in [0, 1] for the `target` class.

    `layer`: a name or layer with a 4-D output (default: the last such layer);
    `target`: None (the predicted class), an int or one int per example; `output`: the
    model output to explain when it has several.

    Example:
    >>> heatmaps = grad_cam(model, images, layer="resnet20_stage3_block2_out")  # doctest: +SKIP
    """
    model = as_functional(model)
    values = model_input_list(model, images, "grad_cam")
    if layer is None:
        layer = last_convolutional_layer(model)
    elif not isinstance(layer, keras.layers.Layer):
        names = [item.name for item in model.layers]
        if layer not in names:
            raise ConfigError(
                f"grad_cam: layer={layer!r} is not a layer of {model.name!r}; its layers "
                f"are {names}."
            )
        layer = model.get_layer(layer)
    if len(layer.output.shape) != 4:
        raise ConfigError(
            f"grad_cam: layer {layer.name!r} has output shape {layer.output.shape}, not 4-D; "
            "Grad-CAM needs a convolutional layer's output (or use integrated_gradients)."
        )
    body, head, fn = _graph(model, layer, class_scores(output_tensor(model, output)))
    activations = body([keras.ops.convert_to_tensor(x) for x in values], training=False)
    activations = keras.ops.convert_to_numpy(activations).astype("float32")
    predictions = keras.ops.convert_to_numpy(
        head(
            [keras.ops.convert_to_tensor(activations), *map(keras.ops.convert_to_tensor, values)],
            training=False,
        )  # fmt: skip
    )
    targets = resolve_target(predictions, target)
    one_hot = target_one_hot(predictions, targets)
    _, (grads,) = value_and_gradients(fn, [activations], [*values, one_hot], head.variables)
    if _channels_first():
        activations, grads = np.moveaxis(activations, 1, -1), np.moveaxis(grads, 1, -1)
    weights = grads.mean(axis=(1, 2), keepdims=True)
    maps = np.maximum((weights * activations).sum(axis=-1), 0.0)
    image = values[0]
    size = image.shape[2:4] if _channels_first() else image.shape[1:3]
    return normalize_maps(upsample(maps, size))
