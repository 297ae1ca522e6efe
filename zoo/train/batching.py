"""Evaluation and prediction over devices that each need an equal share of every batch.

JAX's distributions split each batch evenly over their devices, so a last, partial batch
cannot run. `pad_batches` fills every batch up to the global batch size with zero-weighted
copies of its first row; `evaluate` and `predict` use it and undo it, so no example is lost
or counted twice (TensorFlow's strategies take partial batches and need none of this).

Example:
>>> data = tf.data.Dataset.from_tensor_slices((np.ones((5, 2)), np.zeros(5)))
>>> print(*(int(tf.reduce_sum(w)) for _, _, w in pad_batches(data.batch(4), 4)))
4 1
"""

import keras
import numpy as np
import tensorflow as tf

LOSS_SUFFIX = "loss"


def _pad(tensor, rows, batch_size):
    padded = tf.concat([tensor, tf.repeat(tensor[:1], rows, axis=0)], axis=0)
    # A static batch size: Keras's multi-process sharding needs to read it.
    return tf.ensure_shape(padded, [batch_size, *tensor.shape[1:]])


def pad_batches(dataset, batch_size):
    """`(x, y, sample_weight)` batches of exactly `batch_size` rows; padding weighs 0.

    Batches without weights get weight 1 per row (per example; per token for `(batch, T)`
    weights).
    """

    def pad(*batch):
        x, y, weights = (*batch, None, None)[:3]
        rows = tf.shape(tf.nest.flatten(x)[0])[0]
        missing = batch_size - rows
        if weights is None:
            weights = tf.ones((rows,), "float32")
        padded = tf.nest.map_structure(lambda t: _pad(t, missing, batch_size), (x, y))
        return (*padded, _pad(weights, missing, batch_size) * _real_rows(rows, batch_size, weights))

    return dataset.map(pad, num_parallel_calls=tf.data.AUTOTUNE)


def _real_rows(rows, batch_size, weights):
    """1 for the `rows` real rows, 0 for the padding, shaped to multiply `weights`."""
    mask = tf.cast(tf.range(batch_size) < rows, weights.dtype)
    return tf.reshape(mask, [batch_size] + [1] * (weights.shape.rank - 1))


def padding_scale(dataset, batch_size):
    """Padded rows / real rows of a batched dataset once every batch is padded to
    `batch_size` (one pass over it): the factor that undoes padding in a Keras loss."""

    def count(totals, *batch):
        return totals + tf.stack([1, tf.shape(tf.nest.flatten(batch)[0])[0]])

    batches, real = (int(n) for n in dataset.reduce(tf.zeros(2, tf.int32), count))
    return batches * batch_size / max(real, 1)


def evaluate(model, dataset, batch_size):
    """`model.evaluate` over padded batches, with the losses rescaled to the real rows.

    Keras averages each batch's loss over all its rows (zero-weighted padding included) and
    weighs batches by their row count; multiplying by padded rows / real rows undoes the
    padding exactly. Metrics that take sample weights (accuracy, AUC, ...) ignore the padding.
    """
    scale = padding_scale(dataset, batch_size)
    results = model.evaluate(pad_batches(dataset, batch_size), return_dict=True, verbose=0)
    return {
        name: value * scale if name.endswith(LOSS_SUFFIX) else value
        for name, value in results.items()
    }


class RescalePaddedValidationLoss(keras.callbacks.Callback):
    """Undo the padding in `fit`'s validation losses (put it first among the callbacks, so
    the logs, checkpoints and early stopping see the corrected values)."""

    def __init__(self, validation, batch_size):
        super().__init__()
        self.scale = padding_scale(validation, batch_size)

    def on_epoch_end(self, epoch, logs=None):
        for name in list(logs or {}):
            if name.startswith("val_") and name.endswith(LOSS_SUFFIX):
                logs[name] *= self.scale


def predict_in_this_process(model, dataset):
    """Predict every example of `dataset` with a copy of `model` on this process's devices.

    With JAX processes on several machines, Keras cannot bring outputs sharded over other
    processes' devices here; the weights of a data-parallel model are replicated, so each
    process can predict the whole dataset itself.
    """
    distribution = keras.distribution.distribution()
    keras.distribution.set_distribution(None)
    try:
        local = keras.models.clone_model(model)
        local.set_weights(model.get_weights())
        return local.predict(dataset, verbose=0)
    finally:
        keras.distribution.set_distribution(distribution)


def predict(model, dataset, batch_size):
    """`model.predict` over padded batches of inputs, padding stripped from the outputs."""
    sizes = [int(tf.shape(tf.nest.flatten(batch)[0])[0]) for batch in dataset]
    no_labels = dataset.map(
        lambda *batch: (batch[0], tf.zeros(tf.shape(tf.nest.flatten(batch[0])[0])[:1]))
    )
    inputs = pad_batches(no_labels, batch_size)
    outputs = model.predict(inputs.map(lambda x, y, w: x), verbose=0)
    keep = np.concatenate([np.arange(size) + i * batch_size for i, size in enumerate(sizes)])
    return tf.nest.map_structure(lambda array: array[keep], outputs)
