"""Bad bytes in data files, end to end (issue 20): each application stops with one line and
exit status 2 naming the file and the way out; `--encoding` and `--skip-bad-files` reach the
readers."""

import json

import pytest

from tests.applications.conftest import assert_exits_2_with_one_line, load_app
from tests.data.fake_files import write_image_folder

LATIN = "latin-1"


def _cifar_folder(tmp_path):
    data = tmp_path / "images"
    write_image_folder(data, per_class=6, size=(8, 8))
    bad = data / "train" / "dog" / "3.png"
    bad.write_bytes(b"")
    return data, bad


def test_cifar_folder_with_an_empty_png_exits_2_naming_it(tmp_path, capsys):
    data, bad = _cifar_folder(tmp_path)
    argv = ["--dataset", "folder", "--data-dir", str(data), "--model", "cnn", "--image-size",
            "8", "--output-dir", str(tmp_path / "run"), "--quiet"]  # fmt: skip
    message = (f"{bad} is empty (0 bytes); 1 of the image files in {data} cannot be decoded: "
               "replace or delete them, or pass --skip-bad-files to leave them out.")  # fmt: skip
    assert_exits_2_with_one_line("train_cifar.py", argv, message, capsys)


def test_cifar_skip_bad_files_trains_without_them(tmp_path, caplog):
    data, bad = _cifar_folder(tmp_path)
    out = tmp_path / "run"
    metrics = load_app("train_cifar.py").main([
        "--dataset", "folder", "--data-dir", str(data), "--model", "cnn", "--image-size", "8",
        "--epochs", "1", "--batch-size", "4", "--validation-split", "0", "--skip-bad-files",
        "--output-dir", str(out), "--quiet",
    ])  # fmt: skip
    assert f"skipped 1 unreadable image files in {data} (first: {bad})" in caplog.text
    assert metrics["num_train"] == 11 and metrics["skipped_files"] == 1
    assert json.loads((out / "metrics.json").read_text())["skipped_files"] == 1


def _latin_csv(folder, bad_row=""):
    """train.csv and test.csv in latin-1, `bad_row` appended to train.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = "text,label\n" + "très bon,pos\nmauvais,neg\n" * 4
    (folder / "train.csv").write_bytes((rows + bad_row).encode(LATIN))
    (folder / "test.csv").write_bytes(rows.encode(LATIN))
    return folder / "train.csv"


def test_text_in_latin1_needs_encoding(tmp_path, capsys):
    train = _latin_csv(tmp_path / "data", bad_row="sans étiquette,NaN\n")
    argv = ["--dataset", "csv", "--data-dir", str(tmp_path / "data"), "--output-dir",
            str(tmp_path / "run"), "--quiet"]  # fmt: skip
    assert_exits_2_with_one_line("train_text.py", argv,
                                 f"{train}, line 2: byte b'\\xe8' is not valid utf-8 text; if "
                                 "the file is in another encoding pass --encoding latin-1",
                                 capsys)  # fmt: skip
    # With the encoding the file decodes, and its unlabelled row is the next thing refused.
    assert_exits_2_with_one_line("train_text.py", [*argv, "--encoding", LATIN],
                                 f"{train}, line 10: the label cell is 'NaN'", capsys)  # fmt: skip


@pytest.mark.parametrize("command", ["finetune", "pretrain"])
def test_bert_reads_latin1_with_encoding(command, tmp_path, capsys):
    out = ["--output-dir", str(tmp_path / "run"), "--quiet", "--batch-size", "100000"]
    if command == "finetune":
        train = _latin_csv(tmp_path / "data", bad_row="ragged\n")
        argv = ["finetune", "--dataset", "csv", "--data-dir", str(tmp_path / "data"), *out]
        after = f"{train}, line 10: 1 field where the header has 2"
    else:
        train = tmp_path / "corpus.txt"
        train.write_bytes("une phrase très simple\n\nune autre phrase\n".encode(LATIN))
        argv = ["pretrain", "--model", "bert_tiny", "--corpus", str(train), *out]
        after = "fewer than batch_size=100000"  # read, tokenised: the batch is what is refused
    assert_exits_2_with_one_line("train_bert.py", argv, f"{train}, line ", capsys)
    assert_exits_2_with_one_line("train_bert.py", [*argv, "--encoding", LATIN], after, capsys)


def test_recommender_inf_dense_value_exits_2(tmp_path, capsys):
    clicks = tmp_path / "clicks.csv"
    clicks.write_bytes(("user,price,clicked\n" + "José,1.0,1\nAna,2.5,0\n" * 5
                        + "Zoé,inf,1\n").encode(LATIN))  # fmt: skip
    argv = ["--dataset", "csv", "--csv", str(clicks), "--label", "clicked", "--features",
            "user:sparse", "price:dense", "--output-dir", str(tmp_path / "run"),
            "--quiet"]  # fmt: skip
    assert_exits_2_with_one_line("train_recommender.py", argv, "--encoding latin-1", capsys)
    assert_exits_2_with_one_line("train_recommender.py", [*argv, "--encoding", LATIN],
                                 f"{clicks}, line 12: column 'price' holds 'inf', not a finite "
                                 "number", capsys)  # fmt: skip


def test_timeseries_non_finite_target_exits_2(tmp_path, capsys):
    series = tmp_path / "series.csv"
    rows = "".join(f"{i},{i % 7}.5\n" for i in range(40))
    series.write_bytes(("heure,température\n" + rows + "40,nan\n").encode(LATIN))
    argv = ["--csv", str(series), "--target", "température", "--output-dir",
            str(tmp_path / "run"), "--quiet"]  # fmt: skip
    assert_exits_2_with_one_line("train_timeseries.py", argv, f"{series}, line 1: byte", capsys)
    assert_exits_2_with_one_line("train_timeseries.py", [*argv, "--encoding", LATIN],
                                 "line 42: column 'température' holds 'nan', not a finite",
                                 capsys)  # fmt: skip


def test_unknown_encoding_is_refused_by_argparse(tmp_path, capsys):
    argv = ["--csv", "synthetic", "--target", "load", "--encoding", "klingon"]
    message = "argument --encoding: 'klingon' is not a known text encoding"
    assert_exits_2_with_one_line("train_timeseries.py", argv, message, capsys)
