"""Import keras-hub's `BertBackbone` (an object or a preset directory) into a zoo encoder.

Example:
>>> from zoo.convert import from_keras_hub
>>> encoder = from_keras_hub("path/to/bert_base_en_uncased")  # doctest: +SKIP
"""

import json
from pathlib import Path

import keras

from zoo._keras_internals import keras_hub_encoder_parts
from zoo.convert._assign import assign_bert_weights
from zoo.errors import ConfigError, DataSourceError
from zoo.models.bert import BertConfig, build_bert


def _load_backbone(source, class_name="BertBackbone"):
    """`source` itself (a keras model), or the `class_name` backbone of a preset directory."""
    if isinstance(source, keras.Model):
        return source
    directory = Path(source)
    if not (directory / "config.json").is_file():
        raise DataSourceError(
            f"{directory}: no config.json; a keras-hub preset directory holds config.json "
            "and model.weights.h5."
        )
    try:
        import keras_hub
    except ImportError:
        raise ConfigError(
            "Importing a keras-hub preset needs keras-hub: pip install 'keras-zoo[convert]'"
        ) from None
    config = json.loads((directory / "config.json").read_text())
    if config.get("class_name", "").split(">")[-1] != class_name:
        raise ConfigError(f"{directory} holds a {config.get('class_name')}, not a {class_name}.")
    return getattr(keras_hub.models, class_name).from_preset(str(directory))


def config_from_keras_hub(backbone):
    """The `BertConfig` of a keras-hub `BertBackbone` (which uses the tanh GELU)."""
    return BertConfig(
        num_layers=backbone.num_layers, hidden_dim=backbone.hidden_dim,
        num_heads=backbone.num_heads, intermediate_dim=backbone.intermediate_dim,
        vocabulary_size=backbone.vocabulary_size,
        max_sequence_length=backbone.max_sequence_length, num_segments=backbone.num_segments,
        dropout=backbone.dropout, activation="gelu_approximate",
    )  # fmt: skip


def _value(variable):
    return keras.ops.convert_to_numpy(variable)


def block_arrays(backbone):
    """The weights of a keras-hub backbone's `transformer_layer_{i}` blocks (BERT's and
    GPT-2's have the same parts) under zoo's source-independent names (`block{i}/...`)."""
    arrays = {}
    for i in range(backbone.num_layers):
        parts = keras_hub_encoder_parts(backbone.get_layer(f"transformer_layer_{i}"))
        for part in ("query", "key", "value", "attention_output", "intermediate", "output"):
            arrays[f"block{i}/{part}/kernel"] = _value(parts[part].kernel)
            arrays[f"block{i}/{part}/bias"] = _value(parts[part].bias)
        for part in ("attention_norm", "output_norm"):
            arrays[f"block{i}/{part}/gamma"] = _value(parts[part].gamma)
            arrays[f"block{i}/{part}/beta"] = _value(parts[part].beta)
    return arrays


def _arrays(backbone):
    value = _value
    layer = backbone.get_layer
    arrays = {
        "token_embedding": value(layer("token_embedding").embeddings),
        "position_embedding": value(layer("position_embedding").position_embeddings),
        "segment_embedding": value(layer("segment_embedding").embeddings),
        "embeddings_norm/gamma": value(layer("embeddings_layer_norm").gamma),
        "embeddings_norm/beta": value(layer("embeddings_layer_norm").beta),
        "pooler/kernel": value(layer("pooled_dense").kernel),
        "pooler/bias": value(layer("pooled_dense").bias),
    }
    return {**arrays, **block_arrays(backbone)}


def from_keras_hub(source, name="bert"):
    """A zoo BERT encoder with the weights of a keras-hub `BertBackbone` or preset directory.

    The encoder gives the same `sequence_output` and `pooled_output` as the source on the
    same inputs (tests check 1e-4 in float32 on every backend).
    """
    backbone = _load_backbone(source)
    encoder = build_bert(config_from_keras_hub(backbone), name=name)
    assign_bert_weights(encoder, _arrays(backbone), source=f"keras-hub {backbone.name}")
    return encoder


def vocabulary_of_keras_hub_preset(directory):
    """The WordPiece vocabulary file of a keras-hub preset directory, or None."""
    path = Path(directory) / "assets" / "tokenizer" / "vocabulary.txt"
    return str(path) if path.is_file() else None
