"""`--export saved_model,onnx` for the applications: export the trained model at the end.

The artifacts go into the run folder beside `model.keras` (`saved_model/`, `model.onnx`), each
verified against the model; `metrics.json` gets an `export` entry per format.

Example:
>>> parser = argparse.ArgumentParser()
>>> add_export_arguments(parser)
>>> parser.parse_args(["--export", "onnx,saved_model"]).export
('onnx', 'saved_model')
"""

import argparse
from pathlib import Path

from zoo.export.exporter import FORMATS, export

ARTIFACT_NAMES = {"saved_model": "saved_model", "onnx": "model.onnx"}


def export_formats(text):
    """argparse type: a comma-separated list of export formats."""
    formats = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of export formats; use {','.join(FORMATS)} or one of them"
        )
    return formats


def add_export_arguments(parser):
    """Add --export FORMATS to an application's parser."""
    parser.add_argument_group("export").add_argument(
        "--export",
        type=export_formats,
        default=(),
        metavar="FORMATS",
        help="after training, export model.keras as saved_model and/or onnx (comma-separated) "
        "into the run folder, verified against Keras",
    )


def export_run(run, formats, metrics):
    """Export the run's `model.keras` in each of `formats`; record the reports in `metrics`
    (and `metrics.json`); return `metrics`."""
    if not formats or not run.distribution.is_chief:
        return metrics
    run_dir = Path(run.run_dir)
    reports = {}
    for format in formats:
        report = export(run_dir / "model.keras", run_dir / ARTIFACT_NAMES[format],
                        format=format, overwrite=True)  # fmt: skip
        reports[format] = report.to_dict()
        print(f"exported {report.path}: {describe(report)}")
    metrics["export"] = reports
    run.write_metrics(metrics)
    return metrics


def describe(report):
    """One line on an `ExportReport`: format, size, and how far it is from Keras."""
    kind = f"onnx opset {report.opset}" if report.format == "onnx" else "SavedModel ('serve')"
    if report.precision != "float32":
        kind += f", {report.precision}"
    line = f"{kind}, {report.bytes / 1e6:.1f} MB, traced by {report.traced_by}"
    check = report.verification
    if check is not None:
        sizes = ", ".join(map(str, check.batch_sizes))
        line += (f"; verified: max |artifact - keras| {check.max_abs_difference:.2g} "
                 f"<= {check.tolerance:.2g} (batch sizes {sizes})")  # fmt: skip
    return line
