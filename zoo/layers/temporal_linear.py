"""A linear map along the time axis: a window's past values straight to its forecast steps."""

import keras
from keras import ops

from zoo._utils import check_positive_int


@keras.saving.register_keras_serializable(package="zoo")
class TemporalLinear(keras.layers.Layer):
    """Forecast `horizon` steps of the first `channels` channels of a window as a weighted sum
    of their `window` past values (one kernel `(window, horizon)` shared by the channels).

    The linear forecaster of Zeng et al. 2023 ("Are Transformers Effective for Time Series
    Forecasting?", NLinear when the window is first shifted to its last value): it can
    express the naive forecast (all weights zero, after that shift), the seasonal-naive one
    (a single weight at the season's lag) and their mixtures, and it learns them from few
    windows. Inputs `(batch, window, features)`, outputs `(batch, horizon, channels)`.

    The kernel starts at zero (`kernel_initializer`); `fit_least_squares` sets it to the
    ridge-regression solution on given windows and targets, a closed-form start for gradient
    training (like `adapt` for a normalisation layer).

    Example:
    >>> import numpy as np
    >>> layer = TemporalLinear(horizon=3)
    >>> tuple(layer(np.ones((2, 12, 4), "float32")).shape)
    (2, 3, 1)
    """

    def __init__(self, horizon, channels=1, kernel_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.horizon = check_positive_int("TemporalLinear: horizon", horizon)
        self.channels = check_positive_int("TemporalLinear: channels", channels)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[1] is None or (
            input_shape[2] is not None and input_shape[2] < self.channels
        ):
            raise ValueError(
                f"TemporalLinear(channels={self.channels}) needs inputs of shape "
                f"(batch, window, features >= {self.channels}) with a known window, got "
                f"{tuple(input_shape)}."
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[1], self.horizon),
            initializer=self.kernel_initializer,
        )  # fmt: skip
        self.bias = self.add_weight(name="bias", shape=(self.horizon,), initializer="zeros")

    def call(self, inputs):
        series = ops.transpose(inputs[..., : self.channels], (0, 2, 1))  # (batch, channels, window)
        forecast = ops.matmul(series, ops.cast(self.kernel, series.dtype))
        forecast = forecast + ops.cast(self.bias, series.dtype)
        return ops.transpose(forecast, (0, 2, 1))

    def fit_least_squares(self, inputs, targets, l2=10.0, prior=None):
        """Set the kernel to the ridge-regression fit of `targets` on `inputs`, the bias to 0.

        `inputs` `(n, window, features)` and `targets` `(n, horizon, channels)`: the windows
        and what the layer should output for them. Minimises the summed squared error plus
        `l2` times the squared distance of the kernel from `prior` (a `(window, horizon)`
        kernel; default zeros), in closed form: with few windows the fit stays near the
        prior. There is no intercept: a mean offset of the training windows (a trend of those
        weeks) need not hold later.
        """
        inputs = ops.convert_to_tensor(inputs, "float32")
        if not self.built:
            self.build(inputs.shape)
        window = inputs.shape[1]
        series = ops.reshape(ops.transpose(inputs[..., : self.channels], (0, 2, 1)), (-1, window))
        targets = ops.transpose(ops.convert_to_tensor(targets, "float32"), (0, 2, 1))
        targets = ops.reshape(targets, (-1, self.horizon))
        if prior is None:
            prior = ops.zeros((window, self.horizon))
        prior = ops.convert_to_tensor(prior, "float32")
        if tuple(prior.shape) != (window, self.horizon):
            raise ValueError(
                f"TemporalLinear.fit_least_squares: prior must have shape "
                f"{(window, self.horizon)} (window, horizon), got {tuple(prior.shape)}."
            )
        gram = ops.matmul(ops.transpose(series), series) + l2 * ops.eye(window)
        residual = targets - ops.matmul(series, prior)
        self.kernel.assign(prior + ops.solve(gram, ops.matmul(ops.transpose(series), residual)))
        self.bias.assign(ops.zeros((self.horizon,)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.horizon, self.channels)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"horizon": self.horizon, "channels": self.channels,
             "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}
        )  # fmt: skip
        return config
