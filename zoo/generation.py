"""Text generation from a zoo GPT language model (`build_gpt_lm`), with a key/value cache.

`generate(lm, prompts, max_new_tokens)` decodes a batch of token-id prompts of different
lengths (left-padded together): the prompts run through the model once, filling each block's
key/value cache, and every new token then costs one position. Greedy decoding, temperature,
top-k and top-p (nucleus) sampling, stop tokens; sampling with a `seed` is reproducible.

On JAX (`jax.jit`) and TensorFlow (`tf.function(jit_compile=True)`) the whole decode is one
XLA program: the prompt pass, then a `while_loop` over the new tokens (one-position model
step, sampling with stateless noise from `zoo.generation_sampling`, stop-token bookkeeping)
that ends when every row has stopped or `max_new_tokens` are made. It is compiled once per
model, shapes and sampling mode and kept with the model: the first call compiles (a few
seconds for gpt_mini on a CPU), later calls of the same batch, lengths and mode do not. On
PyTorch the same loop runs eagerly, under `torch.no_grad`.

Example:
>>> from zoo import build_gpt_lm
>>> from zoo.generation import generate
>>> lm = build_gpt_lm("gpt_nano")
>>> out = generate(lm, [[1, 2, 3], [4]], max_new_tokens=5, greedy=True)
>>> len(out), len(out[1])
(2, 5)
"""

import random
import weakref

import keras
import numpy as np
from keras import ops

from zoo.errors import ConfigError
from zoo.generation_sampling import sample
from zoo.models.gpt import GPTLayerNames, gpt_config_of


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


_DECODERS = weakref.WeakKeyDictionary()  # model -> its compiled decode, reused by every call


def _compiled_decoder(lm):
    """`lm`'s `_Decoder`, made on the first `generate` call and kept with the model: a later
    call of the same shapes (batch, prompt and total lengths, number of stop tokens) and
    sampling mode (greedy, top_k, top_p or not) runs without compiling."""
    decoder = _DECODERS.get(lm)
    if decoder is None:
        decoder = _DECODERS[lm] = _Decoder(lm)
    return decoder


class _Decoder:
    """The whole decode of `lm` (prompt pass, then a `while_loop` of one-token steps with
    sampling and stop-token bookkeeping) as one XLA program on JAX and TensorFlow; eager,
    under `torch.no_grad`, on PyTorch. `traces` counts how often it was traced (compiled)."""

    def __init__(self, lm):
        self._lm = weakref.ref(lm)  # the cache must not keep its key alive
        self.traces = 0
        backend = keras.backend.backend()
        if backend == "jax":
            import jax

            jitted = jax.jit(self._stateless, static_argnames="mode")
            self._run = lambda args, mode: jitted(
                [v.value for v in self._lm().variables], args, mode=mode
            )
        elif backend == "tensorflow":
            import tensorflow as tf

            self._run = tf.function(self._decode, jit_compile=True)
        elif backend == "torch":
            import torch

            self._run = torch.no_grad()(self._decode)
        else:
            self._run = self._decode

    def __call__(self, args, mode):
        """`args`: token_ids (batch, longest), padding_mask (batch, total), padding (batch,),
        stops (n,), seed, temperature, top_p, pad_token_id (scalars), all tensors; `mode`:
        (greedy, top_k, nucleus). Returns the new tokens, int32 (batch, total - longest)."""
        return self._run(args, mode)

    def _stateless(self, values, args, mode):
        variables = self._lm().variables
        with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))):
            return self._decode(args, mode)

    def _decode(self, args, mode):
        self.traces += 1
        lm = self._lm()
        token_ids, padding_mask, padding, stops, seed, temperature, top_p, pad = args
        greedy, top_k, nucleus = mode
        batch, longest = token_ids.shape
        max_new = padding_mask.shape[1] - longest

        def next_token(logits, done, step):
            token = sample(logits, seed, step, greedy=greedy, temperature=temperature,
                           top_k=top_k, top_p=top_p if nucleus else None)  # fmt: skip
            token = ops.where(done, pad, token)  # finished rows get padding
            stopped = ops.any(ops.equal(token[:, None], stops[None, :]), axis=-1)
            return token, ops.logical_or(done, stopped)

        def more(t, token, done, outputs, caches):
            return ops.logical_and(t < max_new, ops.logical_not(ops.all(done)))

        def step(t, token, done, outputs, caches):  # feeds token t - 1, samples token t
            index = t + (longest - 1)
            logits, caches = call_with_cache(lm, token[:, None], padding_mask, caches, index,
                                             index - padding, last_only=True)  # fmt: skip
            token, done = next_token(logits, done, t)
            outputs = ops.slice_update(outputs, (0, t), token[:, None])
            return t + 1, token, done, outputs, caches

        caches = empty_cache(lm, batch, longest + max_new)
        logits, caches = call_with_cache(lm, token_ids, padding_mask, caches, 0, -padding,
                                         last_only=True)  # fmt: skip
        token, done = next_token(logits, ops.zeros((batch,), "bool"), 0)
        outputs = ops.slice_update(ops.zeros((batch, max_new), "int32") + pad, (0, 0),
                                   token[:, None])  # fmt: skip
        start = ops.convert_to_tensor(1, "int32")
        return ops.while_loop(more, step, (start, token, done, outputs, caches))[3]


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
    stops = sorted(set(int(t) for t in stop_token_ids)) or [-1]  # -1: no token stops
    if seed is None:
        seed = random.randrange(2**31)  # Python's generator: keras.utils.set_random_seed's
    args = [token_ids, padding_mask, padding, np.array(stops, "int32"), np.int32(seed % 2**31),
            np.float32(temperature), np.float32(1.0 if top_p is None else top_p),
            np.int32(pad_token_id)]  # fmt: skip
    mode = (bool(greedy), None if greedy or top_k is None else int(top_k),
            top_p is not None and not greedy)  # fmt: skip
    decoder = _compiled_decoder(lm)
    outputs = ops.convert_to_numpy(decoder([ops.convert_to_tensor(a) for a in args], mode))
    stops = np.array(stops)
    result = []
    for row in outputs:
        hits = np.flatnonzero(np.isin(row, stops))
        result.append(row[: hits[0] + 1 if hits.size else max_new_tokens].tolist())
    return result
