import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trip, to_numpy
from zoo.layers import MLP, BiasedSum, FactorizationMachine, HashedCross, SequencePooling

RNG = np.random.default_rng(0)


def test_factorization_machine_equals_the_pairwise_sum():
    fields = RNG.normal(size=(4, 5, 3)).astype("float32")
    pairs = [(i, j) for i in range(5) for j in range(i + 1, 5)]
    expected = np.array([[sum(fields[b, i] @ fields[b, j] for i, j in pairs)] for b in range(4)])
    np.testing.assert_allclose(to_numpy(FactorizationMachine()(fields)), expected, rtol=1e-5)
    as_list = [fields[:, i] for i in range(5)]
    np.testing.assert_allclose(to_numpy(FactorizationMachine()(as_list)), expected, rtol=1e-5)


def test_factorization_machine_is_float32_under_mixed_precision():
    layer = FactorizationMachine(dtype="mixed_bfloat16")
    out = layer(RNG.normal(size=(2, 3, 4)).astype("float32"))
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


@pytest.mark.parametrize("combiner", ["mean", "sum"])
def test_sequence_pooling_skips_padding(combiner):
    x = RNG.normal(size=(3, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0]], bool)
    total = (x * mask[..., None]).sum(1)
    count = np.maximum(mask.sum(1, keepdims=True), 1)
    expected = total if combiner == "sum" else total / count
    got = to_numpy(SequencePooling(combiner)(x, mask=mask))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert not got[2].any()  # nothing real pools to zeros
    with pytest.raises(ValueError, match="combiner='max' is not supported"):
        SequencePooling("max")


def test_sequence_pooling_takes_the_embedding_mask():
    ids = np.array([[3, 5, 0]])
    embedding = keras.layers.Embedding(8, 2, mask_zero=True)
    pooled = SequencePooling("mean")(embedding(ids))
    vectors = to_numpy(embedding.embeddings)
    np.testing.assert_allclose(to_numpy(pooled), [(vectors[3] + vectors[5]) / 2], rtol=1e-6)


def test_hashed_cross_is_a_deterministic_bucket_with_zero_for_missing():
    a = np.array([[1], [2], [0], [7]])
    b = np.array([[4], [4], [4], [0]])
    ids = to_numpy(HashedCross(101)([a, b]))
    pairs = zip(a[:, 0] % 100, b[:, 0] % 100, strict=True)
    expected = [[((x * 31 + y) % 100) + 1] for x, y in pairs]
    expected[2], expected[3] = [0], [0]
    assert ids.tolist() == expected
    big = to_numpy(HashedCross(2**26)([np.array([[2**31 - 1]]), np.array([[2**30]])]))
    assert 0 < big[0, 0] < 2**26  # no int32 overflow
    with pytest.raises(ValueError, match="num_buckets must be in"):
        HashedCross(1)


def test_biased_sum_and_mlp():
    parts = [RNG.normal(size=(3, 1)).astype("float32") for _ in range(3)]
    layer = BiasedSum()
    layer.build([p.shape for p in parts])
    layer.bias.assign(0.5)
    np.testing.assert_allclose(to_numpy(layer(parts)), sum(parts) + 0.5, rtol=1e-6)

    mlp = MLP((4, 2), activation="relu")
    x = RNG.normal(size=(3, 5)).astype("float32")
    out = to_numpy(mlp(x))
    (w1, b1), (w2, b2) = [[to_numpy(v) for v in block[0].weights] for block in mlp.blocks]
    np.testing.assert_allclose(out, np.maximum(np.maximum(x @ w1 + b1, 0) @ w2 + b2, 0), rtol=1e-5)
    with pytest.raises(ValueError, match="hidden_units must be positive integers"):
        MLP((4, 0))


def test_layers_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((5,)), MLP((4, 3), dropout=0.2, batch_norm=True)])
    assert_round_trip(model, RNG.normal(size=(2, 5)).astype("float32"), tmp_path)
    for layer in (FactorizationMachine(), SequencePooling("sum"), HashedCross(64), BiasedSum()):
        clone = layer.__class__.from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()
