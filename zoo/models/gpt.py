"""GPT-2-style decoder-only language models (Radford et al. 2019): a pre-LayerNorm causal
transformer backbone (`build_gpt`) and the language model with the tied head
(`build_gpt_lm`); `zoo.generation.generate` decodes from the latter with a key/value cache.

Example:
>>> from zoo import build_gpt_lm
>>> lm = build_gpt_lm("gpt_nano")
>>> lm.output_shape
(None, None, 65)
"""

import dataclasses

import keras

from zoo._utils import check_positive_int
from zoo.errors import ConfigError
from zoo.layers import HashedDropout, LastToken, TransformerEncoderBlock
from zoo.models._image_classifier import PREDICTIONS_LAYER
from zoo.models._layer_names import TransformerLayerNames, layer_name
from zoo.models._text_classifier import classification_head, resolve_backbone
from zoo.models.gpt_presets import GPT_PRESETS, GPTConfig


@dataclasses.dataclass(frozen=True)
class GPTLayerNames(TransformerLayerNames):
    """The names of the layers of a GPT built with `name=prefix`: the contract between the
    builders, `gpt_config_of`, generation's cached decoding (`zoo.generation`) and the
    sharding layout (`BERT_LAYOUT_RULES` matches GPT's weight paths too). `block(i)` names
    the i-th (pre-LayerNorm, causal) transformer block.

    Example:
    >>> GPTLayerNames("gpt2").final_layer_norm
    'gpt2_final_layer_norm'
    """

    embeddings_add = layer_name("embeddings_add")
    embeddings_dropout = layer_name("embeddings_dropout")
    final_layer_norm = layer_name("final_layer_norm")

    family = "GPT"


# The float32 logits of `build_gpt_lm`, named as every zoo classifier's output, so that
# distillation (`zoo.compress`) finds a language model's logits the same way.
LM_LOGITS_LAYER = PREDICTIONS_LAYER


def resolve_gpt_config(preset_or_config, **overrides):
    """A `GPTConfig` from a preset name or a config, with non-`None` `overrides` applied."""
    if isinstance(preset_or_config, GPTConfig):
        config = preset_or_config
    elif isinstance(preset_or_config, str) and preset_or_config in GPT_PRESETS:
        config = GPT_PRESETS[preset_or_config]
    else:
        raise ConfigError(
            f"Unknown GPT preset {preset_or_config!r}; use one of "
            f"{', '.join(GPT_PRESETS)} or a GPTConfig."
        )
    for field in ("vocabulary_size", "max_sequence_length"):
        if overrides.get(field) is not None:
            check_positive_int(f"GPT {field}", overrides[field])
    return config.replace(**overrides)


def _initializer(config):
    return keras.initializers.TruncatedNormal(stddev=config.initializer_range)


def _decode(config, name, dtype):
    """Inputs and the backbone's final hidden states, plus the token embedding."""
    names = GPTLayerNames(name)
    inputs = {
        "token_ids": keras.Input(shape=(None,), dtype="int32", name="token_ids"),
        "padding_mask": keras.Input(shape=(None,), dtype="int32", name="padding_mask"),
    }
    token_embedding, tokens, positions = names.embed(config, inputs["token_ids"], dtype)
    x = keras.layers.Add(dtype=dtype, name=names.embeddings_add)([tokens, positions])
    x = HashedDropout(config.dropout, dtype=dtype, name=names.embeddings_dropout)(x)
    for i in range(config.num_layers):
        x = TransformerEncoderBlock(
            config.num_heads, config.intermediate_dim, activation=config.activation,
            dropout=config.dropout, layer_norm_epsilon=config.layer_norm_epsilon,
            kernel_initializer=_initializer(config), normalize_first=True, causal=True,
            dtype=dtype, name=names.block(i),
        )(x, padding_mask=inputs["padding_mask"])  # fmt: skip
    x = keras.layers.LayerNormalization(
        epsilon=config.layer_norm_epsilon, dtype=dtype, name=names.final_layer_norm
    )(x)
    return inputs, x, token_embedding


def _build(preset_or_config, overrides, dtype, name, with_head):
    config = resolve_gpt_config(preset_or_config, **overrides)
    name = name or (preset_or_config if isinstance(preset_or_config, str) else "gpt")
    inputs, hidden, token_embedding = _decode(config, name, dtype)
    if not with_head:
        return keras.Model(inputs, hidden, name=name)
    logits = token_embedding(hidden, reverse=True)
    logits = keras.layers.Activation("linear", dtype="float32", name=LM_LOGITS_LAYER)(logits)
    return keras.Model(inputs, logits, name=f"{name}_lm")


def build_gpt(preset_or_config="gpt2", *, vocabulary_size=None, max_sequence_length=None,
              dropout=None, dtype=None, name=None):  # fmt: skip
    """A GPT-2-style backbone: token + learned position embeddings, pre-LayerNorm causal
    transformer blocks, a final LayerNorm.

    `preset_or_config` is a name of `GPT_PRESETS` or a `GPTConfig`; the keyword arguments
    override its fields. Inputs `token_ids` and `padding_mask` (int32, batch x length; 1 for
    tokens, 0 for padding); output the final hidden states (batch x length x hidden).

    Example:
    >>> backbone = build_gpt("gpt_nano")
    >>> backbone.count_params()
    619776
    """
    overrides = {"vocabulary_size": vocabulary_size, "dropout": dropout,
                 "max_sequence_length": max_sequence_length}  # fmt: skip
    return _build(preset_or_config, overrides, dtype, name, with_head=False)


def build_gpt_lm(preset_or_config="gpt2", *, vocabulary_size=None, max_sequence_length=None,
                 dropout=None, dtype=None, name=None):  # fmt: skip
    """The GPT language model: `build_gpt`'s backbone and the tied output projection.

    Same inputs as `build_gpt`; output float32 next-token logits (batch x length x
    vocabulary), position t predicting token t + 1. The projection is the token embedding
    itself (`ReversibleEmbedding(reverse=True)`), so the model has exactly
    `GPTConfig.parameter_count()` parameters, and the tie survives saving and reloading.
    Decode with `zoo.generation.generate(lm, prompts, max_new_tokens)`.

    Example:
    >>> lm = build_gpt_lm("gpt_nano", vocabulary_size=100)
    >>> lm.count_params()
    624256
    """
    overrides = {"vocabulary_size": vocabulary_size, "dropout": dropout,
                 "max_sequence_length": max_sequence_length}  # fmt: skip
    return _build(preset_or_config, overrides, dtype, name, with_head=True)


def gpt_config_of(model):
    """The `GPTConfig` of a zoo GPT backbone or language model (from its layers)."""
    fields, first, (dropout, _) = GPTLayerNames.of(model).config_fields(
        model, "embeddings_dropout", "final_layer_norm"
    )
    return GPTConfig(**fields, dropout=dropout.rate, layer_norm_epsilon=first.layer_norm_epsilon)


def build_gpt_classifier(backbone="gpt_nano", num_classes=2, *, dropout=0.1,
                         classifier_activation=None, dtype=None, name=None,
                         **config_overrides):  # fmt: skip
    """A GPT that classifies text from the hidden state of its last token (Radford et al.
    2018's fine-tuning head): backbone, `LastToken`, dropout, a dense layer; logits by default.

    `backbone` is a preset name, a `GPTConfig`, or a zoo GPT (`build_gpt`, `build_gpt_lm`,
    a pretrained run's `model.keras`) whose weights are copied in. Inputs are right-padded
    (`zoo.data.gpt_inputs.encode_right_padded`).

    Example:
    >>> classifier = build_gpt_classifier("gpt_nano", num_classes=3)
    >>> classifier.output_shape
    (None, 3)
    """
    resolved = resolve_backbone(
        "build_gpt_classifier", backbone, num_classes=num_classes, dropout=dropout, name=name,
        config_of=gpt_config_of, resolve=resolve_gpt_config,
        prefix_of=lambda model: GPTLayerNames.of(model).prefix, default_prefix="gpt",
        config_overrides=config_overrides,
    )  # fmt: skip
    inputs, hidden, _ = _decode(resolved.config, resolved.prefix, dtype)
    last = LastToken(dtype=dtype, name=f"{resolved.name}_last_token")(
        hidden, padding_mask=inputs["padding_mask"]
    )
    return classification_head(
        inputs, last, resolved, num_classes=num_classes, dropout=dropout,
        kernel_initializer=_initializer(resolved.config),
        classifier_activation=classifier_activation, dtype=dtype,
    )  # fmt: skip

