"""Assign converted weights to a zoo BERT encoder or GPT, checking every shape first.

Each model's variables get source-independent names (`token_embedding`,
`block{i}/query/kernel`, ...); the importers map a source's tensors to those names.
"""

import numpy as np

from zoo.errors import ConfigError
from zoo.layers import TransformerEncoderBlock
from zoo.models.bert import BertLayerNames
from zoo.models.gpt import GPTLayerNames


def _norm_variables(names, part, norm):
    names[f"{part}/gamma"] = norm.gamma
    names[f"{part}/beta"] = norm.beta


def _block_variables(names, i, block):
    """Add the i-th transformer block's variables (`block{i}/...`) to `names`."""
    attention = block.attention
    parts = {
        "query": attention.query_dense,
        "key": attention.key_dense,
        "value": attention.value_dense,
        "attention_output": attention.output_dense,
        "intermediate": block.intermediate_dense,
        "output": block.output_dense,
    }
    for part, dense in parts.items():
        names[f"block{i}/{part}/kernel"] = dense.kernel
        names[f"block{i}/{part}/bias"] = dense.bias
    _norm_variables(names, f"block{i}/attention_norm", block.attention_norm)
    _norm_variables(names, f"block{i}/output_norm", block.output_norm)


def bert_variables(encoder):
    """The encoder's variables under source-independent names (see `assign_bert_weights`)."""
    bert = BertLayerNames.of(encoder)
    layer = encoder.get_layer
    names = {
        "token_embedding": layer(bert.token_embedding).embeddings,
        "position_embedding": layer(bert.position_embedding).position_embeddings,
        "segment_embedding": layer(bert.segment_embedding).embeddings,
        "embeddings_norm/gamma": layer(bert.embeddings_layer_norm).gamma,
        "embeddings_norm/beta": layer(bert.embeddings_layer_norm).beta,
        "pooler/kernel": layer(bert.pooler).kernel,
        "pooler/bias": layer(bert.pooler).bias,
    }
    blocks = [item for item in encoder.layers if isinstance(item, TransformerEncoderBlock)]
    for i, block in enumerate(blocks):
        _block_variables(names, i, block)
    return names


def gpt_variables(model):
    """A zoo GPT's (backbone or LM) variables under source-independent names: the
    `token_embedding` (also the tied head), `position_embedding`, the blocks' and
    `final_norm/gamma`, `final_norm/beta`."""
    gpt = GPTLayerNames.of(model)
    layer = model.get_layer
    names = {
        "token_embedding": layer(gpt.token_embedding).embeddings,
        "position_embedding": layer(gpt.position_embedding).position_embeddings,
    }
    blocks = [item for item in model.layers if isinstance(item, TransformerEncoderBlock)]
    for i, block in enumerate(blocks):
        _block_variables(names, i, block)
    _norm_variables(names, "final_norm", layer(gpt.final_layer_norm))
    return names


def assign_checked(variables, arrays, source, optional=()):
    """Assign `arrays` (name -> numpy array) to `variables` (name -> variable) after
    checking every shape; `ConfigError` names the first weight missing from `source` or
    misshapen. Names in `optional` may be missing and keep their initialisation; returns
    those names."""
    left = []
    for name, variable in variables.items():
        if name not in arrays:
            if name in optional:
                left.append(name)
                continue
            raise ConfigError(f"{source}: no weight for {name} ({variable.path}).")
        value = np.asarray(arrays[name])
        if tuple(value.shape) != tuple(variable.shape):
            raise ConfigError(
                f"{source}: weight {name} has shape {tuple(value.shape)}, but the model's "
                f"{variable.path} needs {tuple(variable.shape)}."
            )
    for name, variable in variables.items():
        if name in arrays:
            variable.assign(np.asarray(arrays[name], dtype=variable.dtype))
    return left


def assign_bert_weights(encoder, arrays, source, optional=("pooler/kernel", "pooler/bias")):
    """Assign `arrays` (zoo name -> numpy array) to `encoder`; all shapes are checked first.

    Raises `ConfigError` naming the first weight that is missing from the source or whose
    shape does not fit. Names in `optional` may be missing (the pooler of a masked-LM
    checkpoint); they keep their initialisation. Returns the names left as initialised.
    """
    return assign_checked(bert_variables(encoder), arrays, source, optional)


def assign_gpt_weights(model, arrays, source):
    """Assign `arrays` (zoo name -> numpy array, see `gpt_variables`) to a zoo GPT; every
    weight is required and every shape is checked before any is assigned."""
    assign_checked(gpt_variables(model), arrays, source)
