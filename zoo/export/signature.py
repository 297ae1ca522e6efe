"""What an exported artifact is called: its inputs and outputs under the Keras names.

Inputs are named after the model's inputs (the keys of a dict input, else each input tensor's
name); outputs after the keys of a dict output, else `model.output_names`. Every dimension the
Keras model leaves open (`None`: the batch, and the sequence length of BERT) stays open.

Example:
>>> model = create_model("resnet20")  # doctest: +SKIP
>>> input_specs(model)  # doctest: +SKIP
[TensorSpec(name='images', shape=(None, 32, 32, 3), dtype='float32')]
>>> output_names(model)  # doctest: +SKIP
['predictions']
"""

import dataclasses

import keras


@dataclasses.dataclass(frozen=True)
class TensorSpec:
    """One named input or output: `shape` holds `None` for every open dimension."""

    name: str
    shape: tuple
    dtype: str


def input_specs(model):
    """The model's inputs as `TensorSpec`s, in the order the artifact's signature lists them."""
    structure = model.input
    if isinstance(structure, dict):
        named = sorted(structure.items())
    else:
        named = [(tensor.name, tensor) for tensor in keras.tree.flatten(structure)]
    return [TensorSpec(name, tuple(tensor.shape), str(tensor.dtype)) for name, tensor in named]


def output_names(model):
    """The names of the model's outputs: a dict output's keys, else `model.output_names`."""
    if isinstance(model.output, dict):
        return sorted(model.output)
    return list(model.output_names)


def call_with_named_inputs(model, tensors):
    """Call `model` on `tensors` (listed as `input_specs` lists them); return a dict of outputs
    keyed by `output_names`."""
    specs = input_specs(model)
    if isinstance(model.input, dict):
        inputs = {spec.name: tensor for spec, tensor in zip(specs, tensors, strict=True)}
    else:
        inputs = keras.tree.pack_sequence_as(model.input, list(tensors))
    outputs = model(inputs, training=False)
    if isinstance(outputs, dict):
        return dict(outputs)
    return dict(zip(output_names(model), keras.tree.flatten(outputs), strict=True))
