"""`export`: a Keras model (or `.keras` file) from any backend to a SavedModel or ONNX file.

The artifact is traced as a TensorFlow graph: in this process on the tensorflow backend, else
by `python -m zoo.export.worker` under tensorflow in a subprocess (the `.keras` weights are
backend-independent). It is written beside `path` under a temporary name, checked against the
Keras model on this backend (`verify`), and only then renamed onto `path`: a failure leaves
nothing behind.

Example:
>>> report = export("runs/cifar/model.keras", "resnet20.onnx", format="onnx")  # doctest: +SKIP
>>> report.verification.max_abs_difference < 1e-4  # doctest: +SKIP
True
"""

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import keras

from zoo._faults import kill_point
from zoo._utils import PARTIAL, check_choice, remove_path
from zoo.errors import ConfigError, ExportError
from zoo.export.onnx_int8 import INT8_TOLERANCE, quantize_onnx_int8
from zoo.export.precision import float32_copy
from zoo.export.signature import input_specs, output_names
from zoo.export.verify import FLOAT32_TOLERANCE, Verification
from zoo.export.verify import verify as verify_artifact
from zoo.export.worker import write_artifact
from zoo.export.writers import DEFAULT_OPSET, OPSETS, check_onnx_conversion_fits

FORMATS = ("saved_model", "onnx")
ARTIFACT_PRECISIONS = ("float32", "int8")


@dataclasses.dataclass(frozen=True)
class ExportReport:
    """What `export` wrote: where, how, the names and open dimensions, and the check."""

    path: str
    format: str
    opset: int | None
    precision: str
    model_backend: str
    traced_by: str
    inputs: dict
    outputs: list
    bytes: int
    seconds: float
    verification: Verification | None = None

    def to_dict(self):
        report = dataclasses.asdict(self)
        if self.verification is not None:
            report["verification"] = self.verification.to_dict()
        return report


def _check_opset(format, opset, precision):
    check_choice("format", format, FORMATS)
    check_choice("precision", precision, ARTIFACT_PRECISIONS)
    if format != "onnx":
        if opset is not None:
            raise ConfigError(f"opset={opset} applies to ONNX only; drop it for {format}.")
        if precision != "float32":
            raise ConfigError(
                f"precision={precision!r} applies to ONNX only; for an int8 SavedModel "
                "quantize the Keras model first (zoo.compress.quantize)."
            )
        return None
    if opset is None:
        return DEFAULT_OPSET
    if isinstance(opset, bool) or not isinstance(opset, int) or opset not in OPSETS:
        raise ConfigError(
            f"ONNX opset {opset!r} is not supported; tf2onnx writes opsets "
            f"{OPSETS[0]} to {OPSETS[-1]} (default {DEFAULT_OPSET})."
        )
    return opset


def _check_target(path, overwrite):
    if path.exists() and not overwrite:
        raise ConfigError(
            f"{path} already exists; choose another path or pass overwrite=True (--overwrite)."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot create the folder {path.parent}: {error.strerror}.") from None
    if not os.access(path.parent, os.W_OK):
        raise ConfigError(f"cannot write to {path.parent}; choose a writable path.")


def load_keras_file(path):
    """Load a `.keras` file (compile=False); a clear `ConfigError` when it is not one."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path} does not exist; give the .keras file a run wrote.")
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        raise ConfigError(
            f"{path} is not a Keras model file; give a .keras file (model.save('m.keras'))."
        )
    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001  (any reason it cannot load is the user's)
        raise ConfigError(f"{path} is not a Keras model zoo can load: {error}") from None


def _staging_path(path):
    handle, name = tempfile.mkstemp(prefix=f".{path.name}{PARTIAL}", suffix=path.suffix,
                                    dir=path.parent)  # fmt: skip
    os.close(handle)
    os.unlink(name)
    return Path(name)


def _move_into_place(staging, path):
    """Rename `staging` onto `path`; an existing `path` is replaced only after the rename."""
    kill_point(f"write {path.name}")
    if not path.exists():
        os.replace(staging, path)
        return
    old = _staging_path(path)
    os.replace(path, old)
    os.replace(staging, path)
    remove_path(old)


def _trace_in_tensorflow(model, source, staging, format, opset, scratch):
    """Write the artifact with a subprocess on the tensorflow backend."""
    if source is None:
        source = Path(scratch) / "model.keras"
        model.save(source)
    package_root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "CUDA_VISIBLE_DEVICES": "",  # tracing needs no GPU; leave it to this process
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "zoo.export.worker", str(source), str(staging), format,
               str(opset or 0)]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit status {done.returncode}"
        if last.startswith("zoo.errors."):  # the worker's own error: its message is the story
            raise ExportError(last.split(": ", 1)[-1])
        raise ExportError(f"tracing the model under tensorflow failed: {last}")


def _size(path):
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def export(model_or_path, path, format="saved_model", opset=None, verify=True, *,
           overwrite=False, precision="float32"):  # fmt: skip
    """Export a Keras model or `.keras` file to `path` as a SavedModel or an ONNX file.

    Inputs and outputs carry the Keras names; the batch dimension (and BERT's sequence
    length) stays dynamic; a SavedModel serves under the `serve` signature. `opset` picks the
    ONNX opset (14-18, default 17). `precision="int8"` (ONNX only) quantizes the matrix
    products with ONNX Runtime (faster on CPU, outputs within `INT8_TOLERANCE`). With `verify`
    the artifact's outputs are compared with Keras's; a difference above the tolerance raises
    `VerificationError` and nothing is written. Returns an `ExportReport`.

    Example:
    >>> export(model, "exported/resnet20", format="saved_model")  # doctest: +SKIP
    """
    opset = _check_opset(format, opset, precision)
    path = Path(path)
    _check_target(path, overwrite)
    if isinstance(model_or_path, keras.Model):
        model, source = model_or_path, None
    else:
        source = Path(model_or_path)
        model = load_keras_file(source)
    reference = float32_copy(model)
    if format == "onnx":
        check_onnx_conversion_fits(reference)
    backend = keras.backend.backend()
    start = time.perf_counter()
    staging = _staging_path(path)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            if backend == "tensorflow":
                write_artifact(reference, staging, format, opset)
            else:
                _trace_in_tensorflow(model, source, staging, format, opset, scratch)
            if precision == "int8":
                quantize_onnx_int8(staging, Path(scratch) / "int8.onnx")
        verification = None
        if verify:
            tolerance = INT8_TOLERANCE if precision == "int8" else FLOAT32_TOLERANCE
            verification = verify_artifact(reference, staging, format, tolerance=tolerance)
        size = _size(staging)
        _move_into_place(staging, path)
    finally:
        remove_path(staging)
    return ExportReport(
        path=str(path),
        format=format,
        opset=opset,
        precision=precision,
        model_backend=backend,
        traced_by="tensorflow" if backend == "tensorflow" else "tensorflow (subprocess)",
        inputs={spec.name: list(spec.shape) for spec in input_specs(reference)},
        outputs=output_names(reference),
        bytes=size,
        seconds=round(time.perf_counter() - start, 2),
        verification=verification,
    )
