"""The evaluation folder: JSON, Markdown and real PNG files, for every kind of task."""

import json

import numpy as np
import pytest

from zoo.evaluate import (
    binary_metrics,
    classification_metrics,
    forecast_metrics,
    plot_training_curves,
    read_history_csv,
    write_report,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

HISTORY = """epoch,accuracy,learning_rate,loss,val_accuracy,val_loss
0,0.41,0.1,1.62,0.45,1.50
1,0.58,0.1,1.15,0.55,1.22
2,0.66,0.01,0.95,0.61,1.05
"""


def _assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, path
    assert len(data) > 1024, path


def _classification(seed, noise):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, 200)
    logits = rng.normal(size=(200, 4)) * noise
    logits[np.arange(200), labels] += 2.0
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return classification_metrics(
        labels, probabilities, class_names=["cat", "dog", "ship", "frog"], top_k=2
    )


def test_classification_report_with_two_sets_and_history(tmp_path):
    history = tmp_path / "history.csv"
    history.write_text(HISTORY)
    test, shifted = _classification(0, 1.0), _classification(1, 3.0)
    results = {
        "test": {"task": "classification", "metrics": test, "dataset": {"name": "cifar10"}},
        "shifted": {"task": "classification", "metrics": shifted},
    }
    out = tmp_path / "eval"
    report = write_report(out, results, history_csv=history, title="CIFAR check")

    names = sorted(path.name for path in out.iterdir())
    assert names == [
        "confusion_matrix.png",
        "confusion_matrix_shifted.png",
        "evaluation.json",
        "evaluation.md",
        "reliability.png",
        "reliability_shifted.png",
        "training_curves.png",
    ]  # nothing else, no temporary files left behind
    assert sorted(path.name for path in report.paths) == names
    for path in report.paths[2:]:
        _assert_png(path)

    saved = json.loads((out / "evaluation.json").read_text())
    assert saved["test_sets"] == ["test", "shifted"]
    assert saved["results"]["test"]["metrics"]["accuracy"] == pytest.approx(test["accuracy"])
    assert saved["results"]["test"]["dataset"] == {"name": "cifar10"}
    assert saved["results"]["shifted"]["task"] == "classification"
    assert saved["training_curves"] == "training_curves.png" and saved["skipped"] == []

    markdown = (out / "evaluation.md").read_text()
    assert markdown.startswith("# CIFAR check\n")
    assert "| metric | test | shifted | change (shifted − test) |" in markdown
    change = shifted["accuracy"] - test["accuracy"]
    assert f"| accuracy | {test['accuracy']:.4f} | {shifted['accuracy']:.4f} | {change:+.4f} |" in (
        markdown
    )
    assert "top-2 accuracy" in markdown and "| cat |" in markdown  # the per-class table
    for link in (
        "![confusion matrix](confusion_matrix.png)",
        "![confusion matrix](confusion_matrix_shifted.png)",
        "![reliability diagram](reliability.png)",
        "![training curves](training_curves.png)",
    ):
        assert link in markdown


def test_binary_report_with_group_auc(tmp_path):
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 400)
    scores = np.clip(rng.random(400) * 0.7 + labels * 0.2, 0, 1)
    metrics = binary_metrics(labels, scores, groups=rng.integers(0, 25, 400))
    report = write_report(tmp_path, {"test": {"task": "binary", "metrics": metrics}})
    assert [path.name for path in report.plots["test"]] == ["group_auc.png"]
    _assert_png(report.plots["test"][0])
    markdown = report.markdown_path.read_text()
    assert f"| AUC | {metrics['auc']:.4f} |" in markdown
    assert "| GAUC (user) |" in markdown and "change" not in markdown
    assert "![group AUC](group_auc.png)" in markdown


def test_forecast_report_and_missing_history(tmp_path):
    rng = np.random.default_rng(3)
    actual = rng.normal(size=(50, 6))
    results = {}
    for label, noise in (("test", 0.1), ("later", 0.5)):
        forecast = actual + rng.normal(size=actual.shape) * noise
        metrics = forecast_metrics(actual, forecast, baselines={"naive": np.zeros_like(actual)})
        results[label] = {"task": "forecasting", "metrics": metrics}
    report = write_report(tmp_path, results, history_csv=tmp_path / "absent.csv")
    for path in report.plots["test"] + report.plots["later"]:
        _assert_png(path)
    assert report.plots["later"][0].name == "horizon_errors_later.png"
    assert report.training_curves is None and "absent.csv" in report.skipped[0]
    markdown = report.markdown_path.read_text()
    assert "| skill vs naive |" in markdown and "| MAE naive |" in markdown
    assert "![errors per horizon step](horizon_errors_later.png)" in markdown


def test_training_curves_from_a_resumed_csv_logger_file(tmp_path):
    # CSVLogger(append=True) after a resume repeats the epochs that were re-run.
    history = tmp_path / "history.csv"
    history.write_text(HISTORY + "2,0.70,0.01,0.90,0.64,1.00\n3,0.72,0.01,0.85,,\n")
    columns = read_history_csv(history)
    assert columns["epoch"].tolist() == [0, 1, 2, 3]
    assert columns["accuracy"].tolist() == [0.41, 0.58, 0.70, 0.72]
    assert np.isnan(columns["val_loss"][3])
    _assert_png(plot_training_curves(history, tmp_path / "curves.png"))
    empty = tmp_path / "empty.csv"
    empty.write_text("epoch,loss\n")
    with pytest.raises(ValueError, match="has no epochs"):
        plot_training_curves(empty, tmp_path / "never.png")
    assert not (tmp_path / "never.png").exists()


def test_bad_results_are_refused(tmp_path):
    with pytest.raises(ValueError, match="non-empty mapping"):
        write_report(tmp_path, {})
    with pytest.raises(ValueError, match="task 'regression'"):
        write_report(tmp_path, {"test": {"task": "regression", "metrics": {}}})
