"""`zoo train gpt`: causal-LM pretraining, fine-tuning on more text or to classify, text
generation from the run, and its ONNX export generating the same tokens."""

import json
import os

import keras
import pytest

import zoo  # noqa: F401  (registers zoo's layers, which load_model needs)
from tests.applications.conftest import assert_exits_2_with_one_line, load_app
from tests.helpers import REPO_ROOT
from zoo.cli import main

REVIEWS = os.path.join(REPO_ROOT, "tests", "real_data", "rotten_tomatoes")
SMALL = ["--sequence-length", "32", "--batch-size", "8", "--epochs", "1", "--quiet"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """About 13 kB of real English: the first Rotten Tomatoes review sentences."""
    lines = open(os.path.join(REVIEWS, "train.tsv"), encoding="utf-8").read().splitlines()[1:]
    path = tmp_path_factory.mktemp("corpus") / "reviews.txt"
    path.write_text("\n".join(line.split("\t")[0] for line in lines[:120]) + "\n")
    return path


@pytest.fixture(scope="module")
def pretrained(corpus, tmp_path_factory):
    """One epoch of gpt_nano on the corpus, learning a character vocabulary."""
    folder = tmp_path_factory.mktemp("gpt") / "pretrain"
    metrics = load_app("train_gpt.py").main(["pretrain", "--corpus", str(corpus),
                                             "--output-dir", str(folder), *SMALL])  # fmt: skip
    assert metrics["validation_perplexity"] > 1
    return folder


def _metrics(folder):
    return json.loads((folder / "metrics.json").read_text())


def test_pretraining_reports_perplexity_and_generates(pretrained, capsys):
    metrics = _metrics(pretrained)
    assert metrics["task"] == "causal_lm" and metrics["backend"] == keras.backend.backend()
    assert metrics["tokenizer"] == "CharacterTokenizer"
    assert 1 < metrics["validation_perplexity"] < metrics["vocabulary_size"]
    assert metrics["validation_loss"] == metrics["test_loss"]
    for name in ("model.keras", "tokenizer/tokenizer.json", "history.csv"):
        assert (pretrained / name).exists(), name
    main(["generate", str(pretrained), "--prompt", "The film", "--prompt", "A",
          "--max-new-tokens", "12", "--seed", "0", "--top-k", "5"])  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("The film") and out[2].startswith("A"), out
    assert len(out[0]) <= len("The film") + 12


# Fine-tuning runs the layers, losses and data of the pretraining above (every backend) from
# a run folder read by `load_gpt` (tested on every backend in tests/convert): the two
# fine-tuning paths run end to end on one backend, in a fresh process as a user runs them.
@pytest.mark.tf_only
@pytest.mark.slow
def test_finetuning_goes_on_with_more_text(pretrained, corpus, run_app, tmp_path):
    out = tmp_path / "more"
    result = run_app("train_gpt.py", "finetune", "--init-from", str(pretrained), "--corpus",
                     str(corpus), "--output-dir", str(out), *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "validation loss" in result.stdout and "perplexity" in result.stdout
    metrics = _metrics(out)
    assert metrics["init_from"] == str(pretrained) and metrics["recipe"]["learning_rate"] == 6e-5
    assert metrics["validation_loss"] < _metrics(pretrained)["validation_loss"] + 0.5


@pytest.mark.tf_only
@pytest.mark.slow
def test_finetuning_classifies_from_the_last_token(pretrained, run_app, tmp_path):
    out = tmp_path / "classify"
    result = run_app("train_gpt.py", "finetune", "--init-from", str(pretrained), "--dataset",
                     "sst2", "--data-dir", REVIEWS, "--max-train-examples", "64",
                     "--max-test-examples", "32", "--output-dir", str(out), "--evaluate",
                     *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(out)
    assert 0 <= metrics["test_accuracy"] <= 1 and metrics["num_classes"] == 2
    assert (out / "evaluation.md").is_file()


@pytest.mark.tf_only
@pytest.mark.slow
def test_the_onnx_export_generates_what_keras_generates(pretrained, tmp_path):
    from zoo.export import export
    from zoo.export.onnx_generation import generate_onnx
    from zoo.generation import generate

    report = export(pretrained / "model.keras", tmp_path / "lm.onnx", format="onnx")
    assert report.verification.max_abs_difference <= report.verification.tolerance
    lm = keras.saving.load_model(pretrained / "model.keras")
    prompts = [[5, 6, 7, 8], [9, 3]]
    expected = generate(lm, prompts, 12, greedy=True)
    assert generate_onnx(tmp_path / "lm.onnx", prompts, 12, greedy=True) == expected
    sampled = generate_onnx(str(tmp_path / "lm.onnx"), prompts, 6, top_k=5, top_p=0.9, seed=1)
    assert sampled == generate_onnx(str(tmp_path / "lm.onnx"), prompts, 6, top_k=5, top_p=0.9,
                                    seed=1)  # fmt: skip


@pytest.mark.tf_only  # the reading differs, not the model (trained above on every backend)
def test_a_streamed_corpus_trains_and_keeps_its_estimate(tmp_path):
    """`--stream` (the default above 256 MB): the tokenizer and the epoch's length come from
    samples and are kept in the run folder; validation holds out passages by hash."""
    lines = open(os.path.join(REVIEWS, "train.tsv"), encoding="utf-8").read().splitlines()[1:]
    for part in range(2):  # about 60 kB in two files
        (tmp_path / f"part-{part}.txt").write_text(
            "\n".join(line.split("\t")[0] for line in lines[300 * part : 300 * part + 300]))
    app, folder = load_app("train_gpt.py"), tmp_path / "streamed"
    argv = ["pretrain", "--corpus", str(tmp_path / "part-*.txt"), "--stream", "--output-dir",
            str(folder), "--steps-per-epoch", "20", "--validation-windows", "40",
            *SMALL]  # fmt: skip
    metrics = app.main(argv)
    assert metrics["streamed"] and metrics["split"] == "hash of each passage"
    assert metrics["estimated_train_windows"] > 1000 and metrics["files"] == 2
    assert metrics["validation_windows"] == 40
    assert 1 < metrics["validation_perplexity"] < metrics["vocabulary_size"]
    size = (folder / "corpus" / "size.json").read_text()
    assert json.loads(size)["count"] > metrics["estimated_train_windows"]
    for name in ("model.keras", "tokenizer/tokenizer.json"):
        assert (folder / name).exists(), name


def test_bad_flags_get_one_line(capsys, tmp_path, corpus):
    assert_exits_2_with_one_line("train_gpt.py", ["finetune", "--init-from", str(tmp_path)],
                                 "either --corpus", capsys)  # fmt: skip
    assert_exits_2_with_one_line("train_gpt.py", ["pretrain", "--corpus", str(corpus),
                                                  "--stream", "--in-memory"],
                                 "not allowed with argument", capsys)  # fmt: skip
    assert_exits_2_with_one_line("train_gpt.py", [
        "pretrain", "--corpus", str(corpus), "--stream", "--validation-split", "0",
        "--output-dir", str(tmp_path / "run"), *SMALL], "keep a share", capsys)  # fmt: skip
