import os

import numpy as np
import pytest
from matplotlib.image import imread

from zoo.explain import save_feature_scores, save_heatmap_overlay, save_token_scores


def _png(path):
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    pixels = imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 50 and pixels.shape[1] > 50
    assert [name for name in os.listdir(os.path.dirname(path)) if name.startswith(".")] == []
    return pixels


def test_heatmap_overlay_of_a_normalized_image(tmp_path):
    rng = np.random.RandomState(0)
    image = rng.normal(size=(16, 16, 3)).astype("float32")  # normalized, not in [0, 1]
    heatmap = np.zeros((16, 16), "float32")
    heatmap[4:8, 4:8] = 1.0
    pixels = _png(save_heatmap_overlay(image, heatmap, tmp_path / "a" / "cam.png", title="cat"))
    blank = _png(save_heatmap_overlay(image, np.zeros((16, 16)), tmp_path / "blank.png"))
    assert pixels.shape != blank.shape or not np.array_equal(pixels, blank)
    _png(save_heatmap_overlay(image[..., :1], heatmap, tmp_path / "gray.png"))


def test_token_and_feature_scores(tmp_path):
    _png(save_token_scores(["[CLS]", "a", "good", "film"], [0.0, 0.1, 0.9, -0.4],
                           tmp_path / "tokens.png", title="positive"))  # fmt: skip
    _png(save_feature_scores(["user", "item", "user x item"], np.array([0.3, -0.5, 0.01]),
                             tmp_path / "features.png"))  # fmt: skip


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda p: save_heatmap_overlay(np.zeros((8, 8, 3)), np.zeros((4, 4)), p),
         r"heatmap shape \(4, 4\) must equal the image's height and width \(8, 8\)"),
        (lambda p: save_token_scores(["a", "b"], [1.0], p), "got 2 tokens but 1 scores"),
        (lambda p: save_feature_scores(["a"], [1.0, 2.0], p), "got 1 names but 2 scores"),
    ],
)  # fmt: skip
def test_mismatched_arguments_are_clear_errors(tmp_path, call, message):
    with pytest.raises(ValueError, match=message):
        call(tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
