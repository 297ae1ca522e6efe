"""Losses the recipes need that Keras lacks."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class SparseCategoricalCrossentropyWithSmoothing(keras.losses.Loss):
    """Cross-entropy on integer labels with label smoothing (computed in float32).

    Keras's `SparseCategoricalCrossentropy` has no `label_smoothing`; this one-hot encodes the
    labels inside the loss, so data pipelines keep their integer labels.

    Example:
    >>> loss = SparseCategoricalCrossentropyWithSmoothing(label_smoothing=0.1, from_logits=True)
    >>> round(float(loss([0], [[10.0, 0.0]])), 3)
    0.5
    """

    def __init__(
        self, label_smoothing=0.0, from_logits=False, name="smoothed_crossentropy", **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        y_pred = ops.cast(y_pred, "float32")
        labels = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), ops.shape(y_pred)[-1])
        return keras.losses.categorical_crossentropy(
            labels, y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        config = super().get_config()
        config.update({"label_smoothing": self.label_smoothing, "from_logits": self.from_logits})
        return config


def masked_lm_loss():
    """Cross-entropy over logits, averaged over the weighted (really masked) predictions.

    With the masking's `mask_weights` as sample weights, padding predictions count for
    nothing and the loss is the mean over the masked tokens of each batch.
    """
    return keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction="mean_with_sample_weight", name="masked_lm_loss"
    )


def causal_lm_loss():
    """Next-token cross-entropy of a language model's float32 logits (batch, length,
    vocabulary) against the next tokens (batch, length), averaged over every position."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
