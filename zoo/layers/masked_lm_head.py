"""The transform at the top of BERT's masked-LM head (before the tied output projection)."""

import keras
from keras import ops

from zoo.layers.sublayer_quantization import SublayerQuantization
from zoo.layers.transformer_encoder import _activation


@keras.saving.register_keras_serializable(package="zoo")
class MaskedPositionsTransform(SublayerQuantization, keras.layers.Layer):
    """Gather the hidden states at `mask_positions`, then Dense -> activation -> LayerNorm.

    BERT's masked-LM head is this transform followed by the token embedding used in reverse
    (see `ReversibleEmbedding`) and a per-token bias (`VocabularyBias`).

    Example:
    >>> import numpy as np
    >>> layer = MaskedPositionsTransform()
    >>> layer(np.zeros((2, 6, 8), "float32"), np.array([[1, 4], [0, 2]])).shape
    (2, 2, 8)
    """

    def __init__(self, activation="gelu", layer_norm_epsilon=1e-12,
                 kernel_initializer="glorot_uniform", **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.activation = activation
        self.layer_norm_epsilon = float(layer_norm_epsilon)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, inputs_shape, mask_positions_shape=None):
        width = inputs_shape[-1]
        self.dense = keras.layers.Dense(
            width,
            activation=_activation(self.activation),
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="dense",
        )
        self.dense.build((None, None, width))
        self.layer_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=self.dtype_policy, name="layer_norm"
        )
        self.layer_norm.build((None, None, width))
        self.restore_sublayer_quantization()

    def call(self, inputs, mask_positions):
        positions = ops.cast(mask_positions, "int32")
        gathered = ops.take_along_axis(inputs, positions[:, :, None], axis=1)
        return self.layer_norm(self.dense(gathered))

    def compute_output_shape(self, inputs_shape, mask_positions_shape):
        return (inputs_shape[0], mask_positions_shape[1], inputs_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "activation": self.activation,
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            }
        )
        return config


@keras.saving.register_keras_serializable(package="zoo")
class VocabularyBias(keras.layers.Layer):
    """Add a learned bias per output unit (the masked-LM head's per-token bias).

    Example:
    >>> import numpy as np
    >>> VocabularyBias()(np.zeros((1, 2, 5), "float32")).shape
    (1, 2, 5)
    """

    def build(self, input_shape):
        self.bias = self.add_weight(name="bias", shape=(input_shape[-1],), initializer="zeros")

    def call(self, inputs):
        return inputs + ops.cast(self.bias, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape
