"""`zoo.generation.generate`'s compiled decode loop and `zoo.generation_sampling`."""

import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo.generation import _compiled_decoder, generate
from zoo.generation_sampling import sample, uniform_noise
from zoo.models.gpt import GPTConfig, build_gpt_lm

TINY = GPTConfig(num_layers=2, hidden_dim=32, num_heads=4, vocabulary_size=50,
                 max_sequence_length=24, dropout=0.0)  # fmt: skip
COMPILED = keras.backend.backend() in ("jax", "tensorflow")  # the whole loop in one program


@pytest.fixture(scope="module")
def lm():
    keras.utils.set_random_seed(0)
    return build_gpt_lm(TINY, name="tiny_generation")


def _last_logits(lm, tokens):
    """Logits of the next token after `tokens` alone: a full forward pass, no cache.
    Right padding to the longest length keeps one input shape (the model is causal, so
    the positions after the last token change nothing), which JAX's eager ops reuse."""
    ids = np.zeros((1, TINY.max_sequence_length), "int32")
    ids[0, : len(tokens)] = tokens
    mask = (np.arange(ids.shape[1]) < len(tokens)).astype("int32")[None]
    logits = lm({"token_ids": ids, "padding_mask": mask}, training=False)
    return to_numpy(logits)[0, len(tokens) - 1]


def _reference(lm, prompt, new_tokens, stops=()):
    """Greedy decoding step by step, a full pass per token."""
    tokens = list(prompt)
    for _ in range(new_tokens):
        tokens.append(int(_last_logits(lm, tokens).argmax()))
        if tokens[-1] in stops:
            break
    return tokens[len(prompt) :]


def test_greedy_batch_equals_the_uncached_reference_with_stops(lm):
    prompts = [[7, 8, 9, 10, 11], [12, 13], [20], [3, 1, 4, 1]]
    alone = [_reference(lm, p, 6) for p in prompts]
    assert generate(lm, prompts, 6, greedy=True) == alone
    stop = alone[1][1]  # ends row 1 early, other rows where it occurs, if at all
    expected = [_reference(lm, p, 6, stops={stop, 49}) for p in prompts]
    assert generate(lm, prompts, 6, greedy=True, stop_token_ids=[stop, 49]) == expected
    assert expected[1] == alone[1][: alone[1].index(stop) + 1]


def test_every_row_stopping_ends_the_loop_early(lm):
    prompts = [[1, 2, 3], [4, 5]]
    firsts = [row[0] for row in generate(lm, prompts, 1, greedy=True)]
    assert generate(lm, prompts, 10, greedy=True, stop_token_ids=firsts) == [[t] for t in firsts]


def test_seeded_sampling_is_reproducible_and_stays_in_top_k(lm):
    prompts = [[1, 2, 3], [9, 8]]
    options = {"temperature": 1.3, "top_k": 3, "top_p": 0.95}
    first = generate(lm, prompts, 8, seed=11, **options)
    assert first == generate(lm, prompts, 8, seed=11, **options)
    assert first != generate(lm, prompts, 8, seed=12, **options)  # 3^16 outcomes
    for prompt, new in zip(prompts, first, strict=True):
        tokens = list(prompt)
        for token in new:  # each sampled token is among the 3 most likely at its step
            assert token in np.argsort(_last_logits(lm, tokens))[-3:]
            tokens.append(token)


def test_sampling_with_a_low_temperature_is_greedy(lm):
    prompts = [[5, 6, 7], [1]]
    greedy = generate(lm, prompts, 6, greedy=True)
    assert generate(lm, prompts, 6, temperature=1e-4, seed=0) == greedy
    assert generate(lm, prompts, 6, top_k=1, seed=3) == greedy
    assert generate(lm, prompts, 6, top_p=1e-6, seed=4) == greedy  # only the best token


def test_a_second_call_does_not_compile_again(lm):
    decoder = _compiled_decoder(lm)
    generate(lm, [[1, 2], [3, 4]], 5, temperature=0.7, top_p=0.9, seed=1)
    traces = decoder.traces
    generate(lm, [[5, 6], [7, 8]], 5, temperature=1.2, top_p=0.5, seed=2, stop_token_ids=[3])
    if COMPILED:  # new values of the same shapes and mode reuse the program
        assert decoder.traces == traces
        generate(lm, [[5, 6], [7, 8]], 5, greedy=True)  # a new mode compiles once more
        assert decoder.traces == traces + 1


def test_gumbel_sampling_follows_the_softmax():
    logits = np.log(np.array([[0.5, 0.3, 0.2]], "float32")).repeat(4000, axis=0)
    tokens = to_numpy(sample(logits, 5, 0, greedy=False))
    frequencies = np.bincount(tokens, minlength=3) / len(tokens)
    np.testing.assert_allclose(frequencies, [0.5, 0.3, 0.2], atol=0.03)
    nucleus = to_numpy(sample(logits, 5, 1, greedy=False, top_p=0.6))  # the 0.5 and 0.3 only
    np.testing.assert_allclose((nucleus == 0).mean(), 0.5 / 0.8, atol=0.03)
    assert set(np.unique(nucleus)) == {0, 1}


def test_uniform_noise_is_a_function_of_seed_and_step():
    a = to_numpy(uniform_noise((3, 5), 7, 2))
    assert a.shape == (3, 5) and ((a > 0) & (a < 1)).all()
    np.testing.assert_array_equal(a, to_numpy(uniform_noise((3, 5), 7, 2)))
    assert not np.array_equal(a, to_numpy(uniform_noise((3, 5), 7, 3)))
    assert not np.array_equal(a, to_numpy(uniform_noise((3, 5), 8, 2)))
