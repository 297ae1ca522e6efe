"""`zoo bench run | report | list`: the benchmark runner of a keras-zoo checkout.

The suites live in the checkout's `benchmarks/` folder, which the installed package does not
carry: `zoo bench` looks for it in the current directory, then beside zoo's own source (an
editable install), and forwards its arguments to `python -m benchmarks`.

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
    """The first of `candidates` (default: the current directory, then the folder above zoo's
    source) holding `benchmarks/_command.py`; else a `ConfigError` naming where it looked."""
    candidates = candidates or [Path.cwd(), SOURCE_CHECKOUT]
    for folder in candidates:
        if (folder / MARKER).is_file():
            return folder.resolve()
    looked = " or ".join(str(folder / MARKER) for folder in candidates)
    raise ConfigError(f"zoo bench needs a keras-zoo checkout: no {looked}; run it from a "
                      "keras-zoo checkout (git clone it, then cd into it)")  # fmt: skip


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


def add_bench_command(commands):
    """The `zoo bench` sub-command."""
    bench = commands.add_parser(
        "bench", help="run the benchmark suites of a keras-zoo checkout and render their "
                      "report (zoo bench list | run [--quick] [--suites ...] | report)")
    bench.add_argument("arguments", nargs=argparse.REMAINDER,
                       help="run | report | list and their options, as `python -m benchmarks` "
                            "takes them (zoo bench run --help)")
    bench.set_defaults(handler=command_bench)
