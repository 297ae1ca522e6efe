"""What the recommenders share: one input per feature spec, and its embeddings and weights.

Layers are named after the model and the feature (`deepfm_user_id_embedding`), so weights
can be told apart and copied between models by name.
"""

import keras

from zoo.features import DenseFeature, SequenceFeature, SparseFeature
from zoo.layers import SequencePooling


def feature_inputs(features):
    """{name: keras.Input} with each spec's shape and dtype, in spec order."""
    return {f.name: keras.Input(f.input_shape, dtype=f.dtype, name=f.name) for f in features}


def _embed(inputs, feature, dim, name, suffix):
    layer_name = f"{name}_{feature.name}_{suffix}"
    x = inputs[feature.name]
    if isinstance(feature, DenseFeature):
        # A numeric field's "embedding" is its values times learned vectors (FM's treatment).
        return keras.layers.Dense(dim, use_bias=False, name=layer_name)(x)
    sequence = isinstance(feature, SequenceFeature)
    x = keras.layers.Embedding(feature.vocabulary_size, dim, mask_zero=sequence,
                               name=layer_name)(x)  # fmt: skip
    if sequence:
        return SequencePooling(feature.combiner, name=f"{layer_name}_pool")(x)
    return keras.layers.Flatten(name=f"{layer_name}_flat")(x)


def embeddings(inputs, features, name, *, dense_dim=None):
    """{name: (batch, dim)} embeddings of the sparse and sequence features (each its own
    `embedding_dim`), and of the dense ones with `dense_dim` (skipped when None)."""
    out = {}
    for feature in features:
        if isinstance(feature, DenseFeature):
            if dense_dim is not None:
                out[feature.name] = _embed(inputs, feature, dense_dim, name, "embedding")
        else:
            out[feature.name] = _embed(inputs, feature, feature.embedding_dim, name, "embedding")
    return out


def linear_terms(inputs, features, name):
    """One (batch, 1) first-order term per feature: a 1-dimensional embedding of each
    categorical value (pooled for sequences), a weight per dense value."""
    return [_embed(inputs, feature, 1, name, "linear") for feature in features]


def dense_values(inputs, features):
    """The raw values of the dense features, for the deep part's input."""
    return [inputs[f.name] for f in features if isinstance(f, DenseFeature)]


def categorical(features):
    return [f for f in features if isinstance(f, (SparseFeature, SequenceFeature))]
