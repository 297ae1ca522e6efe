"""A real-data learning test: the cnn on part of the real Fashion-MNIST, through --data-dir.

Debian's `dataset-fashion-mnist` (installed by .ci/run) holds the real idx files. Ten
balanced classes put chance at 10%; two short epochs on 6,000 images take a working network
well past 75%, which a network whose training is broken cannot reach.
"""

import json
import os

import pytest

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


@pytest.mark.slow
def test_cnn_learns_real_fashion_mnist(run_app, tmp_path):
    if not os.path.isfile(os.path.join(FASHION_MNIST, "train-images-idx3-ubyte.gz")):
        pytest.fail(f"{FASHION_MNIST} is missing: apt-get install dataset-fashion-mnist")
    out = tmp_path / "run"
    result = run_app(
        "train_cifar.py", "--model", "cnn", "--dataset", "fashion_mnist", "--data-dir",
        FASHION_MNIST, "--epochs", "2", "--batch-size", "64", "--max-train-examples", "6000",
        "--max-test-examples", "2000", "--output-dir", str(out), "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["synthetic"] is False and metrics["data_source"] == "files"
    assert metrics["num_test"] == 2000
    assert metrics["test_accuracy"] >= 0.75, metrics["test_accuracy"]
