"""Loader fuzz tests: every reader of local files meets corrupt, truncated, re-encoded, ragged
and out-of-range data with one `DataSourceError` line naming the file (and the line where it
can), or with the documented skip; never another exception, never silent garbage."""

import gzip
import random

import numpy as np
import pytest
import tensorflow as tf

from tests.data.fake_files import (
    write_cifar,
    write_criteo,
    write_idx,
    write_image_folder,
    write_movielens_100k,
)
from zoo.data import image_files, load_image_data
from zoo.data._reading import check_encoding, read_csv_rows
from zoo.data.image_check import check_folder_images, unreadable_images
from zoo.data.images import load_image_test_set
from zoo.data.tabular import load_tabular
from zoo.data.tabular_encoding import ColumnSpec
from zoo.data.tabular_files import read_criteo, read_movielens, read_table
from zoo.data.text import load_text_classification
from zoo.data.text_files import read_corpus, read_delimited
from zoo.data.timeseries import load_series_csv
from zoo.errors import ConfigError, DataSourceError


def _refused(read, path, *, match=None):
    """`read()` raises a one-line DataSourceError naming `path` (and matching `match`)."""
    with pytest.raises(DataSourceError) as info:
        read()
    message = str(info.value)
    assert str(path) in message, message
    assert "\n" not in message, message
    if match:
        assert match in message, message
    return message


# --- idx (Fashion-MNIST) -----------------------------------------------------------------

IDX = "train-images-idx3-ubyte.gz"


def _idx_corruptions(raw):
    body = gzip.decompress(raw)
    return {
        "truncated gzip": raw[: len(raw) // 2],
        "empty file": b"",
        "not gzip": b"this is not a gzip stream",
        "gzip of a truncated body": gzip.compress(body[:-50]),
        "gzip of a longer body": gzip.compress(body + b"\0" * 7),
        "bad magic": gzip.compress(b"\1\2" + body[2:]),
        "truncated header": gzip.compress(body[:9]),
        "flipped bytes": raw[:20] + bytes(b ^ 0xFF for b in raw[20:40]) + raw[40:],
    }


@pytest.mark.parametrize("corruption", list(_idx_corruptions(gzip.compress(b"\0" * 64))))
def test_corrupt_idx_gz_names_the_file(corruption, tmp_path):
    write_idx(tmp_path)
    path = tmp_path / IDX
    path.write_bytes(_idx_corruptions(path.read_bytes())[corruption])
    _refused(lambda: image_files.read_idx_dataset(tmp_path), path, match="download it again")


@pytest.mark.parametrize("cut", [0.0, 0.3, 0.9])
def test_truncated_cifar_archive_names_the_data_folder(cut, tmp_path):
    write_cifar(tmp_path)
    archive = tmp_path / "cifar-10-python.tar.gz"
    raw = archive.read_bytes()
    archive.write_bytes(raw[: int(len(raw) * cut)])
    _refused(lambda: image_files.read_cifar(tmp_path), tmp_path)


# --- image folders ----------------------------------------------------------------------


def _png(size=(6, 5)):
    return tf.io.encode_png(np.full((*size, 3), 90, np.uint8)).numpy()


IMAGE_CORRUPTIONS = {
    "empty": (b"", "is empty (0 bytes)"),
    "text": (b"not an image at all", "is not a PNG, JPEG, BMP or GIF"),
    "truncated png": (_png()[:40], "cannot be decoded"),
    "truncated jpeg": (tf.io.encode_jpeg(np.zeros((16, 16, 3), np.uint8)).numpy()[:200],
                       "cannot be decoded"),
    "png with a broken checksum": (_png()[:-20] + b"\0" * 8 + _png()[-12:], "cannot be decoded"),
}  # fmt: skip


@pytest.mark.parametrize("corruption", list(IMAGE_CORRUPTIONS))
def test_unreadable_image_in_a_folder_is_named_before_training(corruption, tmp_path):
    write_image_folder(tmp_path)
    content, problem = IMAGE_CORRUPTIONS[corruption]
    bad = tmp_path / "train" / "dog" / "2.png"
    bad.write_bytes(content)
    message = _refused(
        lambda: load_image_data("folder", data_dir=tmp_path, image_shape=(8, 8, 3), batch_size=2),
        bad,
        match=problem,
    )
    assert "1 of the image files" in message and "--skip-bad-files" in message


def test_skip_bad_files_leaves_them_out_and_counts_them(tmp_path, caplog):
    write_image_folder(tmp_path, per_class=4)
    (tmp_path / "train" / "cat" / "1.png").write_bytes(b"")
    (tmp_path / "test" / "dog" / "0.png").write_bytes(_png()[:30])
    data = load_image_data("folder", data_dir=tmp_path, image_shape=(8, 8, 3), batch_size=2,
                           validation_split=0.0, skip_bad_files=True)  # fmt: skip
    assert data.num_train == 7 and data.num_test == 3
    assert data.describe()["skipped_files"] == 2
    first = tmp_path / "train" / "cat" / "1.png"
    assert f"skipped 2 unreadable image files in {tmp_path} (first: {first})" in caplog.text
    for images, _ in data.train.concatenate(data.test):  # every kept file decodes
        assert np.isfinite(images.numpy()).all()
    test, _, description = load_image_test_set("folder", data_dir=tmp_path, image_shape=(8, 8, 3),
                                               mean=(0, 0, 0), std=(1, 1, 1),
                                               skip_bad_files=True)  # fmt: skip
    assert description["skipped_files"] == 2 and description["num_test"] == 3
    assert sum(len(y) for _, y in test) == 3


def test_a_good_folder_is_checked_without_change(tmp_path):
    write_image_folder(tmp_path)
    splits = image_files.read_image_folder(tmp_path)
    assert check_folder_images(splits, tmp_path) is splits
    assert unreadable_images([]) == []


def test_skipping_every_test_image_is_refused(tmp_path):
    write_image_folder(tmp_path)
    for path in (tmp_path / "test").rglob("*.png"):
        path.write_bytes(b"")
    with pytest.raises(DataSourceError, match="no readable images left"):
        load_image_data("folder", data_dir=tmp_path, image_shape=(8, 8, 3), batch_size=2,
                        skip_bad_files=True)  # fmt: skip


# --- delimited text: text classification, BERT fine-tuning ----------------------------------

SST2 = "sentence\tlabel\n" + "un film très drôle\t1\nennuyeux\t0\n" * 4


def _write_sst2(folder, train_text=SST2, encoding="utf-8"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.tsv").write_bytes(train_text.encode(encoding))
    (folder / "dev.tsv").write_bytes("sentence\tlabel\nbon\t1\nmauvais\t0\n".encode(encoding))
    return folder / "train.tsv"


@pytest.mark.parametrize("encoding, suggestion", [("latin-1", "latin-1"), ("cp1252", "latin-1"),
                                                  ("utf-16", "utf-16")])  # fmt: skip
def test_text_file_in_another_encoding_names_line_and_flag(encoding, suggestion, tmp_path):
    path = _write_sst2(tmp_path, encoding=encoding)
    line = "line 1" if encoding == "utf-16" else "line 2"
    message = _refused(lambda: load_text_classification("csv", data_dir=tmp_path), path,
                       match=f"--encoding {suggestion}")  # fmt: skip
    assert line in message
    splits = load_text_classification("csv", data_dir=tmp_path, encoding=encoding,
                                      validation_split=0.0)  # fmt: skip
    assert "un film très drôle" in splits.train_texts


@pytest.mark.parametrize(
    "rows, match",
    [
        ("ok\t1\nno label here\nok\t0\n", "line 3: 1 field where the header has 2"),
        ("ok\t1\ntoo\tmany\t1\n", "line 3: 3 fields where the header has 2"),
        ("ok\t1\nempty label\t\nok\t0\n", "line 3: the label cell is ''"),
        ("ok\t1\nnan label\tNaN\nok\t0\n", "line 3: the label cell is 'NaN'"),
        ("ok\t1\nnull label\tnull\nok\t0\n", "line 3: the label cell is 'null'"),
        ('ok\t1\n"an open quote\t1\nok\t0\n', "line 3: 1 field where"),
    ],
)
def test_ragged_or_unlabelled_rows_are_refused_with_their_line(rows, match, tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text("sentence\tlabel\n" + rows)
    _refused(lambda: read_delimited(path), path, match=match)


def test_utf8_text_read_as_utf16_names_the_file(tmp_path):
    path = _write_sst2(tmp_path)
    _refused(lambda: read_delimited(path, encoding="utf-16"), path, match="line 1: byte")


def test_huge_fields_blank_rows_and_a_byte_order_mark_read(tmp_path):
    path = tmp_path / "train.csv"
    long_text = "word " * 40_000  # 200,000 characters: over csv's default field limit
    path.write_bytes(b"\xef\xbb\xbftext,label\n" + f'"{long_text}",pos\n,\nshort,neg\n'.encode())
    texts, labels, names = read_delimited(path)
    assert texts == [long_text, "short"] and labels.tolist() == [1, 0] and names == ["neg", "pos"]


def test_class_folder_text_in_another_encoding(tmp_path):
    for split in ("train", "test"):
        for label in ("neg", "pos"):
            (tmp_path / split / label).mkdir(parents=True)
            (tmp_path / split / label / "0.txt").write_bytes("très bien".encode("latin-1"))
    bad = tmp_path / "train" / "neg" / "0.txt"
    _refused(lambda: load_text_classification("folder", data_dir=tmp_path), bad,
             match="--encoding latin-1")  # fmt: skip
    splits = load_text_classification("folder", data_dir=tmp_path, encoding="latin-1")
    assert "très bien" in splits.test_texts


def test_bert_corpus_in_another_encoding(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes("first line\n\nsecond: naïve café\n".encode("latin-1"))
    _refused(lambda: read_corpus([corpus]), corpus, match="line 3")
    assert read_corpus([corpus], encoding="latin-1") == ["first line", None, "second: naïve café",
                                                        None]  # fmt: skip


def test_a_cut_multibyte_character_at_the_end_is_named(tmp_path):
    path = tmp_path / "train.csv"
    path.write_bytes("text,label\nok,1\ncafé".encode()[:-1])
    _refused(lambda: read_delimited(path), path, match="line 3: byte b'\\xc3' is not valid utf-8")


def test_vocabulary_that_is_not_utf8_needs_re_saving(tmp_path):
    from zoo.data.tokenizer import WordPieceTokenizer

    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes("[PAD]\n[UNK]\ncafé\n".encode("latin-1"))
    message = _refused(lambda: WordPieceTokenizer(vocab), vocab, match="line 3: byte b'\\xe9'")
    assert "re-save it as UTF-8" in message and "--encoding" not in message


def test_unknown_encoding_is_a_config_error():
    assert check_encoding("latin1") == "iso8859-1"
    with pytest.raises(ConfigError, match="'klingon' is not a known text encoding"):
        check_encoding("klingon")


# --- recommender tables --------------------------------------------------------------------

SPECS = [ColumnSpec("user", "sparse", 4), ColumnSpec("price", "dense")]


def _clicks(tmp_path, rows):
    path = tmp_path / "clicks.csv"
    path.write_text("user,price,clicked\n" + "a,1.5,1\nb,2.0,0\n" * 5 + rows)
    return path


@pytest.mark.parametrize(
    "row, match",
    [
        ("c,inf,1\n", "line 12: column 'price' holds 'inf', not a finite number"),
        ("c,-Infinity,1\n", "column 'price' holds '-Infinity', not a finite number"),
        ("c,1e999,1\n", "holds '1e999', not a finite number"),
        ("c,cheap,1\n", "column 'price' holds 'cheap', not a number"),
        ("c,1.0\n", "line 12: 2 fields where the header has 3"),
        ("c,1.0,1,extra\n", "line 12: 4 fields"),
    ],
)
def test_bad_recommender_rows_name_column_and_line(row, match, tmp_path):
    path = _clicks(tmp_path, row)
    _refused(lambda: load_tabular("csv", csv_path=path, label="clicked", specs=SPECS), path,
             match=match)  # fmt: skip


def test_missing_dense_values_and_labels(tmp_path):
    path = _clicks(tmp_path, "c,,1\nd,NaN,0\n")  # empty and NaN: missing, filled by the encoder
    columns = read_table(path, numeric=["price", "clicked"])
    assert np.isnan(columns["price"][-2:]).all() and np.isfinite(columns["price"][:-2]).all()
    path = _clicks(tmp_path, "c,1.0,\n")
    with pytest.raises(DataSourceError, match="labels must be 0 or 1.*data row 11 has nan"):
        load_tabular("csv", csv_path=path, label="clicked", specs=SPECS)


def test_recommender_table_in_another_encoding(tmp_path):
    path = tmp_path / "clicks.csv"
    path.write_bytes("user,price,clicked\nJosé,1.0,1\nAnaïs,2.0,0\n".encode("latin-1"))
    _refused(lambda: read_table(path, numeric=["price"]), path, match="line 2")
    assert read_table(path, numeric=["price"], encoding="latin-1")["user"].tolist() == [
        "José", "Anaïs"]  # fmt: skip


def test_criteo_bad_numbers_and_bytes(tmp_path):
    path = write_criteo(tmp_path / "train.txt", rows=20)
    lines = path.read_text().splitlines()
    fields = lines[4].split("\t")
    fields[3] = "inf"
    path.write_text("\n".join([*lines[:4], "\t".join(fields), *lines[5:]]) + "\n")
    _refused(lambda: read_criteo(path), path, match="line 5: column 'I3' holds 'inf'")
    fields[3], fields[0] = "1", "yes"
    path.write_text("\n".join([*lines[:4], "\t".join(fields), *lines[5:]]) + "\n")
    _refused(lambda: read_criteo(path), path, match="line 5: column 'label' holds 'yes'")
    path.write_bytes(path.read_bytes().replace(b"yes", b"\xff"))
    _refused(lambda: read_criteo(path), path, match="line 5")


def test_movielens_ragged_or_non_numeric_lines(tmp_path):
    write_movielens_100k(tmp_path)
    ratings = tmp_path / "u.data"
    ratings.write_text(ratings.read_text() + "1\t2\n")
    _refused(lambda: read_movielens(tmp_path), ratings, match="fields, not 4")
    ratings.write_text("1\t2\tfive\t874724710\n")
    with pytest.raises(DataSourceError, match="rating 'five'"):
        read_movielens(tmp_path)


# --- time series ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, match",
    [
        ("4,inf\n", "line 5: column 'load' holds 'inf', not a finite number"),
        ("4,nan\n", "line 5: column 'load' holds 'nan', not a finite number"),
        ("4,\n", "line 5: column 'load' holds '', not a number"),
        ("4,high\n", "line 5: column 'load' holds 'high', not a number"),
        ("4\n", "line 5: 1 field where the header has 2"),
    ],
)
def test_bad_series_values_name_column_and_line(rows, match, tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("hour,load\n1,10\n2,11\n3,12\n" + rows)
    _refused(lambda: load_series_csv(path, "load"), path, match=match)


def test_series_in_another_encoding(tmp_path):
    path = tmp_path / "series.csv"
    path.write_bytes("hour,température\n1,10\n2,11\n".encode("latin-1"))
    _refused(lambda: load_series_csv(path, "température"), path, match="line 1")
    columns = load_series_csv(path, "température", encoding="latin-1")
    assert columns["température"].tolist() == [10.0, 11.0]


# --- byte-level fuzzing: a clean error or a clean read, never a traceback ---------------------


def _mutations(raw, seed, count=25):
    """`count` random byte-level mutations of `raw`: bytes inserted (high, NUL, quote,
    delimiter, newline), deleted or overwritten, or the file truncated."""
    rng = random.Random(seed)
    specials = [b"\xff", b"\xe9", b"\x00", b'"', b"\t", b",", b"\n", b"\r", b"inf", b"NaN"]
    for _ in range(count):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data) + 1)
            kind = rng.randrange(4)
            if kind == 0:
                data[at:at] = rng.choice(specials)
            elif kind == 1 and data:
                del data[at : at + rng.randint(1, 3)]
            elif kind == 2 and at < len(data):
                data[at] = rng.randrange(256)
            else:
                del data[at:]
        yield bytes(data)


FUZZED = {
    "train.tsv (text)": (SST2.encode(), lambda p: read_delimited(p)),
    "corpus.txt (BERT)": (SST2.encode(), lambda p: read_corpus([p])),
    "clicks.csv (recommender)": (
        b"user,price,clicked\n" + b"a,1.5,1\nb,2.0,0\n" * 4,
        lambda p: load_tabular("csv", csv_path=p, label="clicked", specs=SPECS),
    ),
    "series.csv (time series)": (
        b"hour,load\n" + b"".join(b"%d,%d\n" % (i, 10 + i) for i in range(12)),
        lambda p: load_series_csv(p, "load"),
    ),
    "day_0.txt (Criteo)": (None, lambda p: read_criteo(p)),
}


@pytest.mark.parametrize("name", list(FUZZED))
def test_fuzzed_files_read_or_fail_in_one_line(name, tmp_path):
    raw, read = FUZZED[name]
    path = tmp_path / name.split()[0]
    if raw is None:
        raw = write_criteo(path, rows=6).read_bytes()
    refused = 0
    for mutated in _mutations(raw, seed=len(name)):
        path.write_bytes(mutated)
        try:
            read(path)
        except DataSourceError as error:
            refused += 1
            assert str(path) in str(error) or "labels must be 0 or 1" in str(error), error
            assert "\n" not in str(error), error
    assert refused, "no mutation was refused: the fuzzer no longer corrupts anything"


def test_csv_rows_keep_each_rows_first_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('text,label\n"two\nlines",1\n\nnext,0\n')
    table = read_csv_rows(path)
    assert table.rows == [["two\nlines", "1"], ["next", "0"]] and table.lines == [2, 5]
