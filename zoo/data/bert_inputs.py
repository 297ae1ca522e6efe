"""tf.data pipelines of BERT inputs: sentence classification and masked-LM pretraining.

Example:
>>> tokenizer = WordPieceTokenizer("vocab.txt")                      # doctest: +SKIP
>>> train = classification_dataset(texts, labels, tokenizer,         # doctest: +SKIP
...                                sequence_length=128, batch_size=32, training=True)
"""

import numpy as np
import tensorflow as tf

from zoo.data.masking import MaskingConfig, mask_tokens
from zoo.data.packing import RowPacker
from zoo.errors import ConfigError


def _batched(dataset, batch_size, training, size, seed):
    if training:
        dataset = dataset.shuffle(size, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=training).prefetch(tf.data.AUTOTUNE)


def classification_dataset(texts, labels, tokenizer, *, sequence_length, batch_size,
                           training, seed=0):  # fmt: skip
    """Batches of (BERT input dict, int32 label); training shuffles and drops the remainder."""
    if training and len(texts) < batch_size:
        raise ConfigError(
            f"batch_size={batch_size} is larger than the {len(texts)} training examples; "
            "lower --batch-size or use more data."
        )
    features = tokenizer.encode(texts, sequence_length=sequence_length)
    dataset = tf.data.Dataset.from_tensor_slices((features, np.asarray(labels, np.int32)))
    return _batched(dataset.cache(), batch_size, training, len(texts), seed)


def pack_documents(lines, tokenizer, sequence_length):
    """Token id rows `[CLS] tokens [SEP] [PAD]...` from a corpus's lines, as one array.

    Consecutive lines of one document are packed into a row until it is full (see
    `zoo.data.packing.RowPacker`); `None` in `lines` marks a document boundary.
    """
    packer = RowPacker.for_tokenizer(tokenizer, sequence_length)
    rows, document = [], []

    def close(document):
        for ids in tokenizer.encode_ids(document) if document else []:
            rows.extend(packer.add(ids))
        rows.extend(packer.end_document())

    for line in lines:
        if line is None:
            close(document)
            document = []
        else:
            document.append(line)
    close(document)
    if not rows:
        return np.zeros((0, sequence_length), np.int32)
    return np.stack(rows)


def masked_lm_dataset(token_ids, tokenizer, *, batch_size, training, seed=0, masking=None):
    """Batches of (features with `mask_positions`, labels, mask_weights) for masked-LM.

    `token_ids` are packed rows (`pack_documents`). Training draws new masks every epoch;
    evaluation keeps one fixed, seeded masking so that its accuracy is comparable.
    """
    token_ids = np.asarray(token_ids, np.int32)
    if training and len(token_ids) < batch_size:
        raise ConfigError(
            f"The corpus packs into {len(token_ids)} training sequences, fewer than "
            f"batch_size={batch_size}; lower --batch-size or add text."
        )
    rows = tf.data.Dataset.from_tensor_slices(token_ids).cache()
    if training:
        rows = rows.shuffle(len(token_ids), seed=seed, reshuffle_each_iteration=True)
    masking = masking or MaskingConfig.for_tokenizer(tokenizer, token_ids.shape[1])
    return masked_lm_batches(rows, tokenizer, masking, batch_size=batch_size,
                             training=training, seed=seed, cache=not training)  # fmt: skip


def masked_lm_batches(rows, tokenizer, masking, *, batch_size, training, seed=0, cache=False):
    """Masked-LM batches of a dataset of packed int32 rows (in memory or streamed).

    Training draws new masks every pass; evaluation masks each row the same way every pass
    (seeded; `cache=True` also keeps the masked rows). Training drops the last partial batch.
    """
    pad = tokenizer.token_id("[PAD]")

    def features(token_ids):
        return {
            "token_ids": token_ids,
            "segment_ids": tf.zeros_like(token_ids),
            "padding_mask": tf.cast(token_ids != pad, tf.int32),
        }

    dataset = mask_tokens(rows.map(features, num_parallel_calls=tf.data.AUTOTUNE), masking,
                          seed=seed if training else seed + 1, rerandomize=training)  # fmt: skip
    if cache:
        dataset = dataset.cache()
    return dataset.batch(batch_size, drop_remainder=training).prefetch(tf.data.AUTOTUNE)
