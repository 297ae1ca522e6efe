"""Import a Hugging Face BERT checkpoint directory into a zoo encoder.

A directory with `config.json` and `model.safetensors` (or `pytorch_model.bin`), as
`save_pretrained` writes it, from `BertModel` or a `BertFor...` head (`bert.` prefix).
Both LayerNorm namings (`gamma`/`beta` of old TensorFlow ports, `weight`/`bias`) load.

Example:
>>> from zoo.convert import from_huggingface
>>> encoder = from_huggingface("path/to/bert-base-uncased")  # doctest: +SKIP
"""

import json
from pathlib import Path

import numpy as np

from zoo.convert._assign import assign_bert_weights
from zoo.errors import ConfigError, DataSourceError
from zoo.models.bert import BertConfig, build_bert

_ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_new": "gelu_approximate",
    "gelu_pytorch_tanh": "gelu_approximate",
    "gelu_fast": "gelu_approximate",
}


def config_from_huggingface(config):
    """The `BertConfig` of a Hugging Face `config.json` dictionary."""
    if config.get("model_type", "bert") != "bert":
        raise ConfigError(f"config.json describes a {config['model_type']!r} model, not BERT.")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise ConfigError(
            f"position_embedding_type={config['position_embedding_type']!r} is not supported; "
            "zoo's BERT has absolute position embeddings."
        )
    activation = config.get("hidden_act", "gelu")
    if activation not in _ACTIVATIONS:
        raise ConfigError(
            f"hidden_act={activation!r} is not supported; use one of {list(_ACTIVATIONS)}."
        )
    return BertConfig(
        num_layers=config["num_hidden_layers"], hidden_dim=config["hidden_size"],
        num_heads=config["num_attention_heads"], intermediate_dim=config["intermediate_size"],
        vocabulary_size=config["vocab_size"],
        max_sequence_length=config.get("max_position_embeddings", 512),
        num_segments=config.get("type_vocab_size", 2),
        dropout=config.get("hidden_dropout_prob", 0.1),
        attention_dropout=config.get("attention_probs_dropout_prob", 0.1),
        activation=_ACTIVATIONS[activation],
        layer_norm_epsilon=config.get("layer_norm_eps", 1e-12),
        initializer_range=config.get("initializer_range", 0.02),
    )  # fmt: skip


def _read_tensors(directory):
    safetensors_file = directory / "model.safetensors"
    if safetensors_file.is_file():
        from safetensors.numpy import load_file

        return load_file(str(safetensors_file))
    torch_file = directory / "pytorch_model.bin"
    if torch_file.is_file():
        import torch

        state = torch.load(str(torch_file), map_location="cpu", weights_only=True)
        return {key: value.float().numpy() for key, value in state.items()}
    raise DataSourceError(f"{directory}: no model.safetensors or pytorch_model.bin.")


class _Checkpoint:
    """Looks tensors up under the names a BERT checkpoint may use."""

    def __init__(self, tensors):
        self.tensors = tensors
        self.prefix = "bert." if any(k.startswith("bert.") for k in tensors) else ""

    def get(self, name, alternatives=()):
        for candidate in (name, *alternatives):
            key = self.prefix + candidate
            if key in self.tensors:
                return np.asarray(self.tensors[key], dtype=np.float32)
        return None

    def norm(self, stem):
        gamma = self.get(f"{stem}.weight", [f"{stem}.gamma"])
        beta = self.get(f"{stem}.bias", [f"{stem}.beta"])
        return gamma, beta


def _arrays(checkpoint, config):
    heads, head_dim = config.num_heads, config.hidden_dim // config.num_heads
    arrays = {}

    def put(name, value):
        if value is not None:
            arrays[name] = value

    put("token_embedding", checkpoint.get("embeddings.word_embeddings.weight"))
    put("position_embedding", checkpoint.get("embeddings.position_embeddings.weight"))
    put("segment_embedding", checkpoint.get("embeddings.token_type_embeddings.weight"))
    gamma, beta = checkpoint.norm("embeddings.LayerNorm")
    put("embeddings_norm/gamma", gamma)
    put("embeddings_norm/beta", beta)
    pooler = checkpoint.get("pooler.dense.weight")
    put("pooler/kernel", None if pooler is None else pooler.T)
    put("pooler/bias", checkpoint.get("pooler.dense.bias"))
    for i in range(config.num_layers):
        stem = f"encoder.layer.{i}"
        for part in ("query", "key", "value"):
            weight = checkpoint.get(f"{stem}.attention.self.{part}.weight")
            bias = checkpoint.get(f"{stem}.attention.self.{part}.bias")
            if weight is not None:  # torch Linear: (out, in) -> EinsumDense (in, heads, head_dim)
                put(f"block{i}/{part}/kernel", weight.T.reshape(-1, heads, head_dim))
            if bias is not None:
                put(f"block{i}/{part}/bias", bias.reshape(heads, head_dim))
        weight = checkpoint.get(f"{stem}.attention.output.dense.weight")
        if weight is not None:
            put(f"block{i}/attention_output/kernel", weight.T.reshape(heads, head_dim, -1))
        put(
            f"block{i}/attention_output/bias", checkpoint.get(f"{stem}.attention.output.dense.bias")
        )
        for part, key in (("intermediate", "intermediate.dense"), ("output", "output.dense")):
            weight = checkpoint.get(f"{stem}.{key}.weight")
            put(f"block{i}/{part}/kernel", None if weight is None else weight.T)
            put(f"block{i}/{part}/bias", checkpoint.get(f"{stem}.{key}.bias"))
        for part, key in (("attention_norm", "attention.output.LayerNorm"),
                          ("output_norm", "output.LayerNorm")):  # fmt: skip
            gamma, beta = checkpoint.norm(f"{stem}.{key}")
            put(f"block{i}/{part}/gamma", gamma)
            put(f"block{i}/{part}/beta", beta)
    return arrays


def from_huggingface(directory, name="bert"):
    """A zoo BERT encoder with the weights of a Hugging Face BERT checkpoint directory.

    A checkpoint without a pooler (from `BertForMaskedLM`) loads with the pooler left
    initialised. Any other missing or misshapen weight raises `ConfigError` naming it.
    """
    directory = Path(directory)
    config_file = directory / "config.json"
    if not config_file.is_file():
        raise DataSourceError(f"{directory}: no config.json (a Hugging Face checkpoint directory).")
    config = config_from_huggingface(json.loads(config_file.read_text()))
    encoder = build_bert(config, name=name)
    arrays = _arrays(_Checkpoint(_read_tensors(directory)), config)
    assign_bert_weights(encoder, arrays, source=str(directory))
    return encoder
