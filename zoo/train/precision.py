"""Mixed precision: one name per dtype policy, set before models are built.

Under `mixed_bfloat16` and `mixed_float16` layers compute in 16 bits and keep float32
weights; zoo's models keep softmax, layer norm, batch-norm statistics, the final logits and
the losses in float32. `mixed_float16` also needs loss scaling against underflowing
gradients: Keras's `compile` wraps the optimizer in a dynamic `LossScaleOptimizer` for a model
built under that policy, and `loss_scaling(model)` says whether it did.

Example:
>>> set_precision("mixed_bfloat16")  # doctest: +SKIP
'mixed_bfloat16'
>>> keras.mixed_precision.dtype_policy().compute_dtype  # doctest: +SKIP
'bfloat16'
"""

import keras

from zoo._utils import check_choice

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


def set_precision(name):
    """Make `name` the global dtype policy for the models built after this call."""
    check_choice("--precision", name, PRECISIONS)
    keras.mixed_precision.set_dtype_policy(name)
    return name


def current_precision():
    """The global dtype policy's name ("float32" when none was set)."""
    return keras.mixed_precision.dtype_policy().name


def loss_scaling(model):
    """True when `model`'s compiled optimizer scales the loss (mixed_float16)."""
    return isinstance(getattr(model, "optimizer", None), keras.optimizers.LossScaleOptimizer)
