import csv
import json
import os
import subprocess

import keras
import numpy as np
import pytest

from tests.applications.conftest import (
    app_command,
    assert_exits_2_with_one_line,
    kill_after_epochs,
)
from tests.data.fake_files import write_cifar
from zoo import create_model
from zoo.compress.pruning import sparsity_report

# Both formats where tracing is in process; off tensorflow each is a tensorflow subprocess with
# the same code path (tests/export covers both formats from every backend), so one suffices.
EXPORTS = ["saved_model", "onnx"] if keras.backend.backend() == "tensorflow" else ["onnx"]
SMOKE = ["--dataset", "synthetic", "--max-train-examples", "128", "--max-test-examples", "64",
         "--batch-size", "32", "--quiet"]  # fmt: skip


def test_end_to_end_on_synthetic_data(run_app, tmp_path):
    out = tmp_path / "run"
    result = run_app("train_cifar.py", "--model", "cnn", "--epochs", "2", "--output-dir",
                     str(out), "--precision", "mixed_bfloat16", "--export", ",".join(EXPORTS),
                     "--evaluate", *SMOKE)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "test accuracy" in result.stdout and "SYNTHETIC" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    required = {"backend", "model", "dataset", "synthetic", "epochs", "test_accuracy", "test_loss",
                "train_seconds", "examples_per_second", "parameters"}  # fmt: skip
    assert required <= set(metrics)
    assert metrics["backend"] == keras.backend.backend()
    assert (metrics["model"], metrics["dataset"], metrics["synthetic"]) == (
        "cnn",
        "synthetic",
        True,
    )
    assert metrics["epochs"] == 2 and metrics["parameters"] == 545_098
    expected_xla = keras.backend.backend() == "jax"  # "auto": not on TensorFlow's CPU, torch
    assert (metrics["strategy"], metrics["replicas"], metrics["processes"]) == ("none", 1, 1)
    assert (metrics["precision"], metrics["loss_scaling"]) == ("mixed_bfloat16", False)
    assert metrics["xla"] is expected_xla
    model = keras.saving.load_model(out / "model.keras")
    assert model.output_shape == (None, 10)
    # --export: float32 artifacts of the mixed-precision model, verified against it.
    for format in EXPORTS:
        artifact = {"saved_model": "saved_model", "onnx": "model.onnx"}[format]
        report = metrics["export"][format]
        assert report["path"] == str(out / artifact) and (out / artifact).exists()
        assert report["verification"]["max_abs_difference"] <= report["verification"]["tolerance"]
    assert "exported" in result.stdout
    # --evaluate: the report of the test split, and the training curves of history.csv.
    report = json.loads((out / "evaluation.json").read_text())
    assert report["results"]["synthetic"]["metrics"]["accuracy"] == pytest.approx(
        metrics["test_accuracy"], abs=1e-6)
    assert report["training_curves"] == "training_curves.png"
    assert "](confusion_matrix.png)" in (out / "evaluation.md").read_text()


@pytest.mark.backend_independent
def test_trains_from_cifar_files(run_app, tmp_path):
    write_cifar(tmp_path / "data", "cifar10", per_batch=20)
    out = tmp_path / "run"
    result = run_app(
        "train_cifar.py",
        "--model",
        "resnet20",
        "--data-dir",
        str(tmp_path / "data"),
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--output-dir",
        str(out),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["data_source"], metrics["synthetic"], metrics["num_train"]) == (
        "files",
        False,
        90,
    )
    assert metrics["recipe"]["schedule"] == "step"  # the model's registered recipe


def _history_epochs(folder):
    with open(folder / "history.csv", newline="") as handle:
        return [int(row["epoch"]) for row in csv.DictReader(handle)]


def _kill_and_resume(out, epochs, *flags):
    """Kill a cnn run after 2 epochs, rerun the same command; check it resumed and finished
    every epoch once; return its metrics."""
    command = app_command("train_cifar.py", "--model", "cnn", "--epochs", str(epochs),
                          "--output-dir", str(out), *flags, *SMOKE)  # fmt: skip
    killed_at = kill_after_epochs(command, out, epochs=2)
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Resuming from epoch {killed_at}" in result.stdout
    assert _history_epochs(out) == list(range(epochs))
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["resumed_from_epoch"] == killed_at
    assert not (out / "backup").exists()
    return metrics


@pytest.mark.slow
def test_killed_run_resumes_with_the_same_command(tmp_path):
    _kill_and_resume(tmp_path / "run", 40)


@pytest.mark.slow
def test_pruned_distilled_and_quantized(run_app, tmp_path, capsys):
    """--prune, --distill-from and --quantize together: the saved model is the plain student
    with the zeros, best.keras a classifier (not the distiller), model_int8.keras reloads."""
    teacher = tmp_path / "teacher.keras"
    create_model("cnn", name="teacher").save(teacher)
    out = tmp_path / "run"
    result = run_app("train_cifar.py", "--model", "cnn", "--epochs", "2", "--output-dir",
                     str(out), "--prune", "0.5", "--prune-schedule", "constant",
                     "--distill-from", str(teacher), "--quantize", "int8", *SMOKE)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| sparsity 0.50 | distilled from teacher.keras | int8 accuracy" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["pruning"]["sparsity"] == 0.5 and metrics["pruning"]["target_sparsity"] == 0.5
    assert metrics["pruning"]["schedule"]["schedule"] == "ConstantSparsity"
    assert metrics["distillation"]["teacher"] == str(teacher)
    assert (metrics["distillation"]["temperature"], metrics["distillation"]["alpha"]) == (4, 0.1)
    quantization = metrics["quantization"]
    assert quantization["quantized_layers"] == 2  # cnn_dense, cnn_logits: convolutions stay
    assert quantization["bytes_after"] < quantization["bytes_before"] / 3
    assert 0 <= quantization["test_accuracy"] <= 1
    model = keras.saving.load_model(out / "model.keras")
    assert sparsity_report(model)["sparsity"] == 0.5
    best = keras.saving.load_model(out / "best.keras")
    assert best.name == "cnn" and best.output_shape == (None, 10)
    quantized = keras.saving.load_model(out / "model_int8.keras")
    assert quantized.get_layer("cnn_logits").quantization_mode == "int8"
    # A teacher of other inputs is refused with one line naming both shapes.
    small = tmp_path / "small.keras"
    create_model("cnn", input_shape=(16, 16, 3)).save(small)
    assert_exits_2_with_one_line(
        "train_cifar.py", ["--distill-from", str(small), "--output-dir", str(tmp_path / "x"),
                           *SMOKE], "the teacher takes inputs of shape (16, 16, 3)", capsys)


# What resuming adds under compression (the distiller's backup, masks rebuilt from the
# restored zeros) is backend-independent code over the resume tested on every backend above.
@pytest.mark.slow
@pytest.mark.tf_only
def test_killed_pruned_distilled_run_resumes(tmp_path):
    teacher = tmp_path / "teacher.keras"
    create_model("cnn", name="teacher").save(teacher)
    out = tmp_path / "run"
    metrics = _kill_and_resume(out, 12, "--prune", "0.75", "--distill-from", str(teacher))
    assert metrics["pruning"]["sparsity"] == 0.75
    assert sparsity_report(keras.saving.load_model(out / "model.keras"))["sparsity"] == 0.75


BACKEND_SPECIFIC_ERROR = {
    "jax": (["--strategy", "model_parallel", "--model-parallel-size", "3"],
            "--model-parallel-size 3 does not divide the 1 devices"),
    "torch": (["--xla"], "--xla needs the tensorflow or jax backend"),
    "tensorflow": (["--strategy", "tpu"], "--strategy tpu: no TPU found"),
}  # fmt: skip


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "resnet21"], "argument --model: invalid choice: 'resnet21'"),
        (["--dataset", "imagenet"], "argument --dataset: invalid choice: 'imagenet'"),
        (["--data-dir", "/no/such/folder"], "/no/such/folder is not a directory"),
        (["--batch-size", "0"], "argument --batch-size: must be a positive integer, got 0"),
        (["--epochs", "-1"], "argument --epochs: must be a positive integer, got -1"),
        (["--lr", "abc"], "argument --lr: 'abc' is not a number"),
        (["--dataset", "synthetic", "--batch-size", "100000"], "larger than the 461 training"),
        (["--dataset", "folder"], "needs data_dir (--data-dir)"),
        (["--precision", "float64"], "argument --precision: invalid choice: 'float64'"),
        (["--prune", "1.5"], "argument --prune: must be in [0, 1], got 1.5"),
        (["--distill-from", "/no/such.keras"], "/no/such.keras is not a file"),
        (["--quantize", "int3"], "argument --quantize: invalid choice: 'int3'"),
        (["--export", "tflite"], "argument --export: 'tflite' is not a list of export formats"),
        (["--strategy", "mirrored" if keras.backend.backend() == "jax" else "model_parallel"],
         "--strategy"),
        BACKEND_SPECIFIC_ERROR[keras.backend.backend()],
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys, tmp_path):
    argv = [*argv, "--output-dir", str(tmp_path / "run")]
    assert_exits_2_with_one_line("train_cifar.py", argv, message, capsys)
    assert not (tmp_path / "run").exists()


def test_unknown_backend_exits_2(tmp_path):
    command = app_command("train_cifar.py", "--dataset", "synthetic")
    command[command.index("--backend") + 1] = "mxnet"
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "train_cifar.py: error: argument --backend: invalid choice: 'mxnet' "
        "(choose from tensorflow, jax, torch)"
    )


def test_offline_without_data_dir_says_where_to_put_files(run_app, tmp_path):
    env_dir = tmp_path / "tfds"
    os.environ["TFDS_DATA_DIR"] = str(env_dir)
    try:
        result = run_app(
            "train_cifar.py",
            "--dataset",
            "cifar100",
            "--epochs",
            "1",
            "--output-dir",
            str(tmp_path / "run"),
            timeout=120,
        )
    finally:
        del os.environ["TFDS_DATA_DIR"]
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: cifar100:") and "--data-dir" in last
    assert "cifar-100-python.tar.gz" in last


@pytest.mark.slow
def test_seeded_runs_agree(run_app, tmp_path):
    results = []
    for i in range(2):
        out = tmp_path / f"run{i}"
        result = run_app(
            "train_cifar.py",
            "--model",
            "cnn",
            "--epochs",
            "1",
            "--seed",
            "7",
            "--output-dir",
            str(out),
            *SMOKE,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        results.append(json.loads((out / "metrics.json").read_text())["test_loss"])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-4)


def test_images_keep_the_data_sets_own_shape_unless_resized():
    """Fashion-MNIST trains at 28x28x1 (not the cnn's registered 32x32x3); --image-size
    resizes and keeps the channels; an image folder has no size, so the model's is used."""
    from tests.applications.conftest import load_app

    image_shape = load_app("train_cifar.py").image_shape
    assert image_shape("fashion_mnist", (32, 32, 3)) == (28, 28, 1)
    assert image_shape("fashion_mnist", (32, 32, 3), image_size=32) == (32, 32, 1)
    assert image_shape("cifar10", (32, 32, 3)) == (32, 32, 3)
    assert image_shape("folder", (32, 32, 3)) == (32, 32, 3)


def test_a_diverging_run_stops_in_one_line_and_saves_no_model(run_app, tmp_path):
    """Issue 20's probe: SGD at a huge rate turns the loss NaN within the first epoch (1000
    is enough on TensorFlow; 1e10 on every backend). The run stops there with one line
    (epoch, step, loss, what to try) and exit status 2, and leaves no model.keras and no
    metrics.json holding NaN."""
    out = tmp_path / "run"
    result = run_app("train_cifar.py", "--dataset", "synthetic", "--model", "cnn", "--quiet",
                     "--epochs", "2", "--max-train-examples", "256", "--lr", "1e10",
                     "--optimizer", "sgd", "--output-dir", str(out))  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: Training diverged at epoch 1, step "), last
    assert (f"{out} holds no finished epoch. Rerun the same command with a lower --lr "
            "(this run: 1e+10, sgd)") in last
    assert "Traceback" not in result.stderr
    assert not (out / "model.keras").exists() and not (out / "metrics.json").exists()


@pytest.mark.parametrize("value", ["inf", "nan", "1e999", "-inf"])
def test_learning_rate_must_be_finite(value, capsys, tmp_path):
    argv = ["--dataset", "synthetic", f"--lr={value}", "--output-dir", str(tmp_path / "run")]
    message = f"argument --lr: must be a finite number, got '{value}'"
    assert_exits_2_with_one_line("train_cifar.py", argv, message, capsys)
