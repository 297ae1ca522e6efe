"""The parameter-free "option A" shortcut of the CIFAR ResNets (He et al. 2015, section 4.2)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class ZeroPadShortcut(keras.layers.Layer):
    """Subsample by `strides` and zero-pad the channel axis up to `filters`.

    The identity shortcut of a residual block whose output has more channels and a smaller
    resolution than its input, without adding parameters.

    Example:
    >>> import numpy as np
    >>> layer = ZeroPadShortcut(filters=32, strides=2)
    >>> layer(np.ones((1, 8, 8, 16), "float32")).shape
    (1, 4, 4, 32)
    """

    def __init__(self, filters, strides=2, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.strides = strides
        self.data_format = data_format or keras.config.image_data_format()

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def call(self, inputs):
        x = inputs
        if self.strides > 1:
            if self.data_format == "channels_last":
                x = x[:, :: self.strides, :: self.strides, :]
            else:
                x = x[:, :, :: self.strides, :: self.strides]
        missing = self.filters - x.shape[self._channel_axis()]
        if missing < 0:
            raise ValueError(
                f"ZeroPadShortcut(filters={self.filters}) cannot shrink an input with "
                f"{x.shape[self._channel_axis()]} channels; use a projection (option B)."
            )
        if missing:
            before, after = missing // 2, missing - missing // 2
            pad = [[0, 0]] * 4
            pad[self._channel_axis()] = [before, after]
            x = ops.pad(x, pad)
        return x

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        spatial = (1, 2) if self.data_format == "channels_last" else (2, 3)
        for axis in spatial:
            if shape[axis] is not None:
                shape[axis] = -(-shape[axis] // self.strides)
        shape[self._channel_axis()] = self.filters
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"filters": self.filters, "strides": self.strides, "data_format": self.data_format}
        )
        return config
