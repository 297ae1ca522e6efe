"""The one place zoo reaches Keras's and keras-hub's private attributes.

Each function wraps one private attribute (checked against Keras 3.15 and keras-hub 0.32). If
an upgrade renames or removes it, the function raises `KerasInternalsError` naming the
attribute and the versions, instead of a wrong answer or an `AttributeError` somewhere else;
`tests/test_keras_internals.py` checks every function on real Keras objects.

Example:
>>> import keras
>>> inputs = keras.Input((3,), name="x")
>>> dense = keras.layers.Dense(2, name="logits")
>>> outputs = dense(inputs)
>>> producing_layer(outputs).layer.name
'logits'
>>> len(inbound_nodes(dense))
1
"""

import functools
from typing import NamedTuple

import keras

from zoo.errors import ZooError

CHECKED_KERAS = "3.15"
CHECKED_KERAS_HUB = "0.32"


class KerasInternalsError(ZooError, RuntimeError):
    """The installed Keras (or keras-hub) lacks a private attribute zoo relies on."""


def _missing(owner, attribute, package="keras", checked=CHECKED_KERAS):
    version = getattr(__import__(package), "__version__", "?")
    return KerasInternalsError(
        f"{package} {version}: {owner} has no `{attribute}`, which zoo (checked against "
        f"{package} {checked}) reaches in zoo/_keras_internals.py; install {package}=={checked}.* "
        "or update that module."
    )


@functools.cache
def _reference_graph():
    """A tiny functional model (explicit names, so Keras's automatic names are untouched):
    the attributes every such graph has in Keras 3.15, to tell "not a graph" from "renamed"."""
    inputs = keras.Input((1,), name="zoo_internals_probe_input")
    dense = keras.layers.Dense(1, name="zoo_internals_probe_dense")
    outputs = dense(inputs)
    return outputs, dense, keras.Model(inputs, outputs, name="zoo_internals_probe")


class TensorOrigin(NamedTuple):
    layer: object  # the keras.Operation (a layer or an op) that made the tensor
    node_index: int
    tensor_index: int


def producing_layer(tensor):
    """The `TensorOrigin` (layer, node_index, tensor_index) of a symbolic tensor, from
    `KerasTensor._keras_history` (Keras 3.15); None for a tensor no layer made."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        if not hasattr(_reference_graph()[0], "_keras_history"):
            raise _missing("KerasTensor", "_keras_history")
        return None
    return TensorOrigin(history.operation, history.node_index, history.tensor_index)


def inbound_nodes(operation):
    """The nodes (one per call) of a layer or op, from `Operation._inbound_nodes` (Keras 3.15);
    each has `input_tensors` and `output_tensors`. `[]` for anything not a Keras operation."""
    nodes = getattr(operation, "_inbound_nodes", None)
    if nodes is None:
        if isinstance(operation, keras.Operation):
            raise _missing(type(operation).__name__, "_inbound_nodes")
        return []
    return list(nodes)


def nodes_in_model(model, layer):
    """The calls of `layer` (its inbound nodes) that belong to functional `model`'s graph, or
    None when `model` is not functional. A layer shared with other models has their calls too.
    Reads `Functional._nodes`, keyed f"{id(operation)}_ib-{node_index}" (Keras 3.15)."""
    graph = getattr(model, "_nodes", None)
    if graph is None:
        if not hasattr(_reference_graph()[2], "_nodes"):
            raise _missing("Functional", "_nodes")
        return None
    return [node for index, node in enumerate(inbound_nodes(layer))
            if f"{id(layer)}_ib-{index}" in graph]  # fmt: skip


def all_sublayers(layer):
    """Every layer nested in `layer` (a layer or model) at any depth, each once, without
    `layer` itself: `Layer._flatten_layers(include_self=False)` (Keras 3.15)."""
    if not hasattr(layer, "_flatten_layers"):
        raise _missing(type(layer).__name__, "_flatten_layers")
    return layer._flatten_layers(include_self=False)


def track_optimizer_variable(optimizer, variable):
    """Make `variable` one of `optimizer.variables` (so JAX's compiled step carries it in its
    state, and backups save it): `BaseOptimizer._track_variable` (Keras 3.15)."""
    if not hasattr(optimizer, "_track_variable"):
        raise _missing(type(optimizer).__name__, "_track_variable")
    optimizer._track_variable(variable)


def set_initial_epoch(model, epoch):
    """Make the next `model.fit` start at `epoch`, as Keras's `BackupAndRestore` does: sets
    `Trainer._initial_epoch` (Keras 3.15), which fit reads after `on_train_begin`."""
    if not hasattr(model, "_initial_epoch"):
        raise _missing(type(model).__name__, "_initial_epoch")
    model._initial_epoch = epoch


def process_local_input(dataset):
    """`dataset` (a `tf.data.Dataset` of this process's share of every global batch) as
    input that `model.fit` on multi-process JAX takes as it is: Keras's `TFDatasetAdapter`
    (`keras.src.trainers.data_adapters`, Keras 3.15) made without a distribution, so Keras
    does not shard it again (its trainer joins the processes' batches into global arrays)."""
    try:
        from keras.src.trainers.data_adapters.tf_dataset_adapter import TFDatasetAdapter
    except ImportError:  # the module, or the class in it
        raise _missing("keras.src.trainers.data_adapters", "tf_dataset_adapter") from None
    return TFDatasetAdapter(dataset)


# keras-hub TransformerEncoder attributes, and the Keras MultiHeadAttention ones inside.
_KERAS_HUB_ENCODER_PARTS = {
    "query": ("_self_attention_layer", "_query_dense"),
    "key": ("_self_attention_layer", "_key_dense"),
    "value": ("_self_attention_layer", "_value_dense"),
    "attention_output": ("_self_attention_layer", "_output_dense"),
    "intermediate": ("_feedforward_intermediate_dense",),
    "output": ("_feedforward_output_dense",),
    "attention_norm": ("_self_attention_layer_norm",),
    "output_norm": ("_feedforward_layer_norm",),
}


def keras_hub_encoder_parts(block):
    """The sublayers of a keras-hub `TransformerEncoder` (keras-hub 0.32, Keras 3.15) by part:
    Dense/EinsumDense "query", "key", "value", "attention_output", "intermediate", "output"
    and LayerNormalization "attention_norm", "output_norm". Reads its private
    `_self_attention_layer` (and that MultiHeadAttention's `_query_dense`, ...),
    `_self_attention_layer_norm`, `_feedforward_intermediate_dense`,
    `_feedforward_output_dense` and `_feedforward_layer_norm`."""
    parts = {}
    for part, path in _KERAS_HUB_ENCODER_PARTS.items():
        value = block
        for attribute in path:
            if not hasattr(value, attribute):
                raise _missing(type(value).__name__, attribute, "keras_hub", CHECKED_KERAS_HUB)
            value = getattr(value, attribute)
        parts[part] = value
    return parts


# What zoo.train._multi_worker_fix reads or patches in Keras's TensorFlow trainer module.
_TRAINER_NAMES = (
    "reduce_per_replica",
    "_collective_all_reduce_multi_worker",
    "TensorFlowTrainer._maybe_symbolic_build",
    "TensorFlowTrainer._symbolic_build",
)


def tensorflow_trainer():
    """Keras's TensorFlow trainer module, `keras.src.backend.tensorflow.trainer` (Keras 3.15),
    after checking it has every name `zoo.train._multi_worker_fix` reads or patches
    (`reduce_per_replica`, `_collective_all_reduce_multi_worker`,
    `TensorFlowTrainer._maybe_symbolic_build`, `TensorFlowTrainer._symbolic_build`).
    Imports TensorFlow. The patch's own code (a replacement of `_maybe_symbolic_build`) also
    reads the trainer's `_distribute_strategy`, as Keras's method does."""
    try:
        from keras.src.backend.tensorflow import trainer
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("keras"):
            raise  # TensorFlow itself is missing
        raise _missing("keras", "src.backend.tensorflow.trainer") from None
    for name in _TRAINER_NAMES:
        owner = trainer
        for attribute in name.split("."):
            if not hasattr(owner, attribute):
                raise _missing("keras.src.backend.tensorflow.trainer", name)
            owner = getattr(owner, attribute)
    return trainer
