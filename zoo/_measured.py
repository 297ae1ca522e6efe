"""What zoo's quality benchmark measured, by registered model name (`ModelSpec.measured`).

Written by `benchmarks/quality.py` from `benchmarks/results/quality.csv`: do not edit by hand.
"""

MEASURED = {}
