"""The next token from a language model's logits, for `zoo.generation.generate`.

Greedy decoding, or sampling from the logits divided by a temperature, restricted to the
`top_k` most likely tokens and / or to the smallest set whose probability reaches `top_p`.
Sampling takes the argmax of the logits plus Gumbel noise (the Gumbel-max trick: the same
distribution as `categorical`), and the noise is a pure function of a seed and the step
index, so a compiled decode loop needs no random state and the same seed gives the same
tokens. JAX and TensorFlow draw it statelessly inside the compiled program
(`jax.random`, `tf.random.stateless_uniform`); PyTorch, which runs eagerly, with
`keras.random.uniform` seeded from the seed and the step.

Example:
>>> import numpy as np
>>> from zoo.generation_sampling import sample
>>> logits = np.array([[0.0, 5.0, 1.0]], "float32")
>>> int(sample(logits, 0, 0, greedy=True)[0])
1
>>> int(sample(logits, 0, 0, greedy=False, top_k=1)[0])
1
"""

import keras
import numpy as np
from keras import ops

_MASKED = -1e9  # logit of a token that top-k / top-p leave out
_TINY = float(np.finfo("float32").tiny)  # the smallest noise draw: its logarithm is finite


def uniform_noise(shape, seed, step):
    """Uniform float32 noise in (0, 1) of `shape`, a pure function of the int `seed` and
    `step` (Python ints or int32 scalar tensors, traced or not)."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        key = jax.random.fold_in(jax.random.key(seed), step)
        return jax.random.uniform(key, shape, minval=_TINY)
    if backend == "tensorflow":
        import tensorflow as tf

        pair = tf.stack([tf.cast(seed, "int32"), tf.cast(step, "int32")])
        return tf.random.stateless_uniform(shape, seed=pair, minval=_TINY)
    mixed = (int(seed) * 1_000_003 + int(step)) % 2**32  # eager: one generator per step
    return keras.random.uniform(shape, minval=_TINY, seed=mixed)


def sample(logits, seed, step, *, greedy, temperature=1.0, top_k=None, top_p=None):
    """Next tokens, int32 (batch,), from float32 `logits` (batch, vocabulary).

    `top_k` (a Python int) and whether `top_p` is given fix the program's shape;
    `temperature` and `top_p` may be tensors. The noise comes from `uniform_noise(seed,
    step)`; `greedy` takes the argmax.
    """
    logits = ops.convert_to_tensor(logits, "float32")
    if greedy:
        return ops.cast(ops.argmax(logits, axis=-1), "int32")
    logits = logits / temperature
    indices = None
    if top_k is not None or top_p is not None:  # the candidates, sorted, most likely first
        logits, indices = ops.top_k(logits, top_k or ops.shape(logits)[-1])
    if top_p is not None:
        probabilities = ops.softmax(logits, axis=-1)
        before = ops.cumsum(probabilities, axis=-1) - probabilities  # mass of better tokens
        logits = ops.where(before > top_p, _MASKED, logits)  # the best token always stays
    gumbel = -ops.log(-ops.log(uniform_noise(ops.shape(logits), seed, step)))
    choice = ops.argmax(logits + gumbel, axis=-1)
    if indices is not None:
        choice = ops.take_along_axis(indices, ops.cast(choice, indices.dtype)[:, None], axis=-1)
        choice = choice[:, 0]
    return ops.cast(choice, "int32")
