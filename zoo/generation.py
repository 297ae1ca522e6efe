"""Text generation from a zoo GPT language model (`build_gpt_lm`), with a key/value cache.

`generate(lm, prompts, max_new_tokens)` decodes a batch of token-id prompts of different
lengths (left-padded together): the prompts run through the model once, filling each block's
key/value cache, and every new token then costs one position. Greedy decoding, temperature,
top-k and top-p (nucleus) sampling, stop tokens; sampling with a `seed` is reproducible.

The per-token model step is compiled with XLA on JAX (`jax.jit` of a stateless step) and
TensorFlow (`tf.function(jit_compile=True)`) once per model and shapes, and kept with the
model: the first call compiles (2-3 s for gpt_mini on a CPU), later calls of the same batch
and lengths do not. On PyTorch it runs eagerly (under `torch.no_grad`). Sampling from the
step's logits runs eagerly with `keras.random`.

Example:
>>> from zoo import build_gpt_lm
>>> from zoo.generation import generate
>>> lm = build_gpt_lm("gpt_nano")
>>> out = generate(lm, [[1, 2, 3], [4]], max_new_tokens=5, greedy=True)
>>> len(out), len(out[1])
(2, 5)
"""

import weakref

import keras
import numpy as np
from keras import ops

from zoo.errors import ConfigError
from zoo.models.gpt import GPTLayerNames, gpt_config_of

_MASKED = -1e9  # logit of a token that top-k / top-p leave out


def empty_cache(lm, batch_size, max_length):
    """One zero key/value cache per block of `lm`: (batch, 2, max_length, heads, head_dim)."""
    config = gpt_config_of(lm)
    names = GPTLayerNames.of(lm)
    head_dim = config.hidden_dim // config.num_heads
    shape = (batch_size, 2, max_length, config.num_heads, head_dim)
    return [ops.zeros(shape, dtype=lm.get_layer(names.block(i)).compute_dtype)
            for i in range(config.num_layers)]  # fmt: skip


def call_with_cache(lm, token_ids, padding_mask, caches, cache_index, start_positions=None,
                    last_only=False):  # fmt: skip
    """Run `lm` on `token_ids` (batch, t) placed at `cache_index` of the caches.

    Walks the language model's layers by their declared names (`GPTLayerNames`).
    `padding_mask` (batch, max_length) covers the whole cache; `start_positions` (batch,)
    are the position ids of the first of `token_ids` (default `cache_index`: no left
    padding). Returns float32 logits (batch, t, vocabulary), or (batch, vocabulary) at the
    last position with `last_only`, and the updated caches.
    """
    names = GPTLayerNames.of(lm)
    embedding = lm.get_layer(names.token_embedding)
    x = embedding(token_ids)
    start = cache_index if start_positions is None else start_positions
    positions = lm.get_layer(names.position_embedding)(x, start_index=start)
    x = lm.get_layer(names.embeddings_add)([x, positions])
    updated = []
    for i, cache in enumerate(caches):
        x, cache = lm.get_layer(names.block(i))(
            x, padding_mask=padding_mask, cache=cache, cache_index=cache_index
        )
        updated.append(cache)
    if last_only:
        x = x[:, -1, :]
    x = lm.get_layer(names.final_layer_norm)(x)
    return ops.cast(embedding(x, reverse=True), "float32"), updated


_STEPS = weakref.WeakKeyDictionary()  # model -> its compiled step, reused by every call


def _compiled_step(lm):
    """`lm`'s step, compiled on the first `generate` call and kept with the model: a later
    call of the same shapes (batch, prompt and total lengths) runs without compiling."""
    step = _STEPS.get(lm)
    if step is None:
        step = _STEPS[lm] = _compile_step(lm)
    return step


def _compile_step(lm):
    """`step(token_ids, padding_mask, caches, cache_index, start_positions)` -> (last
    logits, caches), compiled where the backend allows it simply (see the module doc)."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        variables = lm.variables

        def stateless(values, *args):
            with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))):
                return call_with_cache(lm, *args, last_only=True)

        jitted = jax.jit(stateless)
        return lambda *args: jitted([v.value for v in variables], *args)
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(lambda *args: call_with_cache(lm, *args, last_only=True),
                           jit_compile=True, reduce_retracing=True)  # fmt: skip
    if backend == "torch":
        import torch

        def eager(*args):
            with torch.no_grad():
                return call_with_cache(lm, *args, last_only=True)

        return eager
    return lambda *args: call_with_cache(lm, *args, last_only=True)


def _sample(logits, generator, greedy, temperature, top_k, top_p):
    """Next tokens (batch,) from float32 logits (batch, vocabulary)."""
    if greedy:
        return ops.argmax(logits, axis=-1)
    logits = logits / temperature
    if top_k is not None:
        kth = ops.top_k(logits, top_k)[0][:, -1:]
        logits = ops.where(logits < kth, _MASKED, logits)
    if top_p is None:
        return keras.random.categorical(logits, 1, seed=generator)[:, 0]
    values, indices = ops.top_k(logits, ops.shape(logits)[-1])  # sorted, descending
    probabilities = ops.softmax(values, axis=-1)
    before = ops.cumsum(probabilities, axis=-1) - probabilities  # mass of the better tokens
    values = ops.where(before > top_p, _MASKED, values)  # the best token always stays
    choice = keras.random.categorical(values, 1, seed=generator)
    return ops.take_along_axis(indices, ops.cast(choice, indices.dtype), axis=-1)[:, 0]


def _check(lm, prompts, max_new_tokens, temperature, top_k, top_p, greedy):
    if not isinstance(max_new_tokens, int) or isinstance(max_new_tokens, bool) \
            or max_new_tokens < 1:  # fmt: skip
        raise ConfigError(f"generate: max_new_tokens={max_new_tokens!r} must be an int >= 1.")
    if not greedy and not temperature > 0:
        raise ConfigError(f"generate: temperature={temperature!r} must be > 0 (or greedy=True).")
    config = gpt_config_of(lm)
    if top_k is not None and not 1 <= int(top_k) <= config.vocabulary_size:
        raise ConfigError(
            f"generate: top_k={top_k!r} must be between 1 and the vocabulary size "
            f"{config.vocabulary_size}."
        )
    if top_p is not None and not 0 < top_p <= 1:
        raise ConfigError(f"generate: top_p={top_p!r} must be in (0, 1].")
    prompts = [[int(t) for t in prompt] for prompt in prompts]
    if not prompts or not all(prompts):
        raise ConfigError("generate: prompts must be a non-empty list of non-empty token lists.")
    bad = [t for prompt in prompts for t in prompt if not 0 <= t < config.vocabulary_size]
    if bad:
        raise ConfigError(
            f"generate: token id {bad[0]} is outside the vocabulary "
            f"(0..{config.vocabulary_size - 1})."
        )
    longest = max(len(prompt) for prompt in prompts)
    if longest + max_new_tokens > config.max_sequence_length:
        raise ConfigError(
            f"generate: the longest prompt ({longest} tokens) + max_new_tokens={max_new_tokens} "
            f"exceeds the model's max_sequence_length={config.max_sequence_length}."
        )
    return prompts, longest


def generate(lm, prompts, max_new_tokens, *, temperature=1.0, top_k=None, top_p=None,
             greedy=False, stop_token_ids=(), pad_token_id=0, seed=None):  # fmt: skip
    """Continue each prompt of `prompts` (token-id lists, any lengths) by `max_new_tokens`.

    Returns one list of new token ids per prompt: `max_new_tokens` of them, or fewer,
    ending with the stop token, when one of `stop_token_ids` was generated. `greedy=True`
    takes the most likely token; otherwise tokens are sampled from the logits divided by
    `temperature`, restricted to the `top_k` most likely and / or the smallest set whose
    probability reaches `top_p`. The same `seed` gives the same samples. Prompts are
    left-padded with `pad_token_id` (masked out; their position ids start at 0 regardless),
    so each continuation is the one the prompt gets alone.

    Example:
    >>> from zoo import build_gpt_lm
    >>> lm = build_gpt_lm("gpt_nano")
    >>> generate(lm, [[5, 6]], 3, top_k=10, seed=1) == generate(lm, [[5, 6]], 3, top_k=10, seed=1)
    True
    """
    prompts, longest = _check(lm, prompts, max_new_tokens, temperature, top_k, top_p, greedy)
    batch, total = len(prompts), longest + max_new_tokens
    token_ids = np.full((batch, longest), pad_token_id, "int32")
    padding_mask = np.zeros((batch, total), "int32")
    padding_mask[:, longest:] = 1
    for row, prompt in enumerate(prompts):
        token_ids[row, longest - len(prompt):] = prompt
        padding_mask[row, longest - len(prompt):longest] = 1
    padding = np.array([longest - len(prompt) for prompt in prompts], "int32")
    step = _compiled_step(lm)
    generator = None if greedy else keras.random.SeedGenerator(seed)
    stops = np.array(sorted(set(int(t) for t in stop_token_ids)), "int32")
    caches = empty_cache(lm, batch, total)
    logits, caches = step(token_ids, padding_mask, caches, np.int32(0), -padding)
    outputs = np.full((batch, max_new_tokens), pad_token_id, "int32")
    done = np.zeros(batch, bool)
    for t in range(max_new_tokens):
        tokens = ops.convert_to_numpy(
            _sample(logits, generator, greedy, temperature, top_k, top_p)
        ).astype("int32")
        outputs[:, t] = np.where(done, pad_token_id, tokens)
        done |= np.isin(tokens, stops)
        if done.all() or t == max_new_tokens - 1:
            break
        index = np.int32(longest + t)
        logits, caches = step(outputs[:, t : t + 1], padding_mask, caches, index, index - padding)
    result = []
    for row in outputs:
        hits = np.flatnonzero(np.isin(row, stops))
        result.append(row[: hits[0] + 1 if hits.size else max_new_tokens].tolist())
    return result
