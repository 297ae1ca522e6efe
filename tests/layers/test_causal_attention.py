"""The decoder options of the shared transformer layers: causal attention, the key/value
cache, pre-LayerNorm blocks and position offsets (GPT)."""

import keras
import numpy as np

from tests.helpers import assert_round_trip, to_numpy
from zoo.layers import MultiHeadSelfAttention, PositionEmbedding, TransformerEncoderBlock

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 6, 8)).astype("float32")
MASK = np.array([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]], "int32")  # left padding


def test_causal_attention_ignores_later_positions_and_padding():
    layer = MultiHeadSelfAttention(num_heads=2, causal=True)
    changed = X.copy()
    changed[:, 4:] += 5.0  # later tokens
    changed[0, :2] = 100.0  # padding of the first sequence
    a = to_numpy(layer(X, padding_mask=MASK))
    b = to_numpy(layer(changed, padding_mask=MASK))
    np.testing.assert_allclose(a[0, 2:4], b[0, 2:4], atol=1e-5)
    np.testing.assert_allclose(a[1, :4], b[1, :4], atol=1e-5)
    assert np.isfinite(a).all()  # the fully padded rows attend to themselves, not NaN
    weights = to_numpy(layer.attention_weights(X, padding_mask=MASK))
    assert np.allclose(np.triu(weights[1, 0], k=1), 0.0)
    np.testing.assert_allclose(weights[0, :, 2:, :2], 0.0)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)


def test_attention_cache_gives_the_full_pass_step_by_step():
    layer = MultiHeadSelfAttention(num_heads=2, causal=True)
    full = to_numpy(layer(X, padding_mask=MASK))
    cache = keras.ops.zeros((2, 2, 6, 2, 4))
    out, cache = layer(X[:, :3], padding_mask=MASK, cache=cache, cache_index=0)
    outputs = [to_numpy(out)]
    for t in range(3, 6):
        out, cache = layer(X[:, t : t + 1], padding_mask=MASK, cache=cache, cache_index=t)
        outputs.append(to_numpy(out))
    np.testing.assert_allclose(np.concatenate(outputs, 1)[:, 2:], full[:, 2:], atol=1e-5)
    assert tuple(cache.shape) == (2, 2, 6, 2, 4)


def test_pre_layer_norm_causal_block_round_trip_and_cache(tmp_path):
    block = TransformerEncoderBlock(2, 16, normalize_first=True, causal=True, name="decoder")
    config = block.get_config()
    assert config["normalize_first"] is True and config["causal"] is True
    full = to_numpy(block(X, padding_mask=MASK))
    # Pre-LN: the output is the residual stream, not normalised.
    assert np.abs(full.std(-1) - 1.0).max() > 1e-2
    cache = keras.ops.zeros((2, 2, 6, 2, 4))
    first, cache = block(X[:, :5], padding_mask=MASK, cache=cache, cache_index=0)
    last, _ = block(X[:, 5:], padding_mask=MASK, cache=cache, cache_index=5)
    np.testing.assert_allclose(to_numpy(first)[:, 2:], full[:, 2:5], atol=1e-5)
    np.testing.assert_allclose(to_numpy(last), full[:, 5:], atol=1e-5)
    assert_round_trip(block, X, tmp_path)


def test_defaults_are_the_bert_layers():
    assert TransformerEncoderBlock(2, 16).get_config()["normalize_first"] is False
    legacy = TransformerEncoderBlock(2, 16).get_config()
    for key in ("normalize_first", "causal"):
        legacy.pop(key)  # a config saved before the options existed
    assert TransformerEncoderBlock.from_config(legacy).causal is False
    assert MultiHeadSelfAttention(2).get_config()["causal"] is False


def test_position_embedding_start_index():
    layer = PositionEmbedding(sequence_length=10)
    table = to_numpy(layer(X))  # builds
    table = to_numpy(layer.position_embeddings)
    np.testing.assert_array_equal(to_numpy(layer(X[:, :2], start_index=3))[0], table[3:5])
    shifted = to_numpy(layer(X[:, :3], start_index=np.array([-1, 4])))
    np.testing.assert_array_equal(shifted[0], table[[0, 0, 1]])  # left padding clipped to 0
    np.testing.assert_array_equal(shifted[1], table[4:7])
