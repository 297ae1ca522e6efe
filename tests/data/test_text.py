import numpy as np
import pytest

from tests.data.fake_files import write_acl_imdb, write_sst2
from zoo.data import _tfds as tfds_helpers
from zoo.data.bert_inputs import classification_dataset, masked_lm_dataset, pack_documents
from zoo.data.text import load_text_classification
from zoo.data.text_files import read_class_folders, read_corpus, read_delimited
from zoo.data.tokenizer import SPECIAL_TOKENS, WordPieceTokenizer
from zoo.errors import ConfigError, DataSourceError


def test_sst2_tsv_format(tmp_path):
    write_sst2(tmp_path)
    splits = load_text_classification("sst2", data_dir=tmp_path, validation_split=0.1)
    assert (len(splits.train_texts), len(splits.validation_texts), len(splits.test_texts)) == (
        18,
        2,
        2,
    )
    assert splits.class_names == ["0", "1"] and splits.source == "files"
    assert set(splits.test_labels.tolist()) == {0, 1}


def test_csv_with_named_labels(tmp_path):
    (tmp_path / "train.csv").write_text(
        "text,label\n" + '"hello, world",greeting\nbye,farewell\n' * 4
    )
    (tmp_path / "test.csv").write_text("text,label\nhi,greeting\n")
    splits = load_text_classification("csv", data_dir=tmp_path, validation_split=0.0)
    assert splits.class_names == ["farewell", "greeting"]
    assert "hello, world" in splits.train_texts and list(splits.test_labels) == [1]


def test_acl_imdb_folders(tmp_path):
    write_acl_imdb(tmp_path)
    splits = load_text_classification("imdb", data_dir=tmp_path, validation_split=0.0)
    assert splits.class_names == ["neg", "pos"]  # unsup skipped
    assert len(splits.train_texts) == 6 and len(splits.test_texts) == 6
    texts, labels, _ = read_class_folders(tmp_path / "aclImdb" / "test")
    assert all(("good" in t) == bool(y) for t, y in zip(texts, labels, strict=True))


def test_file_errors(tmp_path):
    (tmp_path / "bad.tsv").write_text("words\tstars\nfoo\t1\n")
    with pytest.raises(DataSourceError, match="needs a text column"):
        read_delimited(tmp_path / "bad.tsv")
    (tmp_path / "gap.tsv").write_text("text\tlabel\na\t0\nb\t2\n")
    with pytest.raises(DataSourceError, match="must be 0..n-1"):
        read_delimited(tmp_path / "gap.tsv")
    with pytest.raises(DataSourceError, match="needs train.tsv"):
        load_text_classification("csv", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="Unknown text data set 'mnli'"):
        load_text_classification("mnli")


def test_offline_tfds_fails_fast(monkeypatch, tmp_path):
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(tfds_helpers, "can_reach", lambda url, timeout=5.0: False)
    with pytest.raises(DataSourceError, match="aclImdb_v1.tar.gz extracted"):
        load_text_classification("imdb")


def test_corpus_documents_and_packing(tmp_path):
    (tmp_path / "a.txt").write_text("first line here\nsecond line\n\nnew document\n")
    lines = read_corpus([tmp_path / "a.txt"])
    assert lines == ["first line here", "second line", None, "new document", None]
    tokenizer = WordPieceTokenizer([*SPECIAL_TOKENS, "first", "line", "here", "second", "new",
                                    "document"])  # fmt: skip
    rows = pack_documents(lines, tokenizer, sequence_length=6)
    cls, sep, pad = (tokenizer.token_id(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    decoded = [[tokenizer.vocabulary[i] for i in row if i not in (cls, sep, pad)] for row in rows]
    # 4 tokens a row; documents never share a row.
    assert decoded == [["first", "line", "here", "second"], ["line"], ["new", "document"]]
    assert all(row[0] == cls for row in rows)


def test_bert_pipelines_shapes():
    tokenizer = WordPieceTokenizer([*SPECIAL_TOKENS, "a", "b", "c"])
    train = classification_dataset(["a b", "c", "a c b"] * 4, np.array([0, 1, 0] * 4), tokenizer,
                                   sequence_length=8, batch_size=5, training=True)  # fmt: skip
    features, labels = next(iter(train))
    assert features["token_ids"].shape == (5, 8) and labels.shape == (5,)
    assert sum(1 for _ in train) == 2  # 12 examples, remainder dropped
    rows = pack_documents(["a b c a b c"] * 6, tokenizer, sequence_length=8)
    masked = masked_lm_dataset(rows, tokenizer, batch_size=2, training=False)
    features, labels, weights = next(iter(masked))
    assert features["mask_positions"].shape == (2, 2) and weights.shape == (2, 2)
    with pytest.raises(ConfigError, match="fewer than batch_size=64"):
        masked_lm_dataset(rows, tokenizer, batch_size=64, training=True)
