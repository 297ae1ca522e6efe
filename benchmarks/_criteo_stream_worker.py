"""One stage of the Criteo streaming benchmark in its own process (so its peak memory is its
own); prints one JSON line. Stages:

* `count`: the vocabulary and statistics pass (`fit_streaming`) over the training split;
* `pipeline`: the encoded, shuffled training stream alone (`encode_stream`), no model;
* `in_memory`: `read_criteo` + `TabularEncoder.fit` on the first `--rows` rows.

    python benchmarks/_criteo_stream_worker.py count /tmp/criteo/day_0.txt
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


def count(args):
    from zoo.data.streaming import CriteoStream
    from zoo.data.streaming_stats import fit_streaming
    from zoo.data.tabular import criteo_specs

    stream = CriteoStream.open(args.log)
    fit = fit_streaming(criteo_specs(), stream.dataset(65_536, split="train",
                                                       max_rows=args.rows), stream=stream)
    return {"rows": fit.rows, "seconds": round(fit.seconds, 2),
            "rows_per_second": round(fit.rows_per_second)}  # fmt: skip


def pipeline(args):
    from zoo.apps.recommender_data import SHUFFLE_ROWS
    from zoo.data.streaming import CriteoStream
    from zoo.data.streaming_encode import encode_stream
    from zoo.data.streaming_stats import fit_streaming
    from zoo.data.tabular import criteo_specs

    stream = CriteoStream.open(args.log)
    # the encoder from the first 200k rows (its vocabularies' sizes barely change the cost)
    fit = fit_streaming(criteo_specs(), stream.dataset(65_536, split="train", max_rows=200_000))
    data = encode_stream(fit.encoder, stream.dataset(args.batch_size, split="train",
                                                     shuffle_buffer=SHUFFLE_ROWS,
                                                     max_rows=args.rows))  # fmt: skip
    start, rows = time.perf_counter(), 0
    for _, labels in data:
        rows += int(labels.shape[0])
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}


def in_memory(args):
    from zoo.data.tabular import criteo_specs
    from zoo.data.tabular_encoding import TabularEncoder
    from zoo.data.tabular_files import read_criteo

    start = time.perf_counter()
    columns = read_criteo(args.log, max_rows=args.rows)
    rows = len(columns.pop("label"))
    TabularEncoder.fit(criteo_specs(), columns)
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}


STAGES = {"count": count, "pipeline": pipeline, "in_memory": in_memory}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("log", type=Path)
    parser.add_argument("--rows", type=int, default=None, help="the first rows only")
    parser.add_argument("--batch-size", type=int, default=4096)
    args = parser.parse_args()
    record = STAGES[args.stage](args)
    print(json.dumps({**record, "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    main()
