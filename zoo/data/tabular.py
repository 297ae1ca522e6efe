"""Recommender data: MovieLens, Criteo, any CSV, or a synthetic planted interaction.

`load_tabular` reads raw columns (through tensorflow-datasets or the published files, see
`zoo.data.tabular_files`), derives the binary label, splits the rows at random or in time
order, and says how each column becomes a feature (`ColumnSpec`s, fitted by
`zoo.data.tabular_encoding.TabularEncoder` on the training rows).

Example:
>>> data = load_tabular("movielens_100k", data_dir="ml-100k", split="time")  # doctest: +SKIP
>>> encoder = TabularEncoder.fit(data.specs, data.train)                        # doctest: +SKIP
>>> train = encoder.dataset(data.train, data.train_labels, batch_size=1024)     # doctest: +SKIP
"""

import dataclasses
import json
from pathlib import Path

import numpy as np

from zoo._utils import check_choice, check_fraction
from zoo.data import tabular_files
from zoo.data._reading import DEFAULT_ENCODING
from zoo.data._tfds import load_tfds_splits
from zoo.data.tabular_encoding import ColumnSpec
from zoo.errors import ConfigError, DataSourceError
from zoo.train.recipe import TrainingRecipe

TABULAR_DATASETS = ("movielens_100k", "movielens_1m", "criteo", "csv", "synthetic")
SPLITS = ("random", "time")
_TFDS = {"movielens_100k": ("movielens/100k-ratings", "https://files.grouplens.org/datasets/"
                            "movielens/ml-100k.zip", "ml-100k.zip extracted (u.data, u.user, "
                            "u.item)"),
         "movielens_1m": ("movielens/1m-ratings", "https://files.grouplens.org/datasets/"
                          "movielens/ml-1m.zip", "ml-1m.zip extracted (ratings.dat, users.dat, "
                          "movies.dat)")}  # fmt: skip


@dataclasses.dataclass
class TabularSplits:
    """Raw columns and float labels of the train / validation / test rows."""

    name: str
    source: str  # "tfds", "files" or "synthetic"
    specs: list
    train: dict
    train_labels: np.ndarray
    validation: dict
    validation_labels: np.ndarray
    test: dict
    test_labels: np.ndarray

    @property
    def synthetic(self):
        return self.source == "synthetic"

    def describe(self):
        return {"dataset": self.name, "data_source": self.source, "synthetic": self.synthetic,
                "num_train": len(self.train_labels), "num_validation": len(self.validation_labels),
                "num_test": len(self.test_labels),
                "positive_rate": round(float(np.mean(self.train_labels)), 4)}  # fmt: skip


# Data sets smaller than Criteo (a user's CSV, MovieLens) take more, smaller steps than its
# registered recipe (one epoch of batch 4,096 over tens of millions of rows). Measured on
# MovieLens 100K's 80,000 training ratings (docs/models/recommenders.md): DeepFM and Wide&Deep
# peak after 3-4 epochs of Adam 1e-3 and overfit after (10 epochs end 0-0.5 test AUC points
# lower and 0.02-0.07 higher in log loss than their third); 3 epochs of Adam 2e-3 do as well
# as 1e-3 at its best epoch, and their first epoch is the better one.
SMALL_DATA_RECIPE = TrainingRecipe(
    epochs=3, batch_size=256, optimizer="adam", learning_rate=2e-3, weight_decay=0.0,
    schedule="constant", augment=False,
)  # fmt: skip


def training_recipe(name, registered):
    """The recipe a recommender trains with on data set `name`: `registered` (the model's
    own, made for Criteo's size) on Criteo, else `SMALL_DATA_RECIPE`.

    Example:
    >>> training_recipe("movielens_100k", None).epochs
    3
    """
    return registered if name == "criteo" else SMALL_DATA_RECIPE


def movielens_specs(embedding_dim=16):
    sparse = ("user_id", "item_id", "gender", "occupation", "zip")
    return ([ColumnSpec(n, "sparse", embedding_dim) for n in sparse]
            + [ColumnSpec("genres", "sequence", embedding_dim, max_length=6),
               ColumnSpec("age", "dense")])  # fmt: skip


def criteo_specs(embedding_dim=10, min_frequency=10, hash_buckets=None):
    return ([ColumnSpec(f"I{i}", "dense", transform="log") for i in range(1, 14)]
            + [ColumnSpec(f"C{i}", "sparse", embedding_dim, min_frequency=min_frequency,
                          hash_buckets=hash_buckets) for i in range(1, 27)])  # fmt: skip


def read_spec_file(path):
    """(label column, time column or None, [ColumnSpec]) from a JSON or YAML (`.yaml`, `.yml`)
    feature-spec file:
    `{"label": "clicked", "time": "ts", "features": [{"name": "user", "kind": "sparse"}, ...]}`.
    """
    import yaml

    try:
        text = Path(path).read_text()
        is_yaml = Path(path).suffix.lower() in (".yaml", ".yml")
        spec = yaml.safe_load(text) if is_yaml else json.loads(text)
        return spec["label"], spec.get("time"), [ColumnSpec(**f) for f in spec["features"]]
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as error:
        message = f"--spec {path}: not a JSON or YAML feature-spec file ({error})."
        raise ConfigError(message) from None


def synthetic_interactions(rows=20000, seed=0):
    """Clicks decided by a user-group x item-group interaction alone (P = sigmoid(+-3)), plus
    an uninformative genre list and a dense noise column: FM-style models find the signal, a
    linear model cannot (every user and item clicks half the time)."""
    rng = np.random.default_rng(seed)
    groups = np.random.default_rng(1234)
    user_group, item_group = groups.choice([-1, 1], 200), groups.choice([-1, 1], 100)
    users, items = rng.integers(0, 200, rows), rng.integers(0, 100, rows)
    p = 1 / (1 + np.exp(-3 * user_group[users] * item_group[items]))
    genres = np.array(["|".join(rng.choice(["a", "b", "c", "d"], rng.integers(1, 4), False))
                       for _ in range(rows)])  # fmt: skip
    return {"user_id": np.char.add("u", users.astype(str)),
            "item_id": np.char.add("i", items.astype(str)), "genres": genres,
            "noise": rng.normal(size=rows), "timestamp": np.arange(rows, dtype=np.float64),
            "label": (rng.random(rows) < p).astype(np.float64)}  # fmt: skip


def _movielens_tfds(name):
    tfds_name, url, files = _TFDS[name]
    (ratings,), _ = load_tfds_splits(tfds_name, ("train",), url, files, as_supervised=False)
    columns = {k: [] for k in ("user_id", "item_id", "rating", "timestamp", "age", "gender",
                               "occupation", "zip", "genres")}  # fmt: skip
    for row in ratings.as_numpy_iterator():
        for key, value in (("user_id", row["user_id"].decode()),
                           ("item_id", row["movie_id"].decode()),
                           ("rating", float(row["user_rating"])),
                           ("timestamp", float(row["timestamp"])),
                           ("age", float(row["bucketized_user_age"])),
                           ("gender", "M" if row["user_gender"] else "F"),
                           ("occupation", row["user_occupation_text"].decode()),
                           ("zip", row["user_zip_code"].decode()[:3]),
                           ("genres", "|".join(str(g) for g in row["movie_genres"]))):  # fmt: skip
            columns[key].append(value)
    return {k: np.array(v) for k, v in columns.items()}


def _split(columns, labels, split, fractions, seed, time_column):
    rows = len(labels)
    if split == "time":
        if time_column not in columns:
            raise ConfigError(f"split='time' needs a time column; {time_column!r} is not one "
                              f"of {sorted(columns)}.")  # fmt: skip
        order = np.argsort(np.asarray(columns[time_column], np.float64), kind="stable")
    else:
        order = np.random.default_rng(seed).permutation(rows)
    test = int(round(rows * fractions[1]))
    validation = int(round(rows * fractions[0]))
    if rows - test - validation < 1 or (fractions[1] and test < 1):
        raise DataSourceError(f"{rows} rows are too few for validation and test fractions "
                              f"{fractions}.")  # fmt: skip
    parts = np.split(order, [rows - test - validation, rows - test])
    return [({k: np.asarray(v)[part] for k, v in columns.items()}, labels[part]) for part in parts]


def _check_binary(name, labels):
    """Refuse labels other than 0 and 1 (a missing one too), naming the first bad row."""
    bad = np.flatnonzero(~np.isin(labels, (0.0, 1.0)))
    if len(bad):
        raise DataSourceError(
            f"{name}: labels must be 0 or 1 (a click, a like); data row {bad[0] + 1} has "
            f"{labels[bad[0]]:g} ({len(bad)} such rows); fix or drop them."
        )


def load_tabular(name, *, data_dir=None, csv_path=None, label=None, specs=None, time_column=None,
                 split="random", fractions=(0.1, 0.1), seed=0, max_rows=None,
                 embedding_dim=None, min_frequency=10, hash_buckets=None,
                 encoding=DEFAULT_ENCODING):  # fmt: skip
    """Load `name` (one of TABULAR_DATASETS) as `TabularSplits` with its column specs.

    MovieLens labels are rating >= 4; Criteo's and a CSV's are their `label` column (0/1).
    `specs` replaces the data set's default `ColumnSpec`s (required for "csv"). Criteo and
    CSV files are read as `encoding` text (MovieLens's own files are latin-1).
    """
    check_choice("dataset", name, TABULAR_DATASETS)
    check_choice("split", split, SPLITS)
    for fraction in fractions:
        check_fraction("split fraction", fraction)
    source = "files" if (data_dir or csv_path) else "tfds"
    if name.startswith("movielens"):
        columns = tabular_files.read_movielens(data_dir) if data_dir else _movielens_tfds(name)
        labels = (columns["rating"] >= 4).astype(np.float32)
        specs = specs or movielens_specs(embedding_dim or 16)
        time_column = time_column or "timestamp"
    elif name == "criteo":
        if not (data_dir or csv_path):
            raise ConfigError("The criteo data set is read from its files: pass --data-dir "
                              "(a folder with train.txt) or --csv FILE.")  # fmt: skip
        columns = tabular_files.read_criteo(csv_path or data_dir, max_rows=max_rows,
                                            encoding=encoding)  # fmt: skip
        labels = columns.pop("label").astype(np.float32)
        specs = specs or criteo_specs(embedding_dim or 10, min_frequency, hash_buckets)
    elif name == "synthetic":
        source = "synthetic"
        columns = synthetic_interactions(max_rows or 20000, seed=seed)
        labels = columns.pop("label").astype(np.float32)
        dim = embedding_dim or 8
        specs = specs or [ColumnSpec("user_id", "sparse", dim),
                          ColumnSpec("item_id", "sparse", dim),
                          ColumnSpec("genres", "sequence", dim, max_length=3),
                          ColumnSpec("noise", "dense")]  # fmt: skip
        time_column = time_column or "timestamp"
    else:
        if not csv_path or not label or not specs:
            raise ConfigError("The csv data set needs --csv FILE, --label COLUMN and --features "
                              "(or --spec FILE.json).")  # fmt: skip
        dense = [s.name for s in specs if s.kind == "dense"]
        columns = tabular_files.read_table(csv_path, numeric=[*dense, label], encoding=encoding)
        if label not in columns:
            raise DataSourceError(f"{csv_path}: no label column {label!r}; columns are "
                                  f"{sorted(columns)}.")  # fmt: skip
        labels = columns.pop(label).astype(np.float32)
    if max_rows and name != "criteo":
        columns = {k: v[:max_rows] for k, v in columns.items()}
        labels = labels[:max_rows]
    _check_binary(name, labels)
    missing = [s.name for s in specs if s.name not in columns]
    if missing:
        raise DataSourceError(f"{name}: no column {missing[0]!r}; columns are {sorted(columns)}.")
    parts = _split(columns, labels, split, fractions, seed, time_column)
    (train, train_labels), (validation, validation_labels), (test, test_labels) = parts
    return TabularSplits(name, source, list(specs), train, train_labels, validation,
                         validation_labels, test, test_labels)  # fmt: skip
