"""The two artifact writers; both trace the model as a TensorFlow graph (tensorflow backend).

TensorFlow's graph is what both formats are made from: a SavedModel is that graph, and tf2onnx
converts it to ONNX with every open dimension kept open (JAX's and PyTorch's own exporters fix
BERT's sequence length or fail on it; see the export guide). `zoo.export.export` runs these
under the tensorflow backend, in a subprocess when the current backend is another.

Example:
>>> write_onnx(model, "model.onnx", opset=17)  # doctest: +SKIP
"""

import math
import os

import numpy as np

from zoo.errors import ExportError
from zoo.export.signature import call_with_named_inputs, input_specs

SERVING_ENDPOINT = "serve"
DEFAULT_OPSET = 17
OPSETS = range(14, 19)  # what tf2onnx 1.17 converts to
TF2ONNX_MEMORY_FACTOR = 35  # peak memory / weight bytes, measured on bert_base


def _serving_function(model):
    """A `tf.function` with one named argument per model input, returning named outputs."""
    import tensorflow as tf

    signature = [
        tf.TensorSpec(spec.shape, spec.dtype, name=spec.name) for spec in input_specs(model)
    ]

    @tf.function(input_signature=signature, autograph=False)
    def serve(*tensors):
        return call_with_named_inputs(model, tensors)

    return serve, signature


def write_saved_model(model, path):
    """Write a SavedModel whose `serve` (and `serving_default`) signature takes the model's
    inputs by name and returns its outputs by name.

    The SavedModel holds the serving function and the TensorFlow variables it reads, not the
    Keras object graph: half the size of `keras.export.ExportArchive`'s (which stores every
    weight twice: resnet110 9 MB against 18 MB) and 40% faster to write.
    """
    import tensorflow as tf

    serve, _ = _serving_function(model)
    module = tf.Module()
    module.weights = [getattr(variable, "value", variable) for variable in model.variables]
    module.serve = serve
    concrete = serve.get_concrete_function()
    signatures = {SERVING_ENDPOINT: concrete, "serving_default": concrete}
    tf.saved_model.save(module, str(path), signatures=signatures)


def weight_bytes(model):
    """Bytes of all the model's weights."""
    return sum(math.prod(w.shape) * np.dtype(w.dtype).itemsize for w in model.weights)


def check_onnx_conversion_fits(model):
    """Refuse, with the numbers, an ONNX export larger than one file holds or than this
    machine's memory can convert (tf2onnx holds ~`TF2ONNX_MEMORY_FACTOR` copies of the
    weights: 15 GB for bert_base's 0.44 GB; bert_large's 1.3 GB needs ~45 GB)."""
    weights = weight_bytes(model)
    if weights >= 2**31 - 2**26:  # protobuf's 2 GB limit, with room for the graph
        raise ExportError(
            f"the model's weights take {weights / 2**30:.1f} GB; one ONNX file holds 2 GB at "
            "most. Export a SavedModel instead (format='saved_model')."
        )
    needed = weights * TF2ONNX_MEMORY_FACTOR
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if needed > memory:
        raise ExportError(
            f"converting this model to ONNX needs about {needed / 2**30:.0f} GB of memory "
            f"(tf2onnx holds ~{TF2ONNX_MEMORY_FACTOR} copies of its {weights / 2**30:.2f} GB "
            f"of weights); this machine has {memory / 2**30:.0f} GB. Export a SavedModel "
            "(format='saved_model'), or convert on a machine with more memory."
        )


def write_onnx(model, path, opset=DEFAULT_OPSET):
    """Write an ONNX file (tf2onnx, `opset`) with the model's input and output names."""
    import tf2onnx

    check_onnx_conversion_fits(model)
    serve, signature = _serving_function(model)
    tf2onnx.convert.from_function(
        serve, input_signature=signature, opset=opset, output_path=str(path)
    )
