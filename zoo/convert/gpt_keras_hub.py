"""Import keras-hub's `GPT2Backbone` (an object or a preset directory) into a zoo GPT LM.

The zoo language model's logits are the backbone's hidden states times the transposed
token embedding, keras-hub's `GPT2CausalLM` head.

Example:
>>> from zoo.convert import gpt_from_keras_hub
>>> lm = gpt_from_keras_hub("path/to/gpt2_base_en")  # doctest: +SKIP
"""

import keras

from zoo.convert._assign import assign_gpt_weights
from zoo.convert.keras_hub import _load_backbone, block_arrays
from zoo.errors import ConfigError
from zoo.models.gpt import build_gpt_lm
from zoo.models.gpt_presets import GPTConfig

KERAS_HUB_LAYER_NORM_EPSILON = 1e-5  # fixed inside keras-hub's GPT2Backbone


def gpt_config_from_keras_hub(backbone):
    """The `GPTConfig` of a keras-hub `GPT2Backbone` (tanh GELU, LayerNorm epsilon 1e-5)."""
    return GPTConfig(
        num_layers=backbone.num_layers, hidden_dim=backbone.hidden_dim,
        num_heads=backbone.num_heads, intermediate_dim=backbone.intermediate_dim,
        vocabulary_size=backbone.vocabulary_size,
        max_sequence_length=backbone.max_sequence_length, dropout=backbone.dropout,
        layer_norm_epsilon=KERAS_HUB_LAYER_NORM_EPSILON, activation="gelu_approximate",
    )  # fmt: skip


def _arrays(backbone):
    layer = backbone.get_layer
    arrays = {
        "token_embedding": layer("token_embedding").embeddings,
        "position_embedding": layer("position_embedding").position_embeddings,
        "final_norm/gamma": layer("layer_norm").gamma,
        "final_norm/beta": layer("layer_norm").beta,
    }
    arrays = {name: keras.ops.convert_to_numpy(value) for name, value in arrays.items()}
    return {**arrays, **block_arrays(backbone)}


def gpt_from_keras_hub(source, name="gpt"):
    """A zoo GPT language model (`build_gpt_lm`) with the weights of a keras-hub
    `GPT2Backbone` (or `GPT2CausalLM`) object or preset directory."""
    backbone = _load_backbone(source, class_name="GPT2Backbone")
    if hasattr(backbone, "backbone"):  # a GPT2CausalLM
        backbone = backbone.backbone
    if "GPT2Backbone" not in {klass.__name__ for klass in type(backbone).__mro__}:
        raise ConfigError(f"{backbone.name!r} is a {type(backbone).__name__}, not a GPT2Backbone.")
    lm = build_gpt_lm(gpt_config_from_keras_hub(backbone), name=name)
    assign_gpt_weights(lm, _arrays(backbone), source=f"keras-hub {backbone.name}")
    return lm
