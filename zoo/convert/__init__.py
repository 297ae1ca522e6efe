"""Weight import: keras-hub `BertBackbone`s and Hugging Face BERT checkpoints."""

from zoo.convert.huggingface import config_from_huggingface, from_huggingface
from zoo.convert.keras_hub import config_from_keras_hub, from_keras_hub
from zoo.convert.sources import load_bert_encoder

__all__ = [
    "config_from_huggingface",
    "config_from_keras_hub",
    "from_huggingface",
    "from_keras_hub",
    "load_bert_encoder",
]
