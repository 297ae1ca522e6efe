"""zoo._keras_internals on real Keras objects: what each private attribute gives on the installed
Keras (checked against 3.15), and the one clear error when an upgrade takes one away."""

import importlib.util

import keras
import numpy as np
import pytest

from zoo import _keras_internals as internals
from zoo._keras_internals import (
    KerasInternalsError,
    TensorOrigin,
    all_sublayers,
    inbound_nodes,
    keras_hub_encoder_parts,
    nodes_in_model,
    process_local_input,
    producing_layer,
    set_initial_epoch,
    tensorflow_trainer,
    track_optimizer_variable,
)
from zoo.errors import ZooError


def test_producing_layer_names_the_layer_node_and_output_that_made_a_tensor():
    inputs = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(4, name="hidden")
    first, second = keras.ops.split(hidden(inputs), 2, axis=-1)
    head = keras.layers.Dense(1, name="head")
    outputs = head(second)
    keras.Model(inputs, outputs)

    assert producing_layer(outputs) == TensorOrigin(head, 0, 0)
    split = producing_layer(second)
    assert split.layer is producing_layer(first).layer
    assert (split.node_index, split.tensor_index) == (0, 1)
    assert producing_layer(inputs).layer.name == "x"  # the InputLayer
    assert producing_layer(keras.KerasTensor((1, 2))) is None
    assert producing_layer(np.zeros(2)) is None


def test_inbound_nodes_has_one_node_per_call_with_its_tensors():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = keras.layers.Dense(2, name="shared")
    out_a, out_b = shared(a), shared(b)

    nodes = inbound_nodes(shared)
    assert len(nodes) == 2
    assert [n.input_tensors[0] for n in nodes] == [a, b]
    assert [n.output_tensors[0] for n in nodes] == [out_a, out_b]
    assert inbound_nodes(keras.layers.Dense(2)) == []  # never called
    assert inbound_nodes("not an operation") == []


def test_nodes_in_model_keeps_only_that_models_calls_of_a_shared_layer():
    shared = keras.layers.Dense(2, name="shared")
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    model_a = keras.Model(a, shared(a))
    model_b = keras.Model(b, shared(b))

    nodes_a, nodes_b = nodes_in_model(model_a, shared), nodes_in_model(model_b, shared)
    assert [n.input_tensors[0] for n in nodes_a] == [a]
    assert [n.input_tensors[0] for n in nodes_b] == [b]
    assert nodes_in_model(model_a, keras.layers.Dense(1)) == []

    class Subclassed(keras.Model):
        def call(self, x):
            return x

    assert nodes_in_model(Subclassed(), shared) is None


def test_all_sublayers_walks_nested_models_without_the_outer_one():
    inner = keras.Sequential([keras.layers.Dense(3, name="inner_1"),
                              keras.layers.Dense(3, name="inner_2")], name="inner")  # fmt: skip
    inputs = keras.Input((3,), name="x")
    outputs = keras.layers.Dense(1, name="head")(inner(inputs))
    model = keras.Model(inputs, outputs, name="outer")

    names = [layer.name for layer in all_sublayers(model)]
    assert "outer" not in names
    assert {"x", "inner", "inner_1", "inner_2", "head"} <= set(names)
    assert len(names) == len(set(names))  # each layer once
    denses = [layer.name for layer in all_sublayers(inner) if isinstance(layer, keras.layers.Dense)]
    assert sorted(denses) == ["inner_1", "inner_2"]
    assert all_sublayers(keras.layers.Dense(1)) == []


def test_track_optimizer_variable_makes_it_an_optimizer_variable():
    weight = keras.Variable(np.ones(2, "float32"), name="weight")
    optimizer = keras.optimizers.Adam()
    optimizer.build([weight])
    before = len(optimizer.variables)
    mask = keras.Variable(np.ones(2, "float32"), trainable=False, name="mask")

    track_optimizer_variable(optimizer, mask)

    assert len(optimizer.variables) == before + 1
    assert any(variable is mask for variable in optimizer.variables)


def test_set_initial_epoch_makes_the_next_fit_resume_there():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")

    set_initial_epoch(model, 2)
    history = model.fit(x, y, epochs=3, verbose=0)

    assert history.epoch == [2]


def test_keras_hub_encoder_parts_are_its_built_sublayers():
    keras_hub = pytest.importorskip("keras_hub")
    block = keras_hub.layers.TransformerEncoder(intermediate_dim=8, num_heads=2)
    block(np.ones((1, 3, 4), "float32"))

    parts = keras_hub_encoder_parts(block)

    assert list(parts) == ["query", "key", "value", "attention_output", "intermediate",
                           "output", "attention_norm", "output_norm"]  # fmt: skip
    for part in ("query", "key", "value"):
        assert tuple(parts[part].kernel.shape) == (4, 2, 2)  # width, heads, head width
    assert tuple(parts["attention_output"].kernel.shape) == (2, 2, 4)
    assert tuple(parts["intermediate"].kernel.shape) == (4, 8)
    assert tuple(parts["output"].kernel.shape) == (8, 4)
    for part in ("attention_norm", "output_norm"):
        assert isinstance(parts[part], keras.layers.LayerNormalization)
    assert len({id(layer) for layer in parts.values()}) == 8
    own = {id(variable) for variable in block.weights}
    assert all(id(layer.weights[0]) in own for layer in parts.values())


@pytest.mark.tf_only
def test_tensorflow_trainer_is_the_module_the_multi_worker_fix_patches():
    trainer = tensorflow_trainer()
    assert trainer.__name__ == "keras.src.backend.tensorflow.trainer"
    assert issubclass(keras.Model, trainer.TensorFlowTrainer)
    assert callable(trainer.reduce_per_replica)


def test_process_local_input_is_an_adapter_that_keeps_the_dataset_as_it_is():
    import tensorflow as tf
    from keras.src.trainers.data_adapters import get_data_adapter

    dataset = tf.data.Dataset.range(6).batch(2)
    adapter = process_local_input(dataset)
    assert get_data_adapter(adapter) is adapter  # fit takes it as it is
    assert adapter.get_tf_dataset() is dataset  # not rebatched nor sharded
    assert [b.tolist() for b in adapter.get_numpy_iterator()] == [[0, 1], [2, 3], [4, 5]]


@pytest.mark.backend_independent
@pytest.mark.parametrize("module", ["zoo._keras_internals", "zoo.train.worker_input"])
def test_the_module_imports_first_in_a_fresh_interpreter(module):
    """Importing Keras registers zoo.layers, whose quantization mixin uses this module: that
    must work while this module is itself importing Keras."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_missing_attribute_fails_in_one_clear_error(monkeypatch):
    assert issubclass(KerasInternalsError, ZooError)
    assert issubclass(KerasInternalsError, RuntimeError)
    with pytest.raises(KerasInternalsError, match=r"_flatten_layers.*keras 3\.15"):
        all_sublayers(object())
    with pytest.raises(KerasInternalsError, match="_track_variable"):
        track_optimizer_variable(object(), None)
    with pytest.raises(KerasInternalsError, match="_initial_epoch"):
        set_initial_epoch(object(), 1)
    if importlib.util.find_spec("keras_hub"):
        with pytest.raises(KerasInternalsError, match="keras_hub.*_self_attention_layer"):
            keras_hub_encoder_parts(keras.layers.Dense(1))

    class RenamedOperation(keras.Operation):
        def __init__(self):
            super().__init__()
            del self._inbound_nodes

    with pytest.raises(KerasInternalsError, match="_inbound_nodes"):
        inbound_nodes(RenamedOperation())

    # Keras without `_keras_history` / `_nodes` at all (not just a tensor or model without).
    monkeypatch.setattr(internals, "_reference_graph", lambda: (object(), object(), object()))
    with pytest.raises(KerasInternalsError, match="_keras_history"):
        producing_layer(keras.KerasTensor((1,)))
    with pytest.raises(KerasInternalsError, match="_nodes"):
        nodes_in_model(keras.Sequential(), keras.layers.Dense(1))
