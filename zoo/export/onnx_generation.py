"""Generate text with an exported GPT language model in onnxruntime: no Keras, no backend.

The ONNX file (`zoo export model.keras --format onnx`) maps `token_ids` and `padding_mask`
(batch x length, both dynamic) to next-token logits. It has no key/value cache, so every
step runs the whole sequence: fine for short continuations and for checking an export;
serve long ones from Keras (`zoo.generation.generate`, cached). Prompts are right-padded:
under the causal mask a row's last real position never sees the padding after it, so each
continuation is the one its prompt gets alone, and greedy decoding gives the tokens
`zoo.generation.generate(..., greedy=True)` gives.

Example:
>>> new_tokens = generate_onnx("model.onnx", [[12, 7, 3]], max_new_tokens=20,
...                            top_k=40, seed=0)  # doctest: +SKIP
"""

import numpy as np

from zoo._utils import check_positive_int
from zoo.errors import ConfigError


def _session(model):
    if not isinstance(model, str | bytes) and hasattr(model, "run"):
        return model
    import onnxruntime

    return onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])


def _sample(logits, rng, greedy, temperature, top_k, top_p):
    """One token id per row of `logits` (rows x vocabulary, float)."""
    if greedy:
        return logits.argmax(axis=-1)
    logits = logits.astype(np.float64) / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.sort(logits, axis=-1)[:, -top_k][:, None]
        logits = np.where(logits < kth, -np.inf, logits)
    probabilities = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    if top_p is not None:
        order = np.argsort(-probabilities, axis=-1)
        ranked = np.take_along_axis(probabilities, order, axis=-1)
        outside = np.cumsum(ranked, axis=-1) - ranked >= top_p  # mass before it already >= p
        ranked = np.where(outside, 0.0, ranked)
        probabilities = np.zeros_like(probabilities)
        np.put_along_axis(probabilities, order, ranked, axis=-1)
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
    return np.array([rng.choice(len(row), p=row) for row in probabilities])


def generate_onnx(model, prompts, max_new_tokens, *, temperature=1.0, top_k=None, top_p=None,
                  greedy=False, stop_token_ids=(), pad_token_id=0, seed=None):  # fmt: skip
    """Continue each token-id prompt by `max_new_tokens` with the ONNX language model
    `model` (a path or an `onnxruntime.InferenceSession`); the options are those of
    `zoo.generation.generate`. Returns one list of new token ids per prompt, ending at the
    first stop token when one is generated. The same `seed` gives the same samples."""
    check_positive_int("max_new_tokens", max_new_tokens)
    prompts = [list(map(int, prompt)) for prompt in prompts]
    if not prompts or not all(prompts):
        raise ConfigError("generate_onnx: give one or more prompts, each of one token or more.")
    if not greedy and not temperature > 0:
        raise ConfigError(f"temperature={temperature} must be above 0 (or use greedy=True).")
    session = _session(model)
    output = session.get_outputs()[0].name
    lengths = np.array([len(prompt) for prompt in prompts])
    token_ids = np.full((len(prompts), lengths.max() + max_new_tokens), pad_token_id, np.int32)
    for row, prompt in enumerate(prompts):
        token_ids[row, : len(prompt)] = prompt
    rng = np.random.default_rng(seed)
    stops = set(int(token) for token in stop_token_ids)
    new = [[] for _ in prompts]
    done = np.zeros(len(prompts), bool)
    for _ in range(max_new_tokens):
        width = lengths.max()
        mask = (np.arange(width)[None, :] < lengths[:, None]).astype(np.int32)
        logits = session.run([output], {"token_ids": token_ids[:, :width], "padding_mask": mask})[0]
        last = logits[np.arange(len(prompts)), lengths - 1]
        tokens = _sample(last, rng, greedy, temperature, top_k, top_p)
        for row, token in enumerate(tokens):
            if done[row]:
                continue
            new[row].append(int(token))
            token_ids[row, lengths[row]] = token
            done[row] = int(token) in stops
        lengths = lengths + ~done
        if done.all():
            break
    return new
