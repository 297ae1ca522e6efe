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

from zoo._utils import check_fraction, check_positive_int
from zoo.errors import ConfigError
from zoo.layers import (
    MaskedPositionsTransform,
    PositionEmbedding,
    ReversibleEmbedding,
    TransformerEncoderBlock,
    VocabularyBias,
)
from zoo.registry import ReferenceResult, register_model
from zoo.train.recipe import TrainingRecipe

ACTIVATIONS = ("gelu", "gelu_approximate")


@dataclasses.dataclass(frozen=True)
class BertConfig:
    """The shape of a BERT encoder; `intermediate_dim` defaults to 4 x `hidden_dim`.

    `activation` is `"gelu_approximate"` (the tanh form of the original BERT and keras-hub)
    or `"gelu"` (the exact erf form of Hugging Face checkpoints).
    """

    num_layers: int
    hidden_dim: int
    num_heads: int
    intermediate_dim: int | None = None
    vocabulary_size: int = 30522
    max_sequence_length: int = 512
    num_segments: int = 2
    dropout: float = 0.1
    attention_dropout: float | None = None
    activation: str = "gelu_approximate"
    layer_norm_epsilon: float = 1e-12
    initializer_range: float = 0.02

    def __post_init__(self):
        if self.intermediate_dim is None:
            object.__setattr__(self, "intermediate_dim", 4 * self.hidden_dim)
        if self.attention_dropout is None:
            object.__setattr__(self, "attention_dropout", self.dropout)
        for field in ("num_layers", "hidden_dim", "num_heads", "intermediate_dim",
                      "vocabulary_size", "max_sequence_length", "num_segments"):  # fmt: skip
            check_positive_int(f"BertConfig.{field}", getattr(self, field))
        if self.hidden_dim % self.num_heads:
            raise ConfigError(
                f"BertConfig: hidden_dim={self.hidden_dim} is not divisible by "
                f"num_heads={self.num_heads}; pick heads that divide it."
            )
        check_fraction("BertConfig.dropout", self.dropout)
        check_fraction("BertConfig.attention_dropout", self.attention_dropout)
        if self.activation not in ACTIVATIONS:
            raise ConfigError(
                f"BertConfig: activation={self.activation!r} is not supported; "
                f"use one of {', '.join(ACTIVATIONS)}."
            )

    def replace(self, **changes):
        """A copy with the non-`None` `changes` applied."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def parameter_count(self, pooler=True):
        """Parameters of the encoder (with the pooler), without building it."""
        h, i, layers = self.hidden_dim, self.intermediate_dim, self.num_layers
        embeddings = (self.vocabulary_size + self.max_sequence_length + self.num_segments) * h
        embeddings += 2 * h  # LayerNorm
        block = 4 * (h * h + h) + (h * i + i) + (i * h + h) + 2 * 2 * h
        return embeddings + layers * block + (h * h + h if pooler else 0)


BERT_PRESETS = {
    "bert_tiny": BertConfig(num_layers=2, hidden_dim=128, num_heads=2),
    "bert_mini": BertConfig(num_layers=4, hidden_dim=256, num_heads=4),
    "bert_small": BertConfig(num_layers=4, hidden_dim=512, num_heads=8),
    "bert_medium": BertConfig(num_layers=8, hidden_dim=512, num_heads=8),
    "bert_base": BertConfig(num_layers=12, hidden_dim=768, num_heads=12),
    "bert_large": BertConfig(num_layers=24, hidden_dim=1024, num_heads=16),
}


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


def _encode(config, inputs, name, dtype, pooled_only=False):
    """Build the encoder's layers on `inputs`; return (sequence, pooled, token_embedding).

    With `pooled_only`, the last block computes the first position only (all a pooled
    classifier reads), and `sequence` has length 1.
    """
    token_embedding = ReversibleEmbedding(
        config.vocabulary_size, config.hidden_dim, embeddings_initializer=_initializer(config),
        dtype=dtype, name=f"{name}_token_embedding",
    )  # fmt: skip
    tokens = token_embedding(inputs["token_ids"])
    positions = PositionEmbedding(
        config.max_sequence_length, initializer=_initializer(config), dtype=dtype,
        name=f"{name}_position_embedding",
    )(tokens)  # fmt: skip
    segments = keras.layers.Embedding(
        config.num_segments, config.hidden_dim, embeddings_initializer=_initializer(config),
        dtype=dtype, name=f"{name}_segment_embedding",
    )(inputs["segment_ids"])  # fmt: skip
    x = keras.layers.Add(dtype=dtype, name=f"{name}_embeddings_add")([tokens, positions, segments])
    x = keras.layers.LayerNormalization(
        epsilon=config.layer_norm_epsilon, dtype=dtype, name=f"{name}_embeddings_layer_norm"
    )(x)
    x = keras.layers.Dropout(config.dropout, dtype=dtype, name=f"{name}_embeddings_dropout")(x)
    for i in range(config.num_layers):
        last = i == config.num_layers - 1
        x = TransformerEncoderBlock(
            config.num_heads, config.intermediate_dim, activation=config.activation,
            dropout=config.dropout, attention_dropout=config.attention_dropout,
            layer_norm_epsilon=config.layer_norm_epsilon, kernel_initializer=_initializer(config),
            dtype=dtype, name=f"{name}_block{i}",
        )(x, padding_mask=inputs["padding_mask"],
          first_token_only=pooled_only and last)  # fmt: skip
    first_token = x[:, 0, :]  # the [CLS] position
    pooled = keras.layers.Dense(
        config.hidden_dim, activation="tanh", kernel_initializer=_initializer(config),
        dtype=dtype, name=f"{name}_pooler",
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
    check_positive_int("build_bert_classifier: num_classes", num_classes)
    check_fraction("build_bert_classifier: dropout", dropout)
    source = backbone if isinstance(backbone, keras.Model) else None
    if source is not None:
        config = bert_config_of(source).replace(**config_overrides)
        prefix = source.name
    else:
        config = resolve_bert_config(backbone, **config_overrides)
        prefix = backbone if isinstance(backbone, str) else "bert"
    name = name or f"{prefix}_classifier"
    inputs = _bert_inputs()
    _, pooled, _ = _encode(config, inputs, prefix, dtype, pooled_only=True)
    x = keras.layers.Dropout(dropout, name=f"{name}_dropout")(pooled)
    x = keras.layers.Dense(
        num_classes, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02),
        dtype=dtype, name=f"{name}_logits",
    )(x)  # fmt: skip
    outputs = keras.layers.Activation(classifier_activation, dtype="float32", name="predictions")(x)
    model = keras.Model(inputs, outputs, name=name)
    if source is not None:
        copy_weights_by_layer_name(source, model)
    return model


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
        kernel_initializer=_initializer(config), dtype=dtype, name=f"{name}_mlm_transform",
    )(sequence, inputs["mask_positions"])  # fmt: skip
    logits = token_embedding(x, reverse=True)
    logits = VocabularyBias(dtype=dtype, name=f"{name}_mlm_bias")(logits)
    logits = keras.layers.Activation("linear", dtype="float32", name="mlm_logits")(logits)
    return keras.Model(inputs, logits, name=f"{name}_pretrainer")


def _prefix_of(model):
    """The name prefix of the BERT layers in `model` (its token embedding's)."""
    for layer in model.layers:
        if isinstance(layer, ReversibleEmbedding) and layer.name.endswith("_token_embedding"):
            return layer.name.removesuffix("_token_embedding")
    raise ConfigError(f"{model.name!r} is not a zoo BERT model (no token embedding).")


def bert_config_of(model):
    """The `BertConfig` of a zoo BERT encoder, classifier or pretrainer (from its layers)."""
    prefix = _prefix_of(model)
    try:
        tokens = model.get_layer(f"{prefix}_token_embedding")
        positions = model.get_layer(f"{prefix}_position_embedding")
        segments = model.get_layer(f"{prefix}_segment_embedding")
        norm = model.get_layer(f"{prefix}_embeddings_layer_norm")
        dropout = model.get_layer(f"{prefix}_embeddings_dropout")
    except ValueError:
        raise ConfigError(f"{model.name!r} is not a zoo BERT encoder or pretrainer.") from None
    blocks = [layer for layer in model.layers if isinstance(layer, TransformerEncoderBlock)]
    first = blocks[0]
    return BertConfig(
        num_layers=len(blocks), hidden_dim=tokens.output_dim, num_heads=first.num_heads,
        intermediate_dim=first.intermediate_dim, vocabulary_size=tokens.input_dim,
        max_sequence_length=positions.sequence_length, num_segments=segments.input_dim,
        dropout=dropout.rate, attention_dropout=first.attention_dropout,
        activation=first.activation, layer_norm_epsilon=norm.epsilon,
        initializer_range=getattr(tokens.embeddings_initializer, "stddev", 0.02),
    )  # fmt: skip


def copy_weights_by_layer_name(source, target):
    """Copy the weights of every layer of `target` that `source` has under the same name.

    Returns the names of the target's layers with weights that found no source (left as
    initialised). Shapes must agree; a mismatch raises `ConfigError` naming the layer.
    """
    source_layers = {layer.name: layer for layer in source.layers}
    missing = []
    for layer in target.layers:
        if not layer.weights:
            continue
        match = source_layers.get(layer.name)
        if match is None:
            missing.append(layer.name)
            continue
        for mine, theirs in zip(layer.weights, match.weights, strict=True):
            if tuple(mine.shape) != tuple(theirs.shape):
                raise ConfigError(
                    f"{layer.name}: weight {mine.path} has shape {tuple(mine.shape)} but the "
                    f"source's is {tuple(theirs.shape)}."
                )
            mine.assign(theirs.value)
    return missing


def bert_encoder_of(pretrainer):
    """A `build_bert` encoder with the pretrainer's weights (the pooler, which masked-LM
    pretraining does not train, keeps its fresh initialisation until fine-tuning).
    """
    config = bert_config_of(pretrainer)
    encoder = build_bert(config, name=_prefix_of(pretrainer))
    copy_weights_by_layer_name(pretrainer, encoder)
    return encoder


# Turc et al. 2019 ("Well-Read Students Learn Better", SST-2 dev accuracy) for the compact
# models; Devlin et al. 2018 (Table 1, SST-2 test) for base and large.
_SST2 = {
    "bert_tiny": (83.2, "Turc et al. 2019, Well-Read Students Learn Better"),
    "bert_mini": (85.9, "Turc et al. 2019, Well-Read Students Learn Better"),
    "bert_small": (89.7, "Turc et al. 2019, Well-Read Students Learn Better"),
    "bert_medium": (89.6, "Turc et al. 2019, Well-Read Students Learn Better"),
    "bert_base": (93.5, "Devlin et al. 2018, BERT, Table 1"),
    "bert_large": (94.9, "Devlin et al. 2018, BERT, Table 1"),
}


# Fine-tuning a pretrained encoder: BERT's recipe (Devlin et al. 2018: AdamW, linear warm-up
# over 10% of the steps and linear decay, batch 32, 3 epochs) at a rate per preset. Smaller
# encoders take larger rates: Turc et al. 2019 picked each compact model's from {3e-4, 1e-4,
# 5e-5, 3e-5} (google-research/bert README); Devlin et al. chose 2e-5..5e-5 for base and large.
_PRETRAINED_RATES = {"bert_tiny": 3e-4, "bert_mini": 1e-4, "bert_small": 5e-5,
                     "bert_medium": 5e-5, "bert_base": 2e-5, "bert_large": 2e-5}  # fmt: skip
# Training from random initialisation (no --init-from) needs a rate about ten times larger: at
# 5e-5 bert_tiny stays at the majority class on real reviews (docs/models/bert.md, measured).
# The compact presets were measured; base and large take BERT's pretraining rate, 1e-4.
_FROM_SCRATCH_RATES = {"bert_tiny": 5e-4, "bert_mini": 5e-4, "bert_small": 5e-4,
                       "bert_medium": 5e-4, "bert_base": 1e-4, "bert_large": 1e-4}  # fmt: skip


def _recipe(learning_rate):
    return TrainingRecipe(
        epochs=3, batch_size=32, optimizer="adamw", learning_rate=learning_rate,
        weight_decay=0.01, schedule="onecycle", warmup_fraction=0.1, augment=False,
    )  # fmt: skip


def _register_presets():
    for preset, config in BERT_PRESETS.items():
        value, source = _SST2[preset]
        register_model(
            preset,
            task="text_encoder",
            input_shape=(None,),
            parameter_count=config.parameter_count(),
            reference=ReferenceResult("GLUE SST-2", "accuracy (fine-tuned)", value, source),
            recipe=_recipe(_PRETRAINED_RATES[preset]),
            recipes={"from_scratch": _recipe(_FROM_SCRATCH_RATES[preset])},
            description=(
                f"BERT encoder, {config.num_layers} layers / {config.hidden_dim} hidden / "
                f"{config.num_heads} heads."
            ),
            preset=preset,
        )(build_bert)


_register_presets()
