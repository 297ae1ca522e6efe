import json

import numpy as np
import pytest

from tests.data.fake_files import write_criteo, write_movielens_1m, write_movielens_100k
from zoo.data.tabular import load_tabular, read_spec_file
from zoo.data.tabular_encoding import ColumnSpec, TabularEncoder
from zoo.data.tabular_files import read_criteo, read_movielens, read_table
from zoo.errors import ConfigError, DataSourceError
from zoo.features import DenseFeature, SequenceFeature, SparseFeature


def test_movielens_100k_files_join_ratings_users_and_items(tmp_path):
    write_movielens_100k(tmp_path / "ml-100k")
    columns = read_movielens(tmp_path)  # finds the ml-100k sub-folder
    assert len(columns["rating"]) == 150
    first_user = int(columns["user_id"][0])
    assert columns["age"][0] == 20 + first_user and columns["gender"][0] == "MF"[first_user % 2]
    item = int(columns["item_id"][0])
    flags = {item % 19, (item * 7) % 19}
    from zoo.data.tabular_files import ML100K_GENRES

    assert set(columns["genres"][0].split("|")) == {ML100K_GENRES[g] for g in flags}


def test_movielens_1m_files(tmp_path):
    write_movielens_1m(tmp_path)
    columns = read_movielens(tmp_path)
    assert len(columns["user_id"]) == 150
    assert set(columns["genres"]) <= {"Comedy", "Drama|Romance", "Animation|Children's"}
    assert set(columns["age"]) <= {1.0, 18.0, 25.0}


def test_criteo_format(tmp_path):
    path = write_criteo(tmp_path / "train.txt", rows=40)
    columns = read_criteo(tmp_path, max_rows=30)  # a folder: its first .txt file
    assert len(columns["label"]) == 30 and len(columns) == 40
    assert np.isnan(columns["I1"]).any() or (columns["I1"] >= 0).all()
    assert columns["C1"].dtype.kind == "U"
    path.write_text("1\t2\t3\n")
    with pytest.raises(DataSourceError, match="line 1 has 3 tab-separated fields, not 40"):
        read_criteo(path)


def test_encoder_vocabulary_hashing_sequences_and_dense():
    columns = {
        "user": np.array(["a", "b", "a", "c", ""]),
        "tags": np.array(["x|y", "y", "", "x|z|y", "z"]),
        "age": np.array([20.0, np.nan, 40, 50, 60]),
        "count": np.array([0, 1, 10, 100, np.nan]),
        "hashed": np.array(["a", "b", "a", "c", ""]),
    }
    specs = [
        ColumnSpec("user", "sparse", 4, min_frequency=2),
        ColumnSpec.parse("tags:sequence:max_length=2"),
        ColumnSpec("age", "dense"),
        ColumnSpec("count", "dense", transform="log"),
        ColumnSpec("hashed", "sparse", hash_buckets=8),
    ]
    encoder = TabularEncoder.fit(specs, columns)
    assert encoder.features == [SparseFeature("user", 2, 4), SequenceFeature("tags", 4, 2, 16),
                                DenseFeature("age"), DenseFeature("count"),
                                SparseFeature("hashed", 8)]  # fmt: skip
    x, y = next(iter(encoder.dataset(columns, [0, 1, 0, 1, 1], batch_size=5).as_numpy_iterator()))
    assert x["user"].ravel().tolist() == [1, 0, 1, 0, 0]  # only "a" is seen twice
    assert x["tags"].tolist() == [[2, 1], [1, 0], [0, 0], [2, 3], [3, 0]]  # y, x, z by count
    age = np.array([20, 40, 50, 60.0])
    standardised = (age - age.mean()) / age.std()
    expected = [standardised[0], 0, *standardised[1:]]  # the missing age: the training mean
    np.testing.assert_allclose(x["age"].ravel(), expected, rtol=1e-5)
    logs = np.log1p([0, 1, 10, 100.0])
    np.testing.assert_allclose(x["count"].ravel()[:4], (logs - logs.mean()) / logs.std(), rtol=1e-5)
    assert x["count"][4, 0] == 0  # missing: the training mean
    assert x["hashed"][0, 0] == x["hashed"][2, 0] != 0 and x["hashed"][4, 0] == 0
    assert 0 < x["hashed"].max() < 8 and y.shape == (5, 1)


def test_a_column_with_no_frequent_value_encodes_every_value_as_unknown():
    """Every value rarer than min_frequency (a small log): an empty vocabulary, one id (0)
    for every value, missing ones ("") included, and a table of one row."""
    columns = {"site": np.array(["a", "b", "", "c"]), "tags": np.array(["x|y", "", "z", "x"])}
    specs = [ColumnSpec("site", "sparse", 4, min_frequency=5),
             ColumnSpec("tags", "sequence", 4, min_frequency=5, max_length=2)]  # fmt: skip
    encoder = TabularEncoder.fit(specs, columns)
    assert [f.vocabulary_size for f in encoder.features] == [1, 1]
    x, _ = next(iter(encoder.dataset(columns, [0, 1, 0, 1], batch_size=4).as_numpy_iterator()))
    assert x["site"].ravel().tolist() == [0, 0, 0, 0]
    assert x["tags"].max() == 0


def test_encoder_saves_and_reloads(tmp_path):
    columns = {"user": np.array(["a", "b", "a"]), "age": np.array([1.0, 2.0, 3.0])}
    specs = [ColumnSpec("user", "sparse"), ColumnSpec("age", "dense")]
    encoder = TabularEncoder.fit(specs, columns)
    encoder.save(tmp_path)
    loaded = TabularEncoder.load(tmp_path)
    assert loaded.features == encoder.features and loaded.state == encoder.state


def test_time_split_keeps_the_latest_rows_for_test(tmp_path):
    write_movielens_100k(tmp_path)
    data = load_tabular("movielens_100k", data_dir=tmp_path, split="time", fractions=(0.2, 0.2))
    assert (data.train["timestamp"].max() <= data.validation["timestamp"].min()
            <= data.validation["timestamp"].max() <= data.test["timestamp"].min())  # fmt: skip
    assert len(data.test_labels) == 30 and data.source == "files"
    labels = np.concatenate([data.train_labels, data.validation_labels, data.test_labels])
    ratings = np.concatenate([data.train["rating"], data.validation["rating"], data.test["rating"]])
    np.testing.assert_array_equal(labels, ratings >= 4)
    random = load_tabular("movielens_100k", data_dir=tmp_path, seed=3)
    again = load_tabular("movielens_100k", data_dir=tmp_path, seed=3)
    np.testing.assert_array_equal(random.test["timestamp"], again.test["timestamp"])


def test_csv_with_a_spec_file(tmp_path):
    rows = "u1,a|b,3.5,1\nu2,b,,0\n" * 10
    (tmp_path / "clicks.csv").write_text("user,tags,price,clicked\n" + rows)
    (tmp_path / "spec.json").write_text(json.dumps({"label": "clicked", "features": [
        {"name": "user", "kind": "sparse"}, {"name": "tags", "kind": "sequence", "max_length": 3},
        {"name": "price", "kind": "dense"}]}))  # fmt: skip
    label, time_column, specs = read_spec_file(tmp_path / "spec.json")
    data = load_tabular("csv", csv_path=tmp_path / "clicks.csv", label=label, specs=specs)
    described = data.describe()
    assert described["num_train"] == 16
    assert described["positive_rate"] == pytest.approx(0.5, abs=0.2)
    assert np.isnan(read_table(tmp_path / "clicks.csv", numeric=["price"])["price"][1])


def test_errors_name_the_fix(tmp_path):
    with pytest.raises(DataSourceError, match="neither u.data, u.user, u.item"):
        read_movielens(tmp_path)
    with pytest.raises(ConfigError, match="criteo data set is read from its files"):
        load_tabular("criteo")
    with pytest.raises(ConfigError, match="needs --csv FILE, --label COLUMN and --features"):
        load_tabular("csv", csv_path="x.csv")
    with pytest.raises(ConfigError, match="not a JSON or YAML feature-spec file"):
        read_spec_file(tmp_path / "nope.json")
    with pytest.raises(ConfigError, match="'bogus=1' is not a key=value option|kind='bogus'"):
        ColumnSpec.parse("user:sparse:bogus=1")
    (tmp_path / "t.csv").write_text("user,clicked\na,2\n")
    with pytest.raises(DataSourceError, match="labels must be 0 or 1"):
        load_tabular("csv", csv_path=tmp_path / "t.csv", label="clicked",
                     specs=[ColumnSpec("user", "sparse")], fractions=(0, 0))  # fmt: skip


def test_tfds_movielens_route(monkeypatch, tmp_path):
    import tensorflow_datasets as tfds

    from zoo.data import _tfds as tfds_helpers

    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    # mock_data replaces download and preparation; the host check must let it through.
    monkeypatch.setattr(tfds_helpers, "can_reach", lambda url, timeout=5.0: True)
    with tfds.testing.mock_data(num_examples=40):
        data = load_tabular("movielens_100k", split="time")
    assert data.source == "tfds" and len(data.train_labels) == 32
    assert set(data.train) >= {"user_id", "item_id", "genres", "age", "gender", "occupation"}
    encoder = TabularEncoder.fit(data.specs, data.train)
    features, labels = next(iter(encoder.dataset(data.train, data.train_labels, batch_size=8)))
    assert features["genres"].shape == (8, 6) and labels.shape == (8, 1)


def test_yaml_spec_file(tmp_path):
    (tmp_path / "spec.yaml").write_text(
        "label: clicked\ntime: ts\nfeatures:\n"
        "  - {name: user, kind: sparse, embedding_dim: 8}\n"
        "  - name: price\n    kind: dense\n    transform: log\n"
    )
    label, time_column, specs = read_spec_file(tmp_path / "spec.yaml")
    assert (label, time_column) == ("clicked", "ts")
    assert specs == [ColumnSpec("user", "sparse", 8), ColumnSpec("price", "dense", transform="log")]
