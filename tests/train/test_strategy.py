"""Strategy names, their errors on the wrong backend, batch checks and padded evaluation.

Training under each strategy is compared with a single device in test_distribution.py.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import to_numpy
from zoo.errors import ConfigError
from zoo.train import batching
from zoo.train.strategy import Distribution, get_distribution, get_strategy, resolve_strategy_name


def test_auto_on_one_device_is_none():
    distribution = get_distribution("auto")
    assert (distribution.name, distribution.replicas, distribution.processes) == ("none", 1, 1)
    assert distribution.is_chief and not distribution.pads_evaluation


def test_unknown_name_lists_the_strategies():
    with pytest.raises(ConfigError, match="'ring' is unknown; use one of auto, none, mirrored"):
        get_distribution("ring")


@pytest.mark.parametrize("backend, name, message", [
    ("jax", "mirrored", "--strategy mirrored needs the tensorflow backend; on jax use one of "
                        "auto, none, data_parallel, model_parallel"),
    ("tensorflow", "model_parallel", "needs the jax backend; on tensorflow use one of auto, "
                                     "none, mirrored, multi_worker_mirrored, tpu"),
    ("torch", "data_parallel", "the torch backend trains on one device in zoo; distribution "
                               "runs on tensorflow .* and jax"),
])  # fmt: skip
def test_a_strategy_of_another_backend_names_the_one_that_has_it(backend, name, message):
    with pytest.raises(ConfigError, match=message):
        resolve_strategy_name(name, backend)


@pytest.mark.torch_only
def test_torch_refuses_distribution():
    with pytest.raises(ConfigError, match="torch backend trains on one device"):
        get_distribution("mirrored")


@pytest.mark.tf_only
def test_multi_worker_without_tf_config_says_what_to_set(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="needs TF_CONFIG with cluster.worker"):
        get_distribution("multi_worker_mirrored")
    assert get_strategy("none") is tf.distribute.get_strategy()


@pytest.mark.jax_only
def test_multi_process_jax_without_addresses_says_what_to_set(monkeypatch):
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "2")
    for variable in ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_PROCESS_ID"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(ConfigError, match="KERAS_DISTRIBUTION_JOB_ADDRESSES, "
                                          "KERAS_DISTRIBUTION_PROCESS_ID unset"):  # fmt: skip
        get_distribution("data_parallel")


def test_get_strategy_is_tensorflow_only():
    if keras.backend.backend() == "tensorflow":
        assert get_strategy("none") is not None
    else:
        with pytest.raises(ConfigError, match="need the tensorflow backend"):
            get_strategy("none")


def test_global_batch_must_split_evenly():
    with pytest.raises(ConfigError, match="--batch-size 30 is not a multiple of the 4 replicas"):
        Distribution("data_parallel", replicas=4).check_batch_size(30)
    assert Distribution("data_parallel", replicas=4).check_batch_size(32) == 32


def _classifier():
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))


def test_padded_evaluation_and_prediction_equal_the_unpadded_ones():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(11, 3)).astype("float32"), rng.integers(0, 2, size=11)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)  # 4 + 4 + 3
    padded = list(batching.pad_batches(data, 4).as_numpy_iterator())
    assert [len(w) for _, _, w in padded] == [4, 4, 4]
    assert [w.sum() for _, _, w in padded] == [4, 4, 3]
    model = _classifier()
    model.compile(loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    expected = model.evaluate(data, return_dict=True, verbose=0)
    got = batching.evaluate(model, data, 4)
    assert got == pytest.approx(expected, rel=1e-6)
    predicted = batching.predict(model, data, 4)
    np.testing.assert_allclose(predicted, to_numpy(model(x)), rtol=1e-5, atol=1e-6)


def test_padding_keeps_per_token_weights():
    tokens = np.arange(12, dtype="int32").reshape(3, 4)
    weights = np.ones((3, 4), "float32")
    data = tf.data.Dataset.from_tensor_slices((tokens, tokens, weights)).batch(2)
    (_, _, first), (x, _, last) = batching.pad_batches(data, 2).as_numpy_iterator()
    assert x.shape == (2, 4) and last.tolist() == [[1, 1, 1, 1], [0, 0, 0, 0]]
    assert first.tolist() == [[1] * 4] * 2
