"""Backend-agnostic layers (keras.ops only), one concept per file."""

from zoo.layers.zero_pad_shortcut import ZeroPadShortcut

__all__ = ["ZeroPadShortcut"]
