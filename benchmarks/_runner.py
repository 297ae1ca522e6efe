"""Run suites one after another, each as its own process, then render the report.

A suite that fails is reported with the tail of its stderr and the others still run; the exit
status is 1 when any failed. Each suite that succeeds is recorded in `machine.json` at once,
so a run stopped half-way keeps what it measured.

Example:
>>> from benchmarks._suites import SUITES
>>> run_suites([SUITES["train_throughput"]], Path("/tmp/quick"), quick=True,
...            update_docs=False)  # doctest: +SKIP
0
"""

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks._machine import describe_machine
from benchmarks._records import RECORDS_FILE, load_records, record_run, save_records
from benchmarks._report import read_rows, write_report

ROOT = Path(__file__).resolve().parent.parent
STDERR_TAIL_LINES = 20


@dataclass
class Outcome:
    suite: str
    ok: bool
    seconds: float
    stderr_tail: str = ""


def suite_command(suite, results_dir, *, quick, update_docs):
    """The command line that runs `suite` (`python benchmarks/<script> ...`)."""
    command = [sys.executable, str(suite.script_path), *suite.arguments(quick)]
    if suite.csv:
        command += ["--results-dir", str(results_dir)]
    if suite.docs_page and not update_docs:
        command.append("--no-docs")
    return command


def run_suite(suite, results_dir, *, quick, update_docs):
    """Run one suite, its output indented under a header line; return its `Outcome`."""
    command = suite_command(suite, results_dir, quick=quick, update_docs=update_docs)
    print(f"$ {' '.join(command)}", flush=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   cwd=ROOT, env=env)  # fmt: skip
        for line in process.stdout:
            print(f"    {line.rstrip()}", flush=True)
        status = process.wait()
        stderr.seek(0)
        tail = "\n".join(stderr.read().rstrip().splitlines()[-STDERR_TAIL_LINES:])
    return Outcome(suite.name, status == 0, time.perf_counter() - start,
                   "" if status == 0 else tail)  # fmt: skip


def _record(suite, outcome, results_dir, quick, description):
    path = results_dir / RECORDS_FILE
    records = load_records(path)
    rows = read_rows(results_dir / suite.csv) if suite.csv else []
    record_run(records, suite.name, rows, seconds=outcome.seconds,
               size="quick" if quick else "full", description=description)  # fmt: skip
    save_records(records, path, written_by="run")


def summary_lines(outcomes):
    """One line per suite: ok / FAILED and its time; then the total."""
    lines = [f"{'ok' if o.ok else 'FAILED':6s} {o.suite:24s} {o.seconds:7.0f} s" for o in outcomes]
    failed = [o.suite for o in outcomes if not o.ok]
    total = sum(o.seconds for o in outcomes)
    lines.append(f"{len(outcomes) - len(failed)} of {len(outcomes)} suites ran in {total:.0f} s"
                 + (f"; failed: {', '.join(failed)}" if failed else ""))  # fmt: skip
    return lines


def run_suites(suites, results_dir, *, quick, update_docs, report_suites=None):
    """Run `suites` in order into `results_dir`, then write the report of `report_suites`
    (default: the same suites) from every CSV there; return the exit status."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    description = describe_machine(measure_roof=True)  # once: the same machine for every suite
    print(f"machine: {description['label']}, {description['matmul_gflops_float32']} GFLOP/s "
          "float32 matmul", flush=True)
    outcomes = []
    for number, suite in enumerate(suites, 1):
        size = "quick" if quick else f"full size, about {suite.minutes:g} min"
        print(f"[{number}/{len(suites)}] {suite.name} ({size})", flush=True)
        outcome = run_suite(suite, results_dir, quick=quick, update_docs=update_docs)
        outcomes.append(outcome)
        if outcome.ok:
            _record(suite, outcome, results_dir, quick, description)
            print(f"[{number}/{len(suites)}] {suite.name}: ok in {outcome.seconds:.0f} s")
        else:
            print(f"[{number}/{len(suites)}] {suite.name}: FAILED after {outcome.seconds:.0f} s; "
                  f"its stderr ends:\n{outcome.stderr_tail}", flush=True)  # fmt: skip
    written = write_report(results_dir, report_suites or suites, update_docs=update_docs,
                           written_by="run")  # fmt: skip
    print("report:", ", ".join(str(path) for path in written))
    print("\n".join(summary_lines(outcomes)))
    return 0 if all(outcome.ok for outcome in outcomes) else 1
