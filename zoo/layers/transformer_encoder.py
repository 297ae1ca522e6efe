"""The transformer block: BERT's post-LayerNorm encoder block, or GPT-2's pre-LayerNorm
(causal) decoder block."""

import keras

from zoo.layers.hashed_dropout import HashedDropout
from zoo.layers.self_attention import MultiHeadSelfAttention
from zoo.layers.sublayer_quantization import SublayerQuantization


@keras.saving.register_keras_serializable(package="zoo")
class TransformerEncoderBlock(SublayerQuantization, keras.layers.Layer):
    """Self-attention and a feed-forward network, each with a residual and a LayerNorm after.

    `x = LayerNorm(x + Dropout(Attention(x)))`, then
    `x = LayerNorm(x + Dropout(Dense(Activation(Dense(x)))))`, as in Devlin et al. 2018.
    `activation` is `"gelu"` (exact, Hugging Face's BERT) or `"gelu_approximate"` (the tanh
    form of the original TensorFlow BERT and keras-hub).

    `normalize_first=True` is GPT-2's pre-LayerNorm order, `x = x + Dropout(Attention(LN(x)))`
    then `x = x + Dropout(MLP(LN(x)))` (the final LayerNorm belongs to the model). `causal=True`
    masks later positions in the attention; `cache` and `cache_index` are passed to it for
    incremental decoding, and the call then returns `(output, updated_cache)`
    (`MultiHeadSelfAttention`).

    Example:
    >>> import numpy as np
    >>> block = TransformerEncoderBlock(num_heads=2, intermediate_dim=32)
    >>> block(np.zeros((1, 4, 8), "float32"), padding_mask=np.ones((1, 4))).shape
    (1, 4, 8)
    """

    def __init__(
        self,
        num_heads,
        intermediate_dim,
        activation="gelu",
        dropout=0.0,
        attention_dropout=None,
        layer_norm_epsilon=1e-12,
        kernel_initializer="glorot_uniform",
        normalize_first=False,
        causal=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_heads = int(num_heads)
        self.intermediate_dim = int(intermediate_dim)
        self.activation = activation
        self.dropout = float(dropout)
        self.attention_dropout = self.dropout if attention_dropout is None else attention_dropout
        self.layer_norm_epsilon = float(layer_norm_epsilon)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.normalize_first = bool(normalize_first)
        self.causal = bool(causal)

    def _initializer(self):
        return keras.initializers.get(keras.initializers.serialize(self.kernel_initializer))

    def build(self, input_shape):
        width = input_shape[-1]
        policy = self.dtype_policy
        self.attention = MultiHeadSelfAttention(
            self.num_heads,
            attention_dropout=self.attention_dropout,
            kernel_initializer=self._initializer(),
            causal=self.causal,
            dtype=policy,
            name="self_attention",
        )
        self.attention.build(input_shape)
        self.attention_dropout_layer = HashedDropout(self.dropout, dtype=policy)
        self.attention_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name="attention_layer_norm"
        )
        self.attention_norm.build(input_shape)
        activation = _activation(self.activation)
        self.intermediate_dense = keras.layers.Dense(
            self.intermediate_dim,
            activation=activation,
            kernel_initializer=self._initializer(),
            dtype=policy,
            name="intermediate_dense",
        )
        self.intermediate_dense.build(input_shape)
        self.output_dense = keras.layers.Dense(
            width, kernel_initializer=self._initializer(), dtype=policy, name="output_dense"
        )
        self.output_dense.build((*input_shape[:-1], self.intermediate_dim))
        self.output_dropout_layer = HashedDropout(self.dropout, dtype=policy)
        self.output_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name="output_layer_norm"
        )
        self.output_norm.build(input_shape)
        self.restore_sublayer_quantization()

    def attention_weights(self, inputs, padding_mask=None):
        """The attention probabilities of the block's self-attention on the block's `inputs`
        (after the pre-LayerNorm, with `normalize_first`): float32 `(batch, heads, query,
        key)`, as `MultiHeadSelfAttention.attention_weights` gives them."""
        attention_input = self.attention_norm(inputs) if self.normalize_first else inputs
        return self.attention.attention_weights(attention_input, padding_mask=padding_mask)

    def call(self, inputs, padding_mask=None, training=None, first_token_only=False,
             cache=None, cache_index=None):  # fmt: skip
        """`first_token_only=True` computes the block's output at the first position only
        (attending over the whole sequence): the same values there, for a fraction of the
        work, when nothing reads the other positions (BERT's pooled classification).
        With `cache`, returns `(output, updated_cache)`."""
        attention_input = self.attention_norm(inputs) if self.normalize_first else inputs
        attended = self.attention(
            attention_input, padding_mask=padding_mask, training=training,
            first_token_only=first_token_only, cache=cache, cache_index=cache_index,
        )  # fmt: skip
        if cache is not None:
            attended, cache = attended
        residual = inputs[:, :1, :] if first_token_only else inputs
        attended = self.attention_dropout_layer(attended, training=training)
        if self.normalize_first:
            x = residual + attended
            hidden = self.output_dense(self.intermediate_dense(self.output_norm(x)))
            output = x + self.output_dropout_layer(hidden, training=training)
        else:
            x = self.attention_norm(residual + attended)
            hidden = self.output_dense(self.intermediate_dense(x))
            output = self.output_norm(x + self.output_dropout_layer(hidden, training=training))
        return output if cache is None else (output, cache)

    def compute_output_spec(self, inputs, padding_mask=None, training=None,
                            first_token_only=False, cache=None, cache_index=None):  # fmt: skip
        shape = (inputs.shape[0], 1, inputs.shape[-1]) if first_token_only else inputs.shape
        output = keras.KerasTensor(shape, dtype=self.compute_dtype)
        if cache is None:
            return output
        return output, keras.KerasTensor(cache.shape, dtype=cache.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "intermediate_dim": self.intermediate_dim,
                "activation": self.activation,
                "dropout": self.dropout,
                "attention_dropout": self.attention_dropout,
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "normalize_first": self.normalize_first,
                "causal": self.causal,
            }
        )
        return config


def gelu_approximate(x):
    """GELU with the tanh approximation (original BERT, keras-hub)."""
    return keras.activations.gelu(x, approximate=True)


def gelu_exact(x):
    """GELU with the exact erf form (Hugging Face's "gelu")."""
    return keras.activations.gelu(x, approximate=False)


ACTIVATIONS = {"gelu": gelu_exact, "gelu_approximate": gelu_approximate}


def _activation(name):
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    return keras.activations.get(name)
