"""GPT training throughput: zoo on each backend beside nanoGPT-style PyTorch and Hugging Face.

A GPT-2-shaped character-level language model (`gpt_mini`: 6 layers x 384, 6 heads, context
256, vocabulary 65, the preset's dropout 0.2) trains on random batches of 8 x 256 tokens,
float32, AdamW: zoo's `build_gpt_lm` with numpy-fed `fit` on each Keras backend, a compact
nanoGPT-style model written in plain PyTorch (fused QKV projection, `scaled_dot_product_attention`,
pre-LayerNorm blocks, tied head; `_gpt_torch_reference.py`) and
`transformers.GPT2LMHeadModel` (SDPA attention) of the same shape, both in the plain PyTorch
loop. Each configuration runs in its own process; with `--repeats N` the configurations run
N times round-robin (every other round in reverse order) and each keeps its best, so a
passing load spike hits every implementation alike. Warm-up steps (tracing, compilation)
are excluded. Results go to `benchmarks/results/gpt_throughput.csv` (or `--results-dir`).

    python benchmarks/gpt_throughput.py
    python benchmarks/gpt_throughput.py --steps 4 --warmup-steps 2 --repeats 2
    python -m benchmarks run --suites gpt_throughput    # the same, through the runner
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_results_dir_argument, run_worker, write_csv  # noqa: E402
from _machine import matmul_gflops, stamp  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from zoo.models.gpt_presets import GPT_PRESETS  # noqa: E402

RESULTS = "gpt_throughput.csv"
KERAS, TORCH = "_gpt_keras_worker.py", "_gpt_torch_reference.py"
CONFIGURATIONS = [
    ("zoo / tensorflow", [KERAS, "--backend", "tensorflow"]),
    ("zoo / tensorflow + XLA", [KERAS, "--backend", "tensorflow", "--jit-compile", "true"]),
    ("zoo / jax", [KERAS, "--backend", "jax"]),
    ("zoo / torch", [KERAS, "--backend", "torch"]),
    ("nanoGPT / PyTorch", [TORCH, "--implementation", "nanogpt"]),
    ("nanoGPT / PyTorch + torch.compile", [TORCH, "--implementation", "nanogpt", "--compile"]),
    ("transformers GPT2LMHeadModel / PyTorch", [TORCH, "--implementation", "transformers"]),
]


def training_flops(config, sequence_length):
    """Matmul FLOPs of one training step per sequence (backward = 2 x forward): per token
    and layer the QKV and output projections (8h^2), the MLP (4hi) and full (unmasked)
    attention (4Th), plus the tied head (2hV)."""
    h, i, t = config.hidden_dim, config.intermediate_dim, sequence_length
    layer = 8 * h * h + 4 * h * i + 4 * t * h
    return 3 * t * (config.num_layers * layer + 2 * h * config.vocabulary_size)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["gpt_mini"], choices=list(GPT_PRESETS))
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--sequence-length", type=int, default=256)
    parser.add_argument("--dropout", type=float, default=None, help="default: the preset's")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup-steps", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=1,
                        help="rounds over every configuration; each keeps its best")
    parser.add_argument("--only", nargs="+", metavar="LABEL_START",
                        help="only the configurations whose label starts with one of these")
    add_results_dir_argument(parser)
    return parser


def main():
    args = build_parser().parse_args()
    roof = matmul_gflops()
    print(f"float32 matmul roof here: {roof} GFLOP/s", flush=True)
    configurations = [(label, command) for label, command in CONFIGURATIONS
                      if not args.only or label.startswith(tuple(args.only))]  # fmt: skip
    rows = []
    for model in args.models:
        config = GPT_PRESETS[model]
        dropout = config.dropout if args.dropout is None else args.dropout
        best = {}
        for round_ in range(args.repeats):
            order = configurations if round_ % 2 == 0 else configurations[::-1]
            for label, command in order:
                result = run_worker([HERE / command[0], *command[1:], "--model", model,
                                     "--batch-size", args.batch_size,
                                     "--sequence-length", args.sequence_length,
                                     "--dropout", dropout, "--steps", args.steps,
                                     "--warmup-steps", args.warmup_steps])  # fmt: skip
                tokens = result["sequences_per_second"] * args.sequence_length
                print(f"{model} round {round_ + 1} {label:40s} {tokens:8.0f} tokens/s",
                      flush=True)  # fmt: skip
                previous = best.get(label)
                if not previous or result["steps_per_second"] > previous["steps_per_second"]:
                    best[label] = result
        peers = [r for label, r in best.items() if not label.startswith("zoo")]
        fastest = max((r["sequences_per_second"] for r in peers), default=None)
        flops = training_flops(config, args.sequence_length)
        for label, _ in configurations:
            result = best[label]
            rows.append({
                "model": model, "implementation": label,
                "tokens_per_second": round(result["sequences_per_second"] * args.sequence_length),
                "sequences_per_second": result["sequences_per_second"],
                "steps_per_second": result["steps_per_second"],
                "relative_to_fastest_peer": (round(result["sequences_per_second"] / fastest, 3)
                                             if fastest else ""),
                "achieved_gflops": round(result["sequences_per_second"] * flops / 1e9, 1),
                "roof_gflops": roof, "parameters": result["parameters"],
                "peak_rss_mb": result["peak_rss_mb"], "jit_compile": result["jit_compile"],
                "batch_size": args.batch_size, "sequence_length": args.sequence_length,
                "dropout": dropout, "steps": args.steps, "warmup_steps": args.warmup_steps,
                "repeats": args.repeats, **stamp(),
            })  # fmt: skip
    for row in rows:
        print(f"{row['model']} {row['implementation']:40s} {row['tokens_per_second']:7d} tokens/s "
              f"{row['relative_to_fastest_peer']}x of the fastest peer", flush=True)
    write_csv(rows, args.results_dir / RESULTS)


if __name__ == "__main__":
    main()
