"""Magnitude pruning: exact top-k masks, zeros that survive training, stripped models."""

import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo.compress import ConstantSparsity, PolynomialDecay
from zoo.compress.pruning import (
    PruningCallback,
    prune,
    sparsity_report,
    strip_pruning,
)
from zoo.errors import ConfigError


def small_model():
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(20, 8, name="embedding")(tokens)
    x = keras.layers.Conv1D(8, 3, padding="same", name="conv")(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dense(16, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(4, activation="softmax", name="predictions")(x)
    return keras.Model(tokens, outputs)


def data(rows=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 20, size=(rows, 6)).astype("int32"), rng.integers(0, 4, size=rows)


def kernels(model):
    return {v.path: to_numpy(v) for v in model.weights if v.name in ("kernel", "embeddings")}


def test_global_masks_keep_exactly_the_largest_magnitudes():
    model = small_model()
    before = kernels(model)
    pruning = prune(model, ConstantSparsity(0.6))
    pruning.update_masks(0.6)
    after = kernels(model)
    magnitudes = np.concatenate([np.abs(w).ravel() for w in before.values()])
    keep = magnitudes.size - int(round(0.6 * magnitudes.size))
    threshold = np.sort(magnitudes)[-keep]
    for path, weight in before.items():
        expected = np.where(np.abs(weight) >= threshold, weight, 0)
        np.testing.assert_array_equal(after[path], expected, err_msg=path)
    assert sum(int(np.sum(w == 0)) for w in after.values()) == magnitudes.size - keep


def test_per_layer_and_two_of_four():
    model = small_model()
    prune(model, ConstantSparsity(0.5), scope="per_layer").update_masks(0.5)
    for path, weight in kernels(model).items():
        assert np.sum(weight == 0) == round(0.5 * weight.size), path
    model = small_model()
    hidden = to_numpy(model.get_layer("hidden").kernel)  # (8, 16): inputs in groups of 4
    prune(model, ConstantSparsity(0.5), layers=["hidden"], n_m=(2, 4)).update_masks(0.5)
    pruned = to_numpy(model.get_layer("hidden").kernel).reshape(2, 4, 16)
    assert ((pruned != 0).sum(axis=1) == 2).all()
    kept = np.sort(np.abs(hidden.reshape(2, 4, 16)), axis=1)[:, 2:, :]
    np.testing.assert_array_equal(np.sort(np.abs(pruned), axis=1)[:, 2:, :], kept)
    assert not np.any(to_numpy(model.get_layer("predictions").kernel) == 0)  # not selected


def test_pruned_weights_stay_zero_through_training_and_strip_reloads(tmp_path):
    model = small_model()
    pruning = prune(model, PolynomialDecay(0.2, 0.75, begin_step=0, end_step=6, frequency=3))
    model.compile(keras.optimizers.SGD(0.1, momentum=0.9), "sparse_categorical_crossentropy")
    x, y = data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[PruningCallback(pruning)])
    report = sparsity_report(model)  # last pruned at step 6 (of 0..7) to 0.75
    assert report["sparsity"] == pytest.approx(0.75, abs=1e-3)
    zeros = {path: w == 0 for path, w in kernels(model).items()}
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # no callback: the masks still hold
    for path, weight in kernels(model).items():
        assert np.all(weight[zeros[path]] == 0), path
    plain = strip_pruning(model)
    assert all(v.constraint is None for v in plain.weights)
    plain.save(tmp_path / "pruned.keras")
    reloaded = keras.saving.load_model(tmp_path / "pruned.keras")
    np.testing.assert_allclose(to_numpy(reloaded(x)), to_numpy(model(x)), atol=1e-6)
    assert sparsity_report(reloaded)["sparsity"] == report["sparsity"]
    assert report["compressed_bytes"] < report["bytes"]


@pytest.mark.tf_only  # stripped, it is a plain model: tests/export covers jax and torch
def test_stripped_model_exports_onnx_with_its_zeros(tmp_path):
    import onnx
    from onnx import numpy_helper

    from zoo.export import export

    model = small_model()
    pruning = prune(model, ConstantSparsity(0.5, begin_step=0, frequency=1))
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[PruningCallback(pruning)])
    plain = strip_pruning(model)
    report = export(plain, tmp_path / "pruned.onnx", format="onnx")  # verified against Keras
    assert report.verification.max_abs_difference <= report.verification.tolerance
    kernels = [
        numpy_helper.to_array(tensor)
        for tensor in onnx.load(str(tmp_path / "pruned.onnx")).graph.initializer
        if tensor.data_type == onnx.TensorProto.FLOAT and len(tensor.dims) == 2
    ]
    zeros = sum(int((k == 0).sum()) for k in kernels)
    assert zeros >= 0.5 * sum(k.size for k in kernels) - 2  # the pruned zeros are in the file
    assert sparsity_report(plain)["sparsity"] == 0.5


def test_bad_arguments():
    model = small_model()
    with pytest.raises(ConfigError, match="no prunable kernel"):
        prune(model, ConstantSparsity(0.5), layers=["nothing"])
    with pytest.raises(ConfigError, match="n_m=\\(4, 2\\) must be"):
        prune(model, ConstantSparsity(0.5), n_m=(4, 2))
    with pytest.raises(ConfigError, match="not a multiple of M=4; exclude its layer"):
        prune(model, ConstantSparsity(0.5), n_m=(2, 4))  # the embedding has 20 rows
    with pytest.raises(ConfigError, match="schedule must be"):
        prune(model, 0.5)
