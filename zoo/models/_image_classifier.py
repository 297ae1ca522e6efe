"""What every image classifier builder shares: argument checks, the input and the top.

The builders follow keras.applications' signature (`include_top`, `input_shape`,
`num_classes`, `pooling`, `classifier_activation`, `name`); these helpers keep that
behaviour, and its error messages, identical across models.
"""

import keras

from zoo.errors import ConfigError

POOLINGS = (None, "avg", "max")


def channel_axis():
    """The channel axis of image tensors under Keras's `image_data_format`."""
    return -1 if keras.config.image_data_format() == "channels_last" else 1


def image_input(builder, input_shape, *, min_size, fixed_size=False, name="images"):
    """A validated `keras.Input` for an image of `input_shape` (in the current data format).

    `min_size` is the smallest height/width the network's downsampling accepts; `fixed_size`
    says whether `None` spatial dimensions are forbidden (a network with a dense layer on
    flattened features needs them to size that layer).
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ConfigError(
            f"{builder}: input_shape must be (height, width, channels), got {input_shape!r}."
        )
    shape = tuple(input_shape)
    if keras.config.image_data_format() == "channels_last":
        spatial, channels = shape[:2], shape[2]
    else:
        spatial, channels = shape[1:], shape[0]
    if not isinstance(channels, int) or channels <= 0:
        raise ConfigError(f"{builder}: input_shape={shape!r} needs a positive channel count.")
    for size in spatial:
        if size is None and not fixed_size:
            continue
        if not isinstance(size, int) or size < min_size:
            need = "fixed " if fixed_size else ""
            raise ConfigError(
                f"{builder}: input_shape={shape!r} needs {need}height and width >= {min_size}."
            )
    return keras.Input(shape=shape, name=name)


def check_top_arguments(builder, *, include_top, num_classes, pooling, classifier_activation):
    """Raise `ConfigError` for arguments of the classifier top that cannot work."""
    if include_top and (
        isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1
    ):
        raise ConfigError(
            f"{builder}: num_classes must be a positive integer, got {num_classes!r}."
        )
    if pooling not in POOLINGS:
        raise ConfigError(
            f"{builder}: pooling={pooling!r} is not supported; use None, 'avg' or 'max'."
        )
    if include_top and classifier_activation is not None:
        try:
            keras.activations.get(classifier_activation)
        except ValueError:
            raise ConfigError(
                f"{builder}: classifier_activation={classifier_activation!r} is not a Keras "
                "activation; use 'softmax', None (logits) or another keras.activations name."
            ) from None


def global_pool(x, pooling, name):
    """Apply `pooling` ("avg", "max" or None) over the spatial axes."""
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling2D(name=f"{name}_avg_pool")(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling2D(name=f"{name}_max_pool")(x)
    return x


def classifier_top(x, name, *, include_top, pooling, num_classes, classifier_activation):
    """keras.applications' top: with `include_top`, global average pooling and the
    classifier; without, the features pooled as `pooling` says (None keeps the map)."""
    if include_top:
        x = global_pool(x, "avg", name)
        return classification_output(x, num_classes, classifier_activation, name)
    return global_pool(x, pooling, name)


# The output layer of every zoo classifier (probabilities, float32): distillation, explanations
# and the export signature find a classifier's output by this name.
PREDICTIONS_LAYER = "predictions"


def classification_output(
    x, num_classes, classifier_activation, name, *, use_bias=True, logit_scale=None
):
    """Dense logits (optionally scaled) and the activation, computed in float32."""
    x = keras.layers.Dense(num_classes, use_bias=use_bias, name=f"{name}_logits")(x)
    if logit_scale is not None:
        x = keras.layers.Rescaling(logit_scale, name=f"{name}_logit_scale")(x)
    # Softmax in float32 even under a mixed-precision policy.
    return keras.layers.Activation(classifier_activation, dtype="float32",
                                   name=PREDICTIONS_LAYER)(x)  # fmt: skip
