"""Convolution building blocks shared by the image models."""

import keras

from zoo.layers import BatchNormalization
from zoo.models._image_classifier import channel_axis

# PyTorch's BatchNorm defaults (running-average momentum 0.1, eps 1e-5), which the
# published CIFAR recipes were tuned with; Keras's 0.99 lags badly in short runs.
BN_MOMENTUM = 0.9
BN_EPSILON = 1e-5


def batch_norm(x, name):
    return BatchNormalization(
        axis=channel_axis(), momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=name
    )(x)


def conv_bn(x, filters, name, *, kernel_size=3, strides=1):
    """A bias-free convolution (He-normal initialised) followed by batch norm."""
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
        name=f"{name}_conv",
    )(x)
    return batch_norm(x, f"{name}_bn")


def conv_bn_relu(x, filters, name, *, kernel_size=3, strides=1):
    """`conv_bn` then ReLU: the unit all the CIFAR ResNets are made of."""
    x = conv_bn(x, filters, name, kernel_size=kernel_size, strides=strides)
    return keras.layers.ReLU(name=f"{name}_relu")(x)
