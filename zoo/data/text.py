"""Text classification data: GLUE SST-2 and IMDB through tensorflow-datasets, local files
in their own layouts, or synthetic sentences.

Returns raw texts and labels (`TextSplits`); model-specific pipelines turn them into
`tf.data` (`zoo.data.bert_inputs` for BERT).

Example:
>>> splits = load_text_classification("sst2", data_dir="glue/SST-2")  # doctest: +SKIP
>>> len(splits.train_texts), splits.class_names                      # doctest: +SKIP
(60614, ['negative', 'positive'])
"""

import dataclasses
from pathlib import Path

import numpy as np

from zoo._utils import check_fraction, check_positive_int
from zoo.data import text_files
from zoo.data._reading import DEFAULT_ENCODING
from zoo.data._tfds import load_tfds_splits
from zoo.errors import ConfigError, DataSourceError

TEXT_DATASETS = ("sst2", "imdb", "csv", "folder", "synthetic")


@dataclasses.dataclass
class TextSplits:
    """Raw texts and int32 labels of the train / validation / test splits."""

    name: str
    source: str  # "tfds", "files" or "synthetic"
    train_texts: list
    train_labels: np.ndarray
    validation_texts: list
    validation_labels: np.ndarray
    test_texts: list
    test_labels: np.ndarray
    class_names: list

    @property
    def synthetic(self):
        return self.source == "synthetic"

    @property
    def num_classes(self):
        return len(self.class_names)

    def describe(self):
        return {
            "dataset": self.name,
            "data_source": self.source,
            "synthetic": self.synthetic,
            "num_train": len(self.train_texts),
            "num_validation": len(self.validation_texts),
            "num_test": len(self.test_texts),
            "num_classes": self.num_classes,
        }


def _find(folder, stems, suffixes=(".tsv", ".csv")):
    for stem in stems:
        for suffix in suffixes:
            if (folder / f"{stem}{suffix}").is_file():
                return folder / f"{stem}{suffix}"
    return None


def _read_delimited_dir(folder, name, encoding):
    train = _find(folder, ("train",))
    test = _find(folder, ("test", "dev", "validation"))
    if train is None or test is None:
        raise DataSourceError(
            f"{name}: {folder} needs train.tsv (or .csv) and dev.tsv or test.tsv with a "
            "text (or sentence) column and a label column."
        )
    train_texts, train_labels, names = text_files.read_delimited(train, encoding=encoding)
    test_texts, test_labels, _ = text_files.read_delimited(
        test, class_names=None if names[0].isdigit() else names, encoding=encoding
    )
    return train_texts, train_labels, test_texts, test_labels, names


def _read_folders(folder, name, encoding):
    folder = Path(folder)
    if (folder / "aclImdb").is_dir():
        folder = folder / "aclImdb"
    if not (folder / "train").is_dir() or not (folder / "test").is_dir():
        raise DataSourceError(
            f"{name}: {folder} needs train/<class>/*.txt and test/<class>/*.txt "
            "(IMDB's aclImdb layout)."
        )
    train_texts, train_labels, names = text_files.read_class_folders(
        folder / "train", encoding=encoding
    )
    test_texts, test_labels, _ = text_files.read_class_folders(folder / "test", names, encoding)
    return train_texts, train_labels, test_texts, test_labels, names


def _tfds_texts(dataset):
    texts, labels = [], []
    for text, label in dataset.as_numpy_iterator():
        texts.append(text.decode("utf-8"))
        labels.append(int(label))
    return texts, np.array(labels, np.int32)


def _load_sst2_tfds():
    (train, validation), _ = load_tfds_splits(
        "glue/sst2", ("train", "validation"), "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip",
        "SST-2's train.tsv and dev.tsv (from SST-2.zip)", as_supervised=False,
    )  # fmt: skip
    # GLUE's SST-2 test labels are hidden: the dev set is the test set here (as in Turc et al.).
    pick = lambda ds: ds.map(lambda e: (e["sentence"], e["label"]))  # noqa: E731
    train_texts, train_labels = _tfds_texts(pick(train))
    test_texts, test_labels = _tfds_texts(pick(validation))
    return train_texts, train_labels, test_texts, test_labels, ["negative", "positive"]


def _load_imdb_tfds():
    (train, test), _ = load_tfds_splits(
        "imdb_reviews", ("train", "test"),
        "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        "aclImdb_v1.tar.gz extracted (aclImdb/train/pos, .../neg, aclImdb/test/...)",
    )  # fmt: skip
    train_texts, train_labels = _tfds_texts(train)
    test_texts, test_labels = _tfds_texts(test)
    return train_texts, train_labels, test_texts, test_labels, ["neg", "pos"]


_WORDS = [f"w{i}" for i in range(500)]


def synthetic_texts(count, num_classes=2, seed=0):
    """Random sentences of random words with random labels (smoke tests only)."""
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(_WORDS, rng.integers(4, 30))) for _ in range(count)]
    return texts, rng.integers(0, num_classes, count).astype(np.int32)


def _subset(texts, labels, limit, seed):
    order = np.random.default_rng(seed).permutation(len(texts))
    if limit is not None:
        order = order[:limit]
    return [texts[i] for i in order], np.asarray(labels)[order]


def load_text_classification(name, *, data_dir=None, validation_split=0.1, seed=0,
                             max_train_examples=None, max_test_examples=None,
                             encoding=DEFAULT_ENCODING):  # fmt: skip
    """Load `name` ("sst2", "imdb", "csv", "folder", "synthetic") as raw `TextSplits`.

    With `data_dir`: "sst2" and "csv" read train.tsv/.csv and dev/test.tsv/.csv (GLUE's own
    SST-2 format); "imdb" and "folder" read train/<class>/ and test/<class>/ text files (the
    aclImdb layout). Without it, "sst2" and "imdb" come through tensorflow-datasets.
    A seeded `validation_split` of the training examples is held out for validation.
    Local files are read as `encoding` text (`zoo.data._reading`: a bad byte is one error
    naming the file and line).
    """
    if name not in TEXT_DATASETS:
        raise ConfigError(f"Unknown text data set {name!r}; use one of {', '.join(TEXT_DATASETS)}.")
    check_fraction("validation_split", validation_split)
    for label, limit in (("max_train_examples", max_train_examples),
                         ("max_test_examples", max_test_examples)):  # fmt: skip
        if limit is not None:
            check_positive_int(label, limit)
    if data_dir is not None and not Path(data_dir).is_dir():
        raise DataSourceError(f"--data-dir {data_dir} is not a directory.")
    if name in ("csv", "folder") and data_dir is None:
        raise ConfigError(f"The {name!r} data set needs data_dir (--data-dir).")

    source = "files" if data_dir is not None else "tfds"
    if name == "synthetic":
        source = "synthetic"
        train = synthetic_texts(max_train_examples or 512, seed=seed)
        test = synthetic_texts(max_test_examples or 256, seed=seed + 1)
        loaded = (*train, *test, ["0", "1"])
    elif name in ("sst2", "csv") and data_dir is not None:
        loaded = _read_delimited_dir(Path(data_dir), name, encoding)
    elif name in ("imdb", "folder") and data_dir is not None:
        loaded = _read_folders(data_dir, name, encoding)
    elif name == "sst2":
        loaded = _load_sst2_tfds()
    else:
        loaded = _load_imdb_tfds()
    train_texts, train_labels, test_texts, test_labels, class_names = loaded
    train_texts, train_labels = _subset(train_texts, train_labels, max_train_examples, seed)
    test_texts, test_labels = _subset(test_texts, test_labels, max_test_examples, seed + 1)
    held_out = int(round(len(train_texts) * validation_split))
    cut = len(train_texts) - held_out
    return TextSplits(
        name=name, source=source,
        train_texts=train_texts[:cut], train_labels=train_labels[:cut],
        validation_texts=train_texts[cut:], validation_labels=train_labels[cut:],
        test_texts=test_texts, test_labels=test_labels, class_names=class_names,
    )  # fmt: skip
