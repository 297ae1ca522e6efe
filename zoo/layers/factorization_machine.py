"""The factorisation machine's second-order term (Rendle 2010), in its O(kn) form."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class FactorizationMachine(keras.layers.Layer):
    """Sum of the pairwise dot products of `n` field embeddings, one value per example.

    For field embeddings `e_1 .. e_n` of size `k` (input shape `(batch, n, k)`, or a list of
    `n` tensors of shape `(batch, k)`),
    `sum_{i<j} <e_i, e_j> = 0.5 * sum_k[(sum_i e_ik)^2 - sum_i e_ik^2]`, which costs O(kn)
    instead of O(kn^2). Computed in float32 under mixed precision; output `(batch, 1)`.

    Example:
    >>> import numpy as np
    >>> e = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]], "float32")
    >>> keras.ops.convert_to_numpy(FactorizationMachine()(e)).tolist()   # 11 + 17 + 39
    [[67.0]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = False

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            inputs = ops.stack(inputs, axis=1)
        x = ops.cast(inputs, "float32")
        square_of_sum = ops.square(ops.sum(x, axis=1))
        sum_of_squares = ops.sum(ops.square(x), axis=1)
        return 0.5 * ops.sum(square_of_sum - sum_of_squares, axis=1, keepdims=True)

    def compute_output_shape(self, input_shape):
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (batch, 1)
