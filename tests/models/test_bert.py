import keras
import numpy as np
import pytest

from tests.helpers import (
    assert_jit_compile,
    assert_reloads_in_fresh_process,
    assert_trains_one_step,
    to_numpy,
)
from zoo import ConfigError, get_model_spec, list_models
from zoo.models.bert import (
    BERT_PRESETS,
    BertConfig,
    bert_config_of,
    bert_encoder_of,
    build_bert,
    build_bert_classifier,
    build_bert_pretrainer,
)
from zoo.train.losses import masked_lm_loss

# keras-hub's bert_presets.py (30,522-token vocabulary, 512 positions)
PUBLISHED = {"bert_tiny": 4_385_920, "bert_small": 28_763_648, "bert_medium": 41_373_184,
             "bert_base": 109_482_240, "bert_large": 335_141_888}  # fmt: skip
TINY = BertConfig(num_layers=2, hidden_dim=16, num_heads=2, vocabulary_size=50,
                  max_sequence_length=12)  # fmt: skip


def _inputs(batch=2, length=7, vocabulary=50, seed=0):
    rng = np.random.default_rng(seed)
    mask = np.ones((batch, length), "int32")
    mask[0, length - 2 :] = 0
    return {
        "token_ids": rng.integers(0, vocabulary, (batch, length)).astype("int32"),
        "segment_ids": rng.integers(0, 2, (batch, length)).astype("int32"),
        "padding_mask": mask,
    }


@pytest.mark.parametrize("preset", sorted(PUBLISHED))
def test_parameter_counts_equal_the_published_ones(preset):
    assert BERT_PRESETS[preset].parameter_count() == PUBLISHED[preset]
    assert get_model_spec(preset).parameter_count == PUBLISHED[preset]


@pytest.mark.parametrize("preset", ["bert_tiny", "bert_mini"])
def test_built_count_matches_the_formula(preset):
    assert build_bert(preset).count_params() == BERT_PRESETS[preset].parameter_count()


def test_presets_registered_with_references():
    assert list_models("bert*") == sorted(BERT_PRESETS)
    spec = get_model_spec("bert_base")
    assert spec.task == "text_encoder" and spec.reference.value == 93.5
    assert get_model_spec("bert_tiny").reference.value == 83.2
    assert (BERT_PRESETS["bert_medium"].num_layers, BERT_PRESETS["bert_medium"].hidden_dim) == (
        8,
        512,
    )


def test_recipes_by_start_point_and_preset():
    """Fine-tuning a pretrained encoder takes a rate per preset (smaller encoders larger ones,
    as Turc et al. chose); training from random initialisation a larger one: at BERT-base's
    5e-5 a freshly initialised bert_tiny stays at the majority class on real reviews."""
    rates = {preset: get_model_spec(preset).recipe.learning_rate for preset in BERT_PRESETS}
    assert rates["bert_tiny"] == 3e-4 and rates["bert_base"] == rates["bert_large"] == 2e-5
    ordered = [rates[p] for p in ("bert_tiny", "bert_mini", "bert_small", "bert_base")]
    assert ordered == sorted(ordered, reverse=True)
    for preset in BERT_PRESETS:
        spec = get_model_spec(preset)
        scratch = spec.recipe_for("from_scratch")
        assert spec.recipe_for("pretrained") is spec.recipe
        assert scratch.learning_rate > spec.recipe.learning_rate, preset
        assert scratch.learning_rate >= 2 * 5e-5, preset  # twice BERT-base's at least
        assert (scratch.optimizer, scratch.schedule, scratch.warmup_fraction) == (
            "adamw", "onecycle", 0.1)  # warm-up: a fresh post-LayerNorm encoder needs it
    assert get_model_spec("bert_tiny").recipe_for("from_scratch").learning_rate >= 5e-4


def test_encoder_outputs():
    encoder = build_bert(TINY, name="enc")
    outputs = encoder(_inputs())
    assert to_numpy(outputs["sequence_output"]).shape == (2, 7, 16)
    assert to_numpy(outputs["pooled_output"]).shape == (2, 16)
    assert set(encoder.input) == {"token_ids", "segment_ids", "padding_mask"}


def test_padding_does_not_change_real_tokens():
    encoder = build_bert(TINY)
    inputs = _inputs()
    changed = {**inputs, "token_ids": inputs["token_ids"].copy()}
    changed["token_ids"][0, -2:] = 1
    a = to_numpy(encoder(inputs)["sequence_output"])
    b = to_numpy(encoder(changed)["sequence_output"])
    np.testing.assert_allclose(a[0, :-2], b[0, :-2], atol=1e-5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_layers": 2, "hidden_dim": 10, "num_heads": 3}, "not divisible by num_heads=3"),
        ({"num_layers": 0, "hidden_dim": 8, "num_heads": 2}, "num_layers must be a positive"),
        ({"num_layers": 1, "hidden_dim": 8, "num_heads": 2, "dropout": 1.0}, "dropout"),
        ({"num_layers": 1, "hidden_dim": 8, "num_heads": 2, "activation": "relu6"}, "activation"),
    ],
)
def test_config_validation(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        BertConfig(**kwargs)


def test_unknown_preset():
    with pytest.raises(ConfigError, match="Unknown BERT preset 'bert_huge'"):
        build_bert("bert_huge")


def test_classifier_trains_and_reloads(tmp_path):
    classifier = build_bert_classifier(TINY, num_classes=3)
    inputs = _inputs()
    assert to_numpy(classifier(inputs)).shape == (2, 3)
    classifier.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert_trains_one_step(
        build_bert_classifier(TINY, num_classes=3, dropout=0.0), inputs, np.array([0, 2]),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )  # fmt: skip


def test_classifier_equals_encoder_pooler_and_dense():
    encoder = build_bert(TINY, name="enc")
    rng = np.random.default_rng(2)
    for weight in encoder.weights:  # away from the initial LayerNorm / bias values
        weight.assign(to_numpy(weight) + rng.normal(0, 0.3, weight.shape).astype("float32"))
    classifier = build_bert_classifier(encoder, num_classes=3)
    assert bert_config_of(classifier) == TINY
    inputs = _inputs()
    pooled = to_numpy(encoder(inputs)["pooled_output"])
    logits = classifier.get_layer("enc_classifier_logits")
    expected = pooled @ to_numpy(logits.kernel) + to_numpy(logits.bias)
    np.testing.assert_allclose(to_numpy(classifier(inputs)), expected, atol=1e-5)
    # Its last block computes the pooled position only.
    assert classifier.get_layer("enc_block1").output.shape[1] == 1


def test_pretrainer_head_is_tied_to_the_token_embedding(tmp_path):
    pretrainer = build_bert_pretrainer(TINY)
    inputs = {**_inputs(), "mask_positions": np.array([[1, 3], [0, 6]], "int32")}
    assert to_numpy(pretrainer(inputs)).shape == (2, 2, 50)
    encoder_params = TINY.parameter_count(pooler=False)
    head_params = (16 * 16 + 16) + 2 * 16 + 50  # transform dense, LayerNorm, vocabulary bias
    assert pretrainer.count_params() == encoder_params + head_params
    path = tmp_path / "pretrainer.keras"
    pretrainer.save(path)
    reloaded = keras.saving.load_model(path)
    assert reloaded.count_params() == pretrainer.count_params()  # still tied after reloading
    np.testing.assert_allclose(to_numpy(reloaded(inputs)), to_numpy(pretrainer(inputs)), atol=1e-5)


def test_pretrainer_masked_lm_step_uses_only_weighted_positions():
    pretrainer = build_bert_pretrainer(TINY.replace(dropout=0.0))
    inputs = {**_inputs(), "mask_positions": np.array([[1, 3], [0, 0]], "int32")}
    labels = np.array([[5, 6], [7, 0]])
    weights = np.array([[1.0, 1.0], [1.0, 0.0]], "float32")
    pretrainer.compile(keras.optimizers.SGD(0.1), masked_lm_loss(),
                       weighted_metrics=["sparse_categorical_accuracy"])  # fmt: skip
    logits = to_numpy(pretrainer(inputs))
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    picked = -np.take_along_axis(log_probs, labels[..., None], -1)[..., 0]
    expected = (picked * weights).sum() / weights.sum()
    result = pretrainer.evaluate(inputs, labels, sample_weight=weights, verbose=0, return_dict=True)
    assert result["loss"] == pytest.approx(expected, rel=1e-4)  # mean over the 3 masked tokens
    correct = (logits.argmax(-1) == labels) * weights
    assert result["sparse_categorical_accuracy"] == pytest.approx(correct.sum() / 3, abs=1e-6)


def test_encoder_of_pretrainer_and_config_inference():
    pretrainer = build_bert_pretrainer(TINY, name="mine")
    encoder = bert_encoder_of(pretrainer)
    assert encoder.name == "mine" and bert_config_of(pretrainer) == TINY
    assert bert_config_of(encoder) == TINY
    table = pretrainer.get_layer("mine_token_embedding").embeddings
    np.testing.assert_array_equal(
        to_numpy(encoder.get_layer("mine_token_embedding").embeddings), to_numpy(table)
    )


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="XLA: tensorflow and jax only")
def test_classifier_jit_compiles():
    classifier = build_bert_classifier(TINY, num_classes=2, classifier_activation="softmax")
    assert_jit_compile(classifier, _inputs(), np.array([0, 1]))


def test_reload_in_fresh_process(tmp_path):
    cases = []
    for model in (build_bert(TINY, name="enc"), build_bert_classifier(TINY, num_classes=2)):
        inputs = _inputs()
        path = str(tmp_path / f"{model.name}.keras")
        model.save(path)
        output = model(inputs)
        key = "sequence_output" if isinstance(output, dict) else None
        cases.append((path, inputs, to_numpy(output[key] if key else output), key))
    assert_reloads_in_fresh_process(cases, tmp_path)


def test_mixed_precision_keeps_outputs_in_float32():
    classifier = build_bert_classifier(TINY, num_classes=2, dtype="mixed_bfloat16")
    outputs = classifier(_inputs())
    assert keras.backend.standardize_dtype(outputs.dtype) == "float32"
    assert np.isfinite(to_numpy(outputs)).all()
    block = classifier.get_layer("bert_block0")
    assert keras.backend.standardize_dtype(block.attention.query_dense.kernel.dtype) == "float32"
    assert block.compute_dtype == "bfloat16"


def test_declared_layer_names_are_the_layers_the_builders_make():
    from zoo.models.bert import BERT_LAYOUT_RULES, BertLayerNames
    from zoo.train.layout import MODEL_AXIS

    pretrainer = build_bert_pretrainer("bert_tiny", vocabulary_size=50, max_sequence_length=8,
                                       name="enc")  # fmt: skip
    names = BertLayerNames.of(pretrainer)
    assert names == BertLayerNames("enc")
    declared = names.declared()
    assert len(declared) == 9
    encoder = build_bert("bert_tiny", vocabulary_size=50, max_sequence_length=8, name="enc")
    made = {layer.name for model in (pretrainer, encoder) for layer in model.layers}
    for name in declared.values():
        assert name in made, name
    assert {names.block(0), names.block(1)} <= made and names.block(2) not in made
    # Every sharded dimension names the layout's model axis, and the rules shard every
    # large BERT weight (embeddings, attention, feed-forward, pooler, masked-LM transform).
    assert {axis for spec in BERT_LAYOUT_RULES.values() for axis in spec} == {None, MODEL_AXIS}
    import re

    paths = [weight.path for model in (pretrainer, encoder) for weight in model.weights
             if len(weight.shape) == 2]  # fmt: skip
    unmatched = [path for path in paths
                 if not any(re.fullmatch(rule, path) for rule in BERT_LAYOUT_RULES)]  # fmt: skip
    assert unmatched == [], unmatched
