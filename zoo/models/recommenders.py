"""Click-through-rate recommenders: DeepFM (Guo et al. 2017) and Wide&Deep (Cheng et al. 2016).

Both take a dict of named inputs, one per feature spec (`zoo.features`), and output the
probability of a positive label (a click, a rating of 4 or more) as a `(batch, 1)` float32
tensor named after the task.

Example:
>>> from zoo.features import DenseFeature, SparseFeature
>>> features = [SparseFeature("user", 100, 8), SparseFeature("item", 50, 8), DenseFeature("age")]
>>> model = build_deepfm(features, hidden_units=(32, 32))
>>> sorted(model.input), model.output_shape
(['age', 'item', 'user'], (None, 1))
"""

import keras

from zoo._utils import check_fraction, check_positive_int
from zoo.errors import ConfigError
from zoo.features import SparseFeature, check_features
from zoo.layers import MLP, BiasedSum, FactorizationMachine, HashedCross
from zoo.models._feature_inputs import (
    categorical,
    dense_values,
    embeddings,
    feature_inputs,
    linear_terms,
)
from zoo.models.recommender_presets import (  # noqa: F401  (public here too)
    CRITEO_CATEGORICAL_COLUMNS,
    CRITEO_INTEGER_COLUMNS,
    criteo_features,
)


def _check_head(builder, hidden_units, dropout, task):
    hidden_units = tuple(hidden_units)
    for units in hidden_units:
        check_positive_int(f"{builder}: hidden_units entry", units)
    check_fraction(f"{builder}: dropout", dropout)
    if not isinstance(task, str) or not task.isidentifier():
        raise ConfigError(
            f"{builder}: task must be an identifier (it names the output), got {task!r}."
        )
    return hidden_units


def _concatenate(tensors, name):
    if len(tensors) == 1:
        return tensors[0]
    return keras.layers.Concatenate(name=name)(tensors)


def _deep_logit(tensors, hidden_units, dropout, batch_norm, name):
    x = _concatenate(tensors, f"{name}_deep_input")
    x = MLP(hidden_units, dropout=dropout, batch_norm=batch_norm, name=f"{name}_mlp")(x)
    return keras.layers.Dense(1, name=f"{name}_deep_logit")(x)


def _probability(logits, task, name):
    logit = BiasedSum(name=f"{name}_logit")(logits)
    # The sigmoid runs in float32 under mixed precision, like every loss-facing output.
    return keras.layers.Activation("sigmoid", dtype="float32", name=task)(logit)


def build_deepfm(
    features,
    hidden_units=(400, 400, 400),
    *,
    dropout=0.0,
    batch_norm=False,
    dense_in_fm=True,
    dense_embedding_dim=None,
    task="click",
    name="deepfm",
):
    """DeepFM: a linear term, an FM second-order term and an MLP, all on the same embeddings.

    FM fields are the sparse and sequence features (pooled) and, with `dense_in_fm`, each
    dense feature through its own embedding (its values times learned vectors); they must
    share one embedding size. The MLP reads every field's embedding and the raw dense values.
    `hidden_units=()` leaves a plain factorisation machine.

    Example:
    >>> from zoo.features import SparseFeature
    >>> model = build_deepfm([SparseFeature("user", 100, 8), SparseFeature("item", 50, 8)])
    >>> model.output_shape
    (None, 1)
    """
    builder = "build_deepfm"
    features = check_features(builder, features)
    hidden_units = _check_head(builder, hidden_units, dropout, task)
    sizes = {f.name: f.embedding_dim for f in categorical(features)}
    if len(set(sizes.values())) > 1:
        raise ConfigError(
            f"{builder}: FM fields must share one embedding size, got {sizes}; give every "
            "SparseFeature and SequenceFeature the same embedding_dim."
        )
    shared = next(iter(sizes.values()), None)
    if dense_embedding_dim is not None:
        check_positive_int(f"{builder}: dense_embedding_dim", dense_embedding_dim)
        if shared is not None and dense_embedding_dim != shared:
            raise ConfigError(
                f"{builder}: dense_embedding_dim={dense_embedding_dim} differs from the FM "
                f"fields' embedding size {shared}; leave it None to use {shared}."
            )
    dense_dim = (dense_embedding_dim or shared or 16) if dense_in_fm else None

    inputs = feature_inputs(features)
    fields = embeddings(inputs, features, name, dense_dim=dense_dim)
    logits = linear_terms(inputs, features, name)
    if len(fields) >= 2:
        logits.append(FactorizationMachine(name=f"{name}_fm")(list(fields.values())))
    if hidden_units:
        deep_inputs = [*fields.values(), *dense_values(inputs, features)]
        logits.append(_deep_logit(deep_inputs, hidden_units, dropout, batch_norm, name))
    return keras.Model(inputs, _probability(logits, task, name), name=name)


def _merge(builder, wide_features, deep_features):
    merged = {}
    for feature in (*wide_features, *deep_features):
        if merged.setdefault(feature.name, feature) != feature:
            raise ConfigError(
                f"{builder}: feature {feature.name!r} is given twice with different specs: "
                f"{merged[feature.name]} and {feature}."
            )
    return list(merged.values())


def _check_crosses(builder, crosses, features):
    sparse = {f.name for f in features if isinstance(f, SparseFeature)}
    crosses = tuple(tuple(cross) for cross in crosses)
    for cross in crosses:
        unknown = [n for n in cross if n not in sparse]
        if len(cross) < 2 or unknown:
            raise ConfigError(
                f"{builder}: cross {cross} must name two or more SparseFeatures of the model; "
                f"{unknown or cross} are not (sparse features: {sorted(sparse)})."
            )
    return crosses


def build_wide_deep(
    wide_features,
    deep_features,
    *,
    crosses=(),
    cross_buckets=10_000,
    hidden_units=(1024, 512, 256),
    dropout=0.0,
    batch_norm=False,
    task="click",
    name="wide_deep",
):
    """Wide&Deep: a linear model on `wide_features` and hashed `crosses` of sparse features,
    plus an MLP on the embeddings of `deep_features` and their dense values.

    A feature may be in both lists (one input). Each cross (a tuple of sparse feature names,
    as `("user_id", "item_id")`) is hashed into `cross_buckets` ids by `HashedCross`.

    Example:
    >>> from zoo.features import SparseFeature
    >>> user, item = SparseFeature("user", 100, 8), SparseFeature("item", 50, 8)
    >>> model = build_wide_deep([user, item], [user, item], crosses=[("user", "item")],
    ...                         hidden_units=(32,))
    >>> model.output_shape
    (None, 1)
    """
    builder = "build_wide_deep"
    wide_features = check_features(builder, wide_features, allow_empty=True)
    deep_features = check_features(builder, deep_features, allow_empty=True)
    if not wide_features and not deep_features:
        raise ConfigError(f"{builder}: needs wide_features, deep_features or both.")
    hidden_units = _check_head(builder, hidden_units, dropout, task)
    features = _merge(builder, wide_features, deep_features)
    crosses = _check_crosses(builder, crosses, features)
    check_positive_int(f"{builder}: cross_buckets", cross_buckets)

    inputs = feature_inputs(features)
    logits = linear_terms(inputs, wide_features, name)
    for cross in crosses:
        cross_name = f"{name}_cross_{'_'.join(cross)}"
        ids = HashedCross(cross_buckets, name=cross_name)([inputs[n] for n in cross])
        weight = keras.layers.Embedding(cross_buckets, 1, name=f"{cross_name}_linear")(ids)
        logits.append(keras.layers.Flatten(name=f"{cross_name}_flat")(weight))
    if deep_features and hidden_units:
        deep_inputs = [*embeddings(inputs, deep_features, name).values(),
                       *dense_values(inputs, deep_features)]  # fmt: skip
        logits.append(_deep_logit(deep_inputs, hidden_units, dropout, batch_norm, name))
    if not logits:
        raise ConfigError(f"{builder}: the model has no term; give wide_features or hidden_units.")
    return keras.Model(inputs, _probability(logits, task, name), name=name)
