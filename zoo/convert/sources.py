"""Load a BERT encoder or a GPT language model and its tokenizer from whichever kind of
folder a user points at.

* a zoo pretraining run folder: `encoder.keras` and `tokenizer/` (as `zoo train bert
  pretrain` writes them);
* a keras-hub preset folder: `config.json` of a `BertBackbone`, `model.weights.h5`,
  `assets/tokenizer/vocabulary.txt`;
* a Hugging Face checkpoint folder: `config.json` with `"model_type": "bert"`, weights,
  `vocab.txt`.

For GPT (`load_gpt`): a zoo run folder (`model.keras` and the `tokenizer/` a GPT
tokenizer's `save` writes), a keras-hub `GPT2Backbone` preset folder, or a Hugging Face
GPT-2 folder (`"model_type": "gpt2"`).

Example:
>>> encoder, tokenizer = load_bert_encoder("runs/pretrain_mini")  # doctest: +SKIP
>>> lm, tokenizer = load_gpt("path/to/gpt2")                       # doctest: +SKIP
"""

import json
from pathlib import Path

import keras

from zoo.convert.gpt_huggingface import gpt_from_huggingface
from zoo.convert.gpt_keras_hub import gpt_from_keras_hub
from zoo.convert.huggingface import from_huggingface
from zoo.convert.keras_hub import from_keras_hub
from zoo.data.gpt_tokenizer import find_gpt_tokenizer, load_gpt_tokenizer
from zoo.data.tokenizer import WordPieceTokenizer
from zoo.errors import ConfigError, DataSourceError


def _keras_hub_lowercase(directory):
    settings = directory / "tokenizer.json"
    if settings.is_file():
        return json.loads(settings.read_text()).get("config", {}).get("lowercase", True)
    return True


def load_bert_encoder(directory, name=None):
    """(encoder, tokenizer or None) from a zoo run, keras-hub preset or Hugging Face folder."""
    directory = Path(directory)
    if (directory / "encoder.keras").is_file():
        encoder = keras.saving.load_model(directory / "encoder.keras")
        tokenizer = None
        if (directory / "tokenizer" / "vocab.txt").is_file():
            tokenizer = WordPieceTokenizer.load(directory / "tokenizer")
        return encoder, tokenizer
    config_file = directory / "config.json"
    if not config_file.is_file():
        raise DataSourceError(
            f"{directory} is neither a zoo pretraining run (encoder.keras), a keras-hub preset "
            "nor a Hugging Face checkpoint (config.json)."
        )
    config = json.loads(config_file.read_text())
    if "BertBackbone" in str(config.get("class_name", "")):
        encoder = from_keras_hub(directory, name=name or "bert")
        vocabulary = directory / "assets" / "tokenizer" / "vocabulary.txt"
        lowercase = _keras_hub_lowercase(directory)
    else:
        encoder = from_huggingface(directory, name=name or "bert")
        vocabulary = directory / "vocab.txt"
        settings = directory / "tokenizer_config.json"
        lowercase = True
        if settings.is_file():
            lowercase = json.loads(settings.read_text()).get("do_lower_case", True)
    tokenizer = WordPieceTokenizer(vocabulary, lowercase) if vocabulary.is_file() else None
    return encoder, tokenizer


def load_gpt(directory, name=None, tokenizer_needed_for=None):
    """(language model, tokenizer or None) from a zoo run, keras-hub preset or Hugging Face
    GPT-2 folder; the model is a zoo `build_gpt_lm` model in every case.

    `tokenizer_needed_for` (what the caller does with the tokenizer, e.g. "generation")
    makes a folder without a tokenizer an error that says so, instead of returning None.
    """
    lm, tokenizer = _load_gpt(Path(directory), name)
    if tokenizer is None and tokenizer_needed_for:
        raise ConfigError(
            f"{directory} has no tokenizer (vocab.json and merges.txt, or tokenizer/); "
            f"{tokenizer_needed_for} needs the one the model was trained with: copy it there."
        )
    return lm, tokenizer


def _load_gpt(directory, name):
    if (directory / "model.keras").is_file():
        lm = keras.saving.load_model(directory / "model.keras")
        if len(lm.output_shape) != 3:
            raise ConfigError(
                f"{directory} holds {lm.name}, whose output {lm.output_shape} is not a language "
                "model's (batch, length, vocabulary) logits: give a `zoo train gpt pretrain` "
                "run or a run fine-tuned with --corpus."
            )
        tokenizer = directory / "tokenizer"
        return lm, load_gpt_tokenizer(tokenizer) if tokenizer.is_dir() else None
    config_file = directory / "config.json"
    if not config_file.is_file():
        raise DataSourceError(
            f"{directory} is neither a zoo GPT run (model.keras), a keras-hub GPT2 preset "
            "nor a Hugging Face GPT-2 checkpoint (config.json)."
        )
    config = json.loads(config_file.read_text())
    if "GPT2Backbone" in str(config.get("class_name", "")):
        lm = gpt_from_keras_hub(directory, name=name or "gpt")
    else:
        lm = gpt_from_huggingface(directory, name=name or "gpt")
    return lm, find_gpt_tokenizer(directory)
