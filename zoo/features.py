"""Feature specs: what each input column of a recommender is, for the models and the data.

A model builds one named `keras.Input` per spec; a data pipeline turns raw columns into the
ids and values the specs describe. Id 0 of a sparse or sequence feature means unknown,
missing or (in a sequence) padding; real values are 1 .. vocabulary_size - 1.

Example:
>>> features = [SparseFeature("user_id", 944, embedding_dim=16),
...             SequenceFeature("genres", 20, max_length=6, embedding_dim=16),
...             DenseFeature("age")]
>>> tuple(f.input_shape for f in features)
((1,), (6,), (1,))
"""

import dataclasses

from zoo._utils import check_choice, check_positive_int
from zoo.errors import ConfigError

COMBINERS = ("mean", "sum")


def _check_name(kind, name):
    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError(f"{kind}: name must be a Python identifier, got {name!r}.")


@dataclasses.dataclass(frozen=True)
class SparseFeature:
    """A categorical field with one value per example (user id, ad category, hashed token)."""

    name: str
    vocabulary_size: int
    embedding_dim: int = 16

    def __post_init__(self):
        _check_name("SparseFeature", self.name)
        check_positive_int(f"SparseFeature {self.name!r}: vocabulary_size", self.vocabulary_size)
        check_positive_int(f"SparseFeature {self.name!r}: embedding_dim", self.embedding_dim)

    @property
    def input_shape(self):
        return (1,)

    @property
    def dtype(self):
        return "int32"


@dataclasses.dataclass(frozen=True)
class SequenceFeature:
    """A multi-valued categorical field (genres, watch history): up to `max_length` ids,
    padded with 0, pooled into one embedding by `combiner` ("mean" or "sum")."""

    name: str
    vocabulary_size: int
    max_length: int
    embedding_dim: int = 16
    combiner: str = "mean"

    def __post_init__(self):
        _check_name("SequenceFeature", self.name)
        for field in ("vocabulary_size", "max_length", "embedding_dim"):
            check_positive_int(f"SequenceFeature {self.name!r}: {field}", getattr(self, field))
        check_choice(f"SequenceFeature {self.name!r}: combiner", self.combiner, COMBINERS)

    @property
    def input_shape(self):
        return (self.max_length,)

    @property
    def dtype(self):
        return "int32"


@dataclasses.dataclass(frozen=True)
class DenseFeature:
    """A numeric field of `dimension` floats (age, a log-scaled count, a price)."""

    name: str
    dimension: int = 1

    def __post_init__(self):
        _check_name("DenseFeature", self.name)
        check_positive_int(f"DenseFeature {self.name!r}: dimension", self.dimension)

    @property
    def input_shape(self):
        return (self.dimension,)

    @property
    def dtype(self):
        return "float32"


FEATURE_TYPES = {"sparse": SparseFeature, "sequence": SequenceFeature, "dense": DenseFeature}


def check_features(builder, features, *, allow_empty=False):
    """Return `features` as a tuple after checking types and that names are unique."""
    features = tuple(features)
    if not features and not allow_empty:
        raise ConfigError(f"{builder}: needs at least one feature spec.")
    for feature in features:
        if not isinstance(feature, tuple(FEATURE_TYPES.values())):
            raise ConfigError(
                f"{builder}: {feature!r} is not a SparseFeature, SequenceFeature or DenseFeature."
            )
    names = [f.name for f in features]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"{builder}: feature names must be unique; {duplicated} repeat.")
    return features


def feature_to_dict(feature):
    """A JSON-ready dict of `feature`, with its kind; `feature_from_dict` reads it back."""
    kind = next(k for k, cls in FEATURE_TYPES.items() if isinstance(feature, cls))
    return {"kind": kind, **dataclasses.asdict(feature)}


def feature_from_dict(config):
    """The feature spec a `feature_to_dict` dict (or a hand-written one) describes."""
    config = dict(config)
    kind = config.pop("kind", None)
    if kind not in FEATURE_TYPES:
        raise ConfigError(
            f"Feature spec {config} needs a kind: one of {', '.join(FEATURE_TYPES)}."
        )
    try:
        return FEATURE_TYPES[kind](**config)
    except TypeError as error:
        raise ConfigError(f"Feature spec {config} of kind {kind!r}: {error}.") from None
