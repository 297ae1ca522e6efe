"""`zoo bench run | report | list`: the benchmark runner of a keras-zoo checkout.

The suites live in the checkout's `benchmarks/` folder, which the installed package does not
carry: `zoo bench` runs them where zoo itself runs from a source checkout (an editable install,
`pip install -e .`: the folder above zoo's own source holds `benchmarks/`), and forwards its
arguments to `python -m benchmarks`; anywhere else it says so in one line. The current
directory is never searched, so no code is imported from wherever the command is started.

    zoo bench list
    zoo bench run --suites train_throughput --quick
    zoo bench report
"""

import argparse
import importlib
import sys
from pathlib import Path

from zoo.errors import ConfigError

SOURCE_CHECKOUT = Path(__file__).resolve().parent.parent  # the folder above zoo/
MARKER = Path("benchmarks") / "_command.py"


def find_checkout(candidates=None):
    """The first of `candidates` (default: the folder above zoo's source) holding
    `benchmarks/_command.py`; else a `ConfigError`: the benchmarks live in a source checkout."""
    candidates = candidates or [SOURCE_CHECKOUT]
    for folder in candidates:
        if (folder / MARKER).is_file():
            return folder.resolve()
    raise ConfigError("zoo bench: the benchmarks live in a keras-zoo source checkout, not in "
                      f"the installed package ({SOURCE_CHECKOUT / 'zoo'}); run zoo from a "
                      "source checkout installed with pip install -e .")  # fmt: skip


def benchmarks_main(checkout):
    """`benchmarks._command.main` of `checkout` (put on `sys.path` first)."""
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    module = importlib.import_module("benchmarks._command")
    if Path(module.__file__).resolve().parent != checkout / "benchmarks":
        raise ConfigError(f"another 'benchmarks' module ({module.__file__}) shadows the "
                          f"checkout's {checkout / 'benchmarks'}; run zoo bench from the "
                          "checkout")  # fmt: skip
    return module.main


def command_bench(args):
    status = benchmarks_main(find_checkout())(args.arguments, prog="zoo bench")
    if status:
        raise SystemExit(status)


def add_bench_arguments(bench):
    """The arguments of the `zoo bench` sub-command (its parser is `bench`)."""
    bench.add_argument("arguments", nargs=argparse.REMAINDER,
                       help="run | report | list and their options, as `python -m benchmarks` "
                            "takes them (zoo bench run --help)")
    bench.set_defaults(handler=command_bench)
