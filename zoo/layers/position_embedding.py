"""Learned absolute position embeddings (BERT's)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class PositionEmbedding(keras.layers.Layer):
    """One learned vector per position, for sequences of up to `sequence_length` tokens.

    Called on a `(batch, length, width)` tensor, returns the embeddings of positions
    `0 .. length - 1` broadcast to that shape (to be added to the token embeddings).
    `start_index` (an int, or one per sequence, shape (batch,)) shifts them to
    `start_index .. start_index + length - 1`, for cached decoding; positions outside the
    table are clipped to it (a negative start puts left padding at position 0).

    Example:
    >>> import numpy as np
    >>> layer = PositionEmbedding(sequence_length=16)
    >>> layer(np.zeros((2, 5, 8), "float32")).shape
    (2, 5, 8)
    """

    def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.sequence_length = int(sequence_length)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        self.position_embeddings = self.add_weight(
            name="embeddings",
            shape=(self.sequence_length, input_shape[-1]),
            initializer=self.initializer,
        )

    def call(self, inputs, start_index=None):
        shape = ops.shape(inputs)
        length, width = shape[-2], shape[-1]
        table = ops.convert_to_tensor(self.position_embeddings)
        if start_index is None:
            positions = ops.slice(table, (0, 0), (length, width))
        else:
            start = ops.cast(start_index, "int32")
            indices = ops.arange(length, dtype="int32")
            indices = indices + (start[:, None] if len(start.shape) == 1 else start)
            positions = ops.take(table, ops.clip(indices, 0, self.sequence_length - 1), axis=0)
        return ops.broadcast_to(ops.cast(positions, self.compute_dtype), shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "sequence_length": self.sequence_length,
                "initializer": keras.initializers.serialize(self.initializer),
            }
        )
        return config
