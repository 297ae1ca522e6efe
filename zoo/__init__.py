"""keras-zoo: backend-agnostic Keras 3 models, from data to a deployed artifact.

Importing zoo imports no backend: the builders load on first use, the registry's metadata
(`list_models`, `get_model_spec`) needs none, and zoo's layers are registered with Keras as
soon as Keras is imported (a saved model then loads with `keras.saving.load_model`).

Example:
>>> from zoo import create_model, list_models
>>> "resnet20" in list_models()
True
"""

__version__ = "0.1.0"

# First, before anything imports Keras: a bad KERAS_BACKEND is one line, not a traceback.
from zoo import _keras_backend  # noqa: F401, I001
from zoo._after_import import call_after_import
from zoo._lazy import lazy_attributes
from zoo.errors import ConfigError, DataSourceError, UnknownModelError, ZooError
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

_BUILDERS = (
    "BERT_PRESETS",
    "BertConfig",
    "build_bert",
    "build_bert_classifier",
    "build_bert_pretrainer",
    "RESNET_PRESETS",
    "ResNetConfig",
    "build_cnn",
    "build_deepfm",
    "build_lstm_classifier",
    "build_lstm_forecaster",
    "build_resnet",
    "build_resnet9",
    "build_wide_deep",
    "build_inception_v3",
    "build_inception_cifar",
    "GPT_PRESETS",
    "GPTConfig",
    "build_gpt",
    "build_gpt_lm",
    "build_gpt_classifier",
)
__getattr__, __dir__ = lazy_attributes(__name__, dict.fromkeys(_BUILDERS, "zoo.models"))

__all__ = [
    *_BUILDERS,
    "ConfigError",
    "DataSourceError",
    "MeasuredResult",
    "ModelSpec",
    "ReferenceResult",
    "UnknownModelError",
    "ZooError",
    "create_model",
    "get_model_spec",
    "list_models",
    "list_tasks",
    "register_model",
]



def _register_serializables():
    # Each layer, schedule and loss registers itself with Keras: a compiled model's
    # optimizer (a OneCycle schedule) and loss load with it.
    import zoo.layers  # noqa: F401
    import zoo.train.losses  # noqa: F401
    import zoo.train.schedules  # noqa: F401


# zoo's serializable objects are registered the moment Keras is imported (now, if it is): a
# saved model then loads with `keras.saving.load_model`. `import zoo` itself imports no backend.
call_after_import("keras", _register_serializables)
