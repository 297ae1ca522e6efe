"""`zoo evaluate`: a run folder on the real Fashion-MNIST beside a second (shifted) copy, and
`.npz` test sets for recommenders and forecasters; the report matches direct computation."""

import json

import keras
import numpy as np
import pytest

from tests.data.fake_files import write_idx
from tests.helpers import FASHION_MNIST_SAMPLE
from zoo import build_deepfm, create_model
from zoo.cli import main
from zoo.evaluate import binary_metrics, classification_metrics, softmax
from zoo.features import DenseFeature, SparseFeature

PNG = b"\x89PNG"


def _run_folder(tmp_path, model, record):
    run = tmp_path / "run"
    run.mkdir()
    model.save(run / "model.keras")
    (run / "metrics.json").write_text(json.dumps(record))
    (run / "history.csv").write_text(
        "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.2,0.55,1.1\n1,0.7,0.8,0.66,0.9\n"
    )
    return run


def test_run_folder_on_fashion_mnist_beside_a_shifted_copy(tmp_path, capsys):
    model = create_model("cnn", input_shape=(28, 28, 1))
    normalization = {"mean": [72.9], "std": [90.0]}
    run = _run_folder(tmp_path, model, {"model": "cnn", "dataset": "fashion_mnist",
                                        "normalization": normalization})  # fmt: skip
    _, _, shifted_x, shifted_y = write_idx(tmp_path / "shifted", train=4, test=12)
    main(["evaluate", str(run), "--data-dir", str(FASHION_MNIST_SAMPLE), "--max-examples", "200",
          "--compare", f"shifted={tmp_path / 'shifted'}"])  # fmt: skip
    assert "shifted: accuracy" in capsys.readouterr().out
    report = json.loads((run / "evaluation.json").read_text())
    assert report["test_sets"] == ["fashion_mnist", "shifted"]
    shifted = report["results"]["shifted"]["metrics"]
    assert report["results"]["fashion_mnist"]["metrics"]["num_examples"] == 200
    # The shifted copy, normalised with the run's statistics, scored directly.
    images = (shifted_x[..., None].astype("float32") - 72.9) / 90.0
    order = np.random.default_rng(1).permutation(12)  # the loader's seeded order
    expected = classification_metrics(shifted_y[order], model.predict(images[order], verbose=0))
    assert shifted["confusion_matrix"] == expected["confusion_matrix"]
    np.testing.assert_allclose(shifted["accuracy"], expected["accuracy"])
    assert report["results"]["fashion_mnist"]["metrics"]["per_class"][0]["class"] == "t-shirt/top"
    for name in ("confusion_matrix.png", "confusion_matrix_shifted.png", "reliability.png",
                 "training_curves.png"):  # fmt: skip
        assert (run / name).read_bytes()[:4] == PNG, name
    markdown = (run / "evaluation.md").read_text()
    assert "shifted" in markdown and "](confusion_matrix.png)" in markdown


def test_recommender_from_npz_with_user_groups(tmp_path):
    features = [SparseFeature("user_id", 6, 4), SparseFeature("item_id", 9, 4),
                DenseFeature("age")]  # fmt: skip
    model = build_deepfm(features, hidden_units=(8,))
    model.save(tmp_path / "deepfm.keras")
    rng = np.random.default_rng(0)
    arrays = {"user_id": rng.integers(0, 6, 120), "item_id": rng.integers(0, 9, 120),
              "age": rng.normal(size=(120, 1)).astype("float32"), "y": rng.integers(0, 2, 120)}
    np.savez(tmp_path / "test.npz", **arrays)
    main(["evaluate", str(tmp_path / "deepfm.keras"), "--task", "binary",
          "--dataset", str(tmp_path / "test.npz")])  # fmt: skip
    report = json.loads((tmp_path / "deepfm_evaluation" / "evaluation.json").read_text())
    metrics = report["results"]["test"]["metrics"]
    inputs = {k: v for k, v in arrays.items() if k != "y"}
    probabilities = model.predict(inputs, verbose=0).reshape(-1)
    expected = binary_metrics(arrays["y"], probabilities, groups=arrays["user_id"],
                              group_name="user_id")  # fmt: skip
    np.testing.assert_allclose(metrics["auc"], expected["auc"], atol=1e-6)
    np.testing.assert_allclose(metrics["group_auc"]["weighted_auc"],
                               expected["group_auc"]["weighted_auc"], atol=1e-6)  # fmt: skip


def test_forecaster_from_npz_beside_its_baselines(tmp_path):
    model = create_model("lstm_forecaster", input_shape=(8, 1), horizon=3)
    model.save(tmp_path / "forecaster.keras")
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(20, 8, 1)).astype("float32")
    actual = rng.normal(size=(20, 3))
    naive = np.repeat(windows[:, -1, :], 3, axis=1)
    np.savez(tmp_path / "test.npz", x=windows, y=actual, baseline_naive=naive)
    main(["evaluate", str(tmp_path / "forecaster.keras"), "--task", "forecasting",
          "--dataset", str(tmp_path / "test.npz"), "--output-dir", str(tmp_path / "report")])
    metrics = json.loads((tmp_path / "report" / "evaluation.json").read_text())
    metrics = metrics["results"]["test"]["metrics"]
    forecast = model.predict(windows, verbose=0).reshape(20, 3)
    np.testing.assert_allclose(metrics["model"]["mae_per_step"],
                               np.abs(forecast - actual).mean(axis=0), rtol=1e-5)  # fmt: skip
    np.testing.assert_allclose(metrics["baselines"]["naive"]["rmse_per_step"],
                               np.sqrt(((naive - actual) ** 2).mean(axis=0)), rtol=1e-6)
    assert (tmp_path / "report" / "horizon_errors.png").read_bytes()[:4] == PNG


def test_logits_of_a_bert_classifier_become_probabilities(tmp_path):
    from zoo import build_bert_classifier

    model = build_bert_classifier("bert_tiny", vocabulary_size=50, num_classes=3)
    model.save(tmp_path / "bert.keras")
    rng = np.random.default_rng(0)
    arrays = {"token_ids": rng.integers(1, 50, (16, 6)), "segment_ids": np.zeros((16, 6), int),
              "padding_mask": np.ones((16, 6), int), "y": rng.integers(0, 3, 16)}
    np.savez(tmp_path / "test.npz", **arrays)
    main(["evaluate", str(tmp_path / "bert.keras"), "--task", "classification",
          "--dataset", str(tmp_path / "test.npz")])  # fmt: skip
    report = json.loads((tmp_path / "bert_evaluation" / "evaluation.json").read_text())
    logits = model.predict({k: v for k, v in arrays.items() if k != "y"}, verbose=0)
    expected = classification_metrics(arrays["y"], softmax(logits))
    np.testing.assert_allclose(report["results"]["test"]["metrics"]["expected_calibration_error"],
                               expected["expected_calibration_error"], atol=1e-6)  # fmt: skip


@pytest.mark.parametrize(
    "argv, message",
    [
        (["{model}"], "--task"),
        (["{model}", "--task", "classification"], "--dataset"),
        (["{model}", "--task", "classification", "--dataset", "imdb"], "image data sets"),
        (["{model}", "--task", "binary", "--dataset", "{npz}", "--compare", "oops"],
         "LABEL=SOURCE"),
        (["{tmp}"], "not a run folder"),
        (["{model}", "--task", "classification", "--dataset", "{tmp}/none.npz"], "does not exist"),
        (["{model}", "--task", "classification", "--dataset", "{npz}"], "input"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, message, tmp_path, capsys):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.save(tmp_path / "m.keras")
    np.savez(tmp_path / "t.npz", wrong=np.zeros((3, 4)), y=np.zeros(3, int))
    names = {"model": tmp_path / "m.keras", "npz": tmp_path / "t.npz", "tmp": tmp_path}
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", *[part.format(**names) for part in argv]])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
