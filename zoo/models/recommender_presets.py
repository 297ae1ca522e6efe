"""Criteo's fields and the registry entries of the recommenders (metadata only: importing this
module imports no backend)."""

from zoo.features import DenseFeature, SparseFeature
from zoo.registry import ReferenceResult, register_model_path
from zoo.train.recipe import TrainingRecipe

CRITEO_INTEGER_COLUMNS = tuple(f"I{i}" for i in range(1, 14))
CRITEO_CATEGORICAL_COLUMNS = tuple(f"C{i}" for i in range(1, 27))


def criteo_features(vocabulary_size=10_000, embedding_dim=10):
    """Criteo's 13 log-scaled integer fields (dense) and 26 categorical fields (sparse)."""
    return ([DenseFeature(name) for name in CRITEO_INTEGER_COLUMNS]
            + [SparseFeature(name, vocabulary_size, embedding_dim)
               for name in CRITEO_CATEGORICAL_COLUMNS])  # fmt: skip


_CRITEO_RECIPE = TrainingRecipe(
    epochs=1, batch_size=4096, optimizer="adam", learning_rate=1e-3, weight_decay=0.0,
    schedule="constant", augment=False,
)  # fmt: skip

register_model_path(
    "deepfm",
    "zoo.models.recommenders:build_deepfm",
    task="click_through_rate",
    input_shape=(39,),
    parameter_count=3_342_945,
    reference=ReferenceResult(dataset="Criteo", metric="test AUC", value=80.07,
                              source="Guo et al. 2017, DeepFM, Table 2 (logloss 0.45083); "
                                     "BARS Criteo_x1: 81.38"),  # fmt: skip
    recipe=_CRITEO_RECIPE,
    description="DeepFM on Criteo's 39 fields: linear + FM + MLP 400-400-400 on shared embeddings.",
    features=tuple(criteo_features()),
)

register_model_path(
    "wide_deep",
    "zoo.models.recommenders:build_wide_deep",
    task="click_through_rate",
    input_shape=(39,),
    parameter_count=3_290_802,
    reference=ReferenceResult(dataset="Criteo_x1", metric="test AUC", value=81.39,
                              source="reczoo BARS open benchmark (WideDeep)"),  # fmt: skip
    recipe=_CRITEO_RECIPE,
    description="Wide&Deep on Criteo's 39 fields: linear on the categorical fields + MLP.",
    wide_features=tuple(criteo_features()[len(CRITEO_INTEGER_COLUMNS):]),
    deep_features=tuple(criteo_features()),
    hidden_units=(400, 400, 400),
)
