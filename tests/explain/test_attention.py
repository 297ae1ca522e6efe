import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo.explain.attention import (
    attention_maps,
    attention_rollout,
)
from zoo.explain.pictures import save_attention_maps, save_rollout
from zoo.layers import MultiHeadSelfAttention, TransformerEncoderBlock
from zoo.models.bert import (
    BertConfig,
    build_bert,
    build_bert_classifier,
    build_bert_pretrainer,
)

# Large initial weights, so that attention is far from uniform and a wrong map shows.
TINY = BertConfig(num_layers=2, hidden_dim=16, num_heads=2, vocabulary_size=50,
                  max_sequence_length=12, initializer_range=0.5)  # fmt: skip
REAL = 5  # example 0 has 5 real tokens and 2 padding


def _inputs(batch=2, length=7, seed=0):
    rng = np.random.default_rng(seed)
    mask = np.ones((batch, length), "int32")
    mask[0, REAL:] = 0
    return {
        "token_ids": rng.integers(0, TINY.vocabulary_size, (batch, length)).astype("int32"),
        "segment_ids": rng.integers(0, 2, (batch, length)).astype("int32"),
        "padding_mask": mask,
    }


def _softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)


def _dense(layer, x, equation):
    return np.einsum(equation, x, to_numpy(layer.kernel)) + to_numpy(layer.bias)


@pytest.fixture(scope="module")
def encoder():
    return build_bert(TINY, name="enc")


def test_maps_shape_rows_and_padding(encoder):
    inputs = _inputs()
    maps = attention_maps(encoder, inputs)
    assert maps.shape == (2, 2, 2, 7, 7) and maps.dtype == np.float32
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(maps[:, 0, :, :, REAL:], 0.0)  # padding keys
    assert (maps[:, 1] > 0).all()
    assert maps.max() > 0.5  # not uniform: the check below can tell maps apart


def test_maps_reproduce_each_attention_sublayer_output(encoder):
    model = encoder
    inputs = _inputs()
    maps = attention_maps(model, inputs)
    blocks = [layer for layer in model.layers if isinstance(layer, TransformerEncoderBlock)]
    block_inputs = [model.get_layer("enc_embeddings_dropout").output, blocks[0].output]
    xs = keras.Model(model.input, block_inputs)(inputs)
    for i, (block, x) in enumerate(zip(blocks, xs, strict=True)):
        attention = block.attention
        # The layer's own call (the fused `dot_product_attention` on JAX and PyTorch).
        expected = to_numpy(attention(x, padding_mask=inputs["padding_mask"]))
        value = _dense(attention.value_dense, to_numpy(x), "bsd,dnh->bsnh")
        attended = np.einsum("bnts,bsnh->btnh", maps[i], value)
        actual = _dense(attention.output_dense, attended, "btnh,nhd->btd")
        np.testing.assert_allclose(actual, expected, atol=2e-5, err_msg=f"block {i}")


def test_attention_weights_match_a_numpy_implementation(encoder):
    layer = encoder.get_layer("enc_block1").attention
    x = np.random.default_rng(1).normal(size=(2, 5, 16)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], "int32")
    query = _dense(layer.query_dense, x, "btd,dnh->btnh")
    key = _dense(layer.key_dense, x, "bsd,dnh->bsnh")
    logits = np.einsum("btnh,bsnh->bnts", query, key) / np.sqrt(layer.head_dim)
    logits = np.where(mask[:, None, None, :] > 0, logits, -np.inf)
    weights = layer.attention_weights(x, padding_mask=mask)
    assert tuple(weights.shape) == (2, 2, 5, 5)
    np.testing.assert_allclose(to_numpy(weights), _softmax(logits), atol=1e-6)


def test_attention_weights_are_float32_under_mixed_precision():
    layer = MultiHeadSelfAttention(num_heads=2, kernel_initializer="zeros", dtype="mixed_bfloat16")
    x = np.ones((1, 3, 8), "float32")
    layer.build(x.shape)
    weights = layer.attention_weights(x, padding_mask=np.array([[1, 1, 0]]))
    assert keras.backend.standardize_dtype(weights.dtype) == "float32"
    np.testing.assert_allclose(to_numpy(weights), np.tile([0.5, 0.5, 0.0], (1, 2, 3, 1)))


def test_classifier_and_pretrainer_give_the_encoders_maps(encoder):
    inputs = _inputs()
    expected = attention_maps(encoder, inputs)
    # The classifier's last block computes only row 0; the maps still hold every row.
    classifier = build_bert_classifier(encoder, num_classes=3)
    np.testing.assert_allclose(attention_maps(classifier, inputs), expected, atol=1e-6)
    pretrainer = build_bert_pretrainer(TINY)
    masked = {**inputs, "mask_positions": np.zeros((2, 2), "int32")}
    assert attention_maps(pretrainer, masked).shape == expected.shape


def test_a_model_without_attention_is_refused():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="attention maps need a transformer"):
        attention_maps(model, np.zeros((1, 4), "float32"))


def _random_maps(layers=2, batch=2, heads=3, length=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(length), size=(layers, batch, heads, length))


def test_rollout_equals_a_hand_computed_product():
    maps = _random_maps()
    mask = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]])
    rollout = attention_rollout(maps, mask)
    assert rollout.shape == (2, 6, 6)
    for b in range(2):
        real = np.flatnonzero(mask[b])
        mixed = []
        for layer in range(2):
            a = 0.5 * maps[layer, b].mean(axis=0) + 0.5 * np.eye(6)
            a = a[np.ix_(real, real)]
            mixed.append(a / a.sum(axis=1, keepdims=True))
        expected = np.zeros((6, 6))
        expected[np.ix_(real, real)] = mixed[1] @ mixed[0]
        np.testing.assert_allclose(rollout[b], expected, atol=1e-6)
    np.testing.assert_allclose(rollout[0, :4].sum(axis=-1), 1.0, atol=1e-6)
    np.testing.assert_allclose(rollout[1].sum(axis=-1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(rollout[0, 4:], 0.0)
    np.testing.assert_array_equal(rollout[0, :, 4:], 0.0)


def test_rollout_without_residual_multiplies_the_head_means():
    maps = _random_maps(layers=3, batch=1)
    a = maps[:, 0].mean(axis=1)
    expected = a[2] @ a[1] @ a[0]
    np.testing.assert_allclose(attention_rollout(maps, residual=False)[0], expected, atol=1e-6)


@pytest.mark.parametrize("residual", [True, False])
def test_rollout_is_the_identity_when_heads_attend_to_themselves(residual):
    maps = np.broadcast_to(np.eye(5), (3, 2, 2, 5, 5))
    rollout = attention_rollout(maps, np.ones((2, 5)), residual=residual)
    np.testing.assert_allclose(rollout, np.broadcast_to(np.eye(5), (2, 5, 5)), atol=1e-7)


def test_rollout_of_real_maps_rows_sum_to_one(encoder):
    inputs = _inputs()
    rollout = attention_rollout(attention_maps(encoder, inputs), inputs["padding_mask"])
    np.testing.assert_allclose(rollout[0, :REAL].sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(rollout[1].sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(rollout[0, :, REAL:], 0.0)


def test_rollout_rejects_bad_shapes():
    with pytest.raises(ValueError, match="layers, batch, heads, length, length"):
        attention_rollout(np.ones((2, 3, 3)))
    with pytest.raises(ValueError, match="padding_mask"):
        attention_rollout(_random_maps(), np.ones((2, 5)))


def _assert_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1024
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


def test_pictures_are_written_as_png(tmp_path):
    maps = _random_maps(layers=2, batch=2, heads=2, length=6).astype("float32")
    tokens = ["[CLS]", "the", "cat", "sat", "[SEP]"]
    path = save_attention_maps(maps, tokens, tmp_path / "maps.png", example=1, heads=[1])
    _assert_png(path)
    rollout = attention_rollout(maps)
    _assert_png(save_rollout(rollout[0, 0], tokens, tmp_path / "rollout.png"))
    _assert_png(save_rollout(rollout[0], None, tmp_path / "rollout_matrix.png"))
    with pytest.raises(ValueError, match="tokens"):
        save_rollout(rollout[0, 0], ["t"] * 7, tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()
