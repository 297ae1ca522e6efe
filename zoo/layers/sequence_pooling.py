"""Pooling of a multi-valued field's embeddings into one, skipping padding."""

import keras
from keras import ops

from zoo._utils import check_choice
from zoo.features import COMBINERS


@keras.saving.register_keras_serializable(package="zoo")
class SequencePooling(keras.layers.Layer):
    """Mean or sum over the steps of `(batch, steps, dim)` that the mask keeps.

    The mask comes from `Embedding(mask_zero=True)` (id 0 is padding) or is passed in; an
    example with no real step pools to zeros. Output `(batch, dim)`.

    Example:
    >>> import numpy as np
    >>> x = np.array([[[1.0], [3.0], [100.0]]], "float32")
    >>> pooled = SequencePooling("mean")(x, mask=np.array([[True, True, False]]))
    >>> keras.ops.convert_to_numpy(pooled).tolist()
    [[2.0]]
    """

    def __init__(self, combiner="mean", **kwargs):
        super().__init__(**kwargs)
        self.combiner = check_choice("SequencePooling: combiner", combiner, COMBINERS)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            weights = ops.ones(ops.shape(inputs)[:2], dtype=inputs.dtype)
        else:
            weights = ops.cast(mask, inputs.dtype)
        total = ops.sum(inputs * weights[..., None], axis=1)
        if self.combiner == "sum":
            return total
        count = ops.sum(weights, axis=1, keepdims=True)
        return total / ops.maximum(count, ops.cast(1.0, inputs.dtype))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "combiner": self.combiner}
