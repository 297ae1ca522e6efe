"""The sum of several logits plus one learned bias: the output of a wide or linear model."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class BiasedSum(keras.layers.Layer):
    """Add a list of same-shaped tensors and one learned scalar bias (initially 0).

    Example:
    >>> import numpy as np
    >>> total = BiasedSum()([np.ones((2, 1), "float32"), np.ones((2, 1), "float32")])
    >>> keras.ops.convert_to_numpy(total).tolist()
    [[2.0], [2.0]]
    """

    def build(self, input_shape):
        self.bias = self.add_weight(name="bias", shape=(), initializer="zeros")

    def call(self, inputs):
        inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        total = inputs[0]
        for x in inputs[1:]:
            total = total + x
        return total + ops.cast(self.bias, total.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0] if isinstance(input_shape, list) else input_shape
