"""Convolution building blocks shared by the image models."""

import keras

from zoo.layers import BatchNormalization
from zoo.models._image_classifier import channel_axis

# PyTorch's BatchNorm defaults (running-average momentum 0.1, eps 1e-5), which the
# published CIFAR recipes were tuned with; Keras's 0.99 lags badly in short runs.
BN_MOMENTUM = 0.9
BN_EPSILON = 1e-5


def batch_norm(x, name, *, momentum=BN_MOMENTUM, epsilon=BN_EPSILON, scale=True):
    return BatchNormalization(
        axis=channel_axis(), momentum=momentum, epsilon=epsilon, scale=scale, name=name
    )(x)


def conv_bn(x, filters, name, *, kernel_size=3, strides=1, padding="same", **norm):
    """A bias-free convolution (He-normal initialised) followed by batch norm.

    `kernel_size` may be a `(height, width)` pair (Inception's 1x7 / 7x1); `norm` passes
    `momentum`, `epsilon` and `scale` on to `batch_norm` (Keras's defaults for models that
    must match keras.applications, e.g. Inception-v3's `scale=False, epsilon=1e-3`).
    """
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=False,
        kernel_initializer="he_normal",
        name=f"{name}_conv",
    )(x)
    return batch_norm(x, f"{name}_bn", **norm)


def conv_bn_relu(x, filters, name, *, kernel_size=3, strides=1, padding="same", **norm):
    """`conv_bn` then ReLU: the unit the CIFAR ResNets and the Inceptions are made of."""
    x = conv_bn(x, filters, name, kernel_size=kernel_size, strides=strides, padding=padding,
                **norm)  # fmt: skip
    return keras.layers.ReLU(name=f"{name}_relu")(x)
