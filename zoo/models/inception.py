"""Inception networks: Inception-v3 (Szegedy et al. 2016, "Rethinking the Inception
Architecture for Computer Vision"), layer for layer the network of
`keras.applications.InceptionV3`, and a CIFAR-sized GoogLeNet (Inception-v1 modules, Szegedy et
al. 2015) as kuangliu/pytorch-cifar trains it.

An Inception module runs parallel branches (1x1, a reduced kxk, a reduced double 3x3 and a
pooled 1x1 projection) over the same input and concatenates them along the channels; the
functions below build one module each, after keras.applications' `inception_v3.py`.
"""

import keras

from zoo.models._blocks import conv_bn_relu
from zoo.models._image_classifier import (
    channel_axis,
    check_top_arguments,
    classifier_top,
    image_input,
)

# keras.applications' batch norm in Inception-v3 (Keras's defaults, no scale: a ReLU follows),
# kept so that its weights give the same outputs here.
V3_NORM = {"scale": False, "epsilon": 1e-3, "momentum": 0.99}
# The smallest input Inception-v3's stem and two reductions accept (keras.applications' too).
V3_MIN_SIZE = 75

# GoogLeNet modules of the CIFAR network (kuangliu/pytorch-cifar `models/googlenet.py`):
# (1x1, 3x3 reduce, 3x3, double-3x3 reduce, double-3x3, pool projection), in three stages
# separated by stride-2 max pooling.
GOOGLENET_CIFAR_STAGES = (
    (("3a", (64, 96, 128, 16, 32, 32)), ("3b", (128, 128, 192, 32, 96, 64))),
    (
        ("4a", (192, 96, 208, 16, 48, 64)),
        ("4b", (160, 112, 224, 24, 64, 64)),
        ("4c", (128, 128, 256, 24, 64, 64)),
        ("4d", (112, 144, 288, 32, 64, 64)),
        ("4e", (256, 160, 320, 32, 128, 128)),
    ),
    (("5a", (256, 160, 320, 32, 128, 128)), ("5b", (384, 192, 384, 48, 128, 128))),
)


def _concat(branches, name):
    return keras.layers.Concatenate(axis=channel_axis(), name=name)(branches)


def _pool(x, kind, name, *, strides=1, padding="same"):
    layer = keras.layers.AveragePooling2D if kind == "avg" else keras.layers.MaxPooling2D
    return layer(3, strides=strides, padding=padding, name=name)(x)


def inception_module(x, name, *, single, double, pool, kernel_size, pooling="avg", norm=None):
    """Four branches: 1x1 (`single[0]` filters); 1x1 reduce then `kernel_size` square
    (`single[1:]`); 1x1 reduce then two 3x3 (`double`); 3x3 pooling then a 1x1 projection
    (`pool` filters). Inception-v3's mixed0-2 (a 5x5 kernel, average pooling) and GoogLeNet's
    modules (3x3, max pooling; its "5x5" branch as two 3x3) are both of this form."""
    norm = norm or {}
    branch_1x1 = conv_bn_relu(x, single[0], f"{name}_1x1", kernel_size=1, **norm)
    branch_k = conv_bn_relu(x, single[1], f"{name}_{kernel_size}x{kernel_size}_reduce",
                            kernel_size=1, **norm)  # fmt: skip
    branch_k = conv_bn_relu(branch_k, single[2], f"{name}_{kernel_size}x{kernel_size}",
                            kernel_size=kernel_size, **norm)  # fmt: skip
    branch_3x3dbl = conv_bn_relu(x, double[0], f"{name}_3x3dbl_reduce", kernel_size=1, **norm)
    branch_3x3dbl = conv_bn_relu(branch_3x3dbl, double[1], f"{name}_3x3dbl_1", **norm)
    branch_3x3dbl = conv_bn_relu(branch_3x3dbl, double[2], f"{name}_3x3dbl_2", **norm)
    branch_pool = _pool(x, pooling, f"{name}_pool")
    branch_pool = conv_bn_relu(branch_pool, pool, f"{name}_pool_proj", kernel_size=1, **norm)
    return _concat([branch_1x1, branch_k, branch_3x3dbl, branch_pool], name)


def _factorised_7x7_module(x, width, name):
    """Inception-v3's mixed4-7 (Figure 6 of the paper): 7x7 convolutions factorised into
    1x7 and 7x1, `width` filters inside the branches."""
    conv = _v3_conv
    branch_1x1 = conv(x, 192, 1, f"{name}_1x1")
    branch_7x7 = conv(x, width, 1, f"{name}_7x7_reduce")
    branch_7x7 = conv(branch_7x7, width, (1, 7), f"{name}_7x7_1")
    branch_7x7 = conv(branch_7x7, 192, (7, 1), f"{name}_7x7_2")
    branch_7x7dbl = conv(x, width, 1, f"{name}_7x7dbl_reduce")
    for i, (filters, kernel) in enumerate(
        [(width, (7, 1)), (width, (1, 7)), (width, (7, 1)), (192, (1, 7))], start=1
    ):
        branch_7x7dbl = conv(branch_7x7dbl, filters, kernel, f"{name}_7x7dbl_{i}")
    branch_pool = _pool(x, "avg", f"{name}_pool")
    branch_pool = conv(branch_pool, 192, 1, f"{name}_pool_proj")
    return _concat([branch_1x1, branch_7x7, branch_7x7dbl, branch_pool], name)


def _expanded_module(x, name):
    """Inception-v3's mixed9-10 (Figure 7): the 3x3s split into parallel 1x3 and 3x1 whose
    outputs are concatenated, widening the coarsest grid."""
    conv = _v3_conv
    branch_1x1 = conv(x, 320, 1, f"{name}_1x1")
    branch_3x3 = conv(x, 384, 1, f"{name}_3x3_reduce")
    branch_3x3 = _concat([conv(branch_3x3, 384, (1, 3), f"{name}_3x3_1x3"),
                          conv(branch_3x3, 384, (3, 1), f"{name}_3x3_3x1")],
                         f"{name}_3x3")  # fmt: skip
    branch_3x3dbl = conv(x, 448, 1, f"{name}_3x3dbl_reduce")
    branch_3x3dbl = conv(branch_3x3dbl, 384, 3, f"{name}_3x3dbl_1")
    branch_3x3dbl = _concat([conv(branch_3x3dbl, 384, (1, 3), f"{name}_3x3dbl_1x3"),
                             conv(branch_3x3dbl, 384, (3, 1), f"{name}_3x3dbl_3x1")],
                            f"{name}_3x3dbl")  # fmt: skip
    branch_pool = _pool(x, "avg", f"{name}_pool")
    branch_pool = conv(branch_pool, 192, 1, f"{name}_pool_proj")
    return _concat([branch_1x1, branch_3x3, branch_3x3dbl, branch_pool], name)


def _reduction_module(x, name, *, single, double, kernels):
    """Inception-v3's grid reductions (mixed3, mixed8; Figure 10): a strided 3x3 after
    `single` 1x1/kxk convolutions, a strided 3x3 after the `double` chain (`kernels`), and a
    strided max pool, concatenated."""
    conv = _v3_conv
    branch_3x3 = x
    for i, filters in enumerate(single[:-1]):
        branch_3x3 = conv(branch_3x3, filters, 1, f"{name}_3x3_reduce{i or ''}")
    branch_3x3 = conv(branch_3x3, single[-1], 3, f"{name}_3x3", strides=2, padding="valid")
    branch_dbl = x
    for i, (filters, kernel) in enumerate(zip(double[:-1], kernels, strict=True)):
        branch_dbl = conv(branch_dbl, filters, kernel, f"{name}_dbl_{i}")
    branch_dbl = conv(branch_dbl, double[-1], 3, f"{name}_dbl_{len(kernels)}", strides=2,
                      padding="valid")  # fmt: skip
    branch_pool = _pool(x, "max", f"{name}_pool", strides=2, padding="valid")
    return _concat([branch_3x3, branch_dbl, branch_pool], name)


def _v3_conv(x, filters, kernel_size, name, *, strides=1, padding="same"):
    return conv_bn_relu(x, filters, name, kernel_size=kernel_size, strides=strides,
                        padding=padding, **V3_NORM)  # fmt: skip


def build_inception_v3(
    input_shape=(299, 299, 3),
    num_classes=1000,
    *,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    name="inception_v3",
):
    """Inception-v3 (Szegedy et al. 2016), the network of `keras.applications.InceptionV3`:
    a conv-BN stem, mixed0-mixed10 with factorised 1x7/7x1 and 1x3/3x1 convolutions, global
    average pooling. Height and width must be at least 75 (or None).

    Example:
    >>> build_inception_v3(input_shape=(75, 75, 3), num_classes=10).count_params()
    21823274
    """
    check_top_arguments("build_inception_v3", include_top=include_top, num_classes=num_classes,
                        pooling=pooling, classifier_activation=classifier_activation)  # fmt: skip
    inputs = image_input("build_inception_v3", input_shape, min_size=V3_MIN_SIZE)
    x = _v3_conv(inputs, 32, 3, f"{name}_stem1", strides=2, padding="valid")
    x = _v3_conv(x, 32, 3, f"{name}_stem2", padding="valid")
    x = _v3_conv(x, 64, 3, f"{name}_stem3")
    x = _pool(x, "max", f"{name}_stem_pool1", strides=2, padding="valid")
    x = _v3_conv(x, 80, 1, f"{name}_stem4", padding="valid")
    x = _v3_conv(x, 192, 3, f"{name}_stem5", padding="valid")
    x = _pool(x, "max", f"{name}_stem_pool2", strides=2, padding="valid")
    for i, pool_filters in enumerate((32, 64, 64)):
        x = inception_module(x, f"{name}_mixed{i}", single=(64, 48, 64), double=(64, 96, 96),
                             pool=pool_filters, kernel_size=5, norm=V3_NORM)  # fmt: skip
    x = _reduction_module(x, f"{name}_mixed3", single=(384,), double=(64, 96, 96),
                          kernels=(1, 3))  # fmt: skip
    for i, width in enumerate((128, 160, 160, 192), start=4):
        x = _factorised_7x7_module(x, width, f"{name}_mixed{i}")
    x = _reduction_module(x, f"{name}_mixed8", single=(192, 320), double=(192, 192, 192, 192),
                          kernels=(1, (1, 7), (7, 1)))  # fmt: skip
    for i in (9, 10):
        x = _expanded_module(x, f"{name}_mixed{i}")
    x = classifier_top(x, name, include_top=include_top, pooling=pooling, num_classes=num_classes,
                       classifier_activation=classifier_activation)  # fmt: skip
    return keras.Model(inputs, x, name=name)


def build_inception_cifar(
    input_shape=(32, 32, 3),
    num_classes=10,
    *,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    name="inception_cifar",
):
    """GoogLeNet for 32x32 images (Szegedy et al. 2015's Inception-v1 modules, as
    kuangliu/pytorch-cifar's `GoogLeNet`): a 3x3 stem of 192 filters, modules 3a-3b at full
    resolution, 4a-4e at half, 5a-5b at a quarter, global average pooling. The "5x5" branch
    is two 3x3 convolutions and convolutions are bias-free (batch norm follows each).

    Example:
    >>> build_inception_cifar().count_params()
    6156298
    """
    check_top_arguments("build_inception_cifar", include_top=include_top,
                        num_classes=num_classes, pooling=pooling,
                        classifier_activation=classifier_activation)  # fmt: skip
    inputs = image_input("build_inception_cifar", input_shape, min_size=4)
    x = conv_bn_relu(inputs, 192, f"{name}_stem")
    for stage, modules in enumerate(GOOGLENET_CIFAR_STAGES):
        if stage:
            x = _pool(x, "max", f"{name}_pool{stage}", strides=2)
        for label, (f1, r3, f3, rd, fd, fp) in modules:
            x = inception_module(x, f"{name}_{label}", single=(f1, r3, f3), double=(rd, fd, fd),
                                 pool=fp, kernel_size=3, pooling="max")  # fmt: skip
    x = classifier_top(x, name, include_top=include_top, pooling=pooling, num_classes=num_classes,
                       classifier_activation=classifier_activation)  # fmt: skip
    return keras.Model(inputs, x, name=name)
