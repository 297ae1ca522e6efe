"""Attention maps per layer and head of zoo's transformers (BERT, GPT), and attention rollout
(pictures: `zoo.explain.pictures`).

Example:
>>> from zoo.models.bert import build_bert
>>> model = build_bert("bert_tiny", vocabulary_size=100, max_sequence_length=16)
>>> inputs = {"token_ids": np.ones((1, 5), "int32"), "segment_ids": np.zeros((1, 5), "int32"),
...           "padding_mask": np.array([[1, 1, 1, 1, 0]], "int32")}
>>> maps = attention_maps(model, inputs)
>>> maps.shape  # (layers, batch, heads, query, key)
(2, 1, 2, 5, 5)
>>> attention_rollout(maps, inputs["padding_mask"]).shape
(1, 5, 5)
"""


import keras
import numpy as np

from zoo._keras_internals import nodes_in_model
from zoo.errors import ConfigError
from zoo.layers.self_attention import MultiHeadSelfAttention
from zoo.layers.transformer_encoder import TransformerEncoderBlock


def attention_maps(model, inputs):
    """The attention probabilities of every self-attention layer of a zoo transformer.

    `model` is a `build_bert` encoder, a `build_bert_classifier` or a `build_bert_pretrainer`
    model, or a GPT (`build_gpt`, `build_gpt_lm`, `build_gpt_classifier`: causal, so each
    query's row is 0 on later keys); `inputs` is what the model takes (the dict of
    `token_ids`, `segment_ids`, `padding_mask`, ...). One forward pass of a sub-model collects
    each encoder block's input; the block's `attention_weights` then gives its maps with the
    block's padding mask. Returns float32 numpy `(num_layers, batch, heads, length, length)`
    indexed `[layer, example, head, query, key]`: rows sum to 1 over real tokens, padding
    keys get 0. Attention dropout is off (inference).

    A classifier's last block computes only the first query position; its maps hold all rows,
    of which row 0 is the one the classifier uses.

    Example:
    >>> maps = attention_maps(model, inputs)  # doctest: +SKIP
    >>> maps[0, 0, 1]  # layer 0, example 0, head 1: (query, key)  # doctest: +SKIP
    """
    blocks = _attention_calls(model)
    if not blocks:
        raise ConfigError(
            f"attention maps need a transformer (BERT, GPT): {getattr(model, 'name', model)!r} "
            "has no TransformerEncoderBlock or MultiHeadSelfAttention layer."
        )
    outputs, slots = [], []
    for attention, node in blocks:
        mask = node.arguments.kwargs.get("padding_mask")
        slots.append((attention, len(outputs), None if mask is None else len(outputs) + 1))
        outputs.append(node.arguments.args[0])
        if mask is not None:
            outputs.append(mask)
    collector = keras.Model(model.input, outputs, name=f"{model.name}_attention_inputs")
    values = collector(inputs, training=False)
    maps = []
    for attention, x_index, mask_index in slots:
        mask = None if mask_index is None else values[mask_index]
        weights = attention.attention_weights(values[x_index], padding_mask=mask)
        maps.append(keras.ops.convert_to_numpy(weights).astype("float32"))
    return np.stack(maps)


def _attention_calls(model):
    """[(block or MultiHeadSelfAttention, the node calling it in `model`)], in graph order;
    each has `attention_weights(inputs, padding_mask)`."""
    if not isinstance(model, keras.Model):
        return []
    calls = []
    for layer in model.layers:
        if isinstance(layer, TransformerEncoderBlock):
            attention = layer  # its attention_weights apply a pre-LayerNorm first
        elif isinstance(layer, MultiHeadSelfAttention):
            attention = layer
        else:
            continue
        # A layer also used in other models has their calls too; keep this model's.
        nodes = nodes_in_model(model, layer)
        if nodes is None:  # not a functional model
            return []
        calls.extend((attention, node) for node in nodes)
    return calls


def attention_rollout(maps, padding_mask=None, residual=True):
    """Attention rollout (Abnar & Zuidema 2020): how much each input token flows to each
    position through all layers.

    With `A_l` the head-averaged map of layer `l` (`maps` as from `attention_maps`,
    `(layers, batch, heads, length, length)`):

        Â_l = 0.5 · A_l + 0.5 · I      (the residual connection; `residual=False`: Â_l = A_l)
        Â_l ← Â_l with padding rows and columns zeroed, rows renormalised to sum to 1
        rollout_0 = Â_0,  rollout_l = Â_l · rollout_{l-1}

    Returns float32 `(batch, length, length)`; row `i` says where position `i`'s final
    representation draws from among the input tokens (row 0: the [CLS] token). Rows of real
    tokens sum to 1; padding rows and columns are 0. `padding_mask` is `(batch, length)`,
    1 for tokens and 0 for padding.

    Example:
    >>> maps = np.full((2, 1, 1, 2, 2), 0.5)  # 2 layers, 1 example, 1 head, 2 tokens
    >>> attention_rollout(maps, residual=False)[0].tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    maps = np.asarray(maps, dtype="float64")
    if maps.ndim != 5 or maps.shape[-1] != maps.shape[-2]:
        raise ConfigError(
            "attention_rollout: maps must be (layers, batch, heads, length, length), got "
            f"shape {maps.shape}."
        )
    length = maps.shape[-1]
    mixed = maps.mean(axis=2)  # (layers, batch, length, length)
    if residual:
        mixed = 0.5 * mixed + 0.5 * np.eye(length)
    if padding_mask is not None:
        real = np.asarray(keras.ops.convert_to_numpy(padding_mask)).astype(bool)
        if real.shape != maps.shape[1:2] + (length,):
            raise ConfigError(
                f"attention_rollout: padding_mask has shape {real.shape}, expected "
                f"{maps.shape[1:2] + (length,)} (batch, length)."
            )
        mixed = mixed * (real[:, :, None] & real[:, None, :])
    totals = mixed.sum(axis=-1, keepdims=True)
    mixed = np.divide(mixed, totals, out=np.zeros_like(mixed), where=totals > 0)
    rollout = mixed[0]
    for layer_map in mixed[1:]:
        rollout = layer_map @ rollout
    return rollout.astype("float32")
