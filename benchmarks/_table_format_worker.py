"""One format of the table-format benchmark in its own process (its peak memory is its own):
the streaming vocabulary and statistics pass (`fit_streaming`, Criteo's column specs) over
the training split of one copy of the log; prints one JSON line.

    python benchmarks/_table_format_worker.py parquet /tmp/zoo_table_formats/log.parquet
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import peak_rss_mb  # noqa: E402

NUMERIC = [f"I{i}" for i in range(1, 14)]


def open_stream(kind, path):
    """The stream of one copy of the log: `criteo` (TSV, no header), `csv`, `parquet`."""
    from zoo.data.parquet_stream import ParquetStream
    from zoo.data.streaming import CriteoStream, TableStream

    if kind == "criteo":
        return CriteoStream.open(path)
    if kind == "csv":
        return TableStream.open(path, label="label", numeric=NUMERIC)
    return ParquetStream.open(path, label="label", numeric=NUMERIC)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=("criteo", "csv", "parquet"))
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    from zoo.data.streaming_stats import fit_streaming
    from zoo.data.tabular import criteo_specs

    stream = open_stream(args.kind, args.path)
    fit = fit_streaming(criteo_specs(), stream.dataset(65_536, split="train"), stream=stream)
    print(json.dumps({"rows": fit.rows, "seconds": round(fit.seconds, 2),
                      "rows_per_second": round(fit.rows_per_second),
                      "peak_rss_mb": peak_rss_mb()}))  # fmt: skip


if __name__ == "__main__":
    main()
