import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trip, to_numpy
from zoo.layers import (
    MaskedPositionsTransform,
    MultiHeadSelfAttention,
    PositionEmbedding,
    ReversibleEmbedding,
    TransformerEncoderBlock,
    VocabularyBias,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 5, 8)).astype("float32")
MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], "int32")


def test_reversible_embedding_projects_onto_the_vocabulary(tmp_path):
    layer = ReversibleEmbedding(10, 4, name="embedding")
    hidden = layer(np.array([[1, 2, 3]]))
    logits = to_numpy(layer(hidden, reverse=True))
    table = to_numpy(layer.embeddings)
    np.testing.assert_allclose(logits, to_numpy(hidden) @ table.T, rtol=1e-5, atol=1e-6)
    assert_round_trip(layer, np.array([[1, 2, 3]]), tmp_path)


def test_position_embedding_adds_the_table_rows(tmp_path):
    layer = PositionEmbedding(sequence_length=7, name="positions")
    out = to_numpy(layer(X))
    table = to_numpy(layer.position_embeddings)
    np.testing.assert_array_equal(out[0], table[:5])
    np.testing.assert_array_equal(out[1], table[:5])
    assert_round_trip(layer, X, tmp_path)


def test_attention_ignores_padding():
    layer = MultiHeadSelfAttention(num_heads=2)
    changed = X.copy()
    changed[0, 3:] = 100.0  # padded tokens of the first sequence
    a = to_numpy(layer(X, padding_mask=MASK))
    b = to_numpy(layer(changed, padding_mask=MASK))
    np.testing.assert_allclose(a[0, :3], b[0, :3], atol=1e-5)
    np.testing.assert_allclose(a[1], b[1], atol=1e-6)


def test_fused_and_explicit_attention_agree():
    layer = MultiHeadSelfAttention(num_heads=2, attention_dropout=0.3)
    fused = to_numpy(layer(X, padding_mask=MASK))  # no dropout outside training: fused path
    q, k, v = layer.query_dense(X), layer.key_dense(X), layer.value_dense(X)
    mask = keras.ops.cast(MASK, "bool")[:, None, None, :]
    explicit = to_numpy(layer.output_dense(layer._explicit_attention(q, k, v, mask, False)))
    np.testing.assert_allclose(fused, explicit, atol=1e-5)


def test_attention_width_must_divide_heads():
    with pytest.raises(ValueError, match="not divisible by num_heads=3"):
        MultiHeadSelfAttention(num_heads=3)(X)


@pytest.mark.parametrize("activation", ["gelu", "gelu_approximate"])
def test_encoder_block_round_trip(activation, tmp_path):
    block = TransformerEncoderBlock(2, 16, activation=activation, dropout=0.1, name="block")
    expected = to_numpy(block(X, padding_mask=MASK))
    restored = TransformerEncoderBlock.from_config(block.get_config())
    restored.build(X.shape)
    restored.set_weights(block.get_weights())
    np.testing.assert_allclose(to_numpy(restored(X, padding_mask=MASK)), expected, atol=1e-6)
    assert_round_trip(block, X, tmp_path)


def test_encoder_block_is_post_layer_norm():
    block = TransformerEncoderBlock(2, 16)
    out = to_numpy(block(X, padding_mask=MASK))
    # The last op is a LayerNorm with unit gamma and zero beta: every token is normalised.
    np.testing.assert_allclose(out.mean(-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(-1), 1.0, atol=1e-3)


def test_masked_positions_transform_gathers_positions():
    layer = MaskedPositionsTransform(name="transform")
    positions = np.array([[4, 0], [2, 2]])
    out = to_numpy(layer(X, positions))
    expected = to_numpy(layer.layer_norm(layer.dense(X[[[0], [1]], positions])))
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_vocabulary_bias():
    layer = VocabularyBias()
    layer.build((None, 3))
    layer.bias.assign(np.array([1.0, 2.0, 3.0], "float32"))
    np.testing.assert_allclose(to_numpy(layer(np.zeros((2, 3), "float32"))), [[1, 2, 3]] * 2)


def test_first_token_only_equals_the_full_block_at_position_zero():
    block = TransformerEncoderBlock(2, 16, dropout=0.1)
    full = to_numpy(block(X, padding_mask=MASK))
    first = to_numpy(block(X, padding_mask=MASK, first_token_only=True))
    assert first.shape == (2, 1, 8)
    np.testing.assert_allclose(first[:, 0], full[:, 0], atol=1e-5)
    tokens, mask = keras.Input((None, 8)), keras.Input((None,))
    symbolic = block(tokens, padding_mask=mask, first_token_only=True)
    assert tuple(symbolic.shape) == (None, 1, 8)
