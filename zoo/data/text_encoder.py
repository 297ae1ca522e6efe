"""Word vocabulary and integer encoding for the LSTM text models, inside the tf.data pipeline.

`TextEncoder` wraps `keras.layers.TextVectorization`: adapted on the training texts, applied in
`tf.data` (outside the trained model, so the model takes token ids and XLA and export stay
clean), and saved beside the run as one JSON file so the run can encode new text exactly as
it encoded its training data.

Example:
>>> encoder = TextEncoder.adapt(["a fine film", "a dull film"], vocabulary_size=100,
...                             sequence_length=8)
>>> encoder.vocabulary[:4]
['', '[UNK]', 'film', 'a']
>>> encoder.encode(["a fine plot"]).tolist()
[[3, 4, 1, 0, 0, 0, 0, 0]]
"""

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo._utils import check_positive_int, write_json_atomic
from zoo.errors import DataSourceError

ENCODER_FILE = "text_encoder.json"
PADDING, UNKNOWN = "", "[UNK]"
# IMDB reviews carry HTML line breaks; they are not words.
_LINE_BREAK = r"<br\s*/?>"


def _clean(texts):
    return tf.strings.regex_replace(texts, _LINE_BREAK, " ")


def _vectorization_layer(vocabulary_size, sequence_length, vocabulary=None):
    import keras

    return keras.layers.TextVectorization(
        max_tokens=vocabulary_size,
        output_mode="int",
        output_sequence_length=sequence_length,
        vocabulary=vocabulary,
        name="text_encoder",
    )


class TextEncoder:
    """Lower-cases, strips punctuation, splits on whitespace and maps words to ids.

    Id 0 is padding (sequences are padded or cut to `sequence_length` at the end), id 1 is
    any word outside the vocabulary; the other ids are words by falling frequency.
    """

    def __init__(self, vocabulary, sequence_length):
        check_positive_int("sequence_length", sequence_length)
        vocabulary = [str(token) for token in vocabulary]
        if vocabulary[:2] != [PADDING, UNKNOWN]:
            vocabulary = [PADDING, UNKNOWN, *vocabulary]
        self.vocabulary = vocabulary
        self.sequence_length = sequence_length
        self._layer = _vectorization_layer(len(vocabulary), sequence_length, vocabulary[2:])

    @classmethod
    def adapt(cls, texts, vocabulary_size, sequence_length, batch_size=1024):
        """Learn the `vocabulary_size` - 2 most frequent words of `texts` (plus padding and
        unknown)."""
        check_positive_int("vocabulary_size", vocabulary_size)
        if vocabulary_size < 3:
            raise DataSourceError(f"vocabulary_size must be at least 3, got {vocabulary_size}.")
        if not len(texts):
            raise DataSourceError("Cannot learn a vocabulary from no training texts.")
        layer = _vectorization_layer(vocabulary_size, sequence_length)
        layer.adapt(tf.data.Dataset.from_tensor_slices(list(texts)).batch(batch_size).map(_clean))
        return cls(layer.get_vocabulary(), sequence_length)

    @property
    def vocabulary_size(self):
        return len(self.vocabulary)

    def encode(self, texts):
        """Token ids, shape (len(texts), sequence_length), as an int32 numpy array."""
        import keras

        ids = self._layer(_clean(tf.constant(list(texts))))  # a tensor of the Keras backend
        return keras.ops.convert_to_numpy(ids).astype(np.int32)

    def dataset(self, texts, labels, *, batch_size, training=False, seed=0):
        """A batched, prefetched `tf.data.Dataset` of (token ids, label) pairs; shuffled each
        epoch when `training`."""
        data = tf.data.Dataset.from_tensor_slices((list(texts), np.asarray(labels, np.int32)))
        if training:
            data = data.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)
        # Training drops a last partial batch (replicas share whole global batches) unless
        # that would leave no batch at all.
        data = data.batch(batch_size, drop_remainder=training and len(texts) >= batch_size)
        encode = lambda text, label: (tf.cast(self._layer(_clean(text)), tf.int32), label)  # noqa: E731
        return data.map(encode, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)

    def save(self, folder):
        """Write `folder/text_encoder.json` (atomically); `TextEncoder.load(folder)` reads it."""
        write_json_atomic(Path(folder) / ENCODER_FILE, {
            "sequence_length": self.sequence_length,
            "standardize": "lower_and_strip_punctuation, <br /> removed",
            "vocabulary": self.vocabulary,
        })  # fmt: skip

    @classmethod
    def load(cls, folder):
        path = Path(folder) / ENCODER_FILE
        if not path.is_file():
            raise DataSourceError(f"{folder} holds no {ENCODER_FILE} (written by zoo train text).")
        saved = json.loads(path.read_text(encoding="utf-8"))
        return cls(saved["vocabulary"], saved["sequence_length"])
