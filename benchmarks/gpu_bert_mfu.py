"""bert_base training throughput and model FLOPs utilisation on a GPU, mixed_bfloat16 + XLA.

A prepared script for a machine with an accelerator: it trains zoo's bert_base classifier
through the same worker as scaling.py (zoo's precision and XLA settings) on the JAX and
TensorFlow backends and reports sequences/s and MFU = achieved matmul FLOP/s / peak, beside
the published reference (NVIDIA's BERT pretraining reaches about 44% of an A100's bf16 peak,
`../shared/REFERENCES.md`). Writes `benchmarks/results/gpu_bert_mfu.csv` (or `--results-dir`).
`python -m benchmarks run` leaves it out unless given `--with-accelerator`.

    python benchmarks/gpu_bert_mfu.py                          # H100/H200: 989 TFLOP/s bf16
    python benchmarks/gpu_bert_mfu.py --peak-tflops 312        # A100
    python benchmarks/gpu_bert_mfu.py --model bert_tiny --steps 2 --peak-tflops 0.17  # CPU try
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _harness import add_results_dir_argument, run_worker, write_csv  # noqa: E402
from _machine import stamp  # noqa: E402
from bert_throughput import training_flops  # noqa: E402

RESULTS = "gpu_bert_mfu.csv"
PUBLISHED_MFU = 0.44


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="bert_base")
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow"])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--sequence-length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup-steps", type=int, default=10)
    parser.add_argument("--peak-tflops", type=float, default=989.0,
                        help="the accelerator's dense bf16 peak")  # fmt: skip
    add_results_dir_argument(parser)
    return parser


def main():
    args = build_parser().parse_args()

    from zoo.models.bert import resolve_bert_config

    config = resolve_bert_config(args.model)
    flops = training_flops(config, args.sequence_length, pooled_only=True)
    rows = []
    for backend in args.backends:
        record = run_worker([HERE / "_scale_worker.py", "--backend", backend, "--model",
                             args.model, "--precision", "mixed_bfloat16", "--xla", "true",
                             "--batch-size", args.batch_size, "--sequence-length",
                             args.sequence_length, "--steps", args.steps,
                             "--warmup-steps", args.warmup_steps])  # fmt: skip
        achieved = record["examples_per_second"] * flops
        rows.append({
            "model": args.model, "backend": backend, "precision": "mixed_bfloat16",
            "xla": record["jit_compile"], "batch_size": args.batch_size,
            "sequence_length": args.sequence_length,
            "sequences_per_second": record["examples_per_second"],
            "achieved_tflops": round(achieved / 1e12, 2),
            "mfu": round(achieved / (args.peak_tflops * 1e12), 4),
            "published_mfu": PUBLISHED_MFU, "peak_tflops": args.peak_tflops,
            **stamp(),
        })  # fmt: skip
        print(rows[-1], flush=True)
    write_csv(rows, args.results_dir / RESULTS)


if __name__ == "__main__":
    main()
