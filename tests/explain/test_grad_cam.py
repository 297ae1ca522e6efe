import keras
import numpy as np
import pytest

from tests.explain import make_golden
from zoo import ResNetConfig, build_resnet
from zoo.explain import grad_cam, last_convolutional_layer
from zoo.explain.grad_cam import upsample


def _planted_model():
    """Class 0 scores the mean of a 1x1 conv that copies the image; class 1 its negation."""
    images = keras.Input((8, 8, 1))
    features = keras.layers.Conv2D(1, 1, use_bias=False, name="features")(images)
    pooled = keras.layers.GlobalAveragePooling2D()(features)
    model = keras.Model(images, keras.layers.Dense(2, use_bias=False, name="score")(pooled))
    model.set_weights([np.ones((1, 1, 1, 1), "float32"), np.array([[1.0, -1.0]], "float32")])
    return model


def _square(row, col):
    image = np.full((8, 8, 1), -0.1, "float32")
    image[row : row + 2, col : col + 2] = 1.0
    return image


def test_shape_range_and_default_layer():
    heatmaps = make_golden.explanations()["cnn_grad_cam/default"]
    assert heatmaps.shape == (3, 8, 8) and heatmaps.dtype == np.float32
    assert heatmaps.min() >= 0.0 and np.isclose(heatmaps.max(axis=(1, 2)), 1.0).sum() >= 1
    assert last_convolutional_layer(make_golden.tiny_cnn()).name == "cnn_block2_pool"


def test_resnet_default_layer_and_size():
    model = build_resnet(ResNetConfig(depth=8, widths=(4, 4, 4)), input_shape=(16, 16, 3))
    assert last_convolutional_layer(model).name == "resnet8_stage3_block1_out"
    images = np.random.RandomState(0).normal(size=(2, 16, 16, 3))
    heatmaps = grad_cam(model, images, target=3)
    assert heatmaps.shape == (2, 16, 16) and 0.0 <= heatmaps.min() <= heatmaps.max() <= 1.0


def test_highlight_follows_the_planted_feature():
    model = _planted_model()
    images = np.stack([_square(0, 0), _square(5, 4)])
    heatmaps = grad_cam(model, images, target=0, layer="features")
    # Class 0's map is ReLU(image), normalised: exactly the planted squares.
    np.testing.assert_allclose(heatmaps, np.maximum(images[..., 0], 0.0), atol=1e-6)
    # Class 1 is pushed down by the square: its map is ReLU(-image), zero on the square.
    against = grad_cam(model, images, target=1, layer="features")
    np.testing.assert_allclose(against, (images[..., 0] < 0).astype("float32"), atol=1e-6)


def test_constant_model_gives_zero_maps_without_nan():
    images = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(2, 3, padding="same", name="conv")(images)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(images, keras.layers.Dense(3, kernel_initializer="zeros")(x))
    heatmaps = grad_cam(model, make_golden.images(2))
    np.testing.assert_array_equal(heatmaps, np.zeros((2, 8, 8), "float32"))


def test_upsampling_is_bilinear_with_half_pixel_centres():
    maps = np.array([[[0.0, 1.0]]])
    np.testing.assert_allclose(upsample(maps, (1, 4)), [[[0.0, 0.25, 0.75, 1.0]]])


def test_models_without_a_4d_layer_are_a_clear_error():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="Grad-CAM needs a convolutional model.*integrated_grad"):
        grad_cam(model, np.ones((1, 4)))
    with pytest.raises(ValueError, match="layer 'cnn_dense' has output shape .* not 4-D"):
        grad_cam(make_golden.tiny_cnn(), make_golden.images(1), layer="cnn_dense")


def test_a_weight_change_changes_the_map():
    """Flipping the class weights moves the map to the other square (cached graphs read the
    current weights)."""
    model = _planted_model()
    image = _square(0, 0)[None]
    before = grad_cam(model, image, target=0)
    model.set_weights([np.full((1, 1, 1, 1), -1.0, "float32"), np.array([[1.0, -1.0]], "float32")])
    after = grad_cam(model, image, target=0)
    assert before[0, 0, 0] == 1.0 and not after[0, 0, 0] == 1.0, (before[0], after[0])
