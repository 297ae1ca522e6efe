r"""Training throughput under zoo's precision, XLA and data-parallel settings, on each backend.

Two suites, every configuration in its own process (`_scale_worker.py`), one after another:

- precision_xla: resnet20 (batch 64) and bert_small (batch 16, 128 tokens) in float32 and
  mixed_bfloat16, XLA on and off on TensorFlow, on (its only sensible mode) on JAX, off
  on torch (no XLA there). Each figure beside its backend's float32 baseline.
- data_parallel: the same models on 1 and 2 simulated CPU devices (TensorFlow `mirrored` on
  logical CPUs, JAX `data_parallel` on host devices) at a fixed per-replica batch; scaling
  efficiency = throughput on 2 devices / (2 x throughput on 1). The simulated devices share
  this machine's cores, so this measures the strategies' overhead, not a speed-up.

Results go to `benchmarks/results/{precision_xla,data_parallel_scaling}.csv` (or
`--results-dir`) and into the tables of `docs/guides/scaling.md`.

    python benchmarks/scaling.py                        # both suites
    python benchmarks/scaling.py --suites data_parallel --models resnet20
    python benchmarks/scaling.py --models resnet20 --steps 2 --warmup-steps 1 \
        --results-dir /tmp/bench --no-docs
    python -m benchmarks run --suites precision_xla data_parallel   # through the runner
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_output_arguments, run_worker, save_results  # noqa: E402
from _machine import stamp  # noqa: E402

DOCS = HERE.parent / "docs" / "guides" / "scaling.md"
WORKER = HERE / "_scale_worker.py"
# model -> (batch per replica, timed steps, warm-up steps)
MODELS = {"resnet20": (64, 20, 5), "bert_small": (16, 10, 3)}
# (backend, precision, xla)
PRECISION_XLA = [
    ("tensorflow", "float32", "false"), ("tensorflow", "float32", "true"),
    ("tensorflow", "mixed_bfloat16", "false"), ("tensorflow", "mixed_bfloat16", "true"),
    ("jax", "float32", "true"), ("jax", "mixed_bfloat16", "true"),
    ("torch", "float32", "false"), ("torch", "mixed_bfloat16", "false"),
]  # fmt: skip
DATA_PARALLEL = {"tensorflow": "mirrored", "jax": "data_parallel"}


def measure(model, backend, *, precision="float32", xla="auto", strategy="none", devices=1):
    batch, steps, warmup = MODELS[model]
    record = run_worker([WORKER, "--backend", backend, "--model", model, "--precision",
                         precision, "--xla", xla, "--strategy", strategy, "--devices", devices,
                         "--batch-size", batch * devices, "--steps", steps,
                         "--warmup-steps", warmup])  # fmt: skip
    print(model, backend, precision, xla, strategy, devices, record, flush=True)
    return {"model": model, "backend": backend, "precision": precision,
            "xla": record["jit_compile"], "strategy": strategy, "devices": devices,
            "batch_size": batch * devices, "steps": steps, "warmup_steps": warmup,
            "examples_per_second": record["examples_per_second"],
            "peak_rss_mb": record["peak_rss_mb"]}  # fmt: skip


def precision_xla_rows(models, stamp):
    rows = []
    for model in models:
        baselines = {}
        for backend, precision, xla in PRECISION_XLA:
            row = measure(model, backend, precision=precision, xla=xla)
            baselines.setdefault(backend, row["examples_per_second"])
            row["relative_to_float32"] = round(row["examples_per_second"] / baselines[backend], 3)
            rows.append({**row, **stamp})
    return rows


def data_parallel_rows(models, stamp):
    rows = []
    for model in models:
        for backend, strategy in DATA_PARALLEL.items():
            one = measure(model, backend)
            two = measure(model, backend, strategy=strategy, devices=2)
            efficiency = two["examples_per_second"] / (2 * one["examples_per_second"])
            for row in (one, two):
                rows.append({**row, "scaling_efficiency": round(efficiency, 3), **stamp})
    return rows


def precision_xla_table(rows):
    lines = ["| model | backend | precision | XLA | examples/s | vs float32 | peak memory (MB) |",
             "|---|---|---|---|---:|---:|---:|"]  # fmt: skip
    for row in rows:
        xla = "yes" if row["xla"] == "True" else "no"
        speed, relative = float(row["examples_per_second"]), float(row["relative_to_float32"])
        lines.append(f"| `{row['model']}` | {row['backend']} | {row['precision']} | {xla} "
                     f"| {speed:,.1f} | {relative:.2f}x | {row['peak_rss_mb']} |")  # fmt: skip
    return "\n".join([*lines, "", _footnote(rows[0])])


def data_parallel_table(rows):
    lines = ["| model | backend | strategy | devices | global batch | examples/s | efficiency |",
             "|---|---|---|---:|---:|---:|---:|"]  # fmt: skip
    for row in rows:
        lines.append(f"| `{row['model']}` | {row['backend']} | {row['strategy']} "
                     f"| {row['devices']} | {row['batch_size']} "
                     f"| {float(row['examples_per_second']):,.1f} "
                     f"| {float(row['scaling_efficiency']):.2f} |")  # fmt: skip
    return "\n".join([*lines, "", _footnote(rows[0])])


def _footnote(row):
    return (f"Measured {row['date']} on {row['machine']} by `python benchmarks/scaling.py`; "
            "timed steps after warm-up steps that pay for tracing and compilation.")  # fmt: skip


SUITES = {
    "precision_xla": (precision_xla_rows, precision_xla_table),
    "data_parallel": (data_parallel_rows, data_parallel_table),
}
RESULT_FILES = {"precision_xla": "precision_xla.csv", "data_parallel": "data_parallel_scaling.csv"}


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suites", nargs="+", choices=list(SUITES), default=list(SUITES))
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--steps", type=int, help="timed steps (default: per model, MODELS)")
    parser.add_argument("--warmup-steps", type=int, help="warm-up steps (default: per model)")
    add_output_arguments(parser, docs="docs/guides/scaling.md")
    return parser


def main():
    args = build_parser().parse_args()
    for model, (batch, steps, warmup) in MODELS.items():  # --steps, --warmup-steps override
        MODELS[model] = (batch, args.steps or steps, args.warmup_steps or warmup)
    for suite in args.suites:
        rows_of, table = SUITES[suite]
        markers = (f"<!-- {suite}:start -->", f"<!-- {suite}:end -->")
        save_results(rows_of(args.models, stamp()), args.results_dir / RESULT_FILES[suite],
                     DOCS, markers, table, update_docs=not args.no_docs)  # fmt: skip


if __name__ == "__main__":
    main()
