"""`python -m benchmarks run | report | list`: see `benchmarks._command`.

    python -m benchmarks run --quick
"""

import sys

from benchmarks._command import build_parser, main


def parse_args(argv=None):
    """The parsed command line, without running anything (for checks of documented commands)."""
    return build_parser().parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
