"""Mixed precision: every registered model stays finite and near float32, and trains.

Forward check (image models with batch statistics, see the test): on TensorFlow each
registered model up to bert_mini's size (bert_small to bert_large are the same builder with
more and wider layers, too slow for CI in three policies), on JAX and torch the smallest of
each builder; each is built with the same weights in float32 and in each mixed policy; the
mixed outputs must be finite, float32, and within ATOL + RTOL * |float32| of the float32 ones.
Training check: the smallest model of each builder takes 3 Adam steps on one batch under
mixed_float16 (through Keras's loss scaling) on every backend, and under mixed_bfloat16 on
TensorFlow; its loss must fall.
"""

import keras
import numpy as np
import pytest

from tests.helpers import SLOW_TO_COMPILE, to_numpy, with_cost_marks
from zoo import create_model, get_model_spec, list_models
from zoo.errors import ConfigError
from zoo.models.bert import build_bert_classifier
from zoo.train.precision import PRECISIONS, loss_scaling, set_precision

MIXED = ("mixed_bfloat16", "mixed_float16")
# bfloat16 keeps 8 significant bits (float16 11): outputs of deep random-init models drift.
TOLERANCE = {"mixed_bfloat16": (0.05, 0.05), "mixed_float16": (0.01, 0.01)}  # (atol, rtol)
FORWARD_LIMIT = get_model_spec("bert_mini").parameter_count
# Deeper presets of a builder repeat its layers: their drift is a numeric property of depth,
# checked on one backend (TensorFlow, where they run fastest); the others check one per builder.
FORWARD_DEEP_BACKEND = "tensorflow"
LOSSES = {"image_classification": "sparse_categorical_crossentropy",
          "text_classification": "sparse_categorical_crossentropy",
          "text_encoder": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
          "causal_lm": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
          "click_through_rate": "binary_crossentropy",
          "time_series_forecasting": "mse"}  # fmt: skip


def _smallest_per_builder():
    """The smallest model of each builder, up to bert_mini's size (inception_v3's 24M are
    the layers of inception_cifar, which is checked, repeated wider)."""
    smallest = {}
    for name in list_models():
        spec = get_model_spec(name)
        best = smallest.get(spec.builder)
        if best is None or spec.parameter_count < get_model_spec(best).parameter_count:
            smallest[spec.builder] = name
    return sorted(n for n in smallest.values()
                  if get_model_spec(n).parameter_count <= FORWARD_LIMIT)  # fmt: skip


def _forward_models():
    if keras.backend.backend() != FORWARD_DEEP_BACKEND:
        return _smallest_per_builder()
    return [n for n in list_models() if get_model_spec(n).parameter_count <= FORWARD_LIMIT]


def example_inputs(model, batch=4, seed=0):
    """Random inputs of the right structure, shapes and dtypes (sequences of 8)."""
    rng = np.random.default_rng(seed)

    def one(tensor):
        shape = [batch] + [dimension or 8 for dimension in tensor.shape[1:]]
        if "int" in str(tensor.dtype):
            if "mask" in tensor.name:
                return np.ones(shape, "int32")
            low, high = (0, 2) if "segment" in tensor.name else (1, 3)  # 0 would be padding
            if tensor.name == "token_ids":
                high = 20
            return rng.integers(low, high, size=shape).astype(str(tensor.dtype))
        return rng.normal(size=shape).astype("float32")

    return keras.tree.map_structure(one, model.input)


def _build(name, policy):
    set_precision(policy)
    keras.utils.set_random_seed(0)
    if get_model_spec(name).task == "text_encoder":
        return build_bert_classifier(name, num_classes=2, dropout=0.0)
    return create_model(name)


def _labels(model, name, batch=4):
    task = get_model_spec(name).task
    shape = model.output_shape
    if task == "time_series_forecasting":
        return np.random.default_rng(1).normal(size=(batch, *shape[1:])).astype("float32")
    if task == "causal_lm":  # the next token at each of example_inputs' 8 positions
        return np.random.default_rng(1).integers(0, 20, size=(batch, 8))
    classes = 2 if task == "click_through_rate" else shape[-1]
    labels = np.arange(batch) % classes
    return labels.reshape(batch, 1).astype("float32") if classes == 2 and shape[-1] == 1 else labels


def test_unknown_precision_lists_the_policies():
    with pytest.raises(ConfigError, match="'float64' is not supported; use one of 'float32'"):
        set_precision("float64")
    assert PRECISIONS == ("float32", "mixed_bfloat16", "mixed_float16")


@pytest.mark.parametrize("name", with_cost_marks(_forward_models()))
def test_mixed_outputs_are_finite_float32_and_close(name):
    reference = _build(name, "float32")
    inputs = example_inputs(reference)
    # Batch statistics for the image models: at initialisation their inference-mode batch
    # norm (moving mean 0, variance 1) normalises nothing, and a deep ResNet's residual sums
    # then outgrow float16 (65,504), which trained statistics prevent.
    training = get_model_spec(name).task == "image_classification"
    expected = to_numpy(reference(inputs, training=training))
    for policy in MIXED:
        model = _build(name, policy)
        model.set_weights(reference.get_weights())
        output = model(inputs, training=training)
        assert keras.backend.standardize_dtype(output.dtype) == "float32", policy
        output = to_numpy(output)
        assert np.isfinite(output).all(), policy
        atol, rtol = TOLERANCE[policy]
        np.testing.assert_allclose(output, expected, atol=atol, rtol=rtol, err_msg=policy)


# The slow-to-compile models (SLOW_TO_COMPILE: the Inceptions) are made of the ResNets' layer
# types; their mixed outputs are checked above, and a few float16 steps of the CIFAR GoogLeNet
# take two minutes on a CPU without float16 arithmetic.
# mixed_float16 trains through Keras's loss scaling on every backend; mixed_bfloat16 differs
# from it only in the dtype (no loss scaling), so its training steps run on TensorFlow and its
# outputs are checked on every backend above.
TRAINED_POLICIES = MIXED if keras.backend.backend() == "tensorflow" else ("mixed_float16",)


@pytest.mark.parametrize("policy", TRAINED_POLICIES)
@pytest.mark.parametrize("name", [n for n in _smallest_per_builder() if n not in SLOW_TO_COMPILE])
def test_a_few_mixed_steps_lower_the_loss(name, policy):
    model = _build(name, policy)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=LOSSES[get_model_spec(name).task])
    assert loss_scaling(model) == (policy == "mixed_float16")
    inputs, labels = example_inputs(model), _labels(model, name)
    losses = [float(model.train_on_batch(inputs, labels)) for _ in range(3)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0], losses
