"""The hidden state at each sequence's last real position: what a causal model has read
the whole text at, so a classifier on a decoder reads it (as GPT-1 and GPT-2 did)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class LastToken(keras.layers.Layer):
    """`(batch, length, dim)` -> `(batch, dim)`: the step at `padding_mask.sum() - 1` of each
    row, for right-padded inputs (mask 1 for tokens, then 0). A row with no token reads
    step 0.

    Example:
    >>> import numpy as np
    >>> x = np.arange(6, dtype="float32").reshape(1, 3, 2)
    >>> last = LastToken()(x, padding_mask=np.array([[1, 1, 0]]))
    >>> keras.ops.convert_to_numpy(last).tolist()
    [[2.0, 3.0]]
    """

    def call(self, inputs, padding_mask):
        lengths = ops.sum(ops.cast(padding_mask, "int32"), axis=1)
        index = ops.maximum(lengths - 1, 0)[:, None, None]
        return ops.take_along_axis(inputs, index, axis=1)[:, 0, :]

    def compute_output_shape(self, inputs_shape, padding_mask_shape):
        return (inputs_shape[0], inputs_shape[2])
