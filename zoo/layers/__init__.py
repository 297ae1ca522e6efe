"""Backend-agnostic layers (keras.ops only), one concept per file."""

from zoo.layers.batch_normalization import BatchNormalization
from zoo.layers.zero_pad_shortcut import ZeroPadShortcut

__all__ = ["BatchNormalization", "ZeroPadShortcut"]
