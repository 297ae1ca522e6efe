"""`zoo evaluate` and `zoo explain` on bad files (issue 20): a damaged `.keras` model or
`metrics.json`, a corrupt image or a text file in another encoding is one line, exit status 2;
`--skip-bad-files` evaluates an image folder without its unreadable files."""

import json
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.data.fake_files import write_image_folder
from zoo.cli import main

NOT_A_MODEL = "exists but is not a readable Keras model"


def _exits_2(argv, capsys):
    """`zoo argv` exits with status 2; its one stderr line."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def _image_run(tmp_path, record=None):
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])  # fmt: skip
    run = tmp_path / "run"
    run.mkdir()
    model.save(run / "model.keras")
    record = record or {"normalization": {"mean": [0.0] * 3, "std": [1.0] * 3}}
    (run / "metrics.json").write_text(json.dumps(record))
    return run


def _damaged(path, how):
    raw = path.read_bytes()
    if how == "not a zip":
        path.write_bytes(b"<html>404 Not Found</html>")
    elif how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "flipped weights":  # a valid zip whose weights fail their checksum
        start = raw.index(b"HDF") + 400
        path.write_bytes(raw[:start] + bytes(b ^ 0x5A for b in raw[start : start + 64])
                         + raw[start + 64 :])  # fmt: skip
    else:  # "no config": a zip without the model's config.json
        with zipfile.ZipFile(path) as archive:
            members = {n: archive.read(n) for n in archive.namelist() if n != "config.json"}
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)


@pytest.mark.parametrize("command", ["evaluate", "explain"])
@pytest.mark.parametrize("how", ["not a zip", "truncated", "empty", "flipped weights",
                                 "no config"])  # fmt: skip
def test_damaged_keras_file_is_not_file_not_found(command, how, tmp_path, capsys):
    run = _image_run(tmp_path)
    model = run / "model.keras"
    _damaged(model, how)
    (tmp_path / "x.png").write_bytes(tf.io.encode_png(np.zeros((8, 8, 3), np.uint8)).numpy())
    extra = ["--input", str(tmp_path / "x.png")] if command == "explain" else []
    for target in (run, model):
        err = _exits_2([command, str(target), *extra], capsys)
        assert f"{model} {NOT_A_MODEL}" in err and "retrain" in err, err
        assert "not found" not in err.lower()


def test_corrupt_metrics_json_exits_2(tmp_path, capsys):
    run = _image_run(tmp_path)
    (run / "metrics.json").write_text('{"normalization": ')
    err = _exits_2(["evaluate", str(run), "--task", "classification"], capsys)
    assert f"{run / 'metrics.json'} is not readable JSON" in err


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "cannot be decoded"),
        ("empty.jpg", b"", "is empty (0 bytes)"),
        ("notes.png", b"hello", "is not a PNG, JPEG, BMP or GIF image"),
        ("pixels.npy", b"\x93NUMPY garbage", "is not a readable numpy .npy file"),
    ],
)
def test_explain_corrupt_image_input_names_it(name, content, message, tmp_path, capsys):
    run = _image_run(tmp_path)
    path = tmp_path / name
    path.write_bytes(content)
    err = _exits_2(["explain", str(run), "--input", str(path)], capsys)
    assert f"{path} {message}" in err, err


def test_explain_text_in_another_encoding_suggests_the_flag(tmp_path, capsys):
    run = _image_run(tmp_path)
    texts = tmp_path / "texts.txt"
    texts.write_bytes("une critique très positive\n".encode("latin-1"))
    err = _exits_2(["explain", str(run), "--input", str(texts)], capsys)
    assert f"{texts}, line 1: byte b'\\xe8' is not valid utf-8" in err, err
    assert "--encoding latin-1" in err, err
    # Decoded, the text is read; this run has no text encoder, which is what is refused now.
    err = _exits_2(["explain", str(run), "--input", str(texts), "--encoding", "latin-1"], capsys)
    assert "(with tokenizer)" in err, err


def test_evaluate_image_folder_with_a_bad_file(tmp_path, capsys):
    data = tmp_path / "images"
    write_image_folder(data, size=(8, 8))
    bad = data / "test" / "cat" / "1.png"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated jpeg")
    run = _image_run(tmp_path, {"normalization": {"mean": [0.0] * 3, "std": [1.0] * 3},
                                "dataset": "folder"})  # fmt: skip
    argv = ["evaluate", str(run), "--task", "classification", "--data-dir", str(data)]
    err = _exits_2(argv, capsys)
    assert f"{bad} cannot be decoded" in err and "--skip-bad-files" in err, err
    main([*argv, "--skip-bad-files"])
    report = json.loads((run / "evaluation.json").read_text())
    assert report["results"]["folder"]["metrics"]["num_examples"] == 3
