"""Weight import: keras-hub `BertBackbone`s and `GPT2Backbone`s, Hugging Face BERT and
GPT-2 checkpoints."""

from zoo.convert.gpt_huggingface import gpt_config_from_huggingface, gpt_from_huggingface
from zoo.convert.gpt_keras_hub import gpt_config_from_keras_hub, gpt_from_keras_hub
from zoo.convert.huggingface import config_from_huggingface, from_huggingface
from zoo.convert.keras_hub import config_from_keras_hub, from_keras_hub
from zoo.convert.sources import load_bert_encoder, load_gpt

__all__ = [
    "config_from_huggingface",
    "config_from_keras_hub",
    "from_huggingface",
    "from_keras_hub",
    "gpt_config_from_huggingface",
    "gpt_config_from_keras_hub",
    "gpt_from_huggingface",
    "gpt_from_keras_hub",
    "load_bert_encoder",
    "load_gpt",
]
