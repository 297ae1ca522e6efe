import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo import ConfigError, build_resnet9


def test_architecture_of_page_2018():
    model = build_resnet9(classifier_activation=None)
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert [c.filters for c in convs] == [64, 128, 128, 128, 256, 512, 512, 512]
    assert model.get_layer("resnet9_logits").use_bias is False
    assert model.get_layer("resnet9_logit_scale").scale == 0.125
    assert model.get_layer("resnet9_stage3_pool").output.shape[1:] == (4, 4, 512)


def test_logits_are_scaled():
    model = build_resnet9(classifier_activation=None)
    x = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
    features = model.get_layer("resnet9_max_pool").output
    head = keras.Model(model.input, [features, model.output])
    pooled, logits = (to_numpy(t) for t in head(x))
    kernel = to_numpy(model.get_layer("resnet9_logits").kernel)
    np.testing.assert_allclose(logits, 0.125 * pooled @ kernel, rtol=1e-4, atol=1e-5)


def test_too_small_input():
    with pytest.raises(ConfigError, match="height and width >= 8"):
        build_resnet9(input_shape=(4, 4, 3))
