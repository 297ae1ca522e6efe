"""Reversible per-window normalisation for forecasting (RevIN, Kim et al. 2022).

Kim et al., "Reversible Instance Normalization for Accurate Time-Series Forecasting against
Distribution Shift" (ICLR 2022): each input window is normalised by its own statistics and
the forecast is de-normalised with the same ones, so a network trained on one range of
levels forecasts another range as well (a series with a trend leaves the training range).
`WindowNormalization` returns the normalised window and its statistics;
`WindowDenormalization` maps a forecast back with them.
"""

import keras
from keras import ops

from zoo._utils import check_positive_int

LOCATIONS = ("last", "mean")


@keras.saving.register_keras_serializable(package="zoo")
class WindowNormalization(keras.layers.Layer):
    """Shift and scale the first `channels` channels of each window by the window's own
    location and scale; return `(normalised, location, scale)`.

    `location` is `"last"` (the window's last observation: the network then forecasts the
    change from where the window ends) or `"mean"` (the window mean, as in RevIN). `scale` is
    the window's standard deviation, floored at `epsilon`. The other channels (extra input
    features) pass through unchanged. Inputs `(batch, window, features)`; `location` and
    `scale` have shape `(batch, 1, channels)`. Statistics are computed in float32 whatever the
    dtype policy (the layer does not autocast its inputs).

    Example:
    >>> import numpy as np
    >>> x = np.array([[[1.0], [2.0], [3.0]]], "float32") + 1000
    >>> normalised, location, scale = WindowNormalization()(x)
    >>> print(*(round(float(v), 3) for v in keras.ops.convert_to_numpy(normalised)[0, :, 0]))
    -2.449 -1.225 0.0
    >>> keras.ops.convert_to_numpy(location).ravel().tolist()
    [1003.0]
    """

    def __init__(self, channels=1, location="last", epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        if location not in LOCATIONS:
            raise ValueError(
                f"WindowNormalization: location must be one of {LOCATIONS}, got {location!r}."
            )
        if not epsilon > 0:
            raise ValueError(f"WindowNormalization: epsilon must be > 0, got {epsilon!r}.")
        self.channels = check_positive_int("WindowNormalization: channels", channels)
        self.location = location
        self.epsilon = epsilon
        # Levels such as 400.0 would lose their last digits in bfloat16: statistics and the
        # normalised window are float32 under any policy.
        self.autocast = False

    def build(self, input_shape):
        features = input_shape[-1]
        if len(input_shape) != 3 or (features is not None and features < self.channels):
            raise ValueError(
                f"WindowNormalization(channels={self.channels}) needs inputs of shape "
                f"(batch, window, features >= {self.channels}), got {tuple(input_shape)}."
            )

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        series = x[..., : self.channels]
        mean = ops.mean(series, axis=1, keepdims=True)
        variance = ops.mean(ops.square(series - mean), axis=1, keepdims=True)
        # max(std, epsilon), with a finite gradient where the window is constant.
        scale = ops.sqrt(ops.maximum(variance, self.epsilon**2))
        location = series[:, -1:, :] if self.location == "last" else mean
        normalised = (series - location) / scale
        if x.shape[-1] != self.channels:
            normalised = ops.concatenate([normalised, x[..., self.channels :]], axis=-1)
        return normalised, location, scale

    def compute_output_spec(self, inputs):
        batch, window, features = inputs.shape
        statistics = keras.KerasTensor((batch, 1, self.channels), dtype="float32")
        return (
            keras.KerasTensor((batch, window, features), dtype="float32"),
            statistics,
            keras.KerasTensor((batch, 1, self.channels), dtype="float32"),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {"channels": self.channels, "location": self.location, "epsilon": self.epsilon}
        )
        return config


@keras.saving.register_keras_serializable(package="zoo")
class WindowDenormalization(keras.layers.Layer):
    """`forecast * scale + location`: a forecast made in a window's normalised units, back in
    the window's units (the inverse of `WindowNormalization` on its channels).

    Called as `layer([forecast, location, scale])` with `forecast` of shape
    `(batch, horizon, channels)` and the statistics of shape `(batch, 1, channels)`; computes
    in float32.

    Example:
    >>> import numpy as np
    >>> forecast = np.zeros((1, 2, 1), "float32")
    >>> location, scale = np.full((1, 1, 1), 1003.0, "float32"), np.ones((1, 1, 1), "float32")
    >>> keras.ops.convert_to_numpy(WindowDenormalization()([forecast, location, scale])).ravel()
    array([1003., 1003.], dtype=float32)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.autocast = False

    def call(self, inputs):
        forecast, location, scale = (ops.cast(x, "float32") for x in inputs)
        return forecast * scale + location

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(inputs[0].shape, dtype="float32")
