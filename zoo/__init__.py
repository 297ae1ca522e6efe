"""keras-zoo: backend-agnostic Keras 3 models, from data to a deployed artifact.

Example:
>>> from zoo import create_model, list_models
>>> "resnet20" in list_models()
True
"""

__version__ = "0.1.0"

# First, before anything imports Keras: a bad KERAS_BACKEND is one line, not a traceback.
from zoo import _keras_backend  # noqa: F401, I001
from zoo import layers  # noqa: F401  (registers the serializable layers)
from zoo.errors import ConfigError, DataSourceError, UnknownModelError, ZooError
from zoo.models import (
    BERT_PRESETS,
    RESNET_PRESETS,
    BertConfig,
    ResNetConfig,
    build_bert,
    build_bert_classifier,
    build_bert_pretrainer,
    build_cnn,
    build_deepfm,
    build_lstm_classifier,
    build_lstm_forecaster,
    build_resnet,
    build_resnet9,
    build_wide_deep,
)
from zoo.registry import (
    MeasuredResult,
    ModelSpec,
    ReferenceResult,
    create_model,
    get_model_spec,
    list_models,
    list_tasks,
    register_model,
)

__all__ = [
    "BERT_PRESETS",
    "BertConfig",
    "build_bert",
    "build_bert_classifier",
    "build_bert_pretrainer",
    "RESNET_PRESETS",
    "ConfigError",
    "DataSourceError",
    "MeasuredResult",
    "ModelSpec",
    "ReferenceResult",
    "ResNetConfig",
    "UnknownModelError",
    "ZooError",
    "build_cnn",
    "build_deepfm",
    "build_lstm_classifier",
    "build_lstm_forecaster",
    "build_resnet",
    "build_resnet9",
    "build_wide_deep",
    "create_model",
    "get_model_spec",
    "list_models",
    "list_tasks",
    "register_model",
]
