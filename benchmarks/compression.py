r"""Compression on real data: Fashion-MNIST test accuracy under pruning, distillation and int8.

Every row is one run of `applications/train_cifar.py` on the real Fashion-MNIST files (Debian's
dataset-fashion-mnist) with the same data, recipe and seed; only the compression flags differ:
the cnn at 0, 50, 75 and 90% sparsity (polynomial schedule), the dense cnn after int8
quantization (the 0% run's --quantize), a teacher (the same cnn trained 3x longer: on 2 CPU
cores a deeper teacher does not beat the cnn in this budget; resnet20 reached 0.815 against the
cnn's 0.84), and the cnn distilled from it, against the 0% run trained alone.

Rows go to `benchmarks/results/compression_fashion_mnist.csv` (or `--results-dir`), the dense
run's Keras CSV log beside them as `compression_history.csv` (the training curves of
docs/benchmarks.md), and the table into docs/guides/compression.md.

    python benchmarks/compression.py                  # about 5 minutes on 2 CPU cores
    python benchmarks/compression.py --epochs 1 --train-examples 2000 --teacher-epochs 1 \
        --results-dir /tmp/quick --no-docs            # a smoke run
    python -m benchmarks run --suites compression     # the same, through the runner
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_output_arguments, copy_atomically, save_results  # noqa: E402
from _machine import stamp  # noqa: E402

APP = HERE.parent / "applications" / "train_cifar.py"
DOCS = HERE.parent / "docs" / "guides" / "compression.md"
DATA = "/usr/share/datasets/fashion-mnist"
SPARSITIES = (0.0, 0.5, 0.75, 0.9)
RESULTS = "compression_fashion_mnist.csv"
HISTORY = "compression_history.csv"  # the dense run's CSVLogger file


def train(folder, model, args, *flags):
    """One application run; its metrics.json."""
    command = [sys.executable, str(APP), "--backend", args.backend, "--model", model,
               "--dataset", "fashion_mnist", "--data-dir", args.data_dir, "--image-size", "28",
               "--epochs", str(args.epochs), "--max-train-examples", str(args.train_examples),
               "--seed", "0", "--quiet", "--overwrite", "--output-dir", str(folder),
               *flags]  # fmt: skip
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    print(result.stdout.strip().splitlines()[-1], flush=True)
    return json.loads((folder / "metrics.json").read_text())


def weight_sizes(model_path):
    """(bytes, zlib bytes) of a saved model's weights as float32 (zeros compress)."""
    import keras

    import zoo  # noqa: F401  (registers zoo's layers for loading)
    from zoo.compress.pruning import sparsity_report

    report = sparsity_report(keras.saving.load_model(model_path))
    return report["bytes"], report["compressed_bytes"]


def row(label, metrics, stamp, *, folder, accuracy=None, size=None):
    pruning = metrics.get("pruning", {})
    weight_bytes, compressed_bytes = weight_sizes(folder / "model.keras")
    return {
        "run": label,
        "model": metrics["model"],
        "sparsity": pruning.get("sparsity", 0.0),
        "parameters": metrics["parameters"],
        "test_accuracy": round(accuracy if accuracy is not None else metrics["test_accuracy"], 4),
        "weight_bytes": size or weight_bytes,
        "compressed_bytes": None if size else compressed_bytes,
        "epochs": metrics["epochs"],
        "train_examples": metrics.get("num_train"),
        "backend": metrics["backend"],
        **stamp,
    }


def measure(args, stamp, work):
    """The rows of every run; the dense run's history.csv is kept in --results-dir."""
    rows = []
    for sparsity in SPARSITIES:
        flags = ["--prune", str(sparsity)] if sparsity else ["--quantize", "int8"]
        folder = work / f"cnn_{sparsity}"
        metrics = train(folder, "cnn", args, *flags)
        if not sparsity:
            dense, dense_folder = metrics, folder
        rows.append(row(f"cnn, {sparsity:.0%} sparse", metrics, stamp, folder=folder))
    quantized = dense["quantization"]
    rows.append(row("cnn, int8 (Dense layers; convolutions stay float32)", dense, stamp,
                    folder=dense_folder, accuracy=quantized["test_accuracy"],
                    size=quantized["bytes_after"]))  # fmt: skip
    teacher = train(work / "teacher", "cnn", args, "--epochs", str(args.teacher_epochs))
    rows.append(row(f"teacher: cnn, {args.teacher_epochs} epochs", teacher, stamp,
                    folder=work / "teacher"))  # fmt: skip
    distilled = train(work / "distilled", "cnn", args, "--distill-from",
                      str(work / "teacher" / "model.keras"))  # fmt: skip
    rows.append(row("cnn distilled from the teacher (T=4, alpha=0.1)", distilled,
                    stamp, folder=work / "distilled"))  # fmt: skip
    args.results_dir.mkdir(parents=True, exist_ok=True)
    copy_atomically(dense_folder / "history.csv", args.results_dir / HISTORY)
    return rows


def table(rows):
    lines = ["| run | sparsity | test accuracy | test errors | weight bytes | zlib bytes |",
             "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in rows:
        size = f"{int(r['weight_bytes']):,}" if r["weight_bytes"] else ""
        compressed = f"{int(r['compressed_bytes']):,}" if r["compressed_bytes"] else ""
        lines.append(f"| {r['run']} | {float(r['sparsity']):.2f} "
                     f"| {float(r['test_accuracy']):.4f} "
                     f"| {round((1 - float(r['test_accuracy'])) * 10000)} "
                     f"| {size} | {compressed} |")  # fmt: skip
    first = rows[0]
    lines += ["", f"Fashion-MNIST, {first['train_examples']} training images, {first['epochs']} "
              f"epochs, {first['backend']}, seed 0; measured {first['date']} on {first['machine']} "
              "by `python benchmarks/compression.py`."]  # fmt: skip
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="tensorflow")
    parser.add_argument("--data-dir", default=DATA)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--train-examples", type=int, default=20000)
    parser.add_argument("--teacher-epochs", type=int, default=12)
    add_output_arguments(parser, docs="docs/guides/compression.md")
    return parser


def main():
    args = build_parser().parse_args()
    with tempfile.TemporaryDirectory() as work:
        rows = measure(args, stamp(), Path(work))
    save_results(rows, args.results_dir / RESULTS, DOCS,
                 ("<!-- compression:start -->", "<!-- compression:end -->"), table,
                 update_docs=not args.no_docs)  # fmt: skip


if __name__ == "__main__":
    main()
