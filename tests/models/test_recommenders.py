import keras
import numpy as np
import pytest

from tests.helpers import assert_reloads_in_fresh_process, assert_round_trip, to_numpy
from zoo import build_deepfm, build_wide_deep, create_model, get_model_spec, list_models
from zoo.errors import ConfigError
from zoo.features import DenseFeature, SequenceFeature, SparseFeature
from zoo.models.recommenders import criteo_features

FEATURES = [SparseFeature("user", 30, 4), SparseFeature("item", 20, 4),
            SequenceFeature("genres", 8, max_length=3, embedding_dim=4),
            DenseFeature("age"), DenseFeature("context", 2)]  # fmt: skip


def _batch(n=6, seed=0):
    rng = np.random.default_rng(seed)
    genres = rng.integers(0, 8, (n, 3))
    genres[:, 0] = np.maximum(genres[:, 0], 1)
    return {"user": rng.integers(0, 30, (n, 1)), "item": rng.integers(0, 20, (n, 1)),
            "genres": genres, "age": rng.normal(size=(n, 1)).astype("float32"),
            "context": rng.normal(size=(n, 2)).astype("float32")}  # fmt: skip


@pytest.mark.parametrize("name", list_models(task="click_through_rate"))
def test_registered_criteo_models(name):
    spec = get_model_spec(name)
    model = create_model(name)
    assert model.count_params() == spec.parameter_count
    assert sorted(model.input) == sorted([f"I{i}" for i in range(1, 14)]
                                         + [f"C{i}" for i in range(1, 27)])  # fmt: skip
    assert model.output_shape == (None, 1) and model.output_names == ["click"]


def test_deepfm_is_linear_plus_fm_plus_mlp():
    """With the MLP off, DeepFM's logit is the bias, the first-order weights and the FM term
    computed directly from its embedding tables."""
    features = [SparseFeature("user", 30, 4), SparseFeature("item", 20, 4), DenseFeature("age")]
    model = build_deepfm(features, hidden_units=())
    for weight in model.weights:
        weight.assign(np.random.default_rng(1).normal(size=weight.shape).astype("float32"))
    batch = {key: value for key, value in _batch().items() if key in ("user", "item", "age")}
    table = {w.path.split("/")[0]: to_numpy(w) for w in model.weights}
    u, i, age = batch["user"][:, 0], batch["item"][:, 0], batch["age"]
    fields = np.stack([table["deepfm_user_embedding"][u], table["deepfm_item_embedding"][i],
                       age * table["deepfm_age_embedding"]], axis=1)  # fmt: skip
    fm = 0.5 * ((fields.sum(1) ** 2) - (fields**2).sum(1)).sum(1, keepdims=True)
    linear = (table["deepfm_user_linear"][u] + table["deepfm_item_linear"][i]
              + age * table["deepfm_age_linear"])  # fmt: skip
    logit = table["deepfm_logit"] + linear + fm
    np.testing.assert_allclose(to_numpy(model(batch)), 1 / (1 + np.exp(-logit)), rtol=1e-4)


def test_builders_take_every_feature_kind_and_train():
    for model in (build_deepfm(FEATURES, hidden_units=(8, 8), dropout=0.1, batch_norm=True),
                  build_wide_deep(FEATURES[:2], FEATURES, crosses=[("user", "item")],
                                  hidden_units=(8,))):  # fmt: skip
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
        before = [to_numpy(v).copy() for v in model.trainable_variables]
        loss = model.train_on_batch(_batch(), np.ones((6, 1)))
        assert np.isfinite(loss)
        after = [to_numpy(v) for v in model.trainable_variables]
        assert all(not np.allclose(b, a) for b, a in zip(before, after, strict=True))
        probabilities = to_numpy(model.predict(_batch(), verbose=0))
        assert probabilities.shape == (6, 1) and ((0 < probabilities) & (probabilities < 1)).all()


def test_dense_only_model_works():
    model = build_deepfm([DenseFeature("a"), DenseFeature("b", 3)], hidden_units=(4,))
    assert "deepfm_fm" in [layer.name for layer in model.layers]
    out = model({"a": np.ones((2, 1), "float32"), "b": np.ones((2, 3), "float32")})
    assert to_numpy(out).shape == (2, 1)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: build_deepfm([SparseFeature("u", 10, 8), SparseFeature("i", 10, 4)]),
         "FM fields must share one embedding size, got {'u': 8, 'i': 4}"),
        (lambda: build_deepfm([SparseFeature("u", 10, 8), SparseFeature("u", 10, 8)]),
         "feature names must be unique; ['u'] repeat"),
        (lambda: build_deepfm([]), "needs at least one feature spec"),
        (lambda: build_deepfm(["user"]), "'user' is not a SparseFeature"),
        (lambda: build_deepfm(FEATURES, hidden_units=(8, 0)), "hidden_units entry must be"),
        (lambda: build_wide_deep(FEATURES, FEATURES, crosses=[("user", "age")]),
         "cross ('user', 'age') must name two or more SparseFeatures"),
        (lambda: build_wide_deep([SparseFeature("u", 10, 8)], [SparseFeature("u", 12, 8)]),
         "feature 'u' is given twice with different specs"),
        (lambda: SparseFeature("user id", 10), "name must be a Python identifier"),
        (lambda: SequenceFeature("g", 10, max_length=0), "max_length must be a positive"),
    ],
)
def test_bad_specs_fail_up_front(build, message):
    with pytest.raises(ConfigError) as error:
        build()
    assert message in str(error.value)


def _planted_interaction(n, seed):
    """Clicks decided by user group x item group alone: a +-1 group per id, P(click) =
    sigmoid(3 * g_user * g_item). Every user and item clicks half the time, so no first-order
    (linear) term carries signal; the FM's user-item dot product can."""
    rng = np.random.default_rng(seed)
    user_group, item_group = (np.random.default_rng(99).choice([-1, 1], size) for size in (50, 40))
    users, items = rng.integers(1, 50, n), rng.integers(1, 40, n)
    p = 1 / (1 + np.exp(-3 * user_group[users] * item_group[items]))
    labels = (rng.random(n) < p).astype("float32")[:, None]
    return {"user": users[:, None], "item": items[:, None]}, labels


def _test_auc(model, epochs=8):
    x, y = _planted_interaction(6000, seed=0)
    x_test, y_test = _planted_interaction(2000, seed=1)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(name="auc")])  # fmt: skip
    model.fit(x, y, batch_size=256, epochs=epochs, verbose=0)
    return model.evaluate(x_test, y_test, verbose=0, return_dict=True)["auc"]


def test_fm_finds_a_planted_interaction_a_linear_model_cannot():
    features = [SparseFeature("user", 50, 4), SparseFeature("item", 40, 4)]
    fm_auc = _test_auc(build_deepfm(features, hidden_units=()))
    linear_auc = _test_auc(build_wide_deep(features, [], hidden_units=()))
    assert fm_auc > 0.8, fm_auc  # the best possible AUC here is about 0.95
    assert linear_auc < 0.6, linear_auc


def test_wide_deep_finds_the_interaction_through_its_deep_part():
    """The same planted interaction: Wide&Deep's linear part alone cannot see it (above);
    with its MLP on the user and item embeddings it must."""
    features = [SparseFeature("user", 50, 4), SparseFeature("item", 40, 4)]
    auc = _test_auc(build_wide_deep(features, features, hidden_units=(16,)), epochs=2)
    assert auc > 0.8, auc  # 0.95 on every backend, the best possible


def test_reload_in_a_fresh_process(tmp_path):
    deepfm = build_deepfm(FEATURES, hidden_units=(8,), batch_norm=True)
    wide_deep = build_wide_deep(FEATURES[:2], FEATURES, crosses=[("user", "item")],
                                hidden_units=(8,))  # fmt: skip
    cases = []
    for model in (deepfm, wide_deep):
        path = assert_round_trip(model, _batch(), tmp_path, atol=1e-6)
        cases.append((path, _batch(), to_numpy(model(_batch(), training=False))))
    assert_reloads_in_fresh_process(cases, tmp_path)


def test_criteo_features():
    features = criteo_features(vocabulary_size=100, embedding_dim=4)
    assert [f.name for f in features][:2] == ["I1", "I2"] and len(features) == 39
