"""Corpus streaming at scale: pretraining's tokenizer, input pipeline and first steps on a
generated plain-text corpus of `--gigabytes`, beside the in-memory reader, for BERT's masked
LM (`--family bert`, the default) or GPT's causal LM (`--family gpt`).

Each stage runs in its own process and reports its rows/s and peak resident memory:
* generate: `make_text_corpus.py` writes the corpus once (real paragraphs, 64 MB files);
* tokenizer: the vocabulary learned from a 100 MB sample spread over the files (WordPiece;
  characters for GPT);
* pipeline: the streamed, shuffled training batches alone (masked rows; windows), no model;
* first_step: `zoo train bert|gpt pretrain` as a user runs it (the default model and recipe,
  streamed) cut to one step (`--steps-per-epoch 1`, 32 validation sequences or windows): the
  whole run's seconds bound the time to the first step;
* train: the same command for `--steps` steps; rows/s is its training throughput;
* in_memory: the in-memory reader on the first `--in-memory-files` files (`read_corpus` +
  `pack_documents`; `read_documents` + `token_stream` for GPT).

Results go to `benchmarks/results/corpus_streaming.csv` and the table in
`docs/models/bert.md` (GPT: `gpt_corpus_streaming.csv`, `docs/models/gpt.md`).

    python benchmarks/corpus_streaming.py                       # 2 GB
    python benchmarks/corpus_streaming.py --family gpt --in-memory-files 2
    python benchmarks/corpus_streaming.py --gigabytes 0.05 --steps 5 --in-memory-files 1
"""

import argparse
import dataclasses
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

WORKER = HERE / "_corpus_stream_worker.py"


@dataclasses.dataclass(frozen=True)
class Family:
    """What a model family's run of the benchmark trains, writes and calls its stages."""

    app: str
    model: str
    results: str
    docs: str
    markers: tuple
    stages: dict
    validation_flag: str  # bounds the validation pass of a one-step run
    unit: str  # what a row of the corpus is for this family


FAMILIES = {
    "bert": Family("train_bert.py", "bert_mini", "corpus_streaming.csv", "bert.md",
                   ("<!-- corpus_streaming:start -->", "<!-- corpus_streaming:end -->"), {
                       "tokenizer": "vocabulary learned from a 100 MB sample (lines)",
                       "pipeline": "streamed, shuffled, masked training batches, no model "
                                   "(sequences)",
                       "first_step": "zoo train bert pretrain, cut to 1 step: the whole run",
                       "train": "zoo train bert pretrain, training steps (sequences)",
                       "in_memory": "in-memory reader + packing (sequences)",
                   }, "--validation-sequences", "sequences of 128 tokens"),
    "gpt": Family("train_gpt.py", "gpt_nano", "gpt_corpus_streaming.csv", "gpt.md",
                  ("<!-- gpt_corpus_streaming:start -->", "<!-- gpt_corpus_streaming:end -->"), {
                      "tokenizer": "characters learned from a 100 MB sample (lines)",
                      "pipeline": "streamed, shuffled training windows, no model (windows)",
                      "first_step": "zoo train gpt pretrain --stream, cut to 1 step: the whole "
                                    "run",
                      "train": "zoo train gpt pretrain --stream, training steps (windows)",
                      "in_memory": "in-memory reader + token stream (tokens)",
                  }, "--validation-windows", "windows of 256 characters"),
}  # fmt: skip


def markdown_table(rows, family):
    lines = stage_table(rows, family.stages)
    first = rows[0]
    read = [row for row in rows if row["stage"] == "in_memory"]
    held = (f"; the in-memory reader held the first {int(read[0]['megabytes'])} MB"
            if read else "")  # fmt: skip
    lines += ["", f"Measured {first['date']} on {first['machine']}: a generated corpus of "
                  f"{float(first['corpus_gb']):.1f} GB (`benchmarks/make_text_corpus.py`, real "
                  f"Wikipedia and movie-plot paragraphs in 64 MB files), `{first['model']}`, "
                  f"{family.unit}, {first['backend']} backend{held}."]  # fmt: skip
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


def pretrain(family, corpus, backend, folder, steps):
    """`zoo train bert|gpt pretrain` for one epoch of `steps` steps, streamed: its record
    (rows/s from metrics.json, the process's peak RSS, the whole run's seconds)."""
    command = [sys.executable, str(HERE.parent / "applications" / family.app), "pretrain",
               "--backend", backend, "--model", family.model, "--corpus", str(corpus),
               "--epochs", "1", "--steps-per-epoch", str(steps), family.validation_flag, "32",
               "--output-dir", str(folder), "--quiet",
               *(["--stream"] if family.app == "train_gpt.py" else [])]  # fmt: skip
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
    parser.add_argument("--family", choices=sorted(FAMILIES), default="bert")
    parser.add_argument("--steps", type=int, default=200, help="training steps timed")
    parser.add_argument("--in-memory-files", type=int, default=4, help="64 MB each")
    parser.add_argument("--backend", default="tensorflow")
    parser.add_argument("--stages", nargs="+", choices=list(FAMILIES["bert"].stages),
                        help="default: all")  # fmt: skip
    add_output_arguments(parser, docs="docs/models/bert.md or gpt.md")
    return parser


def main():
    args = build_parser().parse_args()
    family = FAMILIES[args.family]
    seconds = generate(args.corpus, args.gigabytes)
    size = sum(f.stat().st_size for f in args.corpus.glob("part-*.txt")) / 1e9
    print(f"corpus: {size:.2f} GB ({seconds:.0f} s to write)", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        vocabulary = Path(work) / "tokenizer"
        for stage in args.stages or list(family.stages):
            if stage in ("first_step", "train"):
                steps = 1 if stage == "first_step" else args.steps
                record = pretrain(family, args.corpus, args.backend, Path(work) / stage, steps)
                record["seconds"] = record["run_seconds" if steps == 1 else "train_seconds"]
            else:
                if stage != "tokenizer" and not vocabulary.is_dir():
                    run_worker([WORKER, "tokenizer", args.corpus, "--vocabulary", vocabulary,
                                "--sample-mb", 8, "--family", args.family])  # fmt: skip
                record = run_worker([WORKER, stage, args.corpus, "--vocabulary", vocabulary,
                                     "--files", args.in_memory_files, "--family", args.family],
                                    timeout=6 * 3600)  # fmt: skip
            print_stage(stage, record)
            rows.append({"stage": stage, **{k: record[k] for k in
                                            ("rows", "seconds", "rows_per_second", "peak_rss_mb")},
                         "megabytes": record.get("megabytes", ""), "corpus_gb": round(size, 2),
                         "model": family.model, "backend": args.backend, **stamp()})  # fmt: skip
    save_results(rows, args.results_dir / family.results, HERE.parent / "docs" / "models" /
                 family.docs, family.markers, lambda rows: markdown_table(rows, family),
                 update_docs=not args.no_docs)  # fmt: skip


if __name__ == "__main__":
    main()
