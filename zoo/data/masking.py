"""Masked-language-model masking as a tf.data transformation (Devlin et al. 2018, 3.1).

Of the real (non-special, non-padding) tokens of each sequence, 15% are selected (at most
`max_predictions`); of those, 80% become [MASK], 10% a random token and 10% stay as they
are. The model predicts the original tokens at the selected positions. The random choices
are stateless and seeded per example, so a seed reproduces the same masks.

Example:
>>> masked = mask_tokens(dataset, masking, seed=0)  # doctest: +SKIP
>>> features, labels, weights = next(iter(masked))  # features gains "mask_positions"
"""

import dataclasses
import math

import tensorflow as tf

from zoo._utils import check_fraction, check_positive_int


@dataclasses.dataclass(frozen=True)
class MaskingConfig:
    """Which tokens may be masked and how: ids from the tokenizer's vocabulary."""

    vocabulary_size: int
    mask_id: int
    special_ids: tuple  # never selected ([CLS], [SEP], [PAD], ...)
    rate: float = 0.15
    max_predictions: int = 20
    mask_fraction: float = 0.8
    random_fraction: float = 0.1

    def __post_init__(self):
        check_positive_int("max_predictions", self.max_predictions)
        check_fraction("rate", self.rate)
        check_fraction("mask_fraction", self.mask_fraction, inclusive_high=True)
        check_fraction("random_fraction", self.random_fraction, inclusive_high=True)

    @classmethod
    def for_tokenizer(cls, tokenizer, sequence_length, rate=0.15):
        """The standard masking for `tokenizer`: at most ceil(rate x length) predictions."""
        return cls(
            vocabulary_size=tokenizer.vocabulary_size,
            mask_id=tokenizer.token_id("[MASK]"),
            special_ids=tuple(sorted(tokenizer.special_ids.values())),
            rate=rate,
            max_predictions=max(1, math.ceil(rate * sequence_length)),
        )


def _mask_one(features, seeds, config):
    token_ids = features["token_ids"]
    length = tf.shape(token_ids)[0]
    special = tf.reduce_any(token_ids[:, None] == tf.constant(config.special_ids, tf.int32), -1)
    candidates = tf.logical_and(tf.cast(features["padding_mask"], tf.bool), ~special)
    count = tf.reduce_sum(tf.cast(candidates, tf.int32))
    wanted = tf.cast(tf.round(config.rate * tf.cast(count, tf.float32)), tf.int32)
    wanted = tf.minimum(tf.maximum(wanted, tf.minimum(count, 1)), config.max_predictions)

    scores = tf.random.stateless_uniform([length], seed=seeds[0])
    scores = tf.where(candidates, scores, 2.0)  # non-candidates sort last
    order = tf.argsort(scores)
    slots = tf.range(config.max_predictions)
    take = tf.minimum(config.max_predictions, length)
    positions = tf.pad(order[:take], [[0, config.max_predictions - take]])
    weights = tf.cast(slots < wanted, tf.float32)
    positions = tf.where(slots < wanted, positions, 0)
    labels = tf.where(slots < wanted, tf.gather(token_ids, positions), 0)

    choice = tf.random.stateless_uniform([config.max_predictions], seed=seeds[1])
    random_tokens = tf.random.stateless_uniform(
        [config.max_predictions], seed=seeds[2], minval=0, maxval=config.vocabulary_size,
        dtype=tf.int32,
    )  # fmt: skip
    replacement = tf.where(
        choice < config.mask_fraction,
        config.mask_id,
        tf.where(choice < config.mask_fraction + config.random_fraction, random_tokens, labels),
    )
    selected = tf.boolean_mask(positions, slots < wanted)
    new_values = tf.boolean_mask(replacement, slots < wanted)
    masked_ids = tf.tensor_scatter_nd_update(token_ids, selected[:, None], new_values)
    return {**features, "token_ids": masked_ids, "mask_positions": positions}, labels, weights


def mask_tokens(dataset, config, seed=0, rerandomize=True):
    """Map a dataset of unbatched feature dicts to `(features, labels, mask_weights)`.

    `features` gains `mask_positions` (max_predictions,) and has the selected tokens
    replaced; `labels` are the original ids at those positions; `mask_weights` is 1 for a
    real prediction and 0 for padding, to weight the loss and the accuracy.
    `rerandomize=False` masks the n-th example the same way on every pass.
    """
    seeds = tf.data.Dataset.random(seed, rerandomize_each_iteration=rerandomize)
    seeds = seeds.batch(6).map(lambda s: tf.reshape(s, (3, 2)))
    return tf.data.Dataset.zip(dataset, seeds).map(
        lambda features, s: _mask_one(features, s, config), num_parallel_calls=tf.data.AUTOTUNE
    )
