"""Gradients of a per-example function on the current backend's own autodiff.

TensorFlow uses `tf.GradientTape`, JAX `jax.grad` (with the values as auxiliary output) and
PyTorch `torch.autograd.grad`. Like `zoo/data` and `zoo/export`, this is one of the few
places that imports a backend framework, always lazily inside its branch.

Example:
>>> import numpy as np
>>> values, (grad,) = value_and_gradients(lambda x: keras.ops.sum(x**2, axis=1),
...                                       [np.array([[1.0, 2.0]])])
>>> values.tolist(), grad.tolist()
([5.0], [[2.0, 4.0]])
"""

import weakref

import keras
import numpy as np

from zoo.errors import ConfigError

BACKENDS = ("tensorflow", "jax", "torch")


def value_and_gradients(fn, inputs, constants=(), variables=()):
    """`fn(*tensors, *constants)` -> (batch,) values, and the gradient of their sum w.r.t.
    each of `inputs`.

    `inputs` is a list of float arrays (cast to float32); `constants` are arrays passed to
    `fn` as tensors without gradients (integer ids, masks, one-hot targets). Returns
    `(values, gradients)` as numpy: values `(batch,)` and one gradient per input, shaped like
    it (zeros where `fn` does not depend on an input). Call models inside `fn` with
    `training=False`.

    On JAX, `fn` is traced once per input shapes and compiled (`jax.jit`); `variables`, the
    Keras variables `fn` reads (a model's `.variables`), enter the compiled function as
    arguments, so reusing the same `fn` object reuses the compiled code and still sees the
    weights as they are now. Without `variables` nothing is cached (the weights would be
    compiled in as constants).
    """
    arrays = [np.asarray(x, dtype="float32") for x in inputs]
    constants = [np.asarray(c) for c in constants]
    backend = keras.backend.backend()
    if backend == "tensorflow":
        values, grads = _tensorflow(fn, arrays, constants)
    elif backend == "jax":
        values, grads = _jax(fn, arrays, constants, list(variables))
    elif backend == "torch":
        values, grads = _torch(fn, arrays, constants)
    else:
        raise ConfigError(
            f"value_and_gradients: backend {backend!r} has no gradient implementation; "
            f"set KERAS_BACKEND to one of {', '.join(BACKENDS)}."
        )
    values = keras.ops.convert_to_numpy(values).astype("float32")
    if values.ndim != 1 or values.shape[0] != (arrays[0].shape[0] if arrays else 0):
        raise ConfigError(
            f"value_and_gradients: fn must return one value per example, shape (batch,), "
            f"got shape {values.shape}; reduce it (select a class, sum) inside fn."
        )
    grads = [
        np.zeros_like(x) if g is None else keras.ops.convert_to_numpy(g).astype("float32")
        for x, g in zip(arrays, grads, strict=True)
    ]
    return values, grads


def _tensorflow(fn, arrays, constants):
    import tensorflow as tf

    tensors = [tf.convert_to_tensor(x) for x in arrays]
    fixed = [tf.convert_to_tensor(c) for c in constants]
    with tf.GradientTape() as tape:
        for tensor in tensors:
            tape.watch(tensor)
        values = tf.cast(fn(*tensors, *fixed), "float32")
        total = tf.reduce_sum(values)
    return values, tape.gradient(total, tensors)


_JAX_COMPILED = weakref.WeakKeyDictionary()


def _jax(fn, arrays, constants, variables):
    import jax
    import jax.numpy as jnp

    compiled = _JAX_COMPILED.setdefault(fn, {}) if variables else {}
    key = (len(arrays), tuple(id(v) for v in variables))
    if key not in compiled:
        fn_ref = weakref.ref(fn)  # the cache entry must not keep `fn` (its key) alive

        def total(tensors, fixed, weights):
            # The variables read their values from the arguments, not from trace time.
            with keras.StatelessScope(state_mapping=list(zip(variables, weights, strict=True))):
                values = jnp.asarray(fn_ref()(*tensors, *fixed), dtype="float32")
            return jnp.sum(values), values

        compiled[key] = jax.jit(jax.grad(total, has_aux=True))
    grads, values = compiled[key](list(map(jnp.asarray, arrays)),
                                  list(map(jnp.asarray, constants)),
                                  [variable.value for variable in variables])  # fmt: skip
    return values, list(grads)


def _torch(fn, arrays, constants):
    import torch

    fixed = [keras.ops.convert_to_tensor(c) for c in constants]
    with torch.enable_grad():
        tensors = [keras.ops.convert_to_tensor(x).detach().requires_grad_(True) for x in arrays]
        values = fn(*tensors, *fixed).float()
        grads = torch.autograd.grad(values.sum(), tensors, allow_unused=True)
    return values.detach(), [None if g is None else g.detach() for g in grads]
