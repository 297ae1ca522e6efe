r"""Training throughput of zoo's `cnn` and `resnet20` on each backend, beside plain PyTorch.

Every configuration runs in its own process, one after another, on the same synthetic
32x32x3 batches (float32, batch 64, SGD with momentum); the first steps (tracing,
compilation) are left out. Results go to `benchmarks/results/train_throughput.csv` (or
`--results-dir`) and into the table of `docs/benchmarks.md`.

    python benchmarks/train_throughput.py                 # all models and configurations
    python benchmarks/train_throughput.py --models cnn --steps 2 --warmup-steps 1 \
        --results-dir /tmp/quick --no-docs                # a smoke run
    python -m benchmarks run --suites train_throughput    # the same, through the runner
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_output_arguments, run_worker, save_results  # noqa: E402
from _machine import stamp  # noqa: E402

RESULTS = "train_throughput.csv"
DOCS = HERE.parent / "docs" / "benchmarks.md"
MARKERS = ("<!-- train_throughput:start -->", "<!-- train_throughput:end -->")

# (label, command-line of the worker, backend, data format, what it is)
CONFIGURATIONS = [
    ("zoo / tensorflow", ["_keras_worker.py", "--backend", "tensorflow"], "channels_last"),
    ("zoo / tensorflow + XLA", ["_keras_worker.py", "--backend", "tensorflow",
                                "--jit-compile", "true"], "channels_last"),
    ("zoo / jax", ["_keras_worker.py", "--backend", "jax"], "channels_last"),
    ("zoo / torch", ["_keras_worker.py", "--backend", "torch"], "channels_last"),
    ("zoo / torch, channels_first", ["_keras_worker.py", "--backend", "torch",
                                     "--data-format", "channels_first"], "channels_first"),
    ("plain PyTorch", ["_torch_reference.py"], "NCHW"),
    ("plain PyTorch, channels_last", ["_torch_reference.py", "--channels-last"], "NHWC"),
]  # fmt: skip
REFERENCE = "plain PyTorch"


def run_one(command, model, args):
    return run_worker([HERE / command[0], *command[1:], "--model", model,
                       "--batch-size", args.batch_size, "--steps", args.steps,
                       "--warmup-steps", args.warmup_steps])  # fmt: skip


def markdown_table(rows):
    lines = [
        "| model | implementation | images/s | vs plain PyTorch | peak memory (MB) | XLA |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        speed = float(row["images_per_second"])
        relative = float(row["relative_to_reference"])
        xla = "yes" if row["jit_compile"] == "True" else "no"
        lines.append(
            f"| `{row['model']}` | {row['implementation']} | {speed:,.0f} | {relative:.2f}x "
            f"| {row['peak_rss_mb']} | {xla} |"
        )
    first = rows[0]
    lines.append("")
    lines.append(
        f"Measured {first['date']} on {first['machine']}; batch {first['batch_size']}, float32, "
        f"{first['steps']} timed steps after {first['warmup_steps']} warm-up steps."
    )
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["cnn", "resnet20"])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup-steps", type=int, default=10)
    add_output_arguments(parser, docs="docs/benchmarks.md")
    return parser


def main():
    args = build_parser().parse_args()
    rows = []
    for model in args.models:
        measured = []
        for label, command, data_format in CONFIGURATIONS:
            result = run_one(command, model, args)
            print(f"{model:9s} {label:32s} {result['images_per_second']:8.1f} images/s "
                  f"{result['peak_rss_mb']:6d} MB", flush=True)  # fmt: skip
            measured.append((label, data_format, result))
        reference = next(r for label, _, r in measured if label == REFERENCE)
        for label, data_format, result in measured:
            rows.append({
                "model": model, "implementation": label, "data_format": data_format,
                "batch_size": args.batch_size, "steps": args.steps,
                "warmup_steps": args.warmup_steps,
                "images_per_second": result["images_per_second"],
                "relative_to_reference": round(
                    result["images_per_second"] / reference["images_per_second"], 3),
                "peak_rss_mb": result["peak_rss_mb"], "jit_compile": result["jit_compile"],
                "parameters": result["parameters"], **stamp(),
            })  # fmt: skip
    save_results(rows, args.results_dir / RESULTS, DOCS, MARKERS, markdown_table,
                 update_docs=not args.no_docs)


if __name__ == "__main__":
    main()
