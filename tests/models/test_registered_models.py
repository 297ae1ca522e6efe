"""Checks every registered model passes; a new model is tested the moment it is registered."""

import inspect

import keras
import numpy as np
import pytest

from tests.helpers import (
    assert_jit_compile,
    assert_reloads_in_fresh_process,
    assert_round_trip,
    assert_trains_one_step,
    to_numpy,
    with_architecture_marks,
    with_cost_marks,
)
from zoo import create_model, get_model_spec, list_models

IMAGE_MODELS = list_models(task="image_classification")


def _one_per_builder(names):
    """The smallest registered model of each builder module: compiling, training and
    reloading exercise the module's layers, which deeper presets of the same builder and the
    module's other builders (inception_v3 beside inception_cifar) only repeat."""
    smallest = {}
    for name in names:
        spec = get_model_spec(name)
        module = spec.builder_path.partition(":")[0]
        best = smallest.get(module)
        if best is None or spec.parameter_count < get_model_spec(best).parameter_count:
            smallest[module] = name
    return sorted(smallest.values())


REPRESENTATIVES = _one_per_builder(IMAGE_MODELS)


def _batch(spec, batch=2, num_classes=10, seed=0):
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(batch, *spec.input_shape)).astype("float32")
    labels = rng.integers(0, num_classes, size=(batch,))
    return inputs, labels


def test_registry_holds_the_issue_models():
    for name in ["cnn", "resnet9", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
                 "inception_v3", "inception_cifar"]:  # fmt: skip
        assert name in IMAGE_MODELS
    assert REPRESENTATIVES == ["cnn", "inception_cifar", "resnet20", "resnet9"]


@pytest.mark.parametrize("name", with_architecture_marks(IMAGE_MODELS))
def test_builds_with_declared_parameter_count(name):
    spec = get_model_spec(name)
    model = create_model(name)
    assert model.count_params() == spec.parameter_count
    assert model.input_shape == (None, *spec.input_shape)
    classes = inspect.signature(spec.builder).parameters["num_classes"].default
    assert model.output_shape == (None, spec.defaults.get("num_classes", classes))
    outputs = to_numpy(model(_batch(spec)[0], training=False))
    np.testing.assert_allclose(outputs.sum(axis=-1), 1.0, rtol=1e-5)  # softmax rows


@pytest.mark.parametrize("name", with_architecture_marks(IMAGE_MODELS))
def test_headless_and_pooled_features(name):
    spec = get_model_spec(name)
    inputs = _batch(spec)[0]
    features = create_model(name, include_top=False)
    assert len(features.output_shape) == 4
    pooled = create_model(name, include_top=False, pooling="avg")
    assert pooled.output_shape == (None, features.output_shape[-1])
    assert to_numpy(pooled(inputs)).shape == (2, features.output_shape[-1])


@pytest.mark.parametrize("name", with_architecture_marks(IMAGE_MODELS))
def test_layer_names_are_prefixed_and_unique(name):
    model = create_model(name, num_classes=3)
    names = [layer.name for layer in model.layers[1:]]  # [0] is the input
    assert len(names) == len(set(names))
    assert all(n.startswith(model.name) or n == "predictions" for n in names), names


@pytest.mark.parametrize("name", with_cost_marks(REPRESENTATIVES))
def test_trains_one_step(name):
    spec = get_model_spec(name)
    inputs, labels = _batch(spec, batch=4)
    assert_trains_one_step(create_model(name), inputs, labels)


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="XLA: tensorflow and jax only")
@pytest.mark.parametrize("name", with_cost_marks(REPRESENTATIVES))
def test_jit_compiles(name):
    spec = get_model_spec(name)
    inputs, labels = _batch(spec)
    assert_jit_compile(create_model(name), inputs, labels)


@pytest.mark.slow
def test_every_model_reloads_identically_in_a_fresh_process(tmp_path):
    cases = []
    for name in REPRESENTATIVES:
        spec = get_model_spec(name)
        model = create_model(name, num_classes=7)
        inputs = _batch(spec, num_classes=7)[0]
        path = assert_round_trip(model, inputs, tmp_path, atol=1e-5)
        cases.append((path, inputs, to_numpy(model(inputs, training=False))))
    assert_reloads_in_fresh_process(cases, tmp_path)
