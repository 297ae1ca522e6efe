"""Model builders; importing this package registers every model."""

from zoo.models.bert import (
    BERT_PRESETS,
    BertConfig,
    bert_encoder_of,
    build_bert,
    build_bert_classifier,
    build_bert_pretrainer,
)
from zoo.models.cnn import build_cnn
from zoo.models.lstm import build_lstm_classifier, build_lstm_forecaster
from zoo.models.recommenders import build_deepfm, build_wide_deep
from zoo.models.resnet import RESNET_PRESETS, ResNetConfig, build_resnet
from zoo.models.resnet9 import build_resnet9

__all__ = [
    "BERT_PRESETS",
    "RESNET_PRESETS",
    "BertConfig",
    "ResNetConfig",
    "bert_encoder_of",
    "build_bert",
    "build_bert_classifier",
    "build_bert_pretrainer",
    "build_cnn",
    "build_deepfm",
    "build_lstm_classifier",
    "build_lstm_forecaster",
    "build_resnet",
    "build_resnet9",
    "build_wide_deep",
]
