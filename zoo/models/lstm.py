"""LSTM sequence models: a text classifier over token ids and a multi-step forecaster.

Both stack LSTM layers the same way (`lstm_stack`); the classifier reads integer token ids
(0 = padding, masked out of every LSTM step), the forecaster reads float windows of
`(window, features)` and predicts `horizon` future steps of `num_targets` series at once.

Example:
>>> model = build_lstm_classifier(vocabulary_size=1000, num_classes=2, sequence_length=50)
>>> model.output_shape
(None, 2)
>>> build_lstm_forecaster(input_shape=(24, 3), horizon=6).output_shape
(None, 6, 1)
"""

import keras

from zoo._utils import check_fraction, check_positive_int
from zoo.errors import ConfigError
from zoo.layers import LSTM, TemporalLinear, WindowDenormalization, WindowNormalization
from zoo.layers.window_normalization import LOCATIONS as WINDOW_LOCATIONS
from zoo.models._image_classifier import check_top_arguments, classification_output


def _check_units(builder, lstm_units):
    if (
        not isinstance(lstm_units, (tuple, list))
        or not lstm_units
        or any(isinstance(u, bool) or not isinstance(u, int) or u < 1 for u in lstm_units)
    ):
        raise ConfigError(
            f"{builder}: lstm_units must be a non-empty sequence of positive integers "
            f"(one per LSTM layer), got {lstm_units!r}."
        )


def lstm_stack(x, lstm_units, *, bidirectional=False, dropout=0.0, name):
    """Stack one LSTM layer per entry of `lstm_units`; return the last layer's final state.

    Every layer but the last returns its whole sequence for the next one; `dropout` is applied
    between layers and after the last. Masks (from `Embedding(mask_zero=True)`) flow through.
    The layers are `zoo.layers.LSTM`: Keras's LSTM, with torch's native kernel on torch.
    """
    for i, units in enumerate(lstm_units, start=1):
        last = i == len(lstm_units)
        layer = LSTM(units, return_sequences=not last, name=f"{name}_lstm{i}")
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"{name}_bilstm{i}")
        x = layer(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_dropout{i}")(x)
    return x


def build_lstm_classifier(
    vocabulary_size=20000,
    num_classes=2,
    *,
    sequence_length=None,
    embedding_dim=128,
    lstm_units=(64,),
    bidirectional=False,
    dropout=0.0,
    include_top=True,
    classifier_activation="softmax",
    name="lstm_classifier",
):
    """Token ids -> embedding -> stacked (bi)LSTM -> dense classes.

    Token id 0 is padding: the embedding masks it, so padded steps change no LSTM state and
    left- and right-padded batches give the same result. `sequence_length=None` accepts any
    length. `include_top=False` returns the last LSTM layer's final state.

    Example:
    >>> model = build_lstm_classifier(20000, 2, lstm_units=(64, 64), bidirectional=True)
    >>> model.output_shape
    (None, 2)
    """
    builder = "build_lstm_classifier"
    check_positive_int(f"{builder}: vocabulary_size", vocabulary_size)
    if sequence_length is not None:
        check_positive_int(f"{builder}: sequence_length", sequence_length)
    check_positive_int(f"{builder}: embedding_dim", embedding_dim)
    _check_units(builder, lstm_units)
    check_fraction(f"{builder}: dropout", dropout)
    check_top_arguments(builder, include_top=include_top, num_classes=num_classes,
                        pooling=None, classifier_activation=classifier_activation)  # fmt: skip
    inputs = keras.Input((sequence_length,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True,
                               name=f"{name}_embedding")(inputs)  # fmt: skip
    x = lstm_stack(x, lstm_units, bidirectional=bidirectional, dropout=dropout, name=name)
    if include_top:
        x = classification_output(x, num_classes, classifier_activation, name)
    return keras.Model(inputs, x, name=name)


FORECASTER_NORMALIZATIONS = ("window", None)


def build_lstm_forecaster(
    input_shape=(24, 1),
    horizon=1,
    num_targets=1,
    *,
    lstm_units=(64,),
    dropout=0.0,
    normalization="window",
    location="last",
    linear=True,
    name="lstm_forecaster",
):
    """Windows of `(window, features)` -> stacked LSTM -> `(horizon, num_targets)` forecasts.

    One-shot multi-step: a single dense projection predicts every future step at once, so
    errors do not compound as in step-by-step (autoregressive) forecasting. The targets are
    the first `num_targets` input channels (as `zoo.data.timeseries.SeriesSplits` orders
    them); the other channels are extra input features.

    `normalization="window"` (RevIN, Kim et al. 2022): each window's target channels are
    shifted by the window's `location` (`"last"`: its last value, so the network forecasts
    the change from where the window ends; or `"mean"`) and divided by the window's standard
    deviation, and the forecast is mapped back with the same statistics: the forecast follows
    a level the training windows never reached, and shifting a window by c shifts its forecast
    by c. The projection starts at zero, so an untrained model forecasts the location (with
    `"last"`: the naive forecast). `linear=True` adds a linear map from the (normalised)
    target window to the forecast (`zoo.layers.TemporalLinear`, NLinear in Zeng et al. 2023),
    which learns seasonal and trend patterns from few windows; `fit_linear_start` sets it
    by least squares before training. `normalization=None,
    linear=False` is the plain LSTM (inputs scaled by the data pipeline only).

    Example:
    >>> model = build_lstm_forecaster(input_shape=(48, 4), horizon=12, lstm_units=(64, 32))
    >>> model.output_shape
    (None, 12, 1)
    """
    builder = "build_lstm_forecaster"
    if (
        not isinstance(input_shape, (tuple, list))
        or len(input_shape) != 2
        or not (input_shape[0] is None or (isinstance(input_shape[0], int) and input_shape[0] > 0))
        or not isinstance(input_shape[1], int)
        or input_shape[1] < 1
    ):
        raise ConfigError(
            f"{builder}: input_shape must be (window, features) with positive integers "
            f"(window may be None), got {input_shape!r}."
        )
    check_positive_int(f"{builder}: horizon", horizon)
    check_positive_int(f"{builder}: num_targets", num_targets)
    _check_units(builder, lstm_units)
    check_fraction(f"{builder}: dropout", dropout)
    if normalization not in FORECASTER_NORMALIZATIONS:
        raise ConfigError(
            f"{builder}: normalization must be one of {FORECASTER_NORMALIZATIONS}, "
            f"got {normalization!r}."
        )
    if location not in WINDOW_LOCATIONS:
        raise ConfigError(
            f"{builder}: location must be one of {WINDOW_LOCATIONS}, got {location!r}."
        )
    if not isinstance(linear, bool):
        raise ConfigError(f"{builder}: linear must be True or False, got {linear!r}.")
    if num_targets > input_shape[1]:
        raise ConfigError(
            f"{builder}: num_targets {num_targets} exceeds the {input_shape[1]} input features "
            "(the targets are the first input channels)."
        )
    if linear and input_shape[0] is None:
        raise ConfigError(
            f"{builder}: linear=True needs a fixed window length, got input_shape "
            f"{tuple(input_shape)!r}; give the window or use linear=False."
        )
    inputs = keras.Input(tuple(input_shape), name="window")
    x = inputs
    if normalization == "window":
        # Statistics, the normalised window and the forecast's way back are float32 under
        # any policy: levels such as 400.0 lose their last digits in bfloat16.
        x, window_location, window_scale = WindowNormalization(
            num_targets, location=location, dtype="float32", name=f"{name}_normalization"
        )(inputs)
    features = lstm_stack(x, lstm_units, dropout=dropout, name=name)
    # The projection runs in float32 under mixed precision: forecasts are compared in
    # original units, where bfloat16's 8 mantissa bits would show. After normalisation it
    # starts at zero: an untrained model forecasts the window's location.
    initializer = "zeros" if normalization else "glorot_uniform"
    y = keras.layers.Dense(horizon * num_targets, kernel_initializer=initializer,
                           dtype="float32", name=f"{name}_projection")(features)  # fmt: skip
    # The model's last layer is always `{name}_forecast`.
    stages = ["reshape", *(["sum"] if linear else []), *(["denormalize"] if normalization else [])]
    names = {stage: f"{name}_{stage}" for stage in stages} | {stages[-1]: f"{name}_forecast"}
    y = keras.layers.Reshape((horizon, num_targets), dtype="float32", name=names["reshape"])(y)
    if linear:
        skip = TemporalLinear(horizon, num_targets, dtype="float32", name=f"{name}_linear")(x)
        y = keras.layers.Add(dtype="float32", name=names["sum"])([y, skip])
    if normalization == "window":
        y = WindowDenormalization(dtype="float32", name=names["denormalize"])(
            [y, window_location, window_scale]
        )
    return keras.Model(inputs, y, name=name)


def first_layer(model, kind):
    """The first of `model`'s layers that is a `kind`, or None.

    Example:
    >>> first_layer(build_lstm_forecaster(), TemporalLinear).name
    'lstm_forecaster_linear'
    """
    return next((layer for layer in model.layers if isinstance(layer, kind)), None)


def fit_linear_start(model, windows, targets, l2=10.0, prior=None):
    """Start a forecaster's linear map at its least-squares fit to training windows.

    `windows` `(n, window, features)` and `targets` `(n, horizon, num_targets)` as the model
    reads and predicts them (e.g. a `SeriesSplits` training set). The fit is made where the
    linear map works, on the window-normalised values (ridge regression, penalty `l2` toward
    the kernel `prior`, default zeros; `zoo.models.forecast_start` chooses both), while
    the LSTM's projection stays at zero: the model then starts as the best linear forecaster
    of the training windows (NLinear's solution, in closed form) and gradient training adds
    what the LSTM finds. Returns the model; a model without a linear map is left unchanged.

    Example:
    >>> import numpy as np
    >>> model = build_lstm_forecaster(input_shape=(12, 1), horizon=2)
    >>> x = np.random.default_rng(0).normal(size=(64, 14)).cumsum(1)[..., None]
    >>> model = fit_linear_start(model, x[:, :12], x[:, 12:])
    """
    linear = first_layer(model, TemporalLinear)
    if linear is None:
        return model
    windows = keras.ops.convert_to_tensor(windows, "float32")
    targets = keras.ops.convert_to_tensor(targets, "float32")
    normalization = first_layer(model, WindowNormalization)
    if normalization is not None:
        windows, location, scale = normalization(windows)
        targets = (targets - location) / scale
    linear.fit_least_squares(windows, targets, l2=l2, prior=prior)
    return model
