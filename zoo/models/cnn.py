"""The classic two-convolution image classifier."""

import keras

from zoo._utils import check_fraction, check_positive_int
from zoo.errors import ConfigError
from zoo.models._image_classifier import (
    check_top_arguments,
    classification_output,
    global_pool,
    image_input,
)


def build_cnn(
    input_shape=(32, 32, 3),
    num_classes=10,
    *,
    filters=(32, 64),
    dense_units=128,
    dropout=0.0,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    name="cnn",
):
    """Conv 32 -> pool -> conv 64 -> pool -> dense 128 -> classes, for small images.

    The dense layer's input size follows from `input_shape` (Keras infers it at build time),
    so 28x28 and 32x32 images both work without a hand-computed `64 * 7 * 7`.

    Example:
    >>> model = build_cnn(input_shape=(28, 28, 1), num_classes=10)
    >>> model.output_shape
    (None, 10)
    """
    if not filters or any(not isinstance(f, int) or f < 1 for f in filters):
        raise ConfigError(f"build_cnn: filters must be positive integers, got {filters!r}.")
    check_positive_int("build_cnn: dense_units", dense_units)
    check_fraction("build_cnn: dropout", dropout)
    check_top_arguments(
        "build_cnn",
        include_top=include_top,
        num_classes=num_classes,
        pooling=pooling,
        classifier_activation=classifier_activation,
    )
    inputs = image_input(
        "build_cnn", input_shape, min_size=2 ** len(filters), fixed_size=include_top
    )
    x = inputs
    for i, width in enumerate(filters, start=1):
        x = keras.layers.Conv2D(
            width, 3, padding="same", activation="relu", name=f"{name}_block{i}_conv"
        )(x)
        x = keras.layers.MaxPooling2D(2, name=f"{name}_block{i}_pool")(x)
    if include_top:
        x = keras.layers.Flatten(name=f"{name}_flatten")(x)
        x = keras.layers.Dense(dense_units, activation="relu", name=f"{name}_dense")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_dropout")(x)
        x = classification_output(x, num_classes, classifier_activation, name)
    else:
        x = global_pool(x, pooling, name)
    return keras.Model(inputs, x, name=name)
