"""ResNet-9: the fast CIFAR-10 network of the DAWNBench record (Page 2018)."""

import keras

from zoo.models._blocks import conv_bn_relu
from zoo.models._image_classifier import (
    check_top_arguments,
    classification_output,
    global_pool,
    image_input,
)


def _residual(x, filters, name):
    y = conv_bn_relu(x, filters, f"{name}_res1")
    y = conv_bn_relu(y, filters, f"{name}_res2")
    return keras.layers.Add(name=f"{name}_add")([x, y])


def build_resnet9(
    input_shape=(32, 32, 3),
    num_classes=10,
    *,
    widths=(64, 128, 256, 512),
    logit_scale=0.125,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    name="resnet9",
):
    """Prep conv, three pooled stages (two with a residual pair), max pool, scaled logits.

    Example:
    >>> model = build_resnet9(num_classes=10)
    >>> model.output_shape
    (None, 10)
    """
    check_top_arguments(
        "build_resnet9",
        include_top=include_top,
        num_classes=num_classes,
        pooling=pooling,
        classifier_activation=classifier_activation,
    )
    inputs = image_input("build_resnet9", input_shape, min_size=8)
    prep, layer1, layer2, layer3 = widths
    x = conv_bn_relu(inputs, prep, f"{name}_prep")
    for stage, (filters, residual) in enumerate(
        ((layer1, True), (layer2, False), (layer3, True)), start=1
    ):
        x = conv_bn_relu(x, filters, f"{name}_stage{stage}")
        x = keras.layers.MaxPooling2D(2, name=f"{name}_stage{stage}_pool")(x)
        if residual:
            x = _residual(x, filters, f"{name}_stage{stage}")
    if include_top:
        x = global_pool(x, "max", name)
        x = classification_output(
            x, num_classes, classifier_activation, name, use_bias=False, logit_scale=logit_scale
        )
    else:
        x = global_pool(x, pooling, name)
    return keras.Model(inputs, x, name=name)
