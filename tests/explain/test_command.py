"""`zoo explain`: pictures and numbers for images, LSTM and BERT texts and recommender rows,
read from run folders the way the applications write them."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo import build_bert_classifier, build_deepfm, build_lstm_classifier, create_model
from zoo.cli import main
from zoo.data.tabular_encoding import ColumnSpec, TabularEncoder
from zoo.data.text_encoder import TextEncoder
from zoo.data.tokenizer import WordPieceTokenizer
from zoo.explain import COMPLETENESS_TOLERANCE

PNG = b"\x89PNG"
TEXTS = ["a great film with great actors", "an awful plot and awful jokes", "great fun"]


def _run(tmp_path, model, record):
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    model.save(run / "model.keras")
    (run / "metrics.json").write_text(json.dumps(record))
    return run


def _explanations(folder):
    return json.loads((folder / "explanations.json").read_text())["examples"]


def _assert_complete(record):
    bound = COMPLETENESS_TOLERANCE["relative"] * abs(record["output_difference"])
    assert record["completeness_gap"] <= bound + COMPLETENESS_TOLERANCE["absolute"], record


def test_image_grad_cam_and_integrated_gradients(tmp_path, capsys):
    model = create_model("cnn", input_shape=(28, 28, 1))
    run = _run(tmp_path, model, {"model": "cnn", "normalization": {"mean": [72.9],
                                                                  "std": [90.0]}})  # fmt: skip
    pixels = np.random.default_rng(0).integers(0, 256, (28, 28, 1), dtype=np.uint8)
    (tmp_path / "shoe.png").write_bytes(tf.io.encode_png(pixels).numpy())
    main(["explain", str(run), "--input", str(tmp_path / "shoe.png"), "--steps", "32"])
    assert "shoe: predicted" in capsys.readouterr().out
    [record] = _explanations(run / "explanations")
    expected = model.predict((pixels[None].astype("float32") - 72.9) / 90.0, verbose=0)[0]
    assert record["predicted"] == int(np.argmax(expected)) == record["target"]
    assert record["probability"] == pytest.approx(float(expected.max()), abs=1e-5)
    assert record["pictures"] == ["shoe_integrated_gradients.png", "shoe_grad_cam.png"]
    for name in record["pictures"]:
        assert (run / "explanations" / name).read_bytes()[:4] == PNG
    _assert_complete(record)


def test_lstm_text_tokens(tmp_path):
    encoder = TextEncoder.adapt(TEXTS, vocabulary_size=30, sequence_length=8)
    model = build_lstm_classifier(vocabulary_size=encoder.vocabulary_size, num_classes=2,
                                  sequence_length=8, embedding_dim=8, lstm_units=(8,))
    run = _run(tmp_path, model, {"model": "lstm_text"})
    encoder.save(run)
    (tmp_path / "texts.txt").write_text("great film\n\nawful unknownword jokes\n")
    main(["explain", str(run), "--input", str(tmp_path / "texts.txt"), "--target", "1",
          "--output-dir", str(tmp_path / "out")])  # fmt: skip
    first, second = _explanations(tmp_path / "out")
    assert first["target"] == second["target"] == 1
    assert {token for token, _ in first["top_tokens"]} == {"great", "film"}
    assert [token for token, _ in second["top_tokens"]].count("[UNK]") == 1
    # Padding gets nothing, so the tokens shown carry the whole attribution.
    assert sum(score for _, score in first["top_tokens"]) == pytest.approx(
        first["output_difference"], rel=0.01, abs=1e-4)
    assert (tmp_path / "out" / "line2_integrated_gradients.png").read_bytes()[:4] == PNG


def test_bert_tokens_attention_and_rollout(tmp_path):
    tokenizer = WordPieceTokenizer.from_texts(TEXTS * 4, vocabulary_size=60, min_frequency=1)
    model = build_bert_classifier("bert_tiny", vocabulary_size=tokenizer.vocabulary_size,
                                  num_classes=2, num_layers=2, hidden_dim=16, num_heads=2,
                                  intermediate_dim=32)  # fmt: skip
    run = _run(tmp_path, model, {"model": "bert_tiny", "task": "csv", "sequence_length": 12})
    tokenizer.save(run / "tokenizer")
    (tmp_path / "texts.txt").write_text("great fun\n")
    main(["explain", str(run), "--input", str(tmp_path / "texts.txt")])
    [record] = _explanations(run / "explanations")
    assert record["pictures"] == ["line1_integrated_gradients.png", "line1_attention.png",
                                  "line1_rollout.png"]  # fmt: skip
    tokens = {token for token, _ in record["top_tokens"]}
    assert {"[CLS]", "[SEP]"} <= tokens and "[PAD]" not in tokens
    _assert_complete(record)
    logits = model.predict(tokenizer.encode(["great fun"], sequence_length=12), verbose=0)[0]
    probabilities = np.exp(logits) / np.exp(logits).sum()
    assert record["probability"] == pytest.approx(float(probabilities.max()), abs=1e-5)


def test_recommender_rows_per_feature(tmp_path):
    columns = {"user_id": np.array(["u1", "u2", "u3", "u1"]),
               "item_id": np.array(["i1", "i2", "i1", "i3"]),
               "age": np.array([20.0, 35.0, 50.0, 41.0])}  # fmt: skip
    specs = [ColumnSpec("user_id", "sparse", 4), ColumnSpec("item_id", "sparse", 4),
             ColumnSpec("age", "dense")]  # fmt: skip
    encoder = TabularEncoder.fit(specs, columns)
    model = build_deepfm(encoder.features, hidden_units=(8,))
    run = _run(tmp_path, model, {"model": "deepfm"})
    encoder.save(run)
    rows = [{"user_id": "u1", "item_id": "i3", "age": 30}, {"user_id": "new", "item_id": "i1",
                                                            "age": 60}]  # fmt: skip
    (tmp_path / "rows.json").write_text(json.dumps(rows))
    main(["explain", str(run), "--input", str(tmp_path / "rows.json")])
    records = _explanations(run / "explanations")
    assert len(records) == 2
    for record in records:
        assert {name for name, _ in record["top_features"]} == {"user_id", "item_id", "age"}
        _assert_complete(record)
    assert (run / "explanations" / "row2_features.png").read_bytes()[:4] == PNG


@pytest.mark.parametrize(
    "make_input, argv, message",
    [
        ("shoe.png", ["--bare"], "pass the run folder"),
        ("notes.csv", [], "use an image"),
        ("shoe.png", ["--target", "10"], "--target 10 is not a class"),
        ("missing.png", [], "does not exist"),
        ("bad.json", [], "(with tabular_encoder.json)"),
    ],
)
def test_bad_input_exits_2_with_one_line(make_input, argv, message, tmp_path, capsys):
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])  # fmt: skip
    run = _run(tmp_path, model, {"normalization": {"mean": [0.0], "std": [1.0]}})
    (tmp_path / "shoe.png").write_bytes(tf.io.encode_png(np.zeros((4, 4, 1), np.uint8)).numpy())
    (tmp_path / "notes.csv").write_text("a,b\n")
    (tmp_path / "bad.json").write_text("{}")
    target = run / "model.keras" if argv[:1] == ["--bare"] else run
    argv = [a for a in argv if a != "--bare"]
    with pytest.raises(SystemExit) as exit_info:
        main(["explain", str(target), "--input", str(tmp_path / make_input), *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
