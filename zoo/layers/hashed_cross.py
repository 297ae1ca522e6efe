"""Crossed categorical ids hashed into a fixed number of buckets (Wide&Deep's wide crosses)."""

import keras
from keras import ops

from zoo._utils import check_positive_int


@keras.saving.register_keras_serializable(package="zoo")
class HashedCross(keras.layers.Layer):
    """Map a tuple of integer ids (one `(batch, 1)` tensor per feature) to one bucket id.

    A polynomial hash, reduced modulo `num_buckets` after every step so that every
    intermediate value fits in int32 on every backend (JAX has no int64 by default):
    `h = (h * 31 + id) mod num_buckets`, with `num_buckets` at most 2**26. Bucket 0 is kept
    for crosses with a missing (0) id. Ids are integers from the data pipeline, so this is
    arithmetic, not string hashing, and it is identical on every backend.

    Example:
    >>> import numpy as np
    >>> ids = HashedCross(1000)([np.array([[3]]), np.array([[5]])])
    >>> keras.ops.convert_to_numpy(ids).tolist()   # ((0 * 31 + 3) * 31 + 5) mod 999 + 1
    [[99]]
    """

    def __init__(self, num_buckets, **kwargs):
        super().__init__(**kwargs)
        check_positive_int("HashedCross: num_buckets", num_buckets)
        if not 2 <= num_buckets <= 2**26:
            raise ValueError(f"HashedCross: num_buckets must be in [2, 2**26], got {num_buckets}.")
        self.num_buckets = num_buckets

    def call(self, inputs):
        buckets = self.num_buckets - 1
        h = ops.zeros_like(ops.cast(inputs[0], "int32"))
        missing = ops.zeros_like(h, dtype="bool")
        for ids in inputs:
            ids = ops.cast(ids, "int32")
            missing = ops.logical_or(missing, ops.equal(ids, 0))
            h = ops.mod(h * 31 + ops.mod(ids, buckets), buckets)
        return ops.where(missing, ops.zeros_like(h), h + 1)

    def compute_output_spec(self, inputs):
        # int32 ids: the graph must not advertise the layer's float compute dtype.
        return keras.KerasTensor(inputs[0].shape, dtype="int32")

    def get_config(self):
        return {**super().get_config(), "num_buckets": self.num_buckets}
