"""The pictures and numbers of docs/guides/evaluation.md, made the way a user makes them.

Three real runs of the applications, each followed by `zoo evaluate` / `zoo explain`:

* the cnn on Debian's real Fashion-MNIST (`--evaluate`), then `zoo evaluate` beside a noisy copy
  of the test set (Gaussian noise, sigma 48 grey levels, written in the same idx format), and
  `zoo explain` on four test images (Grad-CAM, integrated gradients);
* bert_tiny fine-tuned on reviews of filler words around one sentiment word (a CSV task), then
  `zoo explain` on two reviews (token attributions, attention maps, rollout);
* DeepFM on the synthetic interactions (clicks decided by user group x item group alone), then
  `zoo explain` on two rows (per-feature attributions).

    python benchmarks/evaluation_gallery.py               # about 5 minutes on 2 CPU cores
    python benchmarks/evaluation_gallery.py --no-docs     # keep docs/ untouched
    python benchmarks/evaluation_gallery.py --epochs 1 --no-docs   # a smoke run
    python -m benchmarks run --suites evaluation_gallery  # the same, through the runner
"""

import argparse
import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _harness import copy_atomically, write_between_markers  # noqa: E402

DOCS = ROOT / "docs" / "guides" / "evaluation.md"
PICTURES = ROOT / "docs" / "images" / "evaluation"
MARKERS = ("<!-- evaluation_gallery:start -->", "<!-- evaluation_gallery:end -->")
FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def run(*command, backend):
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env)
    if result.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{result.stderr[-3000:]}")
    print(result.stdout.strip().splitlines()[-1])


def app(script, *args, backend):
    run(sys.executable, ROOT / "applications" / script, "--backend", backend, *args, "--quiet",
        "--overwrite",
        backend=backend)  # fmt: skip


def zoo(*args, backend):
    run(sys.executable, "-m", "zoo.cli", *args, backend=backend)


def idx_header(array):
    return bytes([0, 0, 8, array.ndim]) + b"".join(
        int(size).to_bytes(4, "big") for size in array.shape
    )


def noisy_fashion_mnist(folder, sigma=48.0, seed=0):
    """A copy of Fashion-MNIST whose test images carry Gaussian noise (the training files are
    linked unchanged: the loader reads both)."""
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(FASHION_MNIST)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz"):  # fmt: skip
        shutil.copy(source / name, folder / name)
    raw = gzip.decompress((source / "t10k-images-idx3-ubyte.gz").read_bytes())
    images = np.frombuffer(raw[16:], np.uint8).reshape(-1, 28, 28).astype(np.float32)
    noise = np.random.default_rng(seed).normal(0.0, sigma, images.shape)
    noisy = np.clip(np.round(images + noise), 0, 255).astype(np.uint8)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(idx_header(noisy) + noisy.tobytes())
    )
    return images[:4].astype(np.uint8)


def sentiment_csv(folder, train=600, test=200, seed=0):
    """Reviews of filler words around one sentiment word, as a text/label CSV task."""
    rng = np.random.default_rng(seed)
    filler = [f"word{i}" for i in range(40)]
    words = {0: ("bad", "awful", "boring"), 1: ("good", "great", "fun")}
    folder.mkdir(parents=True, exist_ok=True)
    for split, count in (("train", train), ("test", test)):
        with open(folder / f"{split}.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label"])
            for _ in range(count):
                label = int(rng.integers(0, 2))
                tokens = list(rng.choice(filler, rng.integers(4, 10)))
                tokens.insert(int(rng.integers(0, len(tokens) + 1)), rng.choice(words[label]))
                writer.writerow([" ".join(tokens), label])


def gallery(work, backend, epochs=None):
    """The three runs and their reports; `epochs` replaces each run's own (3, 4, 4)."""
    cnn, noisy = work / "fashion_cnn", work / "fashion_noisy"
    sample = noisy_fashion_mnist(noisy)
    app("train_cifar.py", "--model", "cnn", "--dataset", "fashion_mnist", "--data-dir",
        FASHION_MNIST, "--image-size", "28", "--epochs", epochs or 3, "--seed", "0", "--evaluate",
        "--output-dir", cnn, backend=backend)  # fmt: skip
    zoo("evaluate", cnn, "--data-dir", FASHION_MNIST, "--compare", f"noisy={noisy}",
        backend=backend)  # fmt: skip
    np.save(work / "fashion_test.npy", sample)
    zoo("explain", cnn, "--input", work / "fashion_test.npy", backend=backend)

    bert, reviews = work / "bert_reviews", work / "reviews"
    sentiment_csv(reviews)
    app("train_bert.py", "finetune", "--model", "bert_tiny", "--dataset", "csv", "--data-dir",
        reviews, "--vocabulary-size", "200", "--sequence-length", "16", "--epochs", epochs or 4,
        "--batch-size", "32", "--lr", "1e-3", "--evaluate", "--output-dir", bert,
        backend=backend)  # fmt: skip
    (work / "reviews.txt").write_text("word3 word17 great word8 word21\nword5 boring word30\n")
    zoo("explain", bert, "--input", work / "reviews.txt", backend=backend)

    deepfm = work / "deepfm"
    app("train_recommender.py", "--model", "deepfm", "--dataset", "synthetic", "--max-rows",
        "20000", "--epochs", epochs or 4, "--lr", "0.01", "--hidden-units", "32", "32",
        "--evaluate", "--output-dir", deepfm, backend=backend)  # fmt: skip
    rows = [{"user_id": "u3", "item_id": "i7", "genres": "a|b", "noise": 0.3},
            {"user_id": "u12", "item_id": "i40", "genres": "c", "noise": -1.2}]  # fmt: skip
    (work / "rows.json").write_text(json.dumps(rows))
    zoo("explain", deepfm, "--input", work / "rows.json", backend=backend)
    return cnn, bert, deepfm


def _load(path):
    return json.loads(Path(path).read_text())


def summary(cnn, bert, deepfm, backend):
    report = _load(cnn / "evaluation.json")["results"]
    test, noisy = report["fashion_mnist"]["metrics"], report["noisy"]["metrics"]
    images = _load(cnn / "explanations" / "explanations.json")["examples"]
    texts = _load(bert / "explanations" / "explanations.json")["examples"]
    clicks = _load(deepfm / "evaluation.json")["results"]["synthetic"]["metrics"]
    rows = _load(deepfm / "explanations" / "explanations.json")["examples"]
    bert_accuracy = _load(bert / "evaluation.json")["results"]["csv"]["metrics"]["accuracy"]
    gaps = [e["completeness_gap"] / max(abs(e["output_difference"]), 1e-12)
            for e in images + texts + rows]  # fmt: skip
    lines = [
        f"Made by `python benchmarks/evaluation_gallery.py` (KERAS_BACKEND={backend}).",
        "",
        "| | clean test set | noisy copy (sigma 48) | change |",
        "|---|---:|---:|---:|",
    ]
    for label, key in (("accuracy", "accuracy"), ("macro F1", "macro_f1"),
                       ("expected calibration error", "expected_calibration_error")):  # fmt: skip
        lines.append(f"| cnn on Fashion-MNIST: {label} | {test[key]:.4f} | {noisy[key]:.4f} "
                     f"| {noisy[key] - test[key]:+.4f} |")  # fmt: skip
    lines += [
        "",
        f"- bert_tiny on the sentiment reviews: test accuracy {bert_accuracy:.4f}; the top token "
        f"of each explained review: {', '.join(repr(t['top_tokens'][0][0]) for t in texts)}.",
        f"- DeepFM on the synthetic interactions: AUC {clicks['auc']:.4f}, log loss "
        f"{clicks['logloss']:.4f}, impression-weighted AUC per user "
        f"{clicks['group_auc']['weighted_auc']:.4f}.",
        f"- Integrated gradients' completeness gap over the {len(gaps)} explained examples: at "
        f"most {max(gaps):.2%} of |F(x) - F(baseline)| (64 steps).",
    ]
    return "\n".join(lines)


def publish(cnn, bert, deepfm, table):
    PICTURES.mkdir(parents=True, exist_ok=True)
    images = cnn / "explanations"
    chosen = {
        cnn / "confusion_matrix.png": "confusion_matrix.png",
        cnn / "confusion_matrix_noisy.png": "confusion_matrix_noisy.png",
        cnn / "reliability.png": "reliability.png",
        cnn / "training_curves.png": "training_curves.png",
        images / "fashion_test_0_grad_cam.png": "grad_cam.png",
        images / "fashion_test_0_integrated_gradients.png": "integrated_gradients.png",
        bert / "explanations" / "line1_integrated_gradients.png": "bert_tokens.png",
        bert / "explanations" / "line1_attention.png": "bert_attention.png",
        bert / "explanations" / "line1_rollout.png": "bert_rollout.png",
        deepfm / "explanations" / "row1_features.png": "deepfm_features.png",
        deepfm / "group_auc.png": "deepfm_group_auc.png",
    }
    for source, name in chosen.items():
        copy_atomically(source, PICTURES / name)
    write_between_markers(DOCS, MARKERS, table)
    print(f"updated {len(chosen)} pictures in {PICTURES}")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="jax", choices=("tensorflow", "jax", "torch"))
    parser.add_argument("--work-dir", help="keep the runs here (default: a temporary folder)")
    parser.add_argument("--epochs", type=int, help="every run's epochs (default 3, 4, 4)")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/")
    return parser


def main():
    args = build_parser().parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.work_dir or temporary)
        runs = gallery(work, args.backend, args.epochs)
        table = summary(*runs, args.backend)
        print(table)
        if not args.no_docs:
            publish(*runs, table)


if __name__ == "__main__":
    main()
