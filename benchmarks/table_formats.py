"""Streamed table formats side by side: the same generated Criteo-format log as Criteo's own
TSV, as a CSV with a header, and as Parquet, each read by zoo's streaming vocabulary and
statistics pass (rows/s, peak memory, bytes on disk).

Each format is read in its own process (`_table_format_worker.py`); the copies are written
once from `make_criteo_like.py`'s log (the CSV by rewriting its lines, Parquet by pyarrow:
`I1..I13` as float64, `C1..C26` and the label as read). Results go to
`benchmarks/results/table_formats.csv` and the table in `docs/models/recommenders.md`.

    python benchmarks/table_formats.py                  # 2M rows
    python benchmarks/table_formats.py --rows 20000
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_output_arguments, run_worker, save_results  # noqa: E402
from _machine import stamp  # noqa: E402

RESULTS = "table_formats.csv"
DOCS = HERE.parent / "docs" / "models" / "recommenders.md"
MARKERS = ("<!-- table_formats:start -->", "<!-- table_formats:end -->")
WORKER = HERE / "_table_format_worker.py"
FORMATS = {
    "criteo": "Criteo TSV, no header (`CriteoStream`)",
    "csv": "CSV with a header, quoted fields allowed (`TableStream`)",
    "parquet": "Parquet, snappy, row groups of 64k (`ParquetStream`, pyarrow)",
}


def write_copies(folder, rows):
    """The log in each format under `folder` (written once for `rows` rows)."""
    from make_criteo_like import write_criteo_like

    from zoo.data.tabular_files import CRITEO_COLUMNS

    paths = {"criteo": folder / "log.txt", "csv": folder / "log.csv",
             "parquet": folder / "log.parquet"}  # fmt: skip
    marker = folder / "rows"
    if marker.is_file() and marker.read_text() == str(rows):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    write_criteo_like(paths["criteo"], rows, seed=0)
    with open(paths["criteo"]) as tsv, open(paths["csv"], "w") as csv_file:
        csv_file.write(",".join(CRITEO_COLUMNS) + "\n")
        for line in tsv:
            csv_file.write(line.replace("\t", ","))
    import pyarrow as pa
    import pyarrow.csv
    import pyarrow.parquet

    types = {name: pa.float64() if name.startswith("I") else pa.string()
             for name in CRITEO_COLUMNS[1:]}  # fmt: skip
    options = pa.csv.ConvertOptions(column_types={"label": pa.int8(), **types},
                                    strings_can_be_null=False)  # fmt: skip
    reader = pa.csv.open_csv(paths["csv"], convert_options=options)
    with pa.parquet.ParquetWriter(paths["parquet"], reader.schema) as writer:
        for batch in reader:
            writer.write_table(pa.Table.from_batches([batch]), row_group_size=65_536)
    marker.write_text(str(rows))
    return paths


def markdown_table(rows):
    lines = ["| format | MB on disk | rows/s | peak memory (MB) | seconds |",
             "|---|---:|---:|---:|---:|"]  # fmt: skip
    for row in rows:
        lines.append(f"| {FORMATS[row['format']]} | {float(row['megabytes']):,.0f} "
                     f"| {float(row['rows_per_second']):,.0f} | {int(row['peak_rss_mb']):,} "
                     f"| {float(row['seconds']):,.1f} |")  # fmt: skip
    first = rows[0]
    lines += ["", f"Measured {first['date']} on {first['machine']}: the vocabulary and "
                  f"statistics pass over the training split (80% by a hash of each row) of "
                  f"one generated Criteo-format log of {int(first['log_rows']):,} rows "
                  "(`benchmarks/make_criteo_like.py`) in each format; batches of 65,536 rows."]
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "zoo_table_formats")
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    add_output_arguments(parser, docs="docs/models/recommenders.md")
    return parser


def main():
    args = build_parser().parse_args()
    start = time.perf_counter()
    paths = write_copies(args.folder, args.rows)
    print(f"copies of {args.rows:,} rows ready in {time.perf_counter() - start:.0f} s",
          flush=True)  # fmt: skip
    rows = []
    for kind in args.formats:
        record = run_worker([WORKER, kind, paths[kind]], timeout=6 * 3600)
        megabytes = paths[kind].stat().st_size / 1e6
        print(f"{kind:8s} {megabytes:8,.0f} MB {record['rows_per_second']:>10,} rows/s "
              f"{record['peak_rss_mb']:>6,} MB {record['seconds']:>7.1f} s", flush=True)
        rows.append({"format": kind, "megabytes": round(megabytes, 1), **record,
                     "log_rows": args.rows, **stamp()})  # fmt: skip
    save_results(rows, args.results_dir / RESULTS, DOCS, MARKERS, markdown_table,
                 update_docs=not args.no_docs)


if __name__ == "__main__":
    main()
