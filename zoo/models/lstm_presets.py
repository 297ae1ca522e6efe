"""The registry entries of the LSTM models (metadata only: importing this module imports no
backend)."""

from zoo.registry import ReferenceResult, register_model_path
from zoo.train.recipe import TrainingRecipe

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

register_model_path(
    "lstm_text",
    "zoo.models.lstm:build_lstm_classifier",
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

register_model_path(
    "bilstm_text",
    "zoo.models.lstm:build_lstm_classifier",
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

register_model_path(
    "lstm_forecaster",
    "zoo.models.lstm:build_lstm_forecaster",
    task="time_series_forecasting",
    input_shape=(24, 1),
    parameter_count=16_986,
    recipe=TrainingRecipe(
        epochs=20, batch_size=64, optimizer="adam", learning_rate=1e-3, weight_decay=0.0,
        schedule="cosine", augment=False,
    ),  # fmt: skip
    description="Per-window normalisation -> LSTM 64 -> dense, plus a linear map of the window; "
    "de-normalised forecasts (horizon x targets).",
    horizon=1,
    lstm_units=(64,),
    normalization="window",
    location="last",
    linear=True,
    name="lstm_forecaster",
    # The linear map reads the whole window: the window length is fixed once built.
    fixed_input_size=True,
)
