import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo import ConfigError
from zoo.generation import call_with_cache, empty_cache, generate
from zoo.models.gpt import (
    GPT_PRESETS,
    GPTConfig,
    GPTLayerNames,
    build_gpt,
    build_gpt_classifier,
    build_gpt_lm,
    gpt_config_of,
)

# Radford et al. 2019's GPT-2 sizes with the tied head (transformers.GPT2LMHeadModel's counts).
PUBLISHED = {"gpt2": 124_439_808, "gpt2_medium": 354_823_168, "gpt2_large": 774_030_080,
             "gpt2_xl": 1_557_611_200}  # fmt: skip
TINY = GPTConfig(num_layers=2, hidden_dim=32, num_heads=4, vocabulary_size=50,
                 max_sequence_length=24, dropout=0.0)  # fmt: skip


@pytest.fixture(scope="module")
def lm():
    keras.utils.set_random_seed(0)
    return build_gpt_lm(TINY, name="tiny")


def _inputs(token_ids):
    token_ids = np.asarray(token_ids, "int32")
    return {"token_ids": token_ids, "padding_mask": np.ones_like(token_ids)}


def _logits(lm, token_ids):
    return to_numpy(lm(_inputs(token_ids), training=False))


def test_parameter_counts_without_building():
    assert {p: GPT_PRESETS[p].parameter_count() for p in PUBLISHED} == PUBLISHED
    assert 10_600_000 < GPT_PRESETS["gpt_mini"].parameter_count() < 10_800_000  # nanoGPT ~10.7M
    assert GPT_PRESETS["gpt_nano"].parameter_count() < GPT_PRESETS["gpt_mini"].parameter_count()


def test_built_lm_has_the_formula_count_and_a_tied_head(lm):
    assert lm.count_params() == TINY.parameter_count()
    assert build_gpt(TINY).count_params() == TINY.parameter_count()
    assert gpt_config_of(lm) == TINY


def test_argument_errors():
    with pytest.raises(ConfigError, match="Unknown GPT preset 'gpt5'"):
        build_gpt("gpt5")
    with pytest.raises(ConfigError, match="vocabulary_size"):
        build_gpt_lm(TINY, vocabulary_size=0)
    with pytest.raises(ConfigError, match="not divisible by num_heads=3"):
        GPTConfig(num_layers=1, hidden_dim=32, num_heads=3)
    with pytest.raises(ConfigError, match="activation='relu6'"):
        GPTConfig(num_layers=1, hidden_dim=32, num_heads=4, activation="relu6")


def test_causal_later_tokens_do_not_change_earlier_logits(lm):
    tokens = np.random.default_rng(0).integers(0, 50, (2, 9))
    changed = tokens.copy()
    changed[:, 5:] = (changed[:, 5:] + 7) % 50
    a, b = _logits(lm, tokens), _logits(lm, changed)
    np.testing.assert_allclose(a[:, :5], b[:, :5], atol=1e-5)
    assert np.abs(a[:, 5:] - b[:, 5:]).max() > 1e-3


def test_cached_step_by_step_logits_equal_the_full_pass(lm):
    tokens = np.random.default_rng(1).integers(0, 50, (2, 10)).astype("int32")
    full = _logits(lm, tokens)
    caches = empty_cache(lm, 2, 10)
    mask = np.ones((2, 10), "int32")
    logits, caches = call_with_cache(lm, tokens[:, :4], mask, caches, 0)  # a prefill of 4
    steps = [to_numpy(logits)]
    for t in range(4, 10):
        logits, caches = call_with_cache(lm, tokens[:, t : t + 1], mask, caches, t)
        steps.append(to_numpy(logits))
    np.testing.assert_allclose(np.concatenate(steps, axis=1), full, atol=1e-5)


def test_greedy_generate_equals_an_uncached_argmax_loop(lm):
    prompt = [3, 14, 15, 9]
    tokens = list(prompt)
    for _ in range(4):
        tokens.append(int(_logits(lm, [tokens])[0, -1].argmax()))
    assert generate(lm, [prompt], 4, greedy=True) == [tokens[len(prompt):]]


def test_sampling_seeded_top_k_stop_tokens(lm):
    prompts = [[1, 2, 3], [4, 5, 6]]
    first = generate(lm, prompts, 8, temperature=1.5, top_p=0.9, seed=7)
    assert first == generate(lm, prompts, 8, temperature=1.5, top_p=0.9, seed=7)
    assert all(0 <= t < 50 for row in first for t in row)
    assert generate(lm, prompts, 8, top_k=1, seed=3) == generate(lm, prompts, 8, greedy=True)
    greedy = generate(lm, [[1, 2, 3]], 8, greedy=True)[0]
    stopped = generate(lm, [[1, 2, 3]], 8, greedy=True, stop_token_ids=[greedy[2]])[0]
    assert stopped == greedy[: greedy.index(greedy[2]) + 1]


def test_left_padded_batch_continues_each_prompt_as_alone(lm):
    prompts = [[7, 8, 9, 10, 11], [12, 13], [20]]
    together = generate(lm, prompts, 5, greedy=True, pad_token_id=0)
    assert together == [generate(lm, [p], 5, greedy=True)[0] for p in prompts]


def test_generate_argument_errors(lm):
    with pytest.raises(ConfigError, match="max_sequence_length=24"):
        generate(lm, [[1] * 20], 5)
    with pytest.raises(ConfigError, match="temperature=0"):
        generate(lm, [[1]], 2, temperature=0)
    with pytest.raises(ConfigError, match="token id 50"):
        generate(lm, [[50]], 2)


def test_save_reload_same_logits(lm, tmp_path):
    tokens = np.random.default_rng(2).integers(0, 50, (2, 6))
    path = str(tmp_path / "lm.keras")
    lm.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(_logits(reloaded, tokens), _logits(lm, tokens), atol=1e-6)
    assert reloaded.count_params() == TINY.parameter_count()  # the head is still tied


def test_one_training_step_lowers_the_causal_lm_loss():
    keras.utils.set_random_seed(1)
    model = build_gpt_lm(TINY)
    tokens = np.random.default_rng(3).integers(0, 50, (4, 12)).astype("int32")
    inputs, labels = _inputs(tokens[:, :-1]), tokens[:, 1:]
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss, jit_compile="auto")
    before = model.evaluate(inputs, labels, verbose=0)
    model.train_on_batch(inputs, labels)
    assert model.evaluate(inputs, labels, verbose=0) < before


def test_classifier_reads_the_last_real_token_with_the_lm_weights(lm, tmp_path):
    classifier = build_gpt_classifier(lm, num_classes=3, dropout=0.0)
    assert classifier.count_params() == lm.count_params() + 32 * 3 + 3
    tokens = np.array([[4, 5, 6, 0, 0], [4, 5, 6, 7, 8]], "int32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], "int32")
    short = np.array([[4, 5, 6]], "int32")
    logits = to_numpy(classifier({"token_ids": tokens, "padding_mask": mask}))
    alone = to_numpy(classifier({"token_ids": short, "padding_mask": np.ones_like(short)}))
    np.testing.assert_allclose(logits[0], alone[0], atol=1e-5)  # padding after it is unseen
    path = str(tmp_path / "classifier.keras")
    classifier.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(to_numpy(reloaded({"token_ids": tokens, "padding_mask": mask})),
                               logits, atol=1e-6)  # fmt: skip


def test_declared_layer_names_and_the_layout_rules(lm):
    import re

    from zoo.train.layout import layout_rules

    names = GPTLayerNames.of(lm)
    assert names == GPTLayerNames("tiny")
    made = {layer.name for layer in lm.layers}
    assert set(names.declared().values()) <= made
    assert {names.block(0), names.block(1)} <= made and names.block(2) not in made
    rules = layout_rules()
    unmatched = [w.path for w in lm.weights if len(w.shape) >= 2
                 and not any(re.fullmatch(rule, w.path) for rule in rules)]  # fmt: skip
    assert unmatched == [], unmatched


def _copy_keras_hub_weights(source, model):
    """Copy a keras-hub GPT2Backbone's weights into a zoo GPT of the same shape (test only)."""
    from zoo._keras_internals import keras_hub_encoder_parts

    names = GPTLayerNames.of(model)
    model.get_layer(names.token_embedding).embeddings.assign(
        source.get_layer("token_embedding").embeddings)
    model.get_layer(names.position_embedding).position_embeddings.assign(
        source.get_layer("position_embedding").position_embeddings)
    for i in range(source.num_layers):
        theirs = keras_hub_encoder_parts(source.get_layer(f"transformer_layer_{i}"))
        block = model.get_layer(names.block(i))
        mine = {"query": block.attention.query_dense, "key": block.attention.key_dense,
                "value": block.attention.value_dense,
                "attention_output": block.attention.output_dense,
                "intermediate": block.intermediate_dense, "output": block.output_dense,
                "attention_norm": block.attention_norm, "output_norm": block.output_norm}
        for part, layer in mine.items():
            for mine_weight, their_weight in zip(layer.weights, theirs[part].weights, strict=True):
                mine_weight.assign(their_weight)
    final = model.get_layer(names.final_layer_norm)
    final.set_weights(source.get_layer("layer_norm").get_weights())


def test_hidden_states_equal_keras_hub_gpt2_backbone():
    keras_hub = pytest.importorskip("keras_hub")
    source = keras_hub.models.GPT2Backbone(
        vocabulary_size=50, num_layers=2, num_heads=4, hidden_dim=32, intermediate_dim=128,
        dropout=0.0, max_sequence_length=24,
    )  # fmt: skip
    model = build_gpt(TINY.replace(intermediate_dim=128))
    _copy_keras_hub_weights(source, model)
    tokens = np.random.default_rng(4).integers(0, 50, (2, 8)).astype("int32")
    expected = to_numpy(source(_inputs(tokens)))
    np.testing.assert_allclose(to_numpy(model(_inputs(tokens))), expected, atol=1e-4)


def test_a_second_generate_call_reuses_the_compiled_step(lm):
    from zoo.generation import _compiled_decoder

    assert _compiled_decoder(lm) is _compiled_decoder(lm)
    first = generate(lm, [[3, 4]], 3, greedy=True)
    assert generate(lm, [[3, 4]], 3, greedy=True) == first


def test_attention_maps_are_causal_and_read_the_pre_layer_norm(lm):
    from zoo.explain.attention import attention_maps

    tokens = np.array([[5, 9, 2, 7, 1, 0]], "int32")
    mask = np.array([[1, 1, 1, 1, 1, 0]], "int32")
    maps = attention_maps(lm, {"token_ids": tokens, "padding_mask": mask})
    assert maps.shape == (2, 1, 4, 6, 6)
    np.testing.assert_allclose(maps[:, :, :, :5].sum(axis=-1), 1.0, atol=1e-5)
    assert np.abs(np.triu(maps[..., :5, :5], k=1)).max() == 0  # no query sees a later key
    block = lm.get_layer(GPTLayerNames.of(lm).block(0))
    x = np.random.default_rng(0).normal(size=(1, 6, 32)).astype("float32")
    direct = block.attention.attention_weights(to_numpy(block.attention_norm(x)))
    np.testing.assert_allclose(to_numpy(block.attention_weights(x)), to_numpy(direct), atol=1e-6)
