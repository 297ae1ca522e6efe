"""tf.data pipelines of BERT inputs: sentence classification and masked-LM pretraining.

Example:
>>> tokenizer = WordPieceTokenizer("vocab.txt")                      # doctest: +SKIP
>>> train = classification_dataset(splits.train_texts, splits.train_labels, tokenizer,
...                                sequence_length=128, batch_size=32, training=True)
"""

import numpy as np
import tensorflow as tf

from zoo.data.masking import MaskingConfig, mask_tokens
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
    """Token id rows `[CLS] tokens [SEP] [PAD]...` from a corpus's lines.

    Consecutive lines of one document are packed into a row until it is full (the
    masked-LM-only recipe of RoBERTa, without next-sentence prediction); a line longer than
    a row is split. `None` in `lines` marks a document boundary.
    """
    budget = sequence_length - 2
    cls, sep, pad = (tokenizer.token_id(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    rows, current = [], []
    documents, document = [], []
    for line in lines:
        if line is None:
            documents.append(document)
            document = []
        else:
            document.append(line)
    documents.append(document)
    for document in documents:
        for ids in tokenizer.encode_ids(document) if document else []:
            while ids:
                room = budget - len(current)
                current += ids[:room]
                ids = ids[room:]
                if len(current) == budget:
                    rows.append(current)
                    current = []
        if current:
            rows.append(current)
            current = []
    token_ids = np.full((len(rows), sequence_length), pad, np.int32)
    for i, row in enumerate(rows):
        token_ids[i, : len(row) + 2] = [cls, *row, sep]
    return token_ids


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
    pad = tokenizer.token_id("[PAD]")
    features = {
        "token_ids": token_ids,
        "segment_ids": np.zeros_like(token_ids),
        "padding_mask": (token_ids != pad).astype(np.int32),
    }
    masking = masking or MaskingConfig.for_tokenizer(tokenizer, token_ids.shape[1])
    dataset = tf.data.Dataset.from_tensor_slices(features).cache()
    if training:
        dataset = dataset.shuffle(len(token_ids), seed=seed, reshuffle_each_iteration=True)
    dataset = mask_tokens(dataset, masking, seed=seed if training else seed + 1)
    if not training:
        dataset = dataset.cache()
    return dataset.batch(batch_size, drop_remainder=training).prefetch(tf.data.AUTOTUNE)
