"""Training throughput of zoo's LSTM text classifiers on each backend, beside plain PyTorch.

Every configuration runs in its own process, one after another, on the same synthetic
IMDB-shaped batches: 20,000-word vocabulary, 200 tokens right-padded from random lengths of
50-200, batch 64, Adam, float32. The first steps (tracing, compilation) are left out.
Results go to `benchmarks/results/lstm_throughput.csv` (or `--results-dir`) and into
`docs/models/sequence.md`.

    python benchmarks/lstm_throughput.py
    python benchmarks/lstm_throughput.py --models lstm_text --steps 10
    python -m benchmarks run --suites lstm_throughput    # the same, through the runner
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_output_arguments, run_worker, save_results  # noqa: E402
from _machine import stamp  # noqa: E402

RESULTS = "lstm_throughput.csv"
DOCS = HERE.parent / "docs" / "models" / "sequence.md"
MARKERS = ("<!-- lstm_throughput:start -->", "<!-- lstm_throughput:end -->")

KERAS = "_lstm_keras_worker.py"
TORCH = "_lstm_torch_reference.py"
CONFIGURATIONS = [
    ("zoo / tensorflow", [KERAS, "--backend", "tensorflow"]),
    ("zoo / tensorflow + XLA", [KERAS, "--backend", "tensorflow", "--jit-compile", "true"]),
    ("zoo / jax", [KERAS, "--backend", "jax"]),
    ("zoo / torch", [KERAS, "--backend", "torch"]),
    ("keras.layers.LSTM / torch", [KERAS, "--backend", "torch", "--keras-lstm"]),
    ("plain PyTorch, padded", [TORCH]),
    ("plain PyTorch, packed", [TORCH, "--packed"]),
]
REFERENCE = "plain PyTorch, padded"


def markdown_table(rows):
    lines = [
        "| model | implementation | sequences/s | vs plain PyTorch | peak memory (MB) | XLA |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        xla = "yes" if row["jit_compile"] == "True" else "no"
        lines.append(
            f"| `{row['model']}` | {row['implementation']} "
            f"| {float(row['sequences_per_second']):,.0f} "
            f"| {float(row['relative_to_reference']):.2f}x | {row['peak_rss_mb']} | {xla} |"
        )
    first = rows[0]
    lines += ["", (
        f"Measured {first['date']} on {first['machine']}; batch {first['batch_size']}, "
        f"{first['sequence_length']} tokens, float32, {first['steps']} timed steps after "
        f"{first['warmup_steps']} warm-up steps."
    )]  # fmt: skip
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["lstm_text", "bilstm_text"])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--sequence-length", type=int, default=200)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup-steps", type=int, default=3)
    add_output_arguments(parser, docs="docs/models/sequence.md")
    return parser


def main():
    args = build_parser().parse_args()
    rows = []
    for model in args.models:
        measured = []
        for label, command in CONFIGURATIONS:
            result = run_worker([HERE / command[0], *command[1:], "--model", model,
                                 "--batch-size", args.batch_size, "--steps", args.steps,
                                 "--sequence-length", args.sequence_length,
                                 "--warmup-steps", args.warmup_steps])  # fmt: skip
            print(f"{model:12s} {label:28s} {result['sequences_per_second']:8.1f} seq/s "
                  f"{result['peak_rss_mb']:6d} MB", flush=True)  # fmt: skip
            measured.append((label, result))
        reference = dict(measured)[REFERENCE]["sequences_per_second"]
        for label, result in measured:
            rows.append({
                "model": model, "implementation": label,
                "sequences_per_second": result["sequences_per_second"],
                "steps_per_second": result["steps_per_second"],
                "relative_to_reference": round(result["sequences_per_second"] / reference, 3),
                "peak_rss_mb": result["peak_rss_mb"], "jit_compile": result["jit_compile"],
                "parameters": result["parameters"], "batch_size": args.batch_size,
                "sequence_length": args.sequence_length, "steps": args.steps,
                "warmup_steps": args.warmup_steps, **stamp(),
            })  # fmt: skip
    save_results(rows, args.results_dir / RESULTS, DOCS, MARKERS, markdown_table,
                 update_docs=not args.no_docs)


if __name__ == "__main__":
    main()
