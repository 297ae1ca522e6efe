"""Import a Hugging Face GPT-2 checkpoint directory into a zoo GPT language model.

A directory with `config.json` (`"model_type": "gpt2"`) and `model.safetensors` (or
`pytorch_model.bin`), as `save_pretrained` writes it from `GPT2Model` or `GPT2LMHeadModel`
(`transformer.` prefix). GPT-2's `Conv1D` weights are stored (in, out), Keras's layout, and
`c_attn` holds the query, key and value projections side by side.

Example:
>>> from zoo.convert import gpt_from_huggingface
>>> lm = gpt_from_huggingface("path/to/gpt2")  # doctest: +SKIP
"""

import json
from pathlib import Path

import numpy as np

from zoo.convert._assign import assign_gpt_weights
from zoo.convert.huggingface import _ACTIVATIONS, _read_tensors
from zoo.errors import ConfigError, DataSourceError
from zoo.models.gpt import build_gpt_lm
from zoo.models.gpt_presets import GPTConfig


def gpt_config_from_huggingface(config):
    """The `GPTConfig` of a Hugging Face GPT-2 `config.json` dictionary."""
    if config.get("model_type") != "gpt2":
        raise ConfigError(
            f"config.json describes a {config.get('model_type')!r} model, not GPT-2 "
            "(model_type 'gpt2')."
        )
    activation = config.get("activation_function", "gelu_new")
    if activation not in _ACTIVATIONS:
        raise ConfigError(
            f"activation_function={activation!r} is not supported; use one of {list(_ACTIVATIONS)}."
        )
    unsupported = {"scale_attn_weights": False, "scale_attn_by_inverse_layer_idx": True,
                   "tie_word_embeddings": False}  # fmt: skip
    for key, value in unsupported.items():
        if config.get(key, not value) == value:
            raise ConfigError(
                f"{key}={value} is not supported by zoo's GPT (GPT-2's is {not value})."
            )
    hidden = config["n_embd"]
    return GPTConfig(
        num_layers=config["n_layer"], hidden_dim=hidden, num_heads=config["n_head"],
        intermediate_dim=config.get("n_inner") or 4 * hidden,
        vocabulary_size=config["vocab_size"], max_sequence_length=config["n_positions"],
        dropout=config.get("resid_pdrop", 0.1),
        layer_norm_epsilon=config.get("layer_norm_epsilon", 1e-5),
        initializer_range=config.get("initializer_range", 0.02),
        activation=_ACTIVATIONS[activation],
    )  # fmt: skip


def _getter(tensors):
    """Look a tensor up by its `GPT2Model` name, with or without `transformer.`."""
    prefix = "transformer." if any(k.startswith("transformer.") for k in tensors) else ""

    def get(name):
        value = tensors.get(prefix + name)
        return None if value is None else np.asarray(value, dtype=np.float32)

    return get


def _reshaped(value, shape):
    """`value` in `shape` when the sizes agree; else as it is (the shape check names it)."""
    if value is None or value.size != np.prod(shape):
        return value
    return value.reshape(shape)


def _arrays(tensors, config):
    get = _getter(tensors)
    hidden, heads = config.hidden_dim, config.num_heads
    per_head = (heads, hidden // heads)
    arrays = {
        "token_embedding": get("wte.weight"),
        "position_embedding": get("wpe.weight"),
        "final_norm/gamma": get("ln_f.weight"),
        "final_norm/beta": get("ln_f.bias"),
    }
    for i in range(config.num_layers):
        stem, block = f"h.{i}", f"block{i}"
        qkv, qkv_bias = get(f"{stem}.attn.c_attn.weight"), get(f"{stem}.attn.c_attn.bias")
        for j, part in enumerate(("query", "key", "value")):
            if qkv is not None and qkv.shape[-1] == 3 * hidden:
                kernel = qkv[:, j * hidden : (j + 1) * hidden]
                arrays[f"{block}/{part}/kernel"] = _reshaped(kernel, (hidden, *per_head))
            if qkv_bias is not None and qkv_bias.shape[-1] == 3 * hidden:
                bias = qkv_bias[j * hidden : (j + 1) * hidden]
                arrays[f"{block}/{part}/bias"] = _reshaped(bias, per_head)
        kernel = get(f"{stem}.attn.c_proj.weight")
        arrays[f"{block}/attention_output/kernel"] = _reshaped(kernel, (*per_head, hidden))
        arrays[f"{block}/attention_output/bias"] = get(f"{stem}.attn.c_proj.bias")
        for part, key in (("intermediate", "mlp.c_fc"), ("output", "mlp.c_proj")):
            arrays[f"{block}/{part}/kernel"] = get(f"{stem}.{key}.weight")
            arrays[f"{block}/{part}/bias"] = get(f"{stem}.{key}.bias")
        for part, key in (("attention_norm", "ln_1"), ("output_norm", "ln_2")):
            arrays[f"{block}/{part}/gamma"] = get(f"{stem}.{key}.weight")
            arrays[f"{block}/{part}/beta"] = get(f"{stem}.{key}.bias")
    return {name: value for name, value in arrays.items() if value is not None}


def gpt_from_huggingface(directory, name="gpt"):
    """A zoo GPT language model (`build_gpt_lm`) with the weights of a Hugging Face GPT-2
    checkpoint directory; its logits equal `GPT2LMHeadModel`'s. A missing or misshapen
    weight raises `ConfigError` naming it, before any weight is assigned."""
    directory = Path(directory)
    config_file = directory / "config.json"
    if not config_file.is_file():
        raise DataSourceError(
            f"{directory}: no config.json (a Hugging Face GPT-2 checkpoint directory holds "
            "config.json and model.safetensors)."
        )
    config = gpt_config_from_huggingface(json.loads(config_file.read_text()))
    lm = build_gpt_lm(config, name=name)
    assign_gpt_weights(lm, _arrays(_read_tensors(directory), config), source=str(directory))
    return lm
