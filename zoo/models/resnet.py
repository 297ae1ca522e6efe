"""CIFAR ResNet v1 (He et al. 2015, "Deep Residual Learning", section 4.2): 6n+2 layers."""

import dataclasses

import keras

from zoo.errors import ConfigError
from zoo.layers import ZeroPadShortcut
from zoo.models._blocks import conv_bn, conv_bn_relu
from zoo.models._image_classifier import (
    channel_axis,
    check_top_arguments,
    classifier_top,
    image_input,
)
from zoo.models.resnet_presets import (  # noqa: F401  (public here too)
    RESNET_PRESETS,
    SHORTCUTS,
    ResNetConfig,
)


def _basic_block(x, filters, strides, shortcut, name):
    residual = conv_bn_relu(x, filters, f"{name}_1", strides=strides)
    residual = conv_bn(residual, filters, f"{name}_2")
    if strides != 1 or x.shape[channel_axis()] != filters:
        if shortcut == "A":
            x = ZeroPadShortcut(filters, strides, name=f"{name}_shortcut")(x)
        else:
            x = conv_bn(x, filters, f"{name}_shortcut", kernel_size=1, strides=strides)
    x = keras.layers.Add(name=f"{name}_add")([x, residual])
    return keras.layers.ReLU(name=f"{name}_out")(x)


def build_resnet(
    depth=20,
    *,
    shortcut="A",
    input_shape=(32, 32, 3),
    num_classes=10,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    name=None,
):
    """CIFAR ResNet v1 of `depth` = 6n+2 layers (3x3 conv, 3 stages of n basic blocks).

    `depth` may also be a preset name (`"resnet56"`) or a `ResNetConfig`.

    Example:
    >>> model = build_resnet(20)
    >>> model.count_params()
    271098
    """
    if isinstance(depth, str):
        if depth not in RESNET_PRESETS:
            raise ConfigError(
                f"build_resnet: unknown preset {depth!r}; use one of {sorted(RESNET_PRESETS)}."
            )
        config = RESNET_PRESETS[depth]
        config = dataclasses.replace(config, shortcut=shortcut)
    elif isinstance(depth, ResNetConfig):
        config = depth
    else:
        config = ResNetConfig(depth=depth, shortcut=shortcut)
    name = name or f"resnet{config.depth}"
    check_top_arguments(
        "build_resnet",
        include_top=include_top,
        num_classes=num_classes,
        pooling=pooling,
        classifier_activation=classifier_activation,
    )
    inputs = image_input("build_resnet", input_shape, min_size=4)
    x = conv_bn_relu(inputs, config.widths[0], f"{name}_stem")
    for stage, filters in enumerate(config.widths, start=1):
        for block in range(1, config.blocks_per_stage + 1):
            strides = 2 if stage > 1 and block == 1 else 1
            x = _basic_block(
                x, filters, strides, config.shortcut, f"{name}_stage{stage}_block{block}"
            )
    x = classifier_top(x, name, include_top=include_top, pooling=pooling, num_classes=num_classes,
                       classifier_activation=classifier_activation)  # fmt: skip
    return keras.Model(inputs, x, name=name)
