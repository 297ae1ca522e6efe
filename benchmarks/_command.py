"""`python -m benchmarks run | report | list` (also `zoo bench ...`).

    python -m benchmarks list                          # the suites, their CSVs, docs, times
    python -m benchmarks run                           # every CPU suite, about 45 minutes
    python -m benchmarks run --suites train_throughput compression
    python -m benchmarks run --quick                   # smoke size, into results/quick/
    python -m benchmarks report                        # re-render from the CSVs on disk
"""

import argparse
import os
import sys
from pathlib import Path

from benchmarks._harness import RESULTS_DIR
from benchmarks._suites import SUITE_LIST, SUITES

QUICK_RESULTS_DIR = RESULTS_DIR / "quick"
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input on the command line; its message names the value and the fix."""


class _Parser(argparse.ArgumentParser):
    """Errors are one line and exit status 2 (as the `zoo` command's)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(prog="python -m benchmarks"):
    parser = _Parser(prog=prog, description="Run keras-zoo's benchmark suites and render "
                                            "their report (CSVs, summary tables, plots).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run suites one after another, then the report")
    run.add_argument("--suites", nargs="+", choices=list(SUITES), metavar="SUITE",
                     help=f"some of: {', '.join(SUITES)} (default: every CPU suite)")
    run.add_argument("--quick", action="store_true",
                     help="smoke size (fewest steps and epochs), into --results-dir "
                          "(default benchmarks/results/quick); docs/ untouched")
    run.add_argument("--results-dir", type=Path,
                     help="default benchmarks/results (benchmarks/results/quick with --quick)")
    run.add_argument("--no-docs", action="store_true", help="leave docs/ as it is")
    run.add_argument("--with-accelerator", action="store_true",
                     help="also the suites that need a GPU (gpu_bert_mfu)")
    report = commands.add_parser("report", help="re-render the report from the CSVs on disk")
    report.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    report.add_argument("--no-docs", action="store_true", help="leave docs/ as it is")
    commands.add_parser("list", help="the suites: what each measures, its CSV, docs, time")
    return parser  # fmt: skip


def selected_suites(names, with_accelerator):
    """The suites named (in registry order), or every CPU suite but those that run only when
    named, such as the hours-long quality suite (plus GPU ones if asked)."""
    if not names:
        return [s for s in SUITE_LIST
                if (with_accelerator or not s.needs_accelerator) and not s.only_when_named]
    return [suite for suite in SUITE_LIST if suite.name in names]


def _writes_docs(results_dir, no_docs):
    return not no_docs and results_dir.resolve() == RESULTS_DIR.resolve()


def command_run(args):
    from benchmarks._runner import run_suites

    suites = selected_suites(args.suites, args.with_accelerator)
    results_dir = args.results_dir or (QUICK_RESULTS_DIR if args.quick else RESULTS_DIR)
    if args.quick and results_dir.resolve() == RESULTS_DIR.resolve():
        raise UsageError(f"--quick would overwrite the real figures in {RESULTS_DIR}; give "
                         "another --results-dir (default benchmarks/results/quick)")  # fmt: skip
    skipped = [s.name for s in SUITE_LIST if s.needs_accelerator and s not in suites]
    if skipped and not args.suites:
        print(f"skipped without an accelerator: {', '.join(skipped)} (--with-accelerator)")
    update_docs = not args.quick and _writes_docs(results_dir, args.no_docs)
    return run_suites(suites, results_dir, quick=args.quick, update_docs=update_docs,
                      report_suites=SUITE_LIST)  # fmt: skip


def command_report(args):
    from benchmarks._report import write_report

    if not args.results_dir.is_dir():
        raise UsageError(f"--results-dir {args.results_dir} is not a folder; give the folder "
                         "a run wrote its CSVs into (default benchmarks/results)")  # fmt: skip
    written = write_report(args.results_dir, SUITE_LIST,
                           update_docs=_writes_docs(args.results_dir, args.no_docs))  # fmt: skip
    print("wrote", ", ".join(str(path) for path in written))
    return 0


def list_lines(suites=SUITE_LIST):
    """Two lines per suite: name, time, CSV and docs page; then what it measures."""
    lines = []
    for suite in suites:
        csv = f"results/{suite.csv}" if suite.csv else "no CSV"
        docs = f"docs/{suite.docs_page}" if suite.docs_page else "no docs page"
        gpu = ", needs an accelerator" if suite.needs_accelerator else ""
        gpu += ", runs only when named" if suite.only_when_named else ""
        lines.append(f"{suite.name:24s} ~{suite.minutes:g} min{gpu}  {csv} -> {docs}")
        lines.append(f"    {suite.measures} (benchmarks/{suite.script})")
    cpu = sum(suite.minutes for suite in suites
              if not suite.needs_accelerator and not suite.only_when_named)  # fmt: skip
    lines.append(f"every CPU suite at full size: about {cpu:g} minutes on 2 cores")
    return lines


def command_list(args):
    print("\n".join(list_lines()))
    return 0


HANDLERS = {"run": command_run, "report": command_report, "list": command_list}


def main(argv=None, prog="python -m benchmarks"):
    """Parse `argv`, run the command; return the exit status (2: bad input, one line)."""
    args = build_parser(prog).parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the report's plots import zoo
    try:
        return HANDLERS[args.command](args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
