"""Multi-head self-attention with a padding mask, an optional causal mask and a key/value
cache for incremental decoding, on `keras.ops.dot_product_attention`."""

import math

import keras
from keras import ops

from zoo.layers.hashed_dropout import HashedDropout
from zoo.layers.sublayer_quantization import SublayerQuantization


@keras.saving.register_keras_serializable(package="zoo")
class MultiHeadSelfAttention(SublayerQuantization, keras.layers.Layer):
    """Scaled dot-product self-attention over `num_heads` heads.

    Queries, keys and values are `EinsumDense` projections with kernels of shape
    `(width, num_heads, head_dim)`; the output projection maps the heads back to `width`.
    `padding_mask` (batch, length; 1 for tokens, 0 for padding) keeps padding out of every
    query's attention.

    Without attention dropout in effect (inference, or `attention_dropout=0`) the attention
    runs through `keras.ops.dot_product_attention`, which uses the backend's fused kernel
    (PyTorch's SDPA, cuDNN / flash attention in JAX where available). When attention
    dropout applies, the weights are computed explicitly, with the softmax in float32.

    `causal=True` (GPT) lets each query attend to itself and earlier positions only, on top
    of the padding mask; a query position with no key left (a left-padding position) attends
    to itself, so no row of the softmax is empty. For incremental decoding, pass `cache`
    (batch, 2, max_length, heads, head_dim: keys and values) and `cache_index` (where
    `inputs` starts): the new keys and values are written there, attention runs over the
    whole cache (`padding_mask` then covers max_length) and the call returns
    `(output, updated_cache)`.

    Example:
    >>> import numpy as np
    >>> layer = MultiHeadSelfAttention(num_heads=2)
    >>> x = np.zeros((1, 4, 8), "float32")
    >>> layer(x, padding_mask=np.array([[1, 1, 1, 0]])).shape
    (1, 4, 8)
    """

    def __init__(self, num_heads, attention_dropout=0.0, kernel_initializer="glorot_uniform",
                 causal=False, **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.num_heads = int(num_heads)
        self.causal = bool(causal)
        self.attention_dropout = float(attention_dropout)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        width = input_shape[-1]
        if width % self.num_heads:
            raise ValueError(
                f"MultiHeadSelfAttention: width {width} is not divisible by "
                f"num_heads={self.num_heads}."
            )
        self.head_dim = width // self.num_heads

        def projection(name, equation, output_shape, bias_axes):
            return keras.layers.EinsumDense(
                equation,
                output_shape=output_shape,
                bias_axes=bias_axes,
                kernel_initializer=keras.initializers.get(
                    keras.initializers.serialize(self.kernel_initializer)
                ),
                dtype=self.dtype_policy,
                name=name,
            )

        heads = (None, self.num_heads, self.head_dim)
        self.query_dense = projection("query", "btd,dnh->btnh", heads, "nh")
        self.key_dense = projection("key", "bsd,dnh->bsnh", heads, "nh")
        self.value_dense = projection("value", "bsd,dnh->bsnh", heads, "nh")
        self.output_dense = projection("attention_output", "btnh,nhd->btd", (None, width), "d")
        for dense in (self.query_dense, self.key_dense, self.value_dense):
            dense.build(input_shape)
        self.output_dense.build((*input_shape[:-1], self.num_heads, self.head_dim))
        self.dropout_layer = HashedDropout(self.attention_dropout, dtype=self.dtype_policy)
        self.restore_sublayer_quantization()

    def call(self, inputs, padding_mask=None, training=None, first_token_only=False,
             cache=None, cache_index=None):  # fmt: skip
        """`first_token_only=True` attends from the first position alone (all keys still
        count): output `(batch, 1, width)`, for models that read only that position.
        With `cache`, returns `(output, updated_cache)` (see the class docstring)."""
        query = self.query_dense(inputs[:, :1, :] if first_token_only else inputs)
        key = self.key_dense(inputs)
        value = self.value_dense(inputs)
        start = 0
        if cache is not None:
            start = 0 if cache_index is None else cache_index
            key, value, cache = _update_cache(cache, key, value, start)
        mask = _key_mask(padding_mask)
        if self.causal:
            mask = _causal_mask(mask, ops.shape(query)[1], ops.shape(key)[1], start)
        # TensorFlow has no fused attention kernel: Keras's `dot_product_attention` there
        # runs einsums over a 5-D grouped-query layout, which tf2onnx exports as 5-D
        # transposes; the plain 4-D einsums export ~10% faster (docs/guides/export.md).
        explicit = keras.backend.backend() == "tensorflow"
        if explicit or (training and self.attention_dropout > 0):
            attended = self._explicit_attention(query, key, value, mask, training)
        else:
            # cuDNN's fused kernel (JAX, 16-bit on a GPU) takes only as many queries as
            # keys: ask for it only then, instead of an error logged at every trace.
            same_length = query.shape[1] == key.shape[1]
            attended = ops.dot_product_attention(query, key, value, mask=mask,
                                                 flash_attention=None if same_length else False)
        output = self.output_dense(attended)
        return output if cache is None else (output, cache)

    def attention_weights(self, inputs, padding_mask=None):
        """The attention probabilities the layer uses on `inputs` (batch, length, width).

        Returns float32 `(batch, heads, query, key)`; each row sums to 1 over the real
        tokens and is 0 on padding keys (positions where `padding_mask` is 0). Attention
        dropout is not applied. The layer must be built (called once).

        Example:
        >>> import numpy as np
        >>> layer = MultiHeadSelfAttention(num_heads=2)
        >>> x = np.zeros((1, 4, 8), "float32")
        >>> _ = layer(x)
        >>> layer.attention_weights(x, padding_mask=np.array([[1, 1, 1, 0]])).shape
        (1, 2, 4, 4)
        """
        query = self.query_dense(inputs)
        key = self.key_dense(inputs)
        mask = _key_mask(padding_mask)
        if self.causal:
            mask = _causal_mask(mask, ops.shape(query)[1], ops.shape(key)[1], 0)
        return self._attention_probabilities(query, key, mask)

    def _attention_probabilities(self, query, key, mask):
        """Softmax over keys of the scaled query-key logits, in float32 (batch, n, t, s)."""
        logits = ops.einsum("btnh,bsnh->bnts", query, key)
        logits = ops.cast(logits, "float32") / math.sqrt(self.head_dim)
        if mask is not None:
            logits = ops.where(mask, logits, -1e9)
        return ops.softmax(logits, axis=-1)

    def _explicit_attention(self, query, key, value, mask, training):
        weights = ops.cast(self._attention_probabilities(query, key, mask), self.compute_dtype)
        weights = self.dropout_layer(weights, training=training)
        return ops.einsum("bnts,bsnh->btnh", weights, value)

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
                "attention_dropout": self.attention_dropout,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "causal": self.causal,
            }
        )
        return config


def _key_mask(padding_mask):
    """(batch, length) padding mask -> boolean (batch, 1 head, 1 query, length keys)."""
    if padding_mask is None:
        return None
    return ops.cast(padding_mask, "bool")[:, None, None, :]


def _causal_mask(key_mask, query_length, key_length, start):
    """Combine `key_mask` (or None) with causality: query i (at absolute position
    `start + i`) sees keys up to its own position, and always itself (a padding query
    would otherwise have an empty row, which the fused kernels turn into NaN)."""
    query_positions = ops.arange(query_length, dtype="int32")[:, None] + ops.cast(start, "int32")
    key_positions = ops.arange(key_length, dtype="int32")[None, :]
    causal = ops.less_equal(key_positions, query_positions)[None, None]  # (1, 1, t, s)
    if key_mask is None:
        return causal
    itself = ops.equal(key_positions, query_positions)[None, None]
    return ops.logical_and(causal, ops.logical_or(key_mask, itself))


def _update_cache(cache, key, value, start):
    """Write `key`, `value` (batch, t, heads, head_dim) into `cache` at `start`; return the
    cached keys and values (batch, max_length, heads, head_dim) and the updated cache.

    One in-place update of the new positions: slicing keys and values out, updating each and
    stacking them back copied every block's whole cache per token (compiled generation at
    batch 8: 1.4-1.8x slower)."""
    new = ops.cast(ops.stack([key, value], axis=1), cache.dtype)
    cache = ops.slice_update(cache, (0, 0, start, 0, 0), new)
    return cache[:, 0], cache[:, 1], cache
