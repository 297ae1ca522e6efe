"""Model builders, loaded on first use; the registry entries of zoo's own models live in the
light `*_presets.py` modules beside them (`register_builtin_models`), which import no backend.

Example:
>>> from zoo.models import build_cnn
>>> build_cnn((28, 28, 1), num_classes=10).output_shape
(None, 10)
"""

import importlib

from zoo._lazy import lazy_attributes

# The modules that register zoo's models: metadata only, the builders are named by path.
PRESET_MODULES = (
    "zoo.models.cnn_presets",
    "zoo.models.resnet_presets",
    "zoo.models.resnet9_presets",
    "zoo.models.lstm_presets",
    "zoo.models.bert_presets",
    "zoo.models.recommender_presets",
    "zoo.models.inception_presets",
    "zoo.models.gpt_presets",
)

# Public name -> the module defining it, imported when the name is first read.
_SOURCES = {
    "BERT_PRESETS": "zoo.models.bert_presets",
    "BertConfig": "zoo.models.bert_presets",
    "bert_encoder_of": "zoo.models.bert",
    "build_bert": "zoo.models.bert",
    "build_bert_classifier": "zoo.models.bert",
    "build_bert_pretrainer": "zoo.models.bert",
    "build_cnn": "zoo.models.cnn",
    "build_lstm_classifier": "zoo.models.lstm",
    "build_lstm_forecaster": "zoo.models.lstm",
    "build_deepfm": "zoo.models.recommenders",
    "build_wide_deep": "zoo.models.recommenders",
    "RESNET_PRESETS": "zoo.models.resnet_presets",
    "ResNetConfig": "zoo.models.resnet_presets",
    "build_resnet": "zoo.models.resnet",
    "build_resnet9": "zoo.models.resnet9",
    "build_inception_v3": "zoo.models.inception",
    "build_inception_cifar": "zoo.models.inception",
    "GPT_PRESETS": "zoo.models.gpt_presets",
    "GPTConfig": "zoo.models.gpt_presets",
    "build_gpt": "zoo.models.gpt",
    "build_gpt_lm": "zoo.models.gpt",
    "build_gpt_classifier": "zoo.models.gpt",
}
__getattr__, __dir__ = lazy_attributes(__name__, _SOURCES)


def register_builtin_models():
    """Register zoo's own models (the registry calls this on first use)."""
    for module in PRESET_MODULES:
        importlib.import_module(module)


__all__ = list(_SOURCES)
