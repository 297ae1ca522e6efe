"""Dropout whose mask comes from a counter-based hash of the element index and a seed."""

import keras
from keras import ops

from zoo._utils import check_fraction

# Odd 32-bit constants as signed int32 (the arithmetic below wraps modulo 2**32):
_GOLDEN = -1640531527  # 0x9E3779B9, the Weyl increment of SplitMix
_MIX_1 = 0x7FEB352D  # Wellons' "lowbias32" multipliers
_MIX_2 = -2073254261  # 0x846CA68B


@keras.saving.register_keras_serializable(package="zoo")
class HashedDropout(keras.layers.Layer):
    """`keras.layers.Dropout` with a cheaper random mask: same semantics, same seeding.

    Each element is kept with probability `1 - rate` and scaled by `1 / (1 - rate)`, in
    training only. The mask is `hash(index XOR key) < threshold`, where `key` is drawn
    per call from the layer's `keras.random.SeedGenerator` (so seeded runs repeat, and each
    call draws a new mask) and `hash` is a 32-bit integer finaliser (Wellons' lowbias32,
    the mixing step of SplitMix-style generators). That is about ten elementwise integer
    operations per element, which XLA fuses into one loop; the backends' own generators
    (Threefry in JAX, Philox in TensorFlow, PyTorch's CPU Bernoulli) cost 10-90x more on a
    CPU, where dropout masks were a third of a GPT training step's time on JAX
    (docs/models/gpt.md, "Speed"). Masks differ from `keras.layers.Dropout`'s for the same
    seed; keep probability is exact to 2**-31.

    Example:
    >>> import numpy as np
    >>> layer = HashedDropout(0.5, seed=1)
    >>> out = np.asarray(layer(np.ones((1000,), "float32"), training=True))
    >>> sorted(set(out.tolist()))
    [0.0, 2.0]
    >>> bool(abs((out > 0).mean() - 0.5) < 0.05)
    True
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_fraction("HashedDropout: rate", rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0.0:
            return inputs
        keep_probability = 1.0 - self.rate
        keep = keep_mask(ops.shape(inputs), self.seed_generator.next(), keep_probability)
        scale = ops.cast(1.0 / keep_probability, inputs.dtype)
        return ops.where(keep, inputs * scale, ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


def keep_mask(shape, seed, keep_probability):
    """Boolean tensor of `shape`, True with probability `keep_probability`, a pure function
    of `seed` (two integers, a SeedGenerator's state) and each element's flat index.

    Example:
    >>> import numpy as np
    >>> mask = np.asarray(keep_mask((4, 256), np.array([3, 7]), 0.75))
    >>> mask.shape, bool(0.6 < mask.mean() < 0.9)
    ((4, 256), True)
    """
    size = 1
    for dimension in shape:
        size = size * dimension
    seed = ops.cast(seed, "int32")
    key = _mix(ops.bitwise_xor(_mix(seed[0]) * _GOLDEN, seed[1]))
    index = ops.arange(size, dtype="int32") * _GOLDEN
    bits = ops.bitwise_and(_mix(ops.bitwise_xor(index, key)), 0x7FFFFFFF)  # 31 random bits
    threshold = int(round(keep_probability * 2.0**31))
    return ops.reshape(ops.less(bits, threshold), shape)


def _mix(x):
    """lowbias32: a bijection of 32-bit integers in which each input bit flips about half
    the output bits (shifts are logical: arithmetic shift, then the sign bits masked off)."""
    x = ops.bitwise_xor(x, ops.bitwise_and(ops.right_shift(x, 16), 0xFFFF))
    x = x * _MIX_1
    x = ops.bitwise_xor(x, ops.bitwise_and(ops.right_shift(x, 15), 0x1FFFF))
    x = x * _MIX_2
    return ops.bitwise_xor(x, ops.bitwise_and(ops.right_shift(x, 16), 0xFFFF))
