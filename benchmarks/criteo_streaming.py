"""Criteo streaming at scale: the vocabulary pass, the input pipeline and one epoch of DeepFM
on a generated Criteo-format log of `--rows` rows, beside the in-memory reader.

Each stage runs in its own process and reports its rows/s and peak resident memory:
* generate: `make_criteo_like.py` writes the log once (kept in `--log`'s folder);
* count: the streaming vocabulary and statistics pass over the training split;
* pipeline: the encoded, shuffled training stream alone, no model (batch 4096);
* train: `zoo train recommender --dataset criteo --epochs 1` as a user runs it (the default
  recipe, streamed); rows/s is its training throughput (metrics.json), RSS the whole run's;
* train_cached: the same with `--cache-encoded` (the encoded rows written once, read every
  epoch); compare the two with `--epochs 3`, where later epochs read the cache;
* in_memory: `read_criteo` + `TabularEncoder.fit` on the first `--in-memory-rows` rows.

Results go to `benchmarks/results/criteo_streaming.csv` and the table in
`docs/models/recommenders.md`.

    python benchmarks/criteo_streaming.py                       # 20M rows (about 5 GB)
    python benchmarks/criteo_streaming.py --rows 20000 --in-memory-rows 20000
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import (  # noqa: E402
    add_output_arguments,
    print_stage,
    run_measured,
    run_worker,
    save_results,
    stage_table,
)
from _machine import stamp  # noqa: E402

RESULTS = "criteo_streaming.csv"
DOCS = HERE.parent / "docs" / "models" / "recommenders.md"
MARKERS = ("<!-- criteo_streaming:start -->", "<!-- criteo_streaming:end -->")
WORKER = HERE / "_criteo_stream_worker.py"
APP = HERE.parent / "applications" / "train_recommender.py"
STAGES = {
    "count": "vocabulary and statistics pass (streamed)",
    "pipeline": "encoded, shuffled training stream, no model",
    "train": "zoo train recommender (streamed, default recipe)",
    "train_cached": "the same, --cache-encoded",
    "in_memory": "in-memory reader + encoder fit",
}


def markdown_table(rows):
    lines = stage_table(rows, STAGES)
    first = rows[0]
    trained = [row for row in rows if row["stage"] == "train"]
    auc = (f" Its test AUC after the epoch: {float(trained[0]['test_auc']):.4f} (the generated "
           "clicks' true probabilities rank at about 0.85)." if trained else "")  # fmt: skip
    lines += ["", f"Measured {first['date']} on {first['machine']}: a generated Criteo-format "
                  f"log of {int(first['log_rows']):,} rows "
                  f"({float(first['log_gb']):.1f} GB, `benchmarks/make_criteo_like.py`), split "
                  f"80/10/10 by a hash of each row; {first['backend']} backend for the "
                  f"training run.{auc}"]  # fmt: skip
    return "\n".join(lines)


def generate(log, rows):
    """The log of `rows` rows at `log` (written once; a shorter file with the same seed is a
    prefix of a longer one, so an existing file of another size is rewritten)."""
    marker = log.with_name(log.name + ".rows")
    if log.is_file() and marker.is_file() and marker.read_text() == str(rows):
        return 0.0
    from make_criteo_like import write_criteo_like

    start = time.perf_counter()
    write_criteo_like(log, rows, seed=0)
    marker.write_text(str(rows))
    return time.perf_counter() - start


def train(log, backend, folder, epochs=1, cached=False):
    """`epochs` epochs of the application: its record (rows/s from metrics.json, peak RSS of
    the process, test AUC); `cached`: with --cache-encoded."""
    command = [sys.executable, str(APP), "--backend", backend, "--dataset", "criteo",
               "--data-dir", str(log.parent), "--epochs", str(epochs), "--output-dir",
               str(folder), "--quiet", *(["--cache-encoded"] if cached else [])]  # fmt: skip
    peak_rss_mb, seconds = run_measured(command)
    metrics = json.loads((folder / "metrics.json").read_text())
    return {"rows": metrics["num_train"] * epochs, "seconds": round(metrics["train_seconds"], 1),
            "rows_per_second": metrics["examples_per_second"],
            "peak_rss_mb": peak_rss_mb, "run_seconds": round(seconds, 1),
            "test_auc": round(metrics["test_auc"], 4)}  # fmt: skip


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--log", type=Path, default=Path(tempfile.gettempdir()) /
                        "zoo_criteo_streaming" / "train.txt",
                        help="where the generated log is kept (its folder is the data dir)")
    parser.add_argument("--in-memory-rows", type=int, default=2_000_000)
    parser.add_argument("--backend", default="tensorflow")
    parser.add_argument("--stages", nargs="+", default=["count", "pipeline", "train", "in_memory"],
                        choices=list(STAGES))
    parser.add_argument("--epochs", type=int, default=1, help="of the train stages")
    add_output_arguments(parser, docs="docs/models/recommenders.md")
    return parser


def main():
    args = build_parser().parse_args()
    seconds = generate(args.log, args.rows)
    print(f"log: {args.rows:,} rows, {args.log.stat().st_size / 1e9:.2f} GB "
          f"({seconds:.0f} s to write)", flush=True)  # fmt: skip
    rows = []
    for stage in args.stages:
        if stage.startswith("train"):
            with tempfile.TemporaryDirectory() as folder:
                record = train(args.log, args.backend, Path(folder) / "run", args.epochs,
                               cached=stage == "train_cached")  # fmt: skip
        else:
            limit = ["--rows", args.in_memory_rows] if stage == "in_memory" else []
            record = run_worker([WORKER, stage, args.log, *limit], timeout=6 * 3600)
        print_stage(stage, record)
        rows.append({"stage": stage, **{k: record[k] for k in
                                        ("rows", "seconds", "rows_per_second", "peak_rss_mb")},
                     "test_auc": record.get("test_auc", ""), "log_rows": args.rows,
                     "epochs": args.epochs if stage.startswith("train") else "",
                     "run_seconds": record.get("run_seconds", ""),
                     "log_gb": round(args.log.stat().st_size / 1e9, 2),
                     "backend": args.backend, **stamp()})  # fmt: skip
    save_results(rows, args.results_dir / RESULTS, DOCS, MARKERS, markdown_table,
                 update_docs=not args.no_docs)


if __name__ == "__main__":
    main()
