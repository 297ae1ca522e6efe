import keras
import pytest

from zoo import ConfigError, build_cnn


@pytest.mark.parametrize(
    "input_shape, flattened", [((28, 28, 1), 7 * 7 * 64), ((32, 32, 3), 8 * 8 * 64)]
)
def test_dense_input_follows_the_input_shape(input_shape, flattened):
    model = build_cnn(input_shape=input_shape)
    dense = model.get_layer("cnn_dense")
    assert dense.kernel.shape == (flattened, 128)
    assert model.output_shape == (None, 10)


def test_layout_is_conv32_pool_conv64_pool_dense128():
    model = build_cnn()
    kinds = [
        (type(layer).__name__, getattr(layer, "filters", getattr(layer, "units", None)))
        for layer in model.layers[1:]
    ]
    assert kinds == [
        ("Conv2D", 32), ("MaxPooling2D", None), ("Conv2D", 64), ("MaxPooling2D", None),
        ("Flatten", None), ("Dense", 128), ("Dense", 10), ("Activation", None),
    ]  # fmt: skip


def test_logits_when_no_activation():
    model = build_cnn(classifier_activation=None)
    assert model.get_layer("predictions").activation is keras.activations.linear


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"input_shape": (2, 2, 3)}, "height and width >= 4"),
        ({"input_shape": (None, None, 3)}, "fixed height and width"),
        ({"input_shape": (32, 32)}, "input_shape must be"),
        ({"num_classes": 0}, "num_classes must be a positive integer, got 0"),
        ({"pooling": "sum"}, "pooling='sum'"),
        ({"classifier_activation": "nope"}, "classifier_activation='nope'"),
        ({"dropout": 1.5}, "dropout"),
        ({"dense_units": 0}, "dense_units"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        build_cnn(**kwargs)


def test_headless_accepts_any_size():
    model = build_cnn(input_shape=(None, None, 3), include_top=False, pooling="max")
    assert model.output_shape == (None, 64)
