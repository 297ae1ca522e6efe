"""BERT encoders (Devlin et al. 2018), from bert_tiny to bert_large, with classifier and
masked-LM pretrainer builders.

Example:
>>> from zoo import build_bert
>>> encoder = build_bert("bert_tiny", vocabulary_size=1000, max_sequence_length=64)
>>> sorted(encoder.output)
['pooled_output', 'sequence_output']
"""

import dataclasses

import keras

from zoo.errors import ConfigError
from zoo.layers import (
    HashedDropout,
    MaskedPositionsTransform,
    TransformerEncoderBlock,
    VocabularyBias,
)
from zoo.models._layer_names import TransformerLayerNames, layer_name
from zoo.models._text_classifier import classification_head, resolve_backbone
from zoo.models._weights import copy_weights_by_layer_name
from zoo.models.bert_presets import BERT_PRESETS, BertConfig  # noqa: F401  (public here too)


def resolve_bert_config(preset_or_config, **overrides):
    """A `BertConfig` from a preset name or a config, with non-`None` `overrides` applied."""
    if isinstance(preset_or_config, BertConfig):
        config = preset_or_config
    elif preset_or_config in BERT_PRESETS:
        config = BERT_PRESETS[preset_or_config]
    else:
        raise ConfigError(
            f"Unknown BERT preset {preset_or_config!r}; use one of "
            f"{', '.join(BERT_PRESETS)} or a BertConfig."
        )
    return config.replace(**overrides)


def _initializer(config):
    return keras.initializers.TruncatedNormal(stddev=config.initializer_range)


def _bert_inputs():
    return {
        "token_ids": keras.Input(shape=(None,), dtype="int32", name="token_ids"),
        "segment_ids": keras.Input(shape=(None,), dtype="int32", name="segment_ids"),
        "padding_mask": keras.Input(shape=(None,), dtype="int32", name="padding_mask"),
    }


@dataclasses.dataclass(frozen=True)
class BertLayerNames(TransformerLayerNames):
    """The names of the layers of a BERT encoder built with `name=prefix`: the contract
    between the builders, `bert_config_of`, weight import (`zoo.convert`) and the sharding
    layout (`BERT_LAYOUT_RULES`). `block(i)` names the i-th transformer block; `of(model)`
    finds the names of the encoder inside an encoder, classifier or pretrainer.

    Example:
    >>> BertLayerNames("bert_tiny").token_embedding
    'bert_tiny_token_embedding'
    """

    segment_embedding = layer_name("segment_embedding")
    embeddings_add = layer_name("embeddings_add")
    embeddings_layer_norm = layer_name("embeddings_layer_norm")
    embeddings_dropout = layer_name("embeddings_dropout")
    pooler = layer_name("pooler")
    mlm_transform = layer_name("mlm_transform")
    mlm_bias = layer_name("mlm_bias")

    family = "BERT"


# How `--strategy model_parallel` shards a BERT, Megatron-LM's split (zoo.train.layout):
# weight-path patterns (full match, as `keras.distribution.LayoutMap` reads them) -> the
# axis of each dimension ("model" = split over the mesh's model axis). They read the layer
# names above and the sublayer names of `zoo.layers` (self_attention/query, intermediate_dense).
BERT_LAYOUT_RULES = {
    r".*embedding[^/]*/embeddings": (None, "model"),
    r".*self_attention/(query|key|value)/kernel": (None, "model", None),
    r".*self_attention/(query|key|value)/bias": ("model", None),
    r".*self_attention/attention_output/kernel": ("model", None, None),
    r".*intermediate_dense/kernel": (None, "model"),
    r".*intermediate_dense/bias": ("model",),
    r".*output_dense/kernel": ("model", None),
    r".*(pooler|mlm_transform)[^/]*(/dense)?/kernel": (None, "model"),
}


def _encode(config, inputs, name, dtype, pooled_only=False):
    """Build the encoder's layers on `inputs`; return (sequence, pooled, token_embedding).

    With `pooled_only`, the last block computes the first position only (all a pooled
    classifier reads), and `sequence` has length 1.
    """
    names = BertLayerNames(name)
    token_embedding, tokens, positions = names.embed(config, inputs["token_ids"], dtype)
    segments = keras.layers.Embedding(
        config.num_segments, config.hidden_dim, embeddings_initializer=_initializer(config),
        dtype=dtype, name=names.segment_embedding,
    )(inputs["segment_ids"])  # fmt: skip
    x = keras.layers.Add(dtype=dtype, name=names.embeddings_add)([tokens, positions, segments])
    x = keras.layers.LayerNormalization(
        epsilon=config.layer_norm_epsilon, dtype=dtype, name=names.embeddings_layer_norm
    )(x)
    x = HashedDropout(config.dropout, dtype=dtype, name=names.embeddings_dropout)(x)
    for i in range(config.num_layers):
        last = i == config.num_layers - 1
        x = TransformerEncoderBlock(
            config.num_heads, config.intermediate_dim, activation=config.activation,
            dropout=config.dropout, attention_dropout=config.attention_dropout,
            layer_norm_epsilon=config.layer_norm_epsilon, kernel_initializer=_initializer(config),
            dtype=dtype, name=names.block(i),
        )(x, padding_mask=inputs["padding_mask"],
          first_token_only=pooled_only and last)  # fmt: skip
    first_token = x[:, 0, :]  # the [CLS] position
    pooled = keras.layers.Dense(
        config.hidden_dim, activation="tanh", kernel_initializer=_initializer(config),
        dtype=dtype, name=names.pooler,
    )(first_token)  # fmt: skip
    return x, pooled, token_embedding


def build_bert(preset="bert_tiny", *, vocabulary_size=None, max_sequence_length=None,
               dropout=None, dtype=None, name=None, **config_overrides):  # fmt: skip
    """A BERT encoder: token + segment + position embeddings, post-LN transformer blocks.

    `preset` is a name of `BERT_PRESETS` or a `BertConfig`; the keyword arguments override
    its fields. Inputs `token_ids`, `segment_ids`, `padding_mask` (int32, batch x length);
    outputs `sequence_output` (batch x length x hidden) and `pooled_output` (dense + tanh on
    the first token).

    Example:
    >>> encoder = build_bert("bert_tiny")
    >>> encoder.count_params()
    4385920
    """
    config = resolve_bert_config(
        preset, vocabulary_size=vocabulary_size, max_sequence_length=max_sequence_length,
        dropout=dropout, **config_overrides,
    )  # fmt: skip
    name = name or (preset if isinstance(preset, str) else "bert")
    inputs = _bert_inputs()
    sequence, pooled, _ = _encode(config, inputs, name, dtype)
    return keras.Model(inputs, {"sequence_output": sequence, "pooled_output": pooled}, name=name)


def build_bert_classifier(backbone="bert_tiny", num_classes=2, *, dropout=0.1,
                          classifier_activation=None, dtype=None, name=None,
                          **config_overrides):  # fmt: skip
    """BERT with dropout and a dense layer on the pooled output, for sentence classification.

    `backbone` is a preset name, a `BertConfig`, or an encoder from `build_bert` (for
    instance with imported or pretrained weights), whose weights are copied in. The output is
    logits by default.

    The classifier reads only the pooled first position, so its last transformer block
    computes that position alone (attending over the whole sequence): the same logits as
    encoder + pooler + dense, with about a fifth less work for a 4-layer model.

    Example:
    >>> classifier = build_bert_classifier("bert_tiny", num_classes=2)
    >>> classifier.output_shape
    (None, 2)
    """
    resolved = resolve_backbone(
        "build_bert_classifier", backbone, num_classes=num_classes, dropout=dropout, name=name,
        config_of=bert_config_of, resolve=resolve_bert_config,
        prefix_of=lambda model: model.name, default_prefix="bert",
        config_overrides=config_overrides,
    )  # fmt: skip
    inputs = _bert_inputs()
    _, pooled, _ = _encode(resolved.config, inputs, resolved.prefix, dtype, pooled_only=True)
    return classification_head(
        inputs, pooled, resolved, num_classes=num_classes, dropout=dropout,
        kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02),
        classifier_activation=classifier_activation, dtype=dtype,
    )  # fmt: skip


def build_bert_pretrainer(preset="bert_tiny", *, dtype=None, name=None, **config_overrides):
    """BERT with its masked-LM head, predicting the tokens at `mask_positions`.

    Inputs: the encoder's three plus `mask_positions` (batch x predictions, int32); output:
    float32 logits over the vocabulary (batch x predictions x vocabulary). The output
    projection is the token embedding itself (tied, also after saving and reloading).
    Train with the loss and accuracy weighted by the masking's `mask_weights`, so padding
    predictions count for nothing. `bert_encoder_of(pretrainer)` returns the encoder.

    Example:
    >>> pretrainer = build_bert_pretrainer("bert_tiny", vocabulary_size=1000)
    >>> pretrainer.output_shape
    (None, None, 1000)
    """
    config = resolve_bert_config(preset, **config_overrides)
    name = name or (preset if isinstance(preset, str) else "bert")
    inputs = _bert_inputs()
    inputs["mask_positions"] = keras.Input(shape=(None,), dtype="int32", name="mask_positions")
    sequence, _, token_embedding = _encode(config, inputs, name, dtype)
    x = MaskedPositionsTransform(
        activation=config.activation, layer_norm_epsilon=config.layer_norm_epsilon,
        kernel_initializer=_initializer(config), dtype=dtype,
        name=BertLayerNames(name).mlm_transform,
    )(sequence, inputs["mask_positions"])  # fmt: skip
    logits = token_embedding(x, reverse=True)
    logits = VocabularyBias(dtype=dtype, name=BertLayerNames(name).mlm_bias)(logits)
    logits = keras.layers.Activation("linear", dtype="float32", name="mlm_logits")(logits)
    return keras.Model(inputs, logits, name=f"{name}_pretrainer")


def bert_config_of(model):
    """The `BertConfig` of a zoo BERT encoder, classifier or pretrainer (from its layers)."""
    fields, first, (segments, norm, dropout) = BertLayerNames.of(model).config_fields(
        model, "segment_embedding", "embeddings_layer_norm", "embeddings_dropout"
    )
    return BertConfig(
        **fields, num_segments=segments.input_dim, dropout=dropout.rate,
        attention_dropout=first.attention_dropout, layer_norm_epsilon=norm.epsilon,
    )  # fmt: skip


def bert_encoder_of(pretrainer):
    """A `build_bert` encoder with the pretrainer's weights (the pooler, which masked-LM
    pretraining does not train, keeps its fresh initialisation until fine-tuning).
    """
    config = bert_config_of(pretrainer)
    encoder = build_bert(config, name=BertLayerNames.of(pretrainer).prefix)
    copy_weights_by_layer_name(pretrainer, encoder)
    return encoder
