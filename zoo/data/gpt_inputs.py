"""tf.data pipelines for GPT: causal-LM windows over a token stream, and last-token
classification batches.

A corpus becomes one stream of token ids (`token_stream`: each file a document, the
tokenizer's end-of-text id between documents when it has one). Its last `validation_split`
is held out whole (`split_stream`, as nanoGPT does), so no validation window overlaps a
training one. Training windows start at a fresh random offset every epoch.

Example:
>>> stream = np.arange(1000, dtype="int32")
>>> train, validation = split_stream(stream, 0.1)
>>> dataset = causal_lm_dataset(train, sequence_length=16, batch_size=4, training=True)
>>> inputs, labels = next(iter(dataset))
>>> tuple(inputs["token_ids"].shape), tuple(labels.shape)
((4, 16), (4, 16))
"""

import numpy as np
import tensorflow as tf

from zoo._utils import check_positive_int
from zoo.data._reading import DEFAULT_ENCODING, read_text
from zoo.errors import ConfigError, DataSourceError


def read_documents(paths, encoding=DEFAULT_ENCODING):
    """The text of each file in `paths` (one document a file), as it is: line breaks and
    blank lines are part of what a causal LM learns."""
    documents = []
    for path in paths:
        text = read_text(path, encoding)
        if text.strip():
            documents.append(text)
    if not documents:
        raise DataSourceError(f"The corpus {[str(p) for p in paths]} holds no text.")
    return documents


def _note_unknown(tokenizer, texts, encoded):
    """Say how many characters a character tokenizer left out (text with characters its
    corpus did not have); byte-level BPE leaves nothing out."""
    if tokenizer.end_token_id is not None:
        return
    lost = sum(len(text) for text in texts) - sum(len(ids) for ids in encoded)
    if lost:
        print(f"note: {lost:,} characters of the text are not in the tokenizer's "
              f"{tokenizer.vocabulary_size} and were left out")  # fmt: skip


def token_stream(documents, tokenizer):
    """One int32 array of the documents' token ids, separated by the tokenizer's
    `end_token_id` where it has one (byte-pair tokenizers; characters have none).
    Characters a character tokenizer lacks are left out (with a note)."""
    end = tokenizer.end_token_id
    encoded = tokenizer.encode_batch(documents, skip_unknown=True)
    _note_unknown(tokenizer, documents, encoded)
    ids = []
    for document in encoded:
        ids.extend(document)
        if end is not None:
            ids.append(end)
    return np.asarray(ids, dtype=np.int32)


def split_stream(stream, validation_split):
    """(train, validation): the stream's last `validation_split` held out, whole."""
    held_out = int(round(len(stream) * validation_split))
    return stream[: len(stream) - held_out], stream[len(stream) - held_out:]


def window_count(stream, sequence_length):
    """How many windows of `sequence_length` inputs (plus the next token) one epoch reads,
    whatever its random start offset."""
    return max(0, (len(stream) - sequence_length) // sequence_length)


def _check_enough(stream, sequence_length, batch_size, what):
    windows = window_count(stream, sequence_length)
    if windows < batch_size:
        raise ConfigError(
            f"The {what} text has {len(stream):,} tokens: {windows} windows of "
            f"--sequence-length {sequence_length}, fewer than --batch-size {batch_size}; use "
            "more text, a shorter --sequence-length or a smaller --batch-size."
        )
    return windows


def causal_lm_dataset(stream, *, sequence_length, batch_size, training, seed=0):
    """Batches of ({"token_ids", "padding_mask"}, next-token labels), each (batch, length).

    Training reads every epoch the stream's windows from a new random offset, shuffled,
    full batches only; evaluation reads the windows from offset 0, in order, every token
    once (the last batch may be short).
    """
    check_positive_int("sequence_length", sequence_length)
    length = sequence_length
    windows = _check_enough(stream, length, batch_size if training else 1,
                            "training" if training else "validation")  # fmt: skip
    tokens = tf.constant(stream, dtype=tf.int32)

    def window(offset, index):
        start = offset + index * length
        return tokens[start : start + length + 1]

    if training:
        offsets = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
        offsets = offsets.map(lambda r: tf.cast(r % length, tf.int64))
        dataset = offsets.flat_map(
            lambda offset: tf.data.Dataset.range(windows).map(lambda i: window(offset, i))
        )
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(windows))
        dataset = dataset.shuffle(windows, seed=seed, reshuffle_each_iteration=True)
    else:
        dataset = tf.data.Dataset.range(windows).map(lambda i: window(tf.constant(0, tf.int64), i))

    return causal_lm_batches(dataset, batch_size=batch_size, training=training)


def _inputs_and_labels(window):
    inputs = window[:-1]
    return {"token_ids": inputs, "padding_mask": tf.ones_like(inputs)}, window[1:]


def causal_lm_batches(windows, *, batch_size, training):
    """Batches of ({"token_ids", "padding_mask"}, next-token labels) from a dataset of
    windows of `sequence_length + 1` ids (full batches only when `training`)."""
    check_positive_int("batch_size", batch_size)
    batches = windows.map(_inputs_and_labels, num_parallel_calls=tf.data.AUTOTUNE)
    return batches.batch(batch_size, drop_remainder=training).prefetch(tf.data.AUTOTUNE)


def encode_right_padded(texts, tokenizer, sequence_length):
    """{"token_ids", "padding_mask"} (int32, texts x `sequence_length`): each text's first
    `sequence_length` tokens, padded on the right with id 0 (mask 0), so its last real
    token is at `padding_mask.sum() - 1` (what `build_gpt_classifier` reads). Characters a
    character tokenizer lacks are left out (with a note)."""
    token_ids = np.zeros((len(texts), sequence_length), np.int32)
    mask = np.zeros((len(texts), sequence_length), np.int32)
    encoded = tokenizer.encode_batch(list(texts), skip_unknown=True)
    _note_unknown(tokenizer, texts, encoded)
    for row, ids in enumerate(encoded):
        ids = ids[:sequence_length] or [tokenizer.end_token_id or 0]
        token_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    return {"token_ids": token_ids, "padding_mask": mask}


def last_token_classification_dataset(texts, labels, tokenizer, *, sequence_length,
                                      batch_size, training, seed=0):  # fmt: skip
    """Batches of (GPT inputs, int32 label) for `build_gpt_classifier`."""
    if training and len(texts) < batch_size:
        raise ConfigError(
            f"batch_size={batch_size} is larger than the {len(texts)} training examples; "
            "lower --batch-size or use more data."
        )
    features = encode_right_padded(texts, tokenizer, sequence_length)
    dataset = tf.data.Dataset.from_tensor_slices((features, np.asarray(labels, np.int32)))
    dataset = dataset.cache()
    if training:
        dataset = dataset.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=training).prefetch(tf.data.AUTOTUNE)
