r"""Inference speed of exported artifacts against Keras, side by side in one run.

For resnet20, bert_small and deepfm (sequence length 128 for BERT): latency at batch 1 and
time per batch of 64 under ONNX Runtime (float32 and int8 artifacts from `zoo.export`), the
SavedModel under TensorFlow, and Keras (`predict` and a direct call) on each backend. Then the
issue's goal: zoo's bert_mini artifacts (4 blocks, 256 wide) against keras-hub's BertBackbone of
the same shape exported by Keras's own `model.export(format="onnx")`.

    python benchmarks/export_inference.py   # ~6 minutes on 2 CPU cores
    python benchmarks/export_inference.py --models resnet20 --repeats 2 \
        --results-dir /tmp/bench --no-docs   # a smoke run
    python -m benchmarks run --suites export_inference   # the same, through the runner

Writes benchmarks/results/export_inference.csv (or `--results-dir`) and the tables in
docs/guides/export.md.
"""

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_output_arguments, run_worker, save_results  # noqa: E402
from _machine import stamp  # noqa: E402

RESULTS = "export_inference.csv"
DOCS = HERE.parent / "docs" / "guides" / "export.md"
MARKERS = ("<!-- export_inference:start -->", "<!-- export_inference:end -->")
GOAL_MARKERS = ("<!-- export_goal:start -->", "<!-- export_goal:end -->")
BACKENDS = ("tensorflow", "jax", "torch")
MODELS = ("resnet20", "bert_small", "deepfm", "bert_mini")
PLAIN = "onnxruntime float32, keras-hub BertBackbone exported by Keras"


def markdown_table(rows):
    rows = [row for row in rows if row["model"] != "bert_mini"]
    lines = ["| model | runtime | batch 1 (ms) | batch 64 (ms) | samples/s at 64 "
             "| vs keras predict, batch 1 / 64 |",
             "|---|---|---:|---:|---:|---:|"]  # fmt: skip
    for row in rows:
        predict = next(r for r in rows if r["model"] == row["model"]
                       and r["runtime"] == "keras predict (tensorflow)")  # fmt: skip
        b1 = float(predict["batch1_ms"]) / float(row["batch1_ms"])
        b64 = float(predict["batch64_ms"]) / float(row["batch64_ms"])
        lines.append(f"| {row['model']} | {row['runtime']} | {row['batch1_ms']} | "
                     f"{row['batch64_ms']} | {row['batch64_samples_per_s']} | "
                     f"{b1:.1f}x / {b64:.1f}x |")  # fmt: skip
    return "\n".join(lines)


def goal_table(rows):
    rows = [row for row in rows if row["model"] == "bert_mini"]
    plain = next(row for row in rows if row["runtime"] == PLAIN)
    lines = ["| artifact (4 blocks, 256 wide, sequence 128) | batch 1 (ms) | batch 64 (ms) "
             "| speed-up vs plain, batch 1 / 64 |", "|---|---:|---:|---:|"]  # fmt: skip
    for row in rows:
        b1 = float(plain["batch1_ms"]) / float(row["batch1_ms"])
        b64 = float(plain["batch64_ms"]) / float(row["batch64_ms"])
        label = "keras-hub BertBackbone, Keras's plain ONNX export" if row is plain else (
            f"zoo bert_mini, {row['runtime'].replace('onnxruntime ', '')}")
        lines.append(f"| {label} | {row['batch1_ms']} | {row['batch64_ms']} | "
                     f"{b1:.2f}x / {b64:.2f}x |")  # fmt: skip
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS),
                        help="the docs tables need all four")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=30,
                        help="timed calls at batch 1 (batch 64: a sixth of them)")  # fmt: skip
    add_output_arguments(parser, docs="docs/guides/export.md")
    return parser


def main():
    args = build_parser().parse_args()
    options = ["--models", *args.models, "--repeats", args.repeats]
    with tempfile.TemporaryDirectory() as folder:
        worker = [HERE / "_export_worker.py"]
        checks = run_worker([*worker, "artifacts", folder, *options])
        print("artifacts verified, max |artifact - keras|:", checks["max_abs_difference"])
        rows = run_worker([*worker, "runtimes", folder, *options])
        for backend in BACKENDS:
            rows += run_worker([*worker, "keras", folder, backend, *options])
    rows = [{**row, **stamp()} for row in rows]
    for row in rows:
        print(row)
    results = args.results_dir / RESULTS
    save_results(rows, results, DOCS, MARKERS, markdown_table, update_docs=not args.no_docs)
    if not args.no_docs:
        save_results(rows, results, DOCS, GOAL_MARKERS, goal_table)


if __name__ == "__main__":
    main()
