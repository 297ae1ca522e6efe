import json
import os
import subprocess

import keras
import numpy as np
import pytest

import zoo  # noqa: F401  (registers zoo's layers, which load_model needs)
from tests.applications.conftest import (
    app_command,
    assert_exits_2_with_one_line,
    kill_after_epochs,
)
from tests.data.fake_files import write_acl_imdb
from zoo.cli import main
from zoo.data.text_encoder import TextEncoder


def _metrics(folder):
    return json.loads((folder / "metrics.json").read_text())


def test_learns_sentiment_from_acl_imdb_folders(run_app, tmp_path):
    """Reviews of filler words around one sentiment word, in IMDB's aclImdb layout: the
    LSTM must find the word wherever it sits to classify the held-out reviews."""
    write_acl_imdb(tmp_path / "data", per_class=64, seed=0)
    out = tmp_path / "run"
    result = run_app("train_text.py", "--model", "lstm_text", "--dataset", "imdb", "--data-dir",
                     str(tmp_path / "data"), "--sequence-length", "24", "--batch-size", "16",
                     "--epochs", "8", "--lr", "3e-3", "--validation-split", "0.1",
                     "--output-dir", str(out), "--quiet", "--evaluate")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "test accuracy" in result.stdout and "SYNTHETIC" not in result.stdout
    metrics = _metrics(out)
    assert metrics["test_accuracy"] >= 0.9, metrics["test_accuracy"]
    assert metrics["num_test"] == 128 and metrics["data_source"] == "files"
    assert metrics["backend"] == keras.backend.backend()
    # --evaluate: the report of the test split, per class by the data set's class names.
    report = json.loads((out / "evaluation.json").read_text())["results"]["imdb"]["metrics"]
    assert report["accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-6)
    assert [row["class"] for row in report["per_class"]] == ["neg", "pos"]
    assert sum(map(sum, report["confusion_matrix"])) == 128
    assert metrics["evaluation"]["report"] == "evaluation.md"
    # zoo evaluate re-reads the test split with the run's vocabulary, beside reworded reviews.
    write_acl_imdb(tmp_path / "reworded", per_class=16, seed=1)
    main(["evaluate", str(out), "--data-dir", str(tmp_path / "data"),
          "--compare", f"reworded={tmp_path / 'reworded'}"])  # fmt: skip
    report = json.loads((out / "evaluation.json").read_text())
    assert report["test_sets"] == ["imdb", "reworded"]
    assert report["results"]["imdb"]["metrics"]["accuracy"] == pytest.approx(
        metrics["test_accuracy"], abs=1e-6)
    assert report["results"]["reworded"]["metrics"]["num_examples"] == 32
    # The saved encoder and model classify raw text the way training did.
    encoder = TextEncoder.load(out)
    model = keras.saving.load_model(out / "model.keras")
    probabilities = model.predict(encoder.encode(["word1 word2 great word3",
                                                  "word4 awful word5"]), verbose=0)  # fmt: skip
    assert np.argmax(probabilities, axis=1).tolist() == [1, 0]  # ["neg", "pos"] order


# The resume mechanism (RunBackup through TrainingRun) is tested on every backend by
# train_cifar's kill test; what this application adds (its saved
# encoder) does not depend on the backend, so one backend runs this slow test.
@pytest.mark.tf_only
@pytest.mark.slow
def test_killed_run_resumes_with_its_vocabulary(tmp_path):
    out = tmp_path / "run"
    command = app_command("train_text.py", "--model", "lstm_text", "--dataset", "synthetic",
                          "--max-train-examples", "2000", "--sequence-length", "16",
                          "--vocabulary-size", "200", "--batch-size", "32", "--epochs", "5",
                          "--output-dir", str(out), "--quiet")  # fmt: skip
    killed_at = kill_after_epochs(command, out, epochs=1)
    saved = (out / "text_encoder.json").read_text()
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Resuming from epoch {killed_at}" in result.stdout and "SYNTHETIC" in result.stdout
    assert (out / "text_encoder.json").read_text() == saved
    metrics = _metrics(out)
    assert metrics["resumed_from_epoch"] == killed_at and metrics["synthetic"] is True
    assert len((out / "history.csv").read_text().splitlines()) == 1 + 5


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--dataset", "csv"], "needs data_dir (--data-dir)"),
        (["--model", "gru_text"], "argument --model: invalid choice: 'gru_text'"),
        (["--sequence-length", "0"], "argument --sequence-length: must be a positive integer"),
        (["--dataset", "folder", "--data-dir", "/no/such/dir"], "/no/such/dir"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys, tmp_path):
    argv = [*argv, "--output-dir", str(tmp_path / "run")]
    assert_exits_2_with_one_line("train_text.py", argv, message, capsys)


def test_offline_imdb_says_where_to_put_files(run_app, tmp_path):
    os.environ["TFDS_DATA_DIR"] = str(tmp_path / "tfds")
    try:
        result = run_app("train_text.py", "--dataset", "imdb", "--output-dir",
                         str(tmp_path / "run"), timeout=120)  # fmt: skip
    finally:
        del os.environ["TFDS_DATA_DIR"]
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert "aclImdb" in last and "--data-dir" in last
