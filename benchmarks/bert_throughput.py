"""BERT fine-tuning throughput: zoo on each backend beside keras-hub and Hugging Face.

`bert_mini` and `bert_small` sentence classifiers train on fixed batches (16 sequences of
128 tokens, float32, AdamW, numpy-fed `fit` in Keras) with one classification head for all,
zoo's: dropout 0.1 and a Dense layer on the pooled output. The encoders are zoo's
(`build_bert_classifier`: `build_bert`'s encoder and that head) and keras-hub's
`BertBackbone` (the head on its `pooled_output`) on each Keras backend, and Hugging Face
`transformers` `BertModel` (SDPA attention) with a Linear head on its pooler output in plain
PyTorch; each configuration in its own process, one after another. Results go to
`benchmarks/results/bert_throughput.csv` and into the table of `docs/models/bert.md`, with
the achieved GFLOP/s against this machine's measured matmul roof (about 170 GFLOP/s,
`../shared/REFERENCES.md`). `--results-dir` puts the CSV elsewhere.

    python benchmarks/bert_throughput.py
    python benchmarks/bert_throughput.py --models bert_mini --steps 5
    python -m benchmarks run --suites bert_throughput    # the same, through the runner
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import MATMUL_ROOF_GFLOPS, add_output_arguments, run_worker, save_results  # noqa: E402
from _machine import matmul_gflops, stamp  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from zoo.models.bert import BERT_PRESETS  # noqa: E402

RESULTS = "bert_throughput.csv"
DOCS = HERE.parent / "docs" / "models" / "bert.md"
MARKERS = ("<!-- bert_throughput:start -->", "<!-- bert_throughput:end -->")

CONFIGURATIONS = [
    (f"{implementation} / {backend}",
     ["_bert_keras_worker.py", "--implementation", implementation, "--backend", backend])
    for implementation in ("zoo", "keras_hub")
    for backend in ("tensorflow", "jax", "torch")
] + [
    (f"{implementation} / tensorflow + XLA",
     ["_bert_keras_worker.py", "--implementation", implementation, "--backend", "tensorflow",
      "--jit-compile", "true"])
    for implementation in ("zoo", "keras_hub")
] + [("transformers / PyTorch", ["_bert_hf_reference.py"])]  # fmt: skip
# The same dropout + Dense head on every encoder's pooled output (zoo's, keras-hub's
# BertBackbone's, transformers' BertModel's): differences are the encoders'.


def training_flops(config, sequence_length, pooled_only):
    """Matmul FLOPs of one training step per sequence (backward = 2 x forward).

    Per token and layer: Q, K, V and output projections (8h^2), the feed-forward network
    (4hi) and attention (4Th). `pooled_only`: the last layer computes the first position
    only (keys and values still for every token), as zoo's classifier does.
    """
    h, i, t = config.hidden_dim, config.intermediate_dim, sequence_length
    layer = t * (8 * h * h + 4 * h * i + 4 * t * h)
    last = t * 4 * h * h + (4 * h * h + 4 * h * i + 4 * t * h) if pooled_only else layer
    forward = (config.num_layers - 1) * layer + last + 2 * h * h
    return 3 * forward


def run_one(command, model, args):
    return run_worker([HERE / command[0], *command[1:], "--model", model,
                       "--batch-size", args.batch_size, "--sequence-length", args.sequence_length,
                       "--steps", args.steps, "--warmup-steps", args.warmup_steps])  # fmt: skip


def roof_gflops(row):
    """The matmul roof a row's GFLOP/s are shared against: measured by its run (the
    `roof_gflops` column), else the 2-core machine's published figure (rows from before)."""
    return float(row.get("roof_gflops") or MATMUL_ROOF_GFLOPS)


def roof_source(row):
    """Where the roof of `row` comes from, for the table's footnote."""
    if row.get("roof_gflops"):
        return (f"the roof, a float32 numpy matmul measured in the same run: "
                f"{roof_gflops(row):.0f} GFLOP/s")
    return f"the roof: {MATMUL_ROOF_GFLOPS:.0f} GFLOP/s, REFERENCES.md's 2-core machine"


def markdown_table(rows):
    lines = [
        "| model | implementation | sequences/s | steps/s | vs fastest reference "
        "| GFLOP/s (share of roof) | peak memory (MB) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        gflops, roof = float(row["achieved_gflops"]), roof_gflops(row)
        speed, steps = float(row["sequences_per_second"]), float(row["steps_per_second"])
        relative = float(row["relative_to_fastest_reference"])
        lines.append(
            f"| `{row['model']}` | {row['implementation']} | {speed:.1f} | {steps:.2f} "
            f"| {relative:.2f}x | {gflops:.0f} ({gflops / roof:.0%}) "
            f"| {row['peak_rss_mb']} |"
        )
    first = rows[0]
    lines += ["", f"Measured {first['date']} on {first['machine']}: batch {first['batch_size']} "
              f"x {first['sequence_length']} tokens, float32, AdamW, {first['steps']} timed steps "
              f"after {first['warmup_steps']} warm-up steps; {roof_source(first)}."]  # fmt: skip
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["bert_mini", "bert_small"])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--sequence-length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--warmup-steps", type=int, default=3)
    add_output_arguments(parser, docs="docs/models/bert.md")
    return parser


def main():
    args = build_parser().parse_args()
    roof = matmul_gflops()
    print(f"float32 matmul roof here: {roof} GFLOP/s", flush=True)
    rows = []
    for model in args.models:
        config = BERT_PRESETS[model]
        measured = []
        for label, command in CONFIGURATIONS:
            result = run_one(command, model, args)
            pooled_only = label.startswith("zoo")
            flops = training_flops(config, args.sequence_length, pooled_only)
            result["achieved_gflops"] = result["sequences_per_second"] * flops / 1e9
            print(f"{model:10s} {label:24s} {result['sequences_per_second']:7.1f} seq/s "
                  f"{result['achieved_gflops']:6.1f} GFLOP/s", flush=True)  # fmt: skip
            measured.append((label, result))
        fastest = max(
            r["sequences_per_second"] for label, r in measured if not label.startswith("zoo")
        )
        for label, result in measured:
            rows.append({
                "model": model, "implementation": label,
                "sequences_per_second": result["sequences_per_second"],
                "steps_per_second": result["steps_per_second"],
                "relative_to_fastest_reference": round(result["sequences_per_second"] / fastest, 3),
                "achieved_gflops": round(result["achieved_gflops"], 1), "roof_gflops": roof,
                "peak_rss_mb": result["peak_rss_mb"], "jit_compile": result["jit_compile"],
                "batch_size": args.batch_size, "sequence_length": args.sequence_length,
                "steps": args.steps, "warmup_steps": args.warmup_steps, **stamp(),
            })  # fmt: skip
    save_results(rows, args.results_dir / RESULTS, DOCS, MARKERS, markdown_table,
                 update_docs=not args.no_docs)


if __name__ == "__main__":
    main()
