"""Model parallelism on JAX: which weights are sharded over the mesh's "model" axis, and how.

The layout map follows Megatron-LM's split of a transformer: the query, key and value
projections are sharded by attention head and the attention output by its head input, the
feed-forward block's first kernel by its output columns and its second by its input rows,
and every embedding table by its hidden columns (BERT's token, position and segment tables).
Every other weight is replicated.

`CheckedModelParallel` refuses, when a weight is created, any *large* weight (at least
`LARGE_WEIGHT` elements) that no rule matches, and any sharded dimension the mesh does not
divide, with one message naming the weight, its shape and the fix.

Example:
>>> import keras  # doctest: +SKIP
>>> mesh = keras.distribution.DeviceMesh((2, 2), ("batch", "model"))
>>> distribution = CheckedModelParallel(layout_map=model_parallel_layout_map(mesh))
"""

import math

import keras

from zoo.errors import ConfigError

LARGE_WEIGHT = 2**16
"""Weights with at least this many elements must be sharded by the layout map."""

MODEL_AXIS = "model"
BATCH_AXIS = "batch"

def layout_rules():
    """Every model's sharding rules, declared beside its builder (`BERT_LAYOUT_RULES`): weight
    path pattern -> the mesh axis of each dimension (`MODEL_AXIS` or None)."""
    from zoo.models.bert import BERT_LAYOUT_RULES

    return dict(BERT_LAYOUT_RULES)


def model_parallel_layout_map(mesh):
    """A `keras.distribution.LayoutMap` over `mesh` with zoo's sharding rules."""
    layout_map = keras.distribution.LayoutMap(mesh)
    for pattern, spec in layout_rules().items():
        layout_map[pattern] = spec
    return layout_map


class CheckedModelParallel(keras.distribution.ModelParallel):
    """`keras.distribution.ModelParallel` that checks every weight's layout as it is created."""

    def get_variable_layout(self, variable):
        layout = super().get_variable_layout(variable)
        axes = tuple(layout.axes) if layout is not None else ()
        sharded = any(axis is not None for axis in axes)
        size = math.prod(variable.shape)
        if not sharded and size >= LARGE_WEIGHT:
            raise ConfigError(
                f"model_parallel: weight {variable.path!r} {tuple(variable.shape)} has {size:,} "
                "elements but no sharding rule (zoo.train.layout.layout_rules) matches it; "
                "model_parallel shards transformer (BERT) attention, feed-forward and "
                "embedding weights: use --strategy data_parallel for this model."
            )
        if sharded:
            _check_divides(variable, axes, self.device_mesh)
        return layout


def _check_divides(variable, axes, mesh):
    if len(axes) != len(variable.shape):
        raise ConfigError(
            f"model_parallel: layout {axes} has {len(axes)} axes but weight "
            f"{variable.path!r} has shape {tuple(variable.shape)}."
        )
    sizes = dict(zip(mesh.axis_names, mesh.shape, strict=True))
    for dimension, axis in zip(variable.shape, axes, strict=True):
        if axis is not None and dimension % sizes[axis]:
            raise ConfigError(
                f"model_parallel: weight {variable.path!r} {tuple(variable.shape)} cannot be "
                f"split {sizes[axis]} ways along its dimension of size {dimension}; choose "
                f"--model-parallel-size dividing {dimension} (it is {sizes[axis]})."
            )
