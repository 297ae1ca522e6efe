r"""Model quality on real data: each family's registered recipe, trained as a user runs it
(the application's defaults, nothing tuned per run), beside a plain baseline of the same
network trained in the same run and the published reference where the comparison is fair.

The data sets are real and come from package registries (`benchmarks/real_data.py` names
each one's source and licence). Each task's rows replace that task's earlier rows in
`benchmarks/results/quality.csv` as soon as it finishes, so a stopped run keeps what it
measured; the table in `docs/quality.md` and the registry's `measured` entries
(`zoo/_measured.py`, shown on the model cards and by `zoo info`) are rewritten from the CSV.

    python benchmarks/quality.py                                # every task, full size (hours)
    python benchmarks/quality.py --tasks cnn_fashion_mnist --backends jax
    python benchmarks/quality.py --quick --results-dir /tmp/quality --no-docs   # smoke size
    python benchmarks/quality.py --render                       # docs from the CSV, no training
    python -m benchmarks run --suites quality                    # the same, through the runner
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from _harness import add_output_arguments, write_between_markers, write_csv, write_text_atomically  # noqa: E402, I001
from _machine import stamp  # noqa: E402
from _report import read_rows  # noqa: E402

from benchmarks import (  # noqa: E402
    _quality_images,
    _quality_language,
    _quality_recommenders,
    _quality_series,
    _quality_text,
)
from benchmarks._quality import COLUMNS, Context, measured_module, merge_rows  # noqa: E402

RESULTS = "quality.csv"
DOCS = ROOT / "docs" / "quality.md"
MEASURED_MODULE = ROOT / "zoo" / "_measured.py"
MARKERS = ("<!-- quality_results:start -->", "<!-- quality_results:end -->")
DATA_MARKERS = ("<!-- quality_data:start -->", "<!-- quality_data:end -->")
BACKENDS = ("tensorflow", "jax", "torch")
FAMILIES = (_quality_images, _quality_text, _quality_language, _quality_recommenders,
            _quality_series)
TASKS = {task.name: task for family in FAMILIES for task in family.TASKS}


def _value(row):
    return f"{float(row['value']):g}{row['unit']}"


def markdown_table(rows):
    """One line per task and backend: zoo's figure, its baselines and the reference."""
    lines = ["| task | model | data set | backend | epochs | zoo | plain baseline(s), same run "
             "| published reference | notes |", "|---|---|---|---|---:|---:|---|---|---|"]
    for task in dict.fromkeys(row["task"] for row in rows):
        group = [row for row in rows if row["task"] == task]
        references = "; ".join(f"{_value(r)} ({r['figure']})" for r in group
                               if r["role"] == "reference") or "—"  # fmt: skip
        for backend in dict.fromkeys(r["backend"] for r in group if r["backend"]):
            runs = [r for r in group if r["backend"] == backend]
            for zoo in (r for r in runs if r["role"] == "zoo"):
                baselines = "; ".join(f"{_value(r)} {r['figure']}" for r in runs
                                      if r["role"] == "baseline") or "—"  # fmt: skip
                lines.append(
                    f"| `{task}` | `{zoo['model']}` | {zoo['dataset']} | {backend} "
                    f"| {zoo['epochs']} | **{_value(zoo)}** {zoo['metric']} ({zoo['figure']}) "
                    f"| {baselines} | {references} | {zoo['note']} |")  # fmt: skip
    machines = " and ".join(dict.fromkeys(row["machine"] for row in rows))
    lines += ["", f"Measured on {machines} (machine and date per row in "
                  "`benchmarks/results/quality.csv`) with `python benchmarks/quality.py`."]
    return "\n".join(lines)


def data_table():
    """Every real data set the suite trains on: kind, size, source, licence, reference."""
    from benchmarks.real_data import DATASETS

    lines = ["| data set | kind | rows | source (package: path) | licence | reference |",
             "|---|---|---:|---|---|---|"]
    lines += [f"| `{d.name}` | {d.kind} | {d.rows:,} | {d.source} | {d.license} | {d.citation} |"
              for d in DATASETS.values()]  # fmt: skip
    return "\n".join(lines)


def save(rows, results_dir, update_docs):
    """Merge `rows` into the results CSV; rewrite the docs table and `zoo/_measured.py`."""
    path = results_dir / RESULTS
    merged = merge_rows(read_rows(path), rows)
    write_csv([{key: row.get(key, "") for key in (*COLUMNS, "date", "machine")}
               for row in merged], path)  # fmt: skip
    if update_docs:
        merged = read_rows(path)
        write_between_markers(DOCS, MARKERS, markdown_table(merged))
        write_between_markers(DOCS, DATA_MARKERS, data_table())
        for family in FAMILIES:  # a family's own table on its model page
            for page, markers, table in getattr(family, "DOCS_TABLES", ()):
                write_between_markers(ROOT / page, markers, table(merged))
        write_text_atomically(MEASURED_MODULE, measured_module(merged))
        print(f"updated {MEASURED_MODULE}")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", choices=list(TASKS), default=list(TASKS),
                        metavar="TASK", help=f"default: all ({', '.join(TASKS)})")
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=["tensorflow"])
    parser.add_argument("--quick", action="store_true",
                        help="smoke size: one epoch on a few thousand rows (figures meaningless)")
    parser.add_argument("--epochs", type=int,
                        help="every run's epochs instead of the recipes' (a stated time budget)")
    parser.add_argument("--render", action="store_true",
                        help="train nothing: rewrite the docs and zoo/_measured.py from the CSV")
    add_output_arguments(parser, docs="docs/quality.md and zoo/_measured.py")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.render:
        save([], args.results_dir, update_docs=True)
        return 0
    failed = []
    with tempfile.TemporaryDirectory() as work:
        for backend in args.backends:
            for name in args.tasks:
                task = TASKS[name]
                context = Context(backend, Path(work), args.quick, args.epochs)
                start = time.perf_counter()
                print(f"{name} on {backend} ...", flush=True)
                try:
                    rows = task.run(task, context)
                except Exception as error:  # one failed task must not lose the others
                    print(f"{name} on {backend} FAILED: {error}", file=sys.stderr, flush=True)
                    failed.append(f"{name}/{backend}")
                    continue
                for row in rows:
                    print(f"    {row['role']:9s} {row['figure']}: {row['value']}", flush=True)
                print(f"{name} on {backend}: {time.perf_counter() - start:.0f} s", flush=True)
                save([{**row, **stamp()} for row in rows], args.results_dir,
                     update_docs=not args.no_docs and not args.quick)  # fmt: skip
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
