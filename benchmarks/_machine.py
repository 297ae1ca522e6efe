"""What machine a benchmark ran on: CPU model, cores, memory, OS, Python and library versions.

Standard library only, so every suite script and the runner can use it before importing any
framework.

Example:
>>> machine_label()  # doctest: +SKIP
'AMD EPYC 7B13, 2 cores'
>>> describe_machine()["libraries"]["keras"]  # doctest: +SKIP
'3.15.1'
"""

import datetime
import importlib.metadata
import os
import platform

LIBRARIES = ("keras", "tensorflow", "jax", "jaxlib", "torch", "keras-hub", "transformers",
             "tf2onnx", "onnx", "onnxruntime", "numpy")  # fmt: skip
NOT_INSTALLED = "not installed"
# The instruction-set extensions that decide CPU kernel speed (REFERENCES.md's development
# machines have AVX2 + FMA and no AVX-512).
CPU_FEATURES = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "neon")


def _field(path, prefixes):
    """The value after the colon of the first line of `path` starting with one of `prefixes`
    (a /proc file), or None where there is no such line or file."""
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(prefixes):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_model():
    """The CPU's marketing name from /proc/cpuinfo, else what `platform` knows."""
    return (_field("/proc/cpuinfo", ("model name",)) or platform.processor()
            or platform.machine() or "unknown CPU")  # fmt: skip


def cpu_features():
    """Which of `CPU_FEATURES` the CPU has (from /proc/cpuinfo's flags), in that order."""
    flags = set((_field("/proc/cpuinfo", ("flags", "Features")) or "").split())
    return [feature for feature in CPU_FEATURES if feature in flags]


def matmul_gflops(size=2048, repeats=5):
    """The float32 GFLOP/s of a large numpy matrix product here: the practical roof that
    achieved GFLOP/s are measured against (about 1 s)."""
    import time

    import numpy as np

    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    a @ a  # warm-up: threads and caches
    start = time.perf_counter()
    for _ in range(repeats):
        a @ a
    return round(2 * size**3 * repeats / (time.perf_counter() - start) / 1e9, 1)


def memory_gb():
    """Total memory in GB (from /proc/meminfo), or None where it cannot be read."""
    total = _field("/proc/meminfo", ("MemTotal:",))
    try:
        return round(int(total.split()[0]) / 1024**2, 1)
    except (AttributeError, ValueError, IndexError):
        return None


def library_versions():
    """{distribution name: installed version or "not installed"} for `LIBRARIES`."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = NOT_INSTALLED
    return versions


def today():
    """Today's date, ISO formatted (the `date` column of every results CSV)."""
    return datetime.date.today().isoformat()


def machine_label():
    """The `machine` column of every results CSV: CPU model and logical cores."""
    return f"{cpu_model()}, {os.cpu_count()} cores"


def stamp():
    """The `date` and `machine` columns every suite adds to its rows."""
    return {"date": today(), "machine": machine_label()}


def describe_machine(measure_roof=False):
    """A JSON-ready description of this machine and its library versions, dated today; with
    `measure_roof`, also its measured float32 matmul GFLOP/s."""
    description = {
        "label": machine_label(),
        "cpu_model": cpu_model(),
        "cpu_features": cpu_features(),
        "logical_cores": os.cpu_count(),
        "memory_gb": memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": library_versions(),
        "date": today(),
    }
    if measure_roof:
        description["matmul_gflops_float32"] = matmul_gflops()
    return description
