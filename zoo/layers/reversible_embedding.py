"""A token embedding that can also project hidden states back onto the vocabulary."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class ReversibleEmbedding(keras.layers.Embedding):
    """`keras.layers.Embedding` whose `reverse=True` call returns vocabulary logits.

    Called on token ids it embeds them; called with `reverse=True` on hidden states of width
    `output_dim` it multiplies them by the transposed embedding matrix. Using the same layer
    for both ties a language-model head to the input embedding (BERT's masked-LM head), and
    the tie survives saving and reloading, since a functional model keeps shared layers shared.
    `Model.quantize("int8")` quantizes it like a plain `Embedding` (one scale per token), and
    both directions read the int8 table.

    Example:
    >>> import numpy as np
    >>> embedding = ReversibleEmbedding(input_dim=10, output_dim=4)
    >>> hidden = embedding(np.array([[1, 2, 3]]))
    >>> embedding(hidden, reverse=True).shape
    (1, 3, 10)
    """

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        return self._logits(inputs, ops.cast(self.embeddings, self.compute_dtype))

    def _logits(self, hidden, table):
        """`hidden` times the transposed (vocabulary, width) `table`."""
        return ops.matmul(ops.cast(hidden, self.compute_dtype), ops.transpose(table))

    def quantize(self, mode=None, type_check=True, config=None):
        if mode != "int8":
            raise NotImplementedError(f"ReversibleEmbedding quantizes to int8 only, not {mode!r}.")
        super().quantize(mode, type_check=False, config=config)

    def _int8_call(self, inputs, reverse=False, training=None):
        if not reverse:
            return super()._int8_call(inputs, training=training)
        # The int8 table divided by its per-token scale, as the forward lookup does.
        table = ops.divide(ops.cast(self._embeddings, self.compute_dtype),
                           ops.expand_dims(self.embeddings_scale, -1))  # fmt: skip
        return self._logits(inputs, table)

    def compute_output_spec(self, inputs, reverse=False):
        if not reverse:
            return super().compute_output_spec(inputs)
        shape = (*inputs.shape[:-1], self.input_dim)
        return keras.KerasTensor(shape, dtype=self.compute_dtype)
