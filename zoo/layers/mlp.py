"""A multi-layer perceptron: the deep part of DeepFM and Wide&Deep."""

import keras

from zoo._utils import check_fraction
from zoo.layers.sublayer_quantization import SublayerQuantization


@keras.saving.register_keras_serializable(package="zoo")
class MLP(SublayerQuantization, keras.layers.Layer):
    """Dense layers of `hidden_units`, each followed by optional batch norm, the activation
    and optional dropout.

    Example:
    >>> import numpy as np
    >>> MLP((8, 4), dropout=0.1, batch_norm=True)(np.ones((2, 3), "float32")).shape
    (2, 4)
    """

    def __init__(self, hidden_units, activation="relu", dropout=0.0, batch_norm=False,
                 **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        hidden_units = tuple(hidden_units)
        if any(isinstance(u, bool) or not isinstance(u, int) or u < 1 for u in hidden_units):
            raise ValueError(f"MLP: hidden_units must be positive integers, got {hidden_units!r}.")
        self.hidden_units = hidden_units
        self.activation = activation
        self.dropout = check_fraction("MLP: dropout", dropout)
        self.batch_norm = batch_norm
        self.blocks = []
        for i, units in enumerate(hidden_units, start=1):
            block = [keras.layers.Dense(units, name=f"dense{i}", dtype=self.dtype_policy)]
            if batch_norm:
                block.append(keras.layers.BatchNormalization(name=f"batch_norm{i}",
                                                             dtype=self.dtype_policy))  # fmt: skip
            block.append(keras.layers.Activation(activation, name=f"activation{i}",
                                                 dtype=self.dtype_policy))  # fmt: skip
            if dropout:
                block.append(keras.layers.Dropout(dropout, name=f"dropout{i}",
                                                  dtype=self.dtype_policy))  # fmt: skip
            self.blocks.append(block)

    def build(self, input_shape):
        shape = tuple(input_shape)
        for block in self.blocks:
            for layer in block:
                layer.build(shape)
                shape = layer.compute_output_shape(shape)
        self.restore_sublayer_quantization()

    def call(self, inputs, training=None):
        x = inputs
        for block in self.blocks:
            for layer in block:
                x = layer(x, training=training) if _takes_training(layer) else layer(x)
        return x

    def compute_output_shape(self, input_shape):
        if not self.hidden_units:
            return tuple(input_shape)
        return (*tuple(input_shape)[:-1], self.hidden_units[-1])

    def get_config(self):
        return {**super().get_config(), "hidden_units": list(self.hidden_units),
                "activation": self.activation, "dropout": self.dropout,
                "batch_norm": self.batch_norm}  # fmt: skip


def _takes_training(layer):
    return isinstance(layer, (keras.layers.BatchNormalization, keras.layers.Dropout))
