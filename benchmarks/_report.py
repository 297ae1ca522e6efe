"""The report of every suite, rendered from the CSVs on disk: `ratios.csv`, the summary and
machine tables, and the ratio bar charts and training curves.

Into docs/benchmarks.md and docs/images/benchmarks/ when it renders the committed results
(`benchmarks/results`); into `summary.md` and `images/` inside any other results folder
(a `--quick` run's, say), so smoke-size figures never reach the site.

Example:
>>> from benchmarks._suites import SUITE_LIST
>>> write_report(Path("benchmarks/results"), SUITE_LIST, update_docs=True)  # doctest: +SKIP
"""

import csv
import io
from pathlib import Path

from benchmarks._harness import write_between_markers, write_text_atomically
from benchmarks._plots import plot_ratios, plot_training_log
from benchmarks._ratios import COLUMNS
from benchmarks._records import (
    FROM_ROWS,
    NOT_DESCRIBED,
    RECORDS_FILE,
    load_records,
    reconcile,
    save_records,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS_PAGE = ROOT / "docs" / "benchmarks.md"
DOCS_IMAGES = ROOT / "docs" / "images" / "benchmarks"
SUMMARY_MARKERS = ("<!-- benchmark_summary:start -->", "<!-- benchmark_summary:end -->")
MACHINE_MARKERS = ("<!-- benchmark_machine:start -->", "<!-- benchmark_machine:end -->")
RATIOS_FILE = "ratios.csv"
SUMMARY_FILE = "summary.md"


def read_rows(path):
    """The rows of a results CSV as dicts of strings ([] when there is no file)."""
    if not Path(path).exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def suite_ratios(suite, rows):
    """`suite.ratios(rows)`, each row tagged with the suite's name."""
    if not suite.ratios or not rows:
        return []
    return [{"suite": suite.name, **row} for row in suite.ratios(rows) if row["ratio"] is not None]


def _number(value):
    value = float(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.4g}"


def _ratio(value):
    value = float(value)
    return f"{value:.3f}x" if abs(value - 1) < 0.01 else f"{value:.2f}x"


def ratio_table(rows):
    """Markdown: one line per ratio row, with which direction is better."""
    published = any(row["published"] for row in rows)
    header = ["model", "zoo figure", "metric", "zoo", "reference", "reference value",
              "zoo / reference", "better"] + (["published reference"] if published else [])
    numeric = ("zoo", "reference value", "zoo / reference")
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if name in numeric else "---" for name in header) + "|"]
    for row in rows:
        better = "higher" if row["higher_is_better"] in (True, "True") else "lower"
        cells = [f"`{row['model']}`", row["figure"], row["metric"], _number(row["value"]),
                 row["reference"], _number(row["reference_value"]), _ratio(row["ratio"]),
                 better] + ([row["published"]] if published else [])  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _measured(record):
    if not record:
        return "Not measured yet."
    if not record.get("date"):
        return "Its rows carry no date or machine (they predate those columns)."
    size = " (quick, smoke size)" if record.get("size") == "quick" else ""
    return f"Measured {record['date']} on {record.get('machine') or 'an unrecorded machine'}{size}."


def suite_section(suite, rows, record, pictures):
    """Markdown of one suite: what it measures, its ratio table, its pictures ((alt text,
    link, caption) each)."""
    page = suite.docs_page
    where = ("the full table is below" if page == DOCS_PAGE.name
             else f"the full table is on [{page}]({page})" if page else "")  # fmt: skip
    output = (f"Rows in `benchmarks/results/{suite.csv}`" if suite.csv
              else "It writes no CSV, only its page")  # fmt: skip
    lines = [f"### {suite.title or suite.name}", "",
             f"`{suite.name}`: {suite.measures}. {output}{'; ' + where if where else ''}. "
             f"{_measured(record)}", ""]  # fmt: skip
    if suite.ratios:
        lines += [ratio_table(rows), ""] if rows else ["No results yet.", ""]
    for alt, link, caption in pictures:
        lines += [f"![{alt}]({link})", ""] + ([caption, ""] if caption else [])
    return "\n".join(lines).rstrip()


def machine_section(suites, records):
    """Markdown: per suite the date and machine that measured it, then each machine described
    in full (CPU, cores, memory, OS, Python, library versions)."""
    described, undescribed = [], False
    lines = ["| suite | measured | machine (its rows' `machine` column) | full description |",
             "|---|---|---|---|"]  # fmt: skip
    for suite in suites:
        record = records["suites"].get(suite.name)
        if not record:
            continue
        description = record.get("description")
        if description:
            key = {k: v for k, v in description.items() if k != "date"}
            if key not in described:
                described.append(key)
            detail = f"machine {described.index(key) + 1} (below)"
        else:
            detail, undescribed = FROM_ROWS, True
        quick = " (quick)" if record.get("size") == "quick" else ""
        lines.append(f"| `{suite.name}` | {record.get('date') or 'not recorded'}{quick} "
                     f"| {record.get('machine') or 'not recorded'} | {detail} |")  # fmt: skip
    if undescribed:
        lines += ["", f"\"{FROM_ROWS}\": {NOT_DESCRIBED}."]
    writer = records.get("machine")
    if writer and not described:
        key = {k: v for k, v in writer.items() if k not in ("date", "written_by")}
        lines += ["", f"None of these runs was described in full. The machine that rendered this "
                      f"report ({writer['date']}, `python -m benchmarks {writer['written_by']}`):"]
        described_blocks = [_describe(key, title=None)]
    else:
        described_blocks = [_describe(key, title=f"Machine {i}")
                            for i, key in enumerate(described, 1)]  # fmt: skip
    return "\n".join([*lines, "", *described_blocks]).rstrip()


def _describe(description, title):
    memory = description.get("memory_gb")
    fields = [("CPU model", description["cpu_model"]),
              ("instruction sets", ", ".join(description.get("cpu_features") or ["unknown"])),
              ("logical cores", description["logical_cores"]),
              ("memory", f"{memory} GB" if memory else "unknown"),
              ("OS", description["os"]), ("Python", description["python"])]  # fmt: skip
    if "matmul_gflops_float32" in description:
        fields.append(("float32 matmul (numpy, measured by the run)",
                       f"{description['matmul_gflops_float32']} GFLOP/s"))
    fields += [(f"`{name}`", version) for name, version in description["libraries"].items()]
    lines = [f"**{title}**", ""] if title else []
    lines += ["| | |", "|---|---|", *(f"| {name} | {value} |" for name, value in fields), ""]
    return "\n".join(lines)


def _pictures(suite, rows, results_dir, images_dir, prefix):
    pictures = []
    if rows:
        name = f"ratios_{suite.name}.png"
        plot_ratios(rows, images_dir / name, title=f"{suite.title or suite.name} (zoo / reference)")
        pictures.append((f"{suite.name} ratios", prefix + name, ""))
    log = results_dir / suite.training_log if suite.training_log else None
    if log and log.exists():
        name = f"{suite.name}_training_curves.png"
        plot_training_log(log, images_dir / name,
                          title=f"{suite.title or suite.name}: training curves ({log.name})")
        pictures.append((f"{suite.name} training curves", prefix + name,
                         f"The training curves of the rows' reference run, from its Keras CSV "
                         f"log, kept as `benchmarks/results/{log.name}`."))  # fmt: skip
    return pictures


def write_ratios_csv(rows, path):
    """All ratio rows, in `COLUMNS` order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomically(path, buffer.getvalue())


def write_report(results_dir, suites, *, update_docs, written_by="report"):
    """Render everything from the CSVs in `results_dir`; return the paths written.

    `update_docs`: into docs/benchmarks.md and docs/images/benchmarks/; otherwise into
    `results_dir/summary.md` and `results_dir/images/`.
    """
    results_dir = Path(results_dir)
    records = load_records(results_dir / RECORDS_FILE)
    images_dir, prefix = ((DOCS_IMAGES, "images/benchmarks/") if update_docs
                          else (results_dir / "images", "images/"))  # fmt: skip
    every_ratio, sections = [], []
    for suite in suites:
        rows = read_rows(results_dir / suite.csv) if suite.csv else []
        if not rows and suite.name not in records["suites"]:
            continue
        if rows:
            reconcile(records, suite.name, rows)
        ratios = suite_ratios(suite, rows)
        every_ratio += ratios
        pictures = _pictures(suite, ratios, results_dir, images_dir, prefix)
        sections.append(suite_section(suite, ratios, records["suites"].get(suite.name),
                                      pictures))  # fmt: skip
    write_ratios_csv(every_ratio, results_dir / RATIOS_FILE)
    save_records(records, results_dir / RECORDS_FILE, written_by)
    summary = "\n\n".join(sections) or "No results yet."
    machine = machine_section(suites, records)
    written = [results_dir / RATIOS_FILE, results_dir / RECORDS_FILE]
    if update_docs:
        write_between_markers(DOCS_PAGE, SUMMARY_MARKERS, summary)
        write_between_markers(DOCS_PAGE, MACHINE_MARKERS, machine)
        written.append(DOCS_PAGE)
    else:
        page = f"# Benchmark summary\n\n## Machine\n\n{machine}\n\n## Ratios\n\n{summary}\n"
        write_text_atomically(results_dir / SUMMARY_FILE, page)
        written.append(results_dir / SUMMARY_FILE)
    return written
