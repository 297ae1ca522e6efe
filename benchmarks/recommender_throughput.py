r"""Training throughput of zoo's DeepFM on Criteo-shaped data on each backend, beside the same
model in plain PyTorch.

Each configuration runs in its own process on the same synthetic rows: 13 dense values and 26
categorical ids (10,000 per field, Zipf-skewed), embedding size 10, MLP 400-400-400, batch
1024, Adam, float32; the first steps (tracing, compilation) are left out. Results go to
`benchmarks/results/recommender_throughput.csv` (or `--results-dir`) and into
`docs/models/recommenders.md`.

    python benchmarks/recommender_throughput.py
    python benchmarks/recommender_throughput.py --steps 2 --warmup-steps 1 \
        --results-dir /tmp/bench --no-docs
    python -m benchmarks run --suites recommender_throughput    # through the runner
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_output_arguments, run_worker, save_results  # noqa: E402
from _machine import stamp  # noqa: E402

RESULTS = "recommender_throughput.csv"
DOCS = HERE.parent / "docs" / "models" / "recommenders.md"
MARKERS = ("<!-- recommender_throughput:start -->", "<!-- recommender_throughput:end -->")
KERAS = "_deepfm_keras_worker.py"
CONFIGURATIONS = [
    ("zoo / tensorflow", [KERAS, "--backend", "tensorflow"]),
    ("zoo / tensorflow + XLA", [KERAS, "--backend", "tensorflow", "--jit-compile", "true"]),
    ("zoo / jax", [KERAS, "--backend", "jax"]),
    ("zoo / torch", [KERAS, "--backend", "torch"]),
    ("zoo / torch + torch.compile", [KERAS, "--backend", "torch", "--jit-compile", "true"]),
    ("plain PyTorch", ["_deepfm_torch_reference.py"]),
]
REFERENCE = "plain PyTorch"


def markdown_table(rows):
    lines = ["| implementation | samples/s | vs plain PyTorch | peak memory (MB) | compiled |",
             "|---|---:|---:|---:|---|"]  # fmt: skip
    for row in rows:
        lines.append(f"| {row['implementation']} | {float(row['samples_per_second']):,.0f} "
                     f"| {float(row['relative_to_reference']):.2f}x | {row['peak_rss_mb']} "
                     f"| {'yes' if row['jit_compile'] == 'True' else 'no'} |")  # fmt: skip
    first = rows[0]
    lines += ["", f"Measured {first['date']} on {first['machine']}; DeepFM with "
                  f"{int(first['parameters']):,} parameters, batch {first['batch_size']}, "
                  f"float32, {first['steps']} timed steps after {first['warmup_steps']} "
                  "warm-up steps."]  # fmt: skip
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup-steps", type=int, default=3)
    add_output_arguments(parser, docs="docs/models/recommenders.md")
    return parser


def main():
    args = build_parser().parse_args()
    measured = []
    for label, command in CONFIGURATIONS:
        options = ["--batch-size", args.batch_size, "--steps", args.steps,
                   "--warmup-steps", args.warmup_steps]  # fmt: skip
        result = run_worker([HERE / command[0], *command[1:], *options])
        print(f"{label:30s} {result['sequences_per_second']:10.0f} samples/s", flush=True)
        measured.append((label, result))
    reference = dict(measured)[REFERENCE]["sequences_per_second"]
    rows = [{
        "model": "deepfm", "implementation": label,
        "samples_per_second": result["sequences_per_second"],
        "relative_to_reference": round(result["sequences_per_second"] / reference, 3),
        "peak_rss_mb": result["peak_rss_mb"], "jit_compile": result["jit_compile"],
        "parameters": result["parameters"], "batch_size": args.batch_size, "steps": args.steps,
        "warmup_steps": args.warmup_steps, **stamp(),
    } for label, result in measured]  # fmt: skip
    save_results(rows, args.results_dir / RESULTS, DOCS, MARKERS, markdown_table,
                 update_docs=not args.no_docs)


if __name__ == "__main__":
    main()
