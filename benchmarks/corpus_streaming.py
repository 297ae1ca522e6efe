"""Corpus streaming at scale: masked-LM pretraining's tokenizer, input pipeline and first
steps on a generated plain-text corpus of `--gigabytes`, beside the in-memory reader.

Each stage runs in its own process and reports its rows/s and peak resident memory:
* generate: `make_text_corpus.py` writes the corpus once (real paragraphs, 64 MB files);
* tokenizer: the WordPiece vocabulary learned from a 100 MB sample spread over the files;
* pipeline: the streamed, shuffled, masked training batches alone, no model;
* first_step: `zoo train bert pretrain` as a user runs it (the default model and recipe,
  streamed) cut to one step (`--steps-per-epoch 1 --validation-sequences 32`): the whole
  run's seconds bound the time to the first step;
* train: the same command for `--steps` steps; rows/s is its training throughput;
* in_memory: `read_corpus` + `pack_documents` on the first `--in-memory-files` files.

Results go to `benchmarks/results/corpus_streaming.csv` and the table in
`docs/models/bert.md`.

    python benchmarks/corpus_streaming.py                       # 2 GB
    python benchmarks/corpus_streaming.py --gigabytes 0.05 --steps 5 --in-memory-files 1
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

RESULTS = "corpus_streaming.csv"
DOCS = HERE.parent / "docs" / "models" / "bert.md"
MARKERS = ("<!-- corpus_streaming:start -->", "<!-- corpus_streaming:end -->")
WORKER = HERE / "_corpus_stream_worker.py"
APP = HERE.parent / "applications" / "train_bert.py"
STAGES = {
    "tokenizer": "vocabulary learned from a 100 MB sample (lines)",
    "pipeline": "streamed, shuffled, masked training batches, no model (sequences)",
    "first_step": "zoo train bert pretrain, cut to 1 step: the whole run",
    "train": "zoo train bert pretrain, training steps (sequences)",
    "in_memory": "in-memory reader + packing (sequences)",
}


def markdown_table(rows):
    lines = stage_table(rows, STAGES)
    first = rows[0]
    read = [row for row in rows if row["stage"] == "in_memory"]
    held = (f"; the in-memory reader held the first {int(read[0]['megabytes'])} MB"
            if read else "")  # fmt: skip
    lines += ["", f"Measured {first['date']} on {first['machine']}: a generated corpus of "
                  f"{float(first['corpus_gb']):.1f} GB (`benchmarks/make_text_corpus.py`, real "
                  f"Wikipedia and movie-plot paragraphs in 64 MB files), `{first['model']}`, "
                  f"sequences of 128 tokens, batch 32, {first['backend']} "
                  f"backend{held}."]  # fmt: skip
    return "\n".join(lines)


def generate(folder, gigabytes):
    """The corpus in `folder` (written once for a size; another size is rewritten)."""
    marker = folder / ".size"
    if marker.is_file() and marker.read_text() == str(gigabytes):
        return 0.0
    from make_text_corpus import paragraphs_of, write_text_corpus
    from real_data import prepare

    for stale in folder.glob("part-*.txt"):
        stale.unlink()
    sources = [*prepare("wikipedia").glob("*.txt"), *prepare("movie_plots").glob("*.txt")]
    start = time.perf_counter()
    write_text_corpus(folder, int(gigabytes * 1e9), paragraphs_of(sources))
    marker.write_text(str(gigabytes))
    return time.perf_counter() - start


def pretrain(corpus, model, backend, folder, steps):
    """`zoo train bert pretrain` for one epoch of `steps` steps: its record (rows/s from
    metrics.json, the process's peak RSS, the whole run's seconds)."""
    command = [sys.executable, str(APP), "pretrain", "--backend", backend, "--model", model,
               "--corpus", str(corpus), "--epochs", "1", "--steps-per-epoch", str(steps),
               "--validation-sequences", "32", "--output-dir", str(folder), "--quiet"]  # fmt: skip
    peak_rss_mb, seconds = run_measured(command)
    metrics = json.loads((folder / "metrics.json").read_text())
    rows = steps * metrics["batch_size"]
    return {"rows": rows, "rows_per_second": metrics["examples_per_second"],
            "peak_rss_mb": peak_rss_mb, "run_seconds": round(seconds, 1),
            "train_seconds": round(metrics["train_seconds"], 1)}  # fmt: skip


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) /
                        "zoo_corpus_streaming", help="where the generated corpus is kept")
    parser.add_argument("--model", default="bert_mini", help="the application's default")
    parser.add_argument("--steps", type=int, default=200, help="training steps timed")
    parser.add_argument("--in-memory-files", type=int, default=4, help="64 MB each")
    parser.add_argument("--backend", default="tensorflow")
    parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=list(STAGES))
    add_output_arguments(parser, docs="docs/models/bert.md")
    return parser


def main():
    args = build_parser().parse_args()
    seconds = generate(args.corpus, args.gigabytes)
    size = sum(f.stat().st_size for f in args.corpus.glob("part-*.txt")) / 1e9
    print(f"corpus: {size:.2f} GB ({seconds:.0f} s to write)", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        vocabulary = Path(work) / "tokenizer"
        for stage in args.stages:
            if stage in ("first_step", "train"):
                steps = 1 if stage == "first_step" else args.steps
                record = pretrain(args.corpus, args.model, args.backend,
                                  Path(work) / stage, steps)  # fmt: skip
                record["seconds"] = record["run_seconds" if steps == 1 else "train_seconds"]
            else:
                if stage != "tokenizer" and not vocabulary.is_dir():
                    run_worker([WORKER, "tokenizer", args.corpus, "--vocabulary", vocabulary,
                                "--sample-mb", 8])  # fmt: skip
                record = run_worker([WORKER, stage, args.corpus, "--vocabulary", vocabulary,
                                     "--files", args.in_memory_files],
                                    timeout=6 * 3600)  # fmt: skip
            print_stage(stage, record)
            rows.append({"stage": stage, **{k: record[k] for k in
                                            ("rows", "seconds", "rows_per_second", "peak_rss_mb")},
                         "megabytes": record.get("megabytes", ""), "corpus_gb": round(size, 2),
                         "model": args.model, "backend": args.backend, **stamp()})  # fmt: skip
    save_results(rows, args.results_dir / RESULTS, DOCS, MARKERS, markdown_table,
                 update_docs=not args.no_docs)


if __name__ == "__main__":
    main()
