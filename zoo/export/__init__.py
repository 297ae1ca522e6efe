"""Serving artifacts: TensorFlow SavedModel and ONNX, from a model trained on any backend.

Example:
>>> from zoo.export import export
>>> report = export("runs/cifar/model.keras", "serving/resnet20", format="saved_model")
... # doctest: +SKIP
"""

from zoo.export.exporter import ARTIFACT_PRECISIONS, FORMATS, ExportReport, export, load_keras_file
from zoo.export.onnx_int8 import INT8_TOLERANCE
from zoo.export.verify import FLOAT32_TOLERANCE, Verification, VerificationError, example_inputs
from zoo.export.writers import DEFAULT_OPSET, OPSETS, SERVING_ENDPOINT

__all__ = [
    "ARTIFACT_PRECISIONS",
    "DEFAULT_OPSET",
    "FLOAT32_TOLERANCE",
    "FORMATS",
    "INT8_TOLERANCE",
    "OPSETS",
    "SERVING_ENDPOINT",
    "ExportReport",
    "Verification",
    "VerificationError",
    "example_inputs",
    "export",
    "load_keras_file",
]
