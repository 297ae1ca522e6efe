"""bert_base training throughput and model FLOPs utilisation on a GPU, mixed_bfloat16 + XLA.

A prepared script for a machine with an accelerator: it trains zoo's bert_base classifier
through the same worker as scaling.py (zoo's precision and XLA settings) on the JAX and
TensorFlow backends (each that is installed there: the worker needs no TensorFlow on JAX), in
mixed_bfloat16 and float32 at two batch sizes, and reports sequences/s and MFU = achieved
matmul FLOP/s / bf16 peak, beside
the published reference (NVIDIA's BERT pretraining reaches about 44% of an A100's bf16 peak,
`../shared/REFERENCES.md`). Writes `benchmarks/results/gpu_bert_mfu.csv` (or `--results-dir`).
`python -m benchmarks run` leaves it out unless given `--with-accelerator`.

    python benchmarks/gpu_bert_mfu.py                          # H100/H200: 989 TFLOP/s bf16
    python benchmarks/gpu_bert_mfu.py --peak-tflops 312        # A100
    python benchmarks/gpu_bert_mfu.py --model bert_tiny --steps 2 --peak-tflops 0.17  # CPU try
"""

import argparse
import itertools
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import csv  # noqa: E402

from _harness import add_output_arguments, run_worker, write_between_markers, write_csv  # noqa: E402, I001
from _machine import stamp  # noqa: E402
from bert_throughput import training_flops  # noqa: E402

RESULTS = "gpu_bert_mfu.csv"
PUBLISHED_MFU = 0.44
DOCS = HERE.parent / "docs" / "guides" / "scaling.md"
MARKERS = ("<!-- gpu_bert_mfu:start -->", "<!-- gpu_bert_mfu:end -->")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="bert_base")
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow"])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--precisions", nargs="+", default=["mixed_bfloat16", "float32"],
                        help="float32 rows show what mixed precision buys (their MFU is "
                             "still against the bf16 peak)")  # fmt: skip
    parser.add_argument("--sequence-length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup-steps", type=int, default=10)
    parser.add_argument("--peak-tflops", type=float, default=989.0,
                        help="the accelerator's dense bf16 peak")  # fmt: skip
    parser.add_argument("--render", action="store_true",
                        help="measure nothing: rewrite the docs table from the CSV")  # fmt: skip
    add_output_arguments(parser, docs="docs/guides/scaling.md")
    return parser


def docs_table(rows):
    """The scaling guide's table of `rows` (the CSV's dictionaries)."""
    float32 = {(row["backend"], row["batch_size"]): float(row["sequences_per_second"])
               for row in rows if row["precision"] == "float32"}  # fmt: skip
    lines = ["| backend | device | precision | XLA | batch | sequences/s | vs float32 "
             "| TFLOP/s | MFU (bf16 peak) |",
             "|---|---|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for row in rows:
        speed = float(row["sequences_per_second"])
        base = float32.get((row["backend"], row["batch_size"]))
        relative = f"{speed / base:.2f}x" if base else "—"
        xla = "yes" if row["xla"] == "True" else "no"
        lines.append(f"| {row['backend']} | {row['device']} | {row['precision']} | {xla} "
                     f"| {row['batch_size']} | {speed:,.0f} | {relative} "
                     f"| {row['achieved_tflops']} | {float(row['mfu']):.1%} |")  # fmt: skip
    first = rows[0]
    footnote = (f"`{first['model']}`, sequence length {first['sequence_length']}; measured "
                f"{first['date']} on {first['device']} ({first['machine']}) by `python "
                f"benchmarks/gpu_bert_mfu.py`, against a bf16 peak of {first['peak_tflops']} "
                f"TFLOP/s; published reference about {float(first['published_mfu']):.0%}."
                )  # fmt: skip
    return "\n".join([*lines, "", footnote])


def render(results_dir):
    with open(results_dir / RESULTS, newline="") as handle:
        write_between_markers(DOCS, MARKERS, docs_table(list(csv.DictReader(handle))))


def xla_flag(backend):
    """XLA on JAX and TensorFlow; PyTorch trains eagerly (Keras would torch.compile instead)."""
    return "false" if backend == "torch" else "true"


def main():
    args = build_parser().parse_args()
    if args.render:
        return render(args.results_dir)

    from zoo.models.bert import resolve_bert_config

    config = resolve_bert_config(args.model)
    flops = training_flops(config, args.sequence_length, pooled_only=True)
    rows = []
    configurations = itertools.product(args.backends, args.precisions, args.batch_sizes)
    for backend, precision, batch_size in configurations:
        record = run_worker([HERE / "_scale_worker.py", "--backend", backend, "--model",
                             args.model, "--precision", precision, "--xla", xla_flag(backend),
                             "--batch-size", batch_size, "--sequence-length",
                             args.sequence_length, "--steps", args.steps,
                             "--warmup-steps", args.warmup_steps])  # fmt: skip
        achieved = record["examples_per_second"] * flops
        rows.append({
            "model": args.model, "backend": backend, "device": record["device"],
            "precision": precision, "xla": record["jit_compile"], "batch_size": batch_size,
            "sequence_length": args.sequence_length,
            "sequences_per_second": record["examples_per_second"],
            "achieved_tflops": round(achieved / 1e12, 2),
            "mfu": round(achieved / (args.peak_tflops * 1e12), 4),
            "published_mfu": PUBLISHED_MFU, "peak_tflops": args.peak_tflops,
            "peak_rss_mb": record["peak_rss_mb"], **stamp(),
        })  # fmt: skip
        print(rows[-1], flush=True)
    write_csv(rows, args.results_dir / RESULTS)
    if not args.no_docs:
        render(args.results_dir)


if __name__ == "__main__":
    main()
