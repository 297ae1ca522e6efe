"""Assign converted weights to a zoo BERT encoder, checking every shape first."""

import numpy as np

from zoo.errors import ConfigError
from zoo.layers import TransformerEncoderBlock
from zoo.models.bert import BertLayerNames


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
        for part, norm in (("attention_norm", block.attention_norm),
                           ("output_norm", block.output_norm)):  # fmt: skip
            names[f"block{i}/{part}/gamma"] = norm.gamma
            names[f"block{i}/{part}/beta"] = norm.beta
    return names


def assign_bert_weights(encoder, arrays, source, optional=("pooler/kernel", "pooler/bias")):
    """Assign `arrays` (zoo name -> numpy array) to `encoder`; all shapes are checked first.

    Raises `ConfigError` naming the first weight that is missing from the source or whose
    shape does not fit. Names in `optional` may be missing (the pooler of a masked-LM
    checkpoint); they keep their initialisation. Returns the names left as initialised.
    """
    variables = bert_variables(encoder)
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
