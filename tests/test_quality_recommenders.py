"""The quality suite's recommender family (benchmarks/_quality_recommenders.py) and its
plain-PyTorch baseline (benchmarks/_quality_recommender_baselines.py, networks in
benchmarks/_torch_recommenders.py): the PyTorch networks compute what zoo's do, the baseline
re-makes the zoo run's split and features the way it claims, and the task's rows. Nothing here
trains; MovieLens itself cannot ship, so its figures belong to the suite."""

import json

import numpy as np
import pytest
import torch

from benchmarks import _quality_recommender_baselines as baselines
from benchmarks import _quality_recommenders as recommenders
from benchmarks._quality import Context
from benchmarks._torch_recommenders import NETWORKS
from tests.data.fake_files import write_movielens_100k
from zoo import get_model_spec
from zoo.data.tabular import load_tabular
from zoo.data.tabular_encoding import TabularEncoder
from zoo.features import DenseFeature, SequenceFeature, SparseFeature
from zoo.models.recommenders import build_deepfm, build_wide_deep, criteo_features

FEATURES = [SparseFeature("user", 7, 4), SequenceFeature("genres", 5, 3, 4),
            DenseFeature("age"), SparseFeature("item", 6, 4)]  # fmt: skip


def _zoo_model(network, features, hidden):
    if network == "deepfm":
        return build_deepfm(features, hidden_units=hidden)
    wide = [f for f in features if not isinstance(f, DenseFeature)]
    return build_wide_deep(wide, features, hidden_units=hidden)


def _copy_zoo_weights(keras_model, torch_model, names, prefix):
    """zoo's weights into the PyTorch network, layer by layer."""

    def put(parameter, value):
        parameter.copy_(torch.tensor(np.asarray(value)))

    with torch.no_grad():
        for part, suffix in ((torch_model.fields, "embedding"), (torch_model.linear, "linear")):
            for index, field in part.named_children():
                (weight,) = keras_model.get_layer(f"{prefix}_{names[int(index)]}_{suffix}").weights
                value = np.asarray(weight)
                put(field.map.weight, value.T if field.kind == "dense" else value)
        keras_dense = [block[0] for block in keras_model.get_layer(f"{prefix}_mlp").blocks]
        keras_dense.append(keras_model.get_layer(f"{prefix}_deep_logit"))
        torch_dense = [m for m in torch_model.mlp if isinstance(m, torch.nn.Linear)]
        for keras_layer, torch_layer in zip(keras_dense, torch_dense, strict=True):
            put(torch_layer.weight, np.asarray(keras_layer.kernel).T)
            put(torch_layer.bias, keras_layer.bias)
        put(torch_model.bias, keras_model.get_layer(f"{prefix}_logit").weights[0])


@pytest.mark.parametrize("network", ["deepfm", "wide_deep"])
def test_torch_network_computes_what_zoo_computes(network):
    keras_model = _zoo_model(network, FEATURES, (8, 8))
    fields, dim = baselines.fields_of(FEATURES)
    torch_model = NETWORKS[network](fields, dim, (8, 8))
    assert sum(p.numel() for p in torch_model.parameters()) == keras_model.count_params()
    _copy_zoo_weights(keras_model, torch_model, [f.name for f in FEATURES], network)
    rng = np.random.default_rng(0)
    rows = 6
    genres = rng.integers(0, 5, (rows, 3))
    genres[0] = 0  # a film without genres: its pooled vector is zero, not NaN
    inputs = {"user": rng.integers(0, 7, (rows, 1)), "genres": genres,
              "age": rng.normal(size=(rows, 1)).astype("float32"),
              "item": rng.integers(0, 6, (rows, 1))}  # fmt: skip
    expected = np.asarray(keras_model.predict(inputs, verbose=0))
    arrays = baselines._tensors([inputs[f.name] for f in FEATURES], [k for k, _ in fields])
    with torch.no_grad():
        got = torch.sigmoid(torch_model(*arrays)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize("network", ["deepfm", "wide_deep"])
def test_torch_network_has_the_registered_parameter_count_on_criteo(network):
    """What the throughput suite times (`_deepfm_torch_reference.py`) is zoo's model."""
    fields, dim = baselines.fields_of(criteo_features())
    torch_model = NETWORKS[network](fields, dim, (400, 400, 400))
    count = sum(p.numel() for p in torch_model.parameters())
    assert count == get_model_spec(network).parameter_count


def _zoo_run(tmp_path, max_rows=None, seed=0):
    """A finished zoo run's folder as the baseline reads it: encoder and metrics.json."""
    data_dir = tmp_path / "ml-100k"
    write_movielens_100k(data_dir, ratings=200)
    data = load_tabular("movielens_100k", data_dir=data_dir, seed=seed, max_rows=max_rows)
    run_dir = tmp_path / "run"
    TabularEncoder.fit(data.specs, data.train).save(run_dir)
    metrics = {**data.describe(), "split": "random", "seed": seed, "parameters": 123}
    assert metrics["dataset"] == "movielens_100k"  # what the baseline reads back
    (run_dir / "metrics.json").write_text(json.dumps(metrics))
    return data_dir, run_dir, data


def test_baseline_remakes_the_zoo_runs_split_and_features(tmp_path):
    data_dir, run_dir, data = _zoo_run(tmp_path, seed=3)
    again, encoder, run_metrics = baselines.shared_rows(run_dir, data_dir)
    baselines.check_same_run(again, 123, run_metrics)
    for split in ("train", "test"):
        np.testing.assert_array_equal(getattr(again, split)["user_id"],
                                      getattr(data, split)["user_id"])  # fmt: skip
    columns, labels = baselines.encoded(encoder, again.test, again.test_labels)
    assert [len(c) for c in columns] == [len(data.test_labels)] * len(encoder.specs)
    np.testing.assert_array_equal(labels.reshape(-1), data.test_labels)
    genres = columns[[s.name for s in encoder.specs].index("genres")]
    assert genres.shape == (len(labels), 6) and genres.max() > 0  # ids, padded with 0
    # Another row cap is another split; another network another parameter count: both refused.
    capped, _, _ = baselines.shared_rows(run_dir, data_dir, max_rows=150)
    with pytest.raises(RuntimeError, match="num_train: zoo run 160, baseline 120"):
        baselines.check_same_run(capped, 123, run_metrics)
    with pytest.raises(RuntimeError, match="parameters: zoo run 123, baseline 124"):
        baselines.check_same_run(again, 124, run_metrics)


def test_task_rows_auc_and_log_loss_from_one_run(tmp_path, monkeypatch):
    calls = {}

    def application(script, arguments, *, backend, output_dir):
        calls["application"] = [str(a) for a in arguments]
        return {"epochs": 1, "test_auc": 0.7712, "test_logloss": 0.5601,
                "train_seconds": 9.0}, "zoo train recommender ..."

    def baseline(script, arguments):
        calls["baseline"] = [str(a) for a in arguments]
        return {"test_auc": 77.0, "test_logloss": 0.561, "seconds": 8.0}

    monkeypatch.setattr(recommenders, "run_application", application)
    monkeypatch.setattr(recommenders, "run_baseline", baseline)
    monkeypatch.setattr(recommenders, "_data_dir", lambda: tmp_path)
    (task,) = [t for t in recommenders.TASKS if t.model == "wide_deep"]
    context = Context("torch", tmp_path, quick=True)
    rows = task.run(task, context)
    assert calls["application"][-4:] == ["--max-rows", "20000", "--epochs", "1"]
    assert calls["baseline"][:3] == ["wide_deep", "--run-dir", str(tmp_path / f"{task.name}_torch")]
    assert calls["baseline"][-2:] == ["--max-rows", "20000"]
    assert [(r["task"], r["role"], r["value"]) for r in rows] == [
        ("wide_deep_movielens_100k", "zoo", 77.12),
        ("wide_deep_movielens_100k", "baseline", 77.0),
        ("wide_deep_movielens_100k_logloss", "zoo", 0.5601),
        ("wide_deep_movielens_100k_logloss", "baseline", 0.561),
    ]
    assert rows[2]["higher_is_better"] is False and rows[2]["unit"] == ""
    assert all(r["epochs"] == 1 and r["backend"] == "torch" for r in rows)
    assert "Criteo" in rows[0]["note"]
