"""keras-zoo's benchmark suites and their runner (not part of the installed package).

Each suite is a script, `python benchmarks/<suite>.py`, writing `benchmarks/results/<suite>.csv`
and its docs table; the runner runs them and renders the report of them all:

    python -m benchmarks list
    python -m benchmarks run --quick      # smoke size, a few minutes, docs untouched
    python -m benchmarks run              # full size, about 45 minutes on 2 CPU cores
    python -m benchmarks report           # docs/benchmarks.md and its plots, from the CSVs
"""
