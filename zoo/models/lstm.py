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
from zoo.layers import LSTM
from zoo.models._image_classifier import check_top_arguments, classification_output
from zoo.registry import ReferenceResult, register_model
from zoo.train.recipe import TrainingRecipe


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


_TEXT_RECIPE = TrainingRecipe(
    epochs=3, batch_size=64, optimizer="adam", learning_rate=1e-3, weight_decay=0.0,
    schedule="constant", augment=False,
)  # fmt: skip
_IMDB_BILSTM = ReferenceResult(
    dataset="IMDB",
    metric="test accuracy",
    value=85.0,
    source="Keras example imdb_bidirectional_lstm.py (about 81-85%)",
)


@register_model(
    "lstm_text",
    task="text_classification",
    input_shape=(200,),
    parameter_count=2_609_538,
    recipe=_TEXT_RECIPE,
    description="Embedding 128 -> LSTM 64 -> classes (one layer, forward only).",
    sequence_length=200,
    lstm_units=(64,),
    bidirectional=False,
    name="lstm_text",
)
@register_model(
    "bilstm_text",
    task="text_classification",
    input_shape=(200,),
    parameter_count=2_757_890,
    reference=_IMDB_BILSTM,
    recipe=_TEXT_RECIPE,
    description="Embedding 128 -> two bidirectional LSTM 64 layers -> classes (Keras example).",
    sequence_length=200,
    lstm_units=(64, 64),
    bidirectional=True,
    name="bilstm_text",
)
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


@register_model(
    "lstm_forecaster",
    task="time_series_forecasting",
    input_shape=(24, 1),
    parameter_count=16_961,
    recipe=TrainingRecipe(
        epochs=20, batch_size=64, optimizer="adam", learning_rate=1e-3, weight_decay=0.0,
        schedule="cosine", augment=False,
    ),  # fmt: skip
    horizon=1,
    lstm_units=(64,),
    name="lstm_forecaster",
)
def build_lstm_forecaster(
    input_shape=(24, 1),
    horizon=1,
    num_targets=1,
    *,
    lstm_units=(64,),
    dropout=0.0,
    name="lstm_forecaster",
):
    """Windows of `(window, features)` -> stacked LSTM -> `(horizon, num_targets)` forecasts.

    One-shot multi-step: a single dense projection predicts every future step at once, so
    errors do not compound as in step-by-step (autoregressive) forecasting.

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
    inputs = keras.Input(tuple(input_shape), name="window")
    x = lstm_stack(inputs, lstm_units, dropout=dropout, name=name)
    # The projection runs in float32 under mixed precision: forecasts are compared in
    # original units, where bfloat16's 8 mantissa bits would show.
    x = keras.layers.Dense(horizon * num_targets, dtype="float32", name=f"{name}_projection")(x)
    outputs = keras.layers.Reshape((horizon, num_targets), dtype="float32",
                                   name=f"{name}_forecast")(x)  # fmt: skip
    return keras.Model(inputs, outputs, name=name)
