"""Turning raw table columns into recommender features, inside the tf.data pipeline.

A `ColumnSpec` says how one raw column becomes a feature: a categorical value looked up in a
vocabulary of the training rows' values seen at least `min_frequency` times (or hashed into
`hash_buckets`), a separator-joined list of them (genres), or a number (standardised with
the training rows' statistics, or log-scaled like Criteo's counts). `TabularEncoder` fits
those on the training rows, gives the models their `zoo.features` specs, applies the lookup
in `tf.data` (not in the trained model) and is saved with the run as JSON.

Example:
>>> import numpy as np
>>> columns = {"user": np.array(["a", "b", "a"]), "age": np.array([20.0, 30.0, 40.0])}
>>> encoder = TabularEncoder.fit([ColumnSpec("user", "sparse"), ColumnSpec("age", "dense")],
...                              columns)
>>> [f.name for f in encoder.features], encoder.features[0].vocabulary_size
(['user', 'age'], 3)
"""

import collections
import dataclasses
import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo._utils import check_choice, check_positive_int, write_json_atomic
from zoo.errors import ConfigError, DataSourceError
from zoo.features import DenseFeature, SequenceFeature, SparseFeature

KINDS = ("sparse", "sequence", "dense")
TRANSFORMS = ("standardize", "log", "none")
ENCODER_FILE = "tabular_encoder.json"


@dataclasses.dataclass(frozen=True)
class ColumnSpec:
    """How raw column `name` becomes a feature (see the module docstring)."""

    name: str
    kind: str
    embedding_dim: int = 16
    min_frequency: int = 1
    hash_buckets: int | None = None
    max_length: int = 8
    separator: str = "|"
    combiner: str = "mean"
    transform: str = "standardize"

    def __post_init__(self):
        check_choice(f"column {self.name!r}: kind", self.kind, KINDS)
        check_choice(f"column {self.name!r}: transform", self.transform, TRANSFORMS)
        for field in ("embedding_dim", "min_frequency", "max_length"):
            check_positive_int(f"column {self.name!r}: {field}", getattr(self, field))
        if self.hash_buckets is not None and (
            isinstance(self.hash_buckets, bool) or not isinstance(self.hash_buckets, int)
            or self.hash_buckets < 2
        ):  # fmt: skip
            raise ConfigError(f"column {self.name!r}: hash_buckets must be an integer >= 2.")

    @classmethod
    def parse(cls, text, **defaults):
        """`"name:kind"` or `"name:kind:key=value:..."`, as given on a command line.

        Example:
        >>> ColumnSpec.parse("genres:sequence:max_length=6").max_length
        6
        """
        name, _, rest = text.partition(":")
        kind, *options = rest.split(":") if rest else ("",)
        values = dict(defaults)
        for option in options:
            key, equals, value = option.partition("=")
            if not equals or key not in {f.name for f in dataclasses.fields(cls)} - {"name"}:
                raise ConfigError(f"Feature {text!r}: {option!r} is not a key=value option.")
            values[key] = int(value) if value.isdigit() else value
        return cls(name.strip(), kind.strip(), **values)


def _tokens(values, spec):
    if spec.kind == "sequence":
        return [t for value in values for t in str(value).split(spec.separator) if t]
    return [str(v) for v in values if str(v) != ""]


def _dense(values):
    array = np.asarray(values, dtype=np.float64)
    return array if array.ndim == 2 else array[:, None]


class TabularEncoder:
    """Fitted vocabularies and statistics of a table's feature columns."""

    def __init__(self, specs, state):
        self.specs = tuple(specs)
        self.state = state

    @classmethod
    def fit(cls, specs, columns):
        """Fit every spec on the training `columns` ({name: array})."""
        state = {}
        for spec in specs:
            if spec.name not in columns:
                raise DataSourceError(
                    f"No column named {spec.name!r}; the columns are {sorted(columns)}."
                )
            values = columns[spec.name]
            if spec.kind == "dense":
                x = _dense(values)
                if spec.transform == "log":
                    x = np.log1p(np.maximum(x, 0))  # NaN (missing) stays NaN
                mean, std = np.nanmean(x, axis=0), np.nanstd(x, axis=0)
                std = np.where(std > 0, std, 1)
                state[spec.name] = {"mean": mean.tolist(), "std": std.tolist()}
            elif spec.hash_buckets:
                state[spec.name] = {"hash_buckets": spec.hash_buckets}
            else:
                counts = collections.Counter(_tokens(values, spec))
                kept = sorted((t for t, c in counts.items() if c >= spec.min_frequency),
                              key=lambda t: (-counts[t], t))  # fmt: skip
                state[spec.name] = {"vocabulary": kept}
        return cls(specs, state)

    def vocabulary_size(self, spec):
        state = self.state[spec.name]
        return state.get("hash_buckets") or len(state["vocabulary"]) + 1

    @property
    def features(self):
        """The `zoo.features` specs of the encoded columns, for the model builders."""
        out = []
        for spec in self.specs:
            if spec.kind == "dense":
                out.append(DenseFeature(spec.name, len(self.state[spec.name]["mean"])))
            elif spec.kind == "sparse":
                out.append(SparseFeature(spec.name, self.vocabulary_size(spec), spec.embedding_dim))
            else:
                out.append(SequenceFeature(spec.name, self.vocabulary_size(spec), spec.max_length,
                                           spec.embedding_dim, spec.combiner))  # fmt: skip
        return out

    def _lookup(self, spec):
        """A tf function from string tensors to int32 ids (0: unknown, missing, padding)."""
        state = self.state[spec.name]
        if "hash_buckets" in state:
            buckets = state["hash_buckets"] - 1

            def lookup(strings):
                ids = tf.strings.to_hash_bucket_fast(strings, buckets) + 1
                return tf.where(tf.equal(strings, ""), tf.zeros_like(ids), ids)

            return lookup
        if not state["vocabulary"]:  # every value rarer than min_frequency: all "unknown"

            def unknown(strings):
                return tf.cast(tf.zeros_like(tf.strings.length(strings)), tf.int64)

            return unknown
        import keras

        return keras.layers.StringLookup(vocabulary=state["vocabulary"], num_oov_indices=1,
                                         mask_token=None)  # fmt: skip

    def encode_batch(self, batch):
        """A batch of raw columns ({name: tensor}) as the models' features ({name: tensor}),
        in TensorFlow ops (for `tf.data.Dataset.map`)."""
        return {spec.name: self._encode(spec, batch[spec.name]) for spec in self.specs}

    def _encode(self, spec, column):
        if spec.kind == "dense":
            state = self.state[spec.name]
            x = tf.cast(column, tf.float32)
            x = x if len(x.shape) == 2 else x[:, None]
            missing = tf.math.is_nan(x)
            x = tf.where(missing, tf.zeros_like(x), x)
            if spec.transform == "log":
                x = tf.math.log1p(tf.maximum(x, 0.0))
            if spec.transform != "none":
                x = (x - state["mean"]) / state["std"]
            # A missing value becomes 0: the training mean once standardised.
            return tf.where(missing, tf.zeros_like(x), x)
        lookup = self._lookup(spec)
        if spec.kind == "sparse":
            return tf.cast(tf.reshape(lookup(column), (-1, 1)), tf.int32)
        tokens = tf.strings.split(column, spec.separator)
        tokens = tf.ragged.boolean_mask(tokens, tf.not_equal(tokens, ""))
        ids = tf.ragged.map_flat_values(lambda t: tf.cast(lookup(t), tf.int32), tokens)
        return ids.to_tensor(default_value=0, shape=(None, spec.max_length))

    def dataset(self, columns, labels, *, batch_size, training=False, seed=0):
        """Batches of ({feature: tensor}, label (batch, 1) float32), looked up in tf.data."""
        raw = {}
        for spec in self.specs:
            values = columns[spec.name]
            raw[spec.name] = (_dense(values).astype(np.float32) if spec.kind == "dense"
                              else np.asarray(values).astype(str))  # fmt: skip
        labels = np.asarray(labels, np.float32).reshape(-1, 1)
        data = tf.data.Dataset.from_tensor_slices((raw, labels))
        if training:
            data = data.shuffle(min(len(labels), 200_000), seed=seed, reshuffle_each_iteration=True)
        def encode(batch, label):
            return self.encode_batch(batch), label

        drop = training and len(labels) >= batch_size  # whole global batches for the replicas
        data = data.batch(batch_size, drop_remainder=drop)
        data = data.map(encode, num_parallel_calls=tf.data.AUTOTUNE)
        return data.prefetch(tf.data.AUTOTUNE)

    def save(self, folder):
        write_json_atomic(Path(folder) / ENCODER_FILE, {
            "specs": [dataclasses.asdict(s) for s in self.specs], "state": self.state,
        })  # fmt: skip

    @classmethod
    def load(cls, folder):
        path = Path(folder) / ENCODER_FILE
        if not path.is_file():
            raise DataSourceError(f"{folder} holds no {ENCODER_FILE}.")
        saved = json.loads(path.read_text())
        return cls([ColumnSpec(**s) for s in saved["specs"]], saved["state"])
