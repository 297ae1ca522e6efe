"""int8 quantization: what Keras quantizes, the bytes it saves, and reloads of quantized models."""

import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo import create_model
from zoo.compress.quantization import quantize, weight_bytes
from zoo.errors import ConfigError
from zoo.layers.mlp import MLP
from zoo.models.bert import build_bert_pretrainer


def bert_inputs(rows=2, length=16, vocabulary=50, seed=0):
    rng = np.random.default_rng(seed)
    return {"token_ids": rng.integers(1, vocabulary, size=(rows, length)),
            "segment_ids": np.zeros((rows, length), "int32"),
            "padding_mask": np.ones((rows, length), "int32"),
            "mask_positions": np.array([[1, 5]] * rows)}  # fmt: skip


def test_bert_quantizes_every_dense_and_embedding_and_reloads(tmp_path):
    model = build_bert_pretrainer("bert_tiny", vocabulary_size=50, max_sequence_length=16,
                                  num_layers=2, hidden_dim=32, num_heads=2)  # fmt: skip
    x = bert_inputs()
    before = to_numpy(model.predict(x, verbose=0))
    report = quantize(model, "int8")
    # 2 blocks x (q, k, v, attention output, 2 feed-forward), the pooler, the masked-LM
    # transform and the token embedding (whose reverse is the masked-LM output).
    assert len(report["quantized_layers"]) == 2 * 6 + 3, report["quantized_layers"]
    assert report["bytes_after"] == weight_bytes(model) < report["bytes_before"] / 2.5
    after = to_numpy(model.predict(x, verbose=0))
    np.testing.assert_allclose(after, before, atol=0.05 * np.abs(before).max())
    model.save(tmp_path / "int8.keras")
    reloaded = keras.saving.load_model(tmp_path / "int8.keras")
    np.testing.assert_array_equal(to_numpy(reloaded.predict(x, verbose=0)), after)


def test_composite_layer_reloads_quantized(tmp_path):
    model = keras.Sequential([keras.Input((8,)), MLP([16, 4], name="mlp")])
    x = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    assert sorted(quantize(model)["quantized_layers"]) == ["dense1", "dense2"]
    model.save(tmp_path / "mlp.keras")
    reloaded = keras.saving.load_model(tmp_path / "mlp.keras")
    np.testing.assert_array_equal(to_numpy(reloaded(x)), to_numpy(model(x)))


def test_convolutions_stay_float():
    report = quantize(create_model("cnn", num_classes=10))
    assert report["quantized_layers"] == ["cnn_dense", "cnn_logits"]


def test_bad_mode():
    with pytest.raises(ConfigError, match="int8"):
        quantize(create_model("cnn"), "int3")
