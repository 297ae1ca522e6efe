import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo import ConfigError, build_inception_cifar, build_inception_v3, get_model_spec

# Layer graphs checked once, on TensorFlow (tests.helpers.SLOW_TO_COMPILE says why); the
# Inceptions train, compile, run in mixed precision and reload on every backend in the slow
# set of tests/models/test_registered_models.py and tests/train/test_precision.py.
pytestmark = pytest.mark.backend_independent


def test_v3_parameter_count_is_the_papers():
    # 23,851,784 with the 1000-class top (keras.applications.InceptionV3), whatever the input.
    assert get_model_spec("inception_v3").parameter_count == 23_851_784
    model = build_inception_v3(input_shape=(None, None, 3))
    assert model.count_params() == 23_851_784
    assert build_inception_v3(include_top=False).count_params() == 23_851_784 - 2048 * 1000 - 1000


def test_v3_matches_keras_applications_weight_for_weight():
    shape = (75, 75, 3)  # the smallest input both accept
    reference = keras.applications.InceptionV3(
        weights=None, input_shape=shape, classifier_activation=None
    )
    model = build_inception_v3(input_shape=shape, classifier_activation=None)
    assert model.count_params() == reference.count_params() == 23_851_784
    weights = reference.get_weights()
    assert [w.shape for w in model.get_weights()] == [w.shape for w in weights]
    # Non-trivial batch norm statistics, so that epsilon and the missing scale matter.
    rng = np.random.default_rng(0)
    weights = [w + rng.uniform(0.0, 0.5, w.shape).astype(w.dtype) if w.ndim == 1 else w
               for w in weights]  # fmt: skip
    reference.set_weights(weights)
    model.set_weights(weights)
    images = rng.normal(size=(2, *shape)).astype("float32")
    expected = to_numpy(reference(images, training=False))
    actual = to_numpy(model(images, training=False))
    assert np.abs(expected).max() > 1e-3  # logits, not a saturated softmax
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


def test_v3_grid_sizes_and_layer_names():
    model = build_inception_v3(input_shape=(299, 299, 3), include_top=False)
    for block, size, channels in [("mixed0", 35, 256), ("mixed3", 17, 768),
                                  ("mixed7", 17, 768), ("mixed10", 8, 2048)]:  # fmt: skip
        assert model.get_layer(f"inception_v3_{block}").output.shape[1:] == (size, size, channels)
    conv = model.get_layer("inception_v3_mixed4_7x7_1_conv")
    assert conv.kernel_size == (1, 7) and not conv.use_bias
    assert not model.get_layer("inception_v3_stem1_bn").scale


def test_cifar_shapes_and_parameter_count():
    model = build_inception_cifar()
    assert model.count_params() == get_model_spec("inception_cifar").parameter_count == 6_174_154
    assert model.output_shape == (None, 10)
    features = build_inception_cifar(include_top=False)
    for block, size, channels in [("3b", 32, 480), ("4e", 16, 832), ("5b", 8, 1024)]:
        assert features.get_layer(f"inception_cifar_{block}").output.shape[1:] == (
            size, size, channels)  # fmt: skip
    pooled = build_inception_cifar(input_shape=(None, None, 3), include_top=False, pooling="max")
    assert pooled.output_shape == (None, 1024)


@pytest.mark.parametrize(
    "builder, kwargs, message",
    [
        (build_inception_v3, {"input_shape": (74, 74, 3)}, r"\(74, 74, 3\).*>= 75"),
        (build_inception_v3, {"input_shape": (299, 299)}, "input_shape"),
        (build_inception_v3, {"num_classes": 0}, "num_classes.*0"),
        (build_inception_v3, {"pooling": "sum", "include_top": False}, "pooling='sum'"),
        (build_inception_cifar, {"classifier_activation": "nope"}, "'nope'"),
        (build_inception_cifar, {"input_shape": (2, 2, 3)}, ">= 4"),
    ],
)
def test_bad_arguments(builder, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        builder(**kwargs)
