"""One stage of the corpus streaming benchmark in its own process (so its peak memory is its
own); prints one JSON line. Stages (`--family gpt`: a causal LM's, in brackets):

* `tokenizer`: a WordPiece vocabulary (characters) learned from a `--sample-mb` sample spread
  over the corpus (`CorpusStream.sample`), as `zoo train bert|gpt pretrain` learns it; saved
  in `--vocabulary`;
* `pipeline`: the masked-LM training batches (windows) alone, streamed and shuffled, no model;
* `in_memory`: `read_corpus` + `pack_documents` (`read_documents` + `token_stream`) over the
  first `--files` files.

    python benchmarks/_corpus_stream_worker.py tokenizer /tmp/corpus --vocabulary /tmp/vocab
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import peak_rss_mb  # noqa: E402

SEQUENCE_LENGTH = 128  # the application's default
GPT_SEQUENCE_LENGTH = 256  # gpt_nano's context, the GPT application's default


def tokenizer(args):
    from zoo.data.corpus_stream import CorpusStream
    from zoo.data.tokenizer import WordPieceTokenizer

    start = time.perf_counter()
    sample = CorpusStream.open(args.corpus).sample(args.sample_mb << 20)
    learned = WordPieceTokenizer.from_texts(sample.texts(), 8000)
    seconds = time.perf_counter() - start
    learned.save(args.vocabulary)
    return {"rows": len(sample.texts()), "seconds": round(seconds, 1),
            "rows_per_second": round(len(sample.texts()) / seconds),
            "megabytes": round(sample.sample_bytes / 2**20)}  # fmt: skip


def pipeline(args):
    from zoo.apps.bert_data import SHUFFLE_ROWS
    from zoo.data.bert_inputs import masked_lm_batches
    from zoo.data.corpus_stream import CorpusStream
    from zoo.data.masking import MaskingConfig
    from zoo.data.tokenizer import WordPieceTokenizer

    vocabulary = WordPieceTokenizer.load(args.vocabulary)
    stream = CorpusStream.open(args.corpus)
    rows = stream.rows(vocabulary, SEQUENCE_LENGTH, shuffle_rows=SHUFFLE_ROWS).repeat()
    masking = MaskingConfig.for_tokenizer(vocabulary, SEQUENCE_LENGTH)
    batches = iter(masked_lm_batches(rows, vocabulary, masking, batch_size=args.batch_size,
                                     training=True))  # fmt: skip
    return _timed(batches, -(-2 * SHUFFLE_ROWS // args.batch_size), args.seconds)


def _timed(batches, warmup, duration):
    """Rows/s of `batches` (an iterator of (inputs, labels)) over `duration` seconds, after
    `warmup` batches (the shuffle buffer filled, the reader threads up)."""
    for _ in range(warmup):
        next(batches)
    start, count = time.perf_counter(), 0
    while time.perf_counter() - start < duration:
        count += int(next(batches)[1].shape[0])
    seconds = time.perf_counter() - start
    return {"rows": count, "seconds": round(seconds, 1), "rows_per_second": round(count / seconds)}


def in_memory(args):
    from zoo.data.bert_inputs import pack_documents
    from zoo.data.corpus_stream import CorpusStream
    from zoo.data.text_files import read_corpus
    from zoo.data.tokenizer import WordPieceTokenizer

    vocabulary = WordPieceTokenizer.load(args.vocabulary)
    files = CorpusStream.open(args.corpus).files[: args.files]
    start = time.perf_counter()
    rows = len(pack_documents(read_corpus(files), vocabulary, SEQUENCE_LENGTH))
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_second": round(rows / seconds),
            "megabytes": round(sum(f.stat().st_size for f in files) / 2**20)}  # fmt: skip


def gpt_tokenizer(args):
    from zoo.data.corpus_stream import CorpusStream
    from zoo.data.corpus_windows import tokenizer_texts
    from zoo.data.gpt_tokenizer import CharacterTokenizer

    start = time.perf_counter()
    sample = CorpusStream.open(args.corpus).sample(args.sample_mb << 20, strip=False)
    learned = CharacterTokenizer.from_texts(tokenizer_texts(sample))
    seconds = time.perf_counter() - start
    learned.save(args.vocabulary)
    lines = len(sample.texts())
    return {"rows": lines, "seconds": round(seconds, 1), "rows_per_second": round(lines / seconds),
            "megabytes": round(sample.sample_bytes / 2**20)}  # fmt: skip


def gpt_pipeline(args):
    from zoo.apps.gpt_data import SHUFFLE_WINDOWS
    from zoo.data.corpus_stream import CorpusStream
    from zoo.data.corpus_windows import causal_lm_windows
    from zoo.data.gpt_inputs import causal_lm_batches
    from zoo.data.gpt_tokenizer import load_gpt_tokenizer

    characters = load_gpt_tokenizer(args.vocabulary)
    windows = causal_lm_windows(CorpusStream.open(args.corpus), characters, GPT_SEQUENCE_LENGTH,
                                shuffle_windows=SHUFFLE_WINDOWS)  # fmt: skip
    batches = iter(causal_lm_batches(windows.repeat(), batch_size=args.batch_size, training=True))
    return _timed(batches, -(-2 * SHUFFLE_WINDOWS // args.batch_size), args.seconds)


def gpt_in_memory(args):
    from zoo.data.corpus_stream import CorpusStream
    from zoo.data.gpt_inputs import read_documents, token_stream
    from zoo.data.gpt_tokenizer import load_gpt_tokenizer

    characters = load_gpt_tokenizer(args.vocabulary)
    files = CorpusStream.open(args.corpus).files[: args.files]
    start = time.perf_counter()
    tokens = len(token_stream(read_documents(files), characters))
    seconds = time.perf_counter() - start
    return {"rows": tokens, "seconds": round(seconds, 1),
            "rows_per_second": round(tokens / seconds),
            "megabytes": round(sum(f.stat().st_size for f in files) / 2**20)}  # fmt: skip


STAGES = {
    "bert": {"tokenizer": tokenizer, "pipeline": pipeline, "in_memory": in_memory},
    "gpt": {"tokenizer": gpt_tokenizer, "pipeline": gpt_pipeline, "in_memory": gpt_in_memory},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stage", choices=sorted(STAGES["bert"]))
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--vocabulary", type=Path, required=True)
    parser.add_argument("--sample-mb", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--family", choices=sorted(STAGES), default="bert")
    args = parser.parse_args()
    record = STAGES[args.family][args.stage](args)
    print(json.dumps({**record, "peak_rss_mb": peak_rss_mb()}), flush=True)
    os._exit(0)  # tf.data's reader threads, still filling their buffers, need not be joined


if __name__ == "__main__":
    main()
