"""The two artifact writers; both trace the model as a TensorFlow graph (tensorflow backend).

TensorFlow's graph is what both formats are made from: a SavedModel is that graph, and tf2onnx
converts it to ONNX with every open dimension kept open (JAX's and PyTorch's own exporters fix
BERT's sequence length or fail on it; see the export guide). `zoo.export.export` runs these
under the tensorflow backend, in a subprocess when the current backend is another.

Example:
>>> write_onnx(model, "model.onnx", opset=17)  # doctest: +SKIP
"""

import keras

from zoo.errors import ExportError
from zoo.export.signature import call_with_named_inputs, input_specs

SERVING_ENDPOINT = "serve"
DEFAULT_OPSET = 17
OPSETS = range(14, 19)  # what tf2onnx 1.17 converts to


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
    inputs by name and returns its outputs by name."""
    serve, _ = _serving_function(model)
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(SERVING_ENDPOINT, serve)
    archive.write_out(str(path), verbose=False)


def _inline_weights(proto, storage):
    """Move the weights tf2onnx kept aside (`large_model`) back into `proto`."""
    import onnx

    tensors = list(proto.graph.initializer) + [
        attribute.t
        for node in proto.graph.node
        for attribute in node.attribute
        if attribute.type == onnx.AttributeProto.TENSOR
    ]
    for tensor in tensors:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            location = {entry.key: entry.value for entry in tensor.external_data}["location"]
            tensor.raw_data = storage.name_to_tensor_data[location]
            del tensor.external_data[:]
            tensor.data_location = onnx.TensorProto.DEFAULT


def write_onnx(model, path, opset=DEFAULT_OPSET):
    """Write an ONNX file (tf2onnx, `opset`) with the model's input and output names.

    tf2onnx converts in its `large_model` mode, which keeps the weights out of the graph while
    its optimisers copy the graph around: twice as fast on BERT (bert_small 38 s -> 18 s) and
    without the copies' memory. A single ONNX file holds at most 2 GB (protobuf's limit; the
    largest registered model, bert_large, is 1.3 GB).
    """
    import numpy as np
    import onnx
    import tf2onnx

    if not hasattr(np, "product"):  # tf2onnx 1.17's large-model path predates NumPy 2
        np.product = np.prod
    serve, signature = _serving_function(model)
    proto, storage = tf2onnx.convert.from_function(
        serve, input_signature=signature, opset=opset, large_model=True
    )
    weights = sum(len(data) for data in storage.name_to_tensor_data.values())
    if weights >= 2**31 - 2**26:  # protobuf's 2 GB limit, with room for the graph
        raise ExportError(
            f"the model's weights take {weights / 2**30:.1f} GB; one ONNX file holds 2 GB at "
            "most. Export a SavedModel instead (format='saved_model')."
        )
    _inline_weights(proto, storage)
    onnx.save(proto, str(path))
