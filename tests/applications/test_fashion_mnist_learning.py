"""A real-data learning test: the cnn's registered recipe on the real Fashion-MNIST sample
shipped with the tests (tests/real_data/fashion-mnist: 3,000 training and 1,000 test images
in the published idx format), at the data set's own 28x28x1, through --data-dir.

Ten balanced classes put chance at 10%. Two epochs on 2,700 images take a working network and
recipe past 70% (measured: 76-78% on each backend); a network or recipe whose training is
broken (no gradient, a rate that diverges, labels scrambled by the pipeline) cannot get there.
The figures at full size are the quality benchmark's (docs/quality.md).
"""

import json

import pytest

from tests.helpers import FASHION_MNIST_SAMPLE


@pytest.mark.slow
def test_cnn_recipe_learns_real_fashion_mnist(run_app, tmp_path):
    out = tmp_path / "run"
    result = run_app(
        "train_cifar.py", "--model", "cnn", "--dataset", "fashion_mnist", "--data-dir",
        str(FASHION_MNIST_SAMPLE), "--epochs", "2", "--output-dir", str(out), "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["synthetic"] is False and metrics["data_source"] == "files"
    assert metrics["image_shape"] == [28, 28, 1]  # the data set's own, not the cnn's 32x32x3
    assert metrics["augmentation"] == {"crop_padding": 0, "flip": True}
    assert (metrics["num_train"], metrics["num_test"]) == (2700, 1000)
    assert metrics["test_accuracy"] >= 0.70, metrics["test_accuracy"]
