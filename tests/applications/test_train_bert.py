import json
import os
import sys

import keras
import pytest

import zoo  # noqa: F401  (registers zoo's layers, which load_model needs)
from tests.applications.conftest import (
    app_command,
    assert_exits_2_with_one_line,
    kill_after_epochs,
)
from tests.helpers import REPO_ROOT
from zoo import get_model_spec
from zoo.cli import main

sys.path.insert(0, os.path.join(REPO_ROOT, "benchmarks"))
from _synthetic_language import write_language  # noqa: E402

REVIEWS = os.path.join(REPO_ROOT, "tests", "real_data", "rotten_tomatoes")
SMALL = ["--sequence-length", "16", "--batch-size", "8", "--quiet"]


@pytest.fixture(scope="module")
def language(tmp_path_factory):
    return write_language(tmp_path_factory.mktemp("language"))


def _metrics(folder):
    return json.loads((folder / "metrics.json").read_text())


@pytest.mark.slow
def test_pretraining_writes_what_finetuning_reads(run_app, language, tmp_path):
    """One epoch of masked-LM pretraining on every backend: the run folder holds the
    pretrainer, the encoder and the tokenizer, and reports its masked-LM accuracy."""
    pretrained = tmp_path / "pretrain"
    result = run_app("train_bert.py", "pretrain", "--model", "bert_tiny", "--corpus",
                     str(language / "corpus.txt"), "--vocabulary", str(language / "vocab.txt"),
                     "--epochs", "1", "--output-dir", str(pretrained), *SMALL,
                     "--batch-size", "32")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(pretrained)
    assert metrics["task"] == "masked_lm" and metrics["backend"] == keras.backend.backend()
    assert 0 <= metrics["masked_lm_accuracy"] <= 1
    # streamed by default: an epoch is the estimated pass over the corpus's training passages
    assert metrics["streamed"] and metrics["split"] == "hash of each passage"
    assert 1400 < metrics["estimated_train_sequences"] < 1900  # 1,715 rows in memory, 5% out
    for name in ("encoder.keras", "model.keras", "tokenizer/vocab.txt"):
        assert (pretrained / name).exists(), name
    # Fine-tuning from it takes the registered recipe for a pretrained encoder; flags override.
    out = tmp_path / "finetune"
    result = run_app("train_bert.py", "finetune", "--dataset", "synthetic", "--init-from",
                     str(pretrained), "--epochs", "1", "--max-train-examples", "64",
                     "--output-dir", str(out), *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(out)
    assert metrics["recipe_start"] == "pretrained"
    assert metrics["recipe"]["learning_rate"] == get_model_spec("bert_tiny").recipe.learning_rate
    assert metrics["recipe"]["batch_size"] == 8
    assert metrics["vocabulary_size"] == len((language / "vocab.txt").read_text().split())


# The recipe is the same on every backend, and every backend trains the same classifier in
# tests/models and through the synthetic fine-tuning above; this learning check on real text
# runs on TensorFlow, where it takes seconds (on 2 loaded cores: jax 2x, torch 5x as long).
@pytest.mark.slow
@pytest.mark.tf_only
def test_from_scratch_recipe_learns_real_reviews(run_app, tmp_path):
    """bert_tiny from random initialisation with its registered from-scratch recipe (3 epochs)
    learns real review snippets (tests/real_data/rotten_tomatoes: 2,700 training rows, half
    fresh). Measured on TensorFlow: test accuracy 0.663-0.673 over three seeds; with BERT-base's
    fine-tuning rate (--lr 5e-5, the recipe before) the same run stays at 0.50."""
    out = tmp_path / "run"
    result = run_app("train_bert.py", "finetune", "--dataset", "csv", "--data-dir", REVIEWS,
                     "--sequence-length", "32", "--vocabulary-size", "2000",
                     "--output-dir", str(out), "--quiet")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(out)
    assert metrics["recipe_start"] == "from_scratch" and metrics["num_train"] == 2700
    assert metrics["test_accuracy"] >= 0.6, metrics["test_accuracy"]  # majority class: 0.5


# What pretraining learns is a property of the model and the data, not of the backend (the
# masked-LM loss and masking are tested on every backend in tests/data and tests/models, and
# pretraining runs on every backend above): one backend runs this 90-second learning check.
@pytest.mark.slow
@pytest.mark.tf_only
def test_pretraining_beats_random_initialisation(run_app, language, tmp_path):
    """Masked-LM pretraining on the unlabelled corpus, then fine-tuning on 48 labelled
    sentences, classifies sentences of words the fine-tuning never saw; the same model
    fine-tuned from random initialisation cannot (see benchmarks/_synthetic_language.py)."""
    pretrained = tmp_path / "pretrain"
    result = run_app("train_bert.py", "pretrain", "--model", "bert_tiny", "--corpus",
                     str(language / "corpus.txt"), "--vocabulary", str(language / "vocab.txt"),
                     "--epochs", "8", "--lr", "1e-3", "--output-dir", str(pretrained),
                     "--sequence-length", "16", "--batch-size", "32", "--quiet")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "masked-LM accuracy" in result.stdout
    pretrain_metrics = _metrics(pretrained)
    assert pretrain_metrics["masked_lm_accuracy"] > 0.08  # chance is about 1/16
    for name in ("encoder.keras", "model.keras", "tokenizer/vocab.txt"):
        assert (pretrained / name).exists(), name

    accuracies = {}
    for label, init in (("pretrained", ["--init-from", str(pretrained)]),
                        ("scratch", ["--vocabulary", str(language / "vocab.txt")])):  # fmt: skip
        out = tmp_path / label
        result = run_app("train_bert.py", "finetune", "--model", "bert_tiny", "--dataset", "csv",
                         "--data-dir", str(language / "task"), *init, "--epochs", "30",
                         "--lr", "1e-3", "--validation-split", "0", "--output-dir", str(out),
                         *SMALL)  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        accuracies[label] = _metrics(out)["test_accuracy"]
    assert accuracies["pretrained"] >= 0.85, accuracies
    assert accuracies["scratch"] <= 0.7, accuracies


# The weight conversion is tested on every backend in tests/convert; this slow end-to-end run
# (import, fine-tune, report) adds nothing backend-specific, so one backend runs it.
@pytest.mark.tf_only
@pytest.mark.slow
def test_finetune_from_keras_hub_and_hugging_face_folders(run_app, tmp_path, language):
    keras_hub = pytest.importorskip("keras_hub")
    transformers = pytest.importorskip("transformers")
    vocabulary = (language / "vocab.txt").read_text().split()
    keras_hub.models.BertBackbone(
        vocabulary_size=len(vocabulary), num_layers=1, num_heads=2, hidden_dim=16,
        intermediate_dim=32, max_sequence_length=32,
    ).save_to_preset(str(tmp_path / "kh"))  # fmt: skip
    (tmp_path / "kh" / "assets" / "tokenizer").mkdir(parents=True)
    (tmp_path / "kh" / "assets" / "tokenizer" / "vocabulary.txt").write_text("\n".join(vocabulary))
    config = transformers.BertConfig(
        vocab_size=len(vocabulary), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=32,
    )  # fmt: skip
    transformers.BertForSequenceClassification(config).save_pretrained(tmp_path / "hf")
    (tmp_path / "hf" / "vocab.txt").write_text("\n".join(vocabulary))
    for source in ("kh", "hf"):
        out = tmp_path / f"run_{source}"
        result = run_app("train_bert.py", "finetune", "--dataset", "csv", "--data-dir",
                         str(language / "task"), "--init-from", str(tmp_path / source),
                         "--epochs", "1", "--output-dir", str(out), *SMALL)  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        metrics = _metrics(out)
        assert metrics["vocabulary_size"] == len(vocabulary)
        assert (out / "tokenizer" / "vocab.txt").is_file()
        model = keras.saving.load_model(out / "model.keras")
        assert model.output_shape == (None, 2)


@pytest.mark.slow
def test_finetune_on_synthetic_learns_a_vocabulary(run_app, tmp_path):
    out = tmp_path / "run"
    result = run_app("train_bert.py", "finetune", "--dataset", "synthetic", "--epochs", "1",
                     "--max-train-examples", "64", "--vocabulary-size", "300",
                     "--output-dir", str(out), "--evaluate", *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SYNTHETIC" in result.stdout
    metrics = _metrics(out)
    assert metrics["synthetic"] is True and metrics["backend"] == keras.backend.backend()
    assert metrics["vocabulary_size"] <= 300
    # No --init-from: the registered recipe for an encoder trained from random initialisation.
    scratch = get_model_spec("bert_tiny").recipe_for("from_scratch")
    assert metrics["recipe_start"] == "from_scratch"
    assert metrics["recipe"]["learning_rate"] == scratch.learning_rate
    assert metrics["recipe"]["batch_size"] == 8  # a flag still overrides
    # --evaluate on the classifier's logits: probabilities, so the accuracy is Keras's.
    report = json.loads((out / "evaluation.json").read_text())["results"]["synthetic"]
    assert report["metrics"]["accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-6)
    # zoo evaluate re-reads the test split with the run's tokenizer: the same report.
    main(["evaluate", str(out), "--output-dir", str(tmp_path / "again")])
    again = json.loads((tmp_path / "again" / "evaluation.json").read_text())
    assert again["results"]["synthetic"]["metrics"]["confusion_matrix"] == (
        report["metrics"]["confusion_matrix"])


# Distillation (hidden states included), pruning and quantization run on every backend in
# tests/compress and through train_cifar.py; what train_bert.py adds (the student reading the
# teacher run's tokenizer, the flags' plumbing) is backend-independent.
@pytest.mark.tf_only
@pytest.mark.slow
def test_finetune_distills_prunes_and_quantizes_a_student(run_app, tmp_path):
    teacher = tmp_path / "teacher"
    result = run_app("train_bert.py", "finetune", "--dataset", "synthetic", "--model", "bert_mini",
                     "--epochs", "1", "--max-train-examples", "64", "--vocabulary-size", "300",
                     "--output-dir", str(teacher), *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    student = tmp_path / "student"
    result = run_app("train_bert.py", "finetune", "--dataset", "synthetic", "--epochs", "1",
                     "--max-train-examples", "64", "--distill-from", str(teacher / "model.keras"),
                     "--hidden-state-weight", "1", "--prune", "0.5", "--quantize", "int8",
                     "--output-dir", str(student), *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(student)
    assert metrics["vocabulary_size"] == _metrics(teacher)["vocabulary_size"]
    assert metrics["distillation"]["hidden_state_weight"] == 1.0
    assert metrics["pruning"]["sparsity"] == 0.5
    # 2 blocks x (q, k, v, attention output, 2 feed-forward), pooler, logits, token and
    # segment embeddings
    assert metrics["quantization"]["quantized_layers"] == 2 * 6 + 4
    vocabulary = (teacher / "tokenizer" / "vocab.txt").read_text()
    assert (student / "tokenizer" / "vocab.txt").read_text() == vocabulary
    quantized = keras.saving.load_model(student / "model_int8.keras")
    assert quantized.output_shape == (None, 2)


@pytest.mark.slow
@pytest.mark.tf_only  # the reading differs, not the model: one backend
def test_in_memory_corpus_and_epochs_of_fixed_steps(run_app, language, tmp_path):
    """--in-memory reads the corpus whole; --steps-per-epoch and --validation-sequences bound
    an epoch and its evaluation (both ways of reading)."""
    for way in ("--in-memory", "--quiet"):
        out = tmp_path / way.strip("-")
        result = run_app("train_bert.py", "pretrain", "--model", "bert_tiny", "--corpus",
                         str(language / "corpus.txt"), "--vocabulary",
                         str(language / "vocab.txt"), "--epochs", "2", "--steps-per-epoch", "3",
                         "--validation-sequences", "16", "--output-dir", str(out), *SMALL,
                         way)  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        metrics = _metrics(out)
        assert metrics["streamed"] == (way != "--in-memory")
        history = (out / "history.csv").read_text().splitlines()
        assert len(history) == 3, history  # a header and two epochs
        assert metrics["examples_per_second"] > 0


# Resuming (RunBackup through TrainingRun) is tested on every backend by train_cifar's
# kill test; what pretraining adds (reloading its saved tokenizer) is backend-independent.
@pytest.mark.slow
@pytest.mark.tf_only
def test_killed_pretraining_resumes_with_its_tokenizer(language, tmp_path):
    import subprocess

    out = tmp_path / "run"
    command = app_command("train_bert.py", "pretrain", "--model", "bert_tiny", "--corpus",
                          str(language / "corpus.txt"), "--vocabulary-size", "100",
                          "--epochs", "6", "--output-dir", str(out), "--sequence-length", "16",
                          "--batch-size", "64", "--quiet")  # fmt: skip
    killed_at = kill_after_epochs(command, out, epochs=1)
    vocabulary = (out / "tokenizer" / "vocab.txt").read_text()
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Resuming from epoch {killed_at}" in result.stdout
    assert (out / "tokenizer" / "vocab.txt").read_text() == vocabulary
    metrics = _metrics(out)
    assert metrics["resumed_from_epoch"] == killed_at and metrics["epochs"] == 6


@pytest.mark.parametrize(
    "argv, message",
    [
        (["finetune", "--dataset", "mnli"], "argument --dataset: invalid choice: 'mnli'"),
        (["finetune", "--model", "bert_huge"], "argument --model: invalid choice: 'bert_huge'"),
        (["finetune", "--dataset", "csv"], "needs data_dir (--data-dir)"),
        (["pretrain", "--corpus", "/no/such/corpus.txt"], "/no/such/corpus.txt does not exist"),
        (["finetune", "--init-from", "/tmp"], "is neither a zoo pretraining run"),
        (
            ["finetune", "--dataset", "synthetic", "--sequence-length", "1024"],
            "--sequence-length 1024 exceeds the model's 512 positions",
        ),
        (["pretrain"], "the following arguments are required: --corpus"),
        (["pretrain", "--corpus", __file__, "--evaluate"], "use it with finetune"),
        (["pretrain", "--corpus", __file__, "--validation-split", "0"],
         "--validation-split 0: pretraining measures its masked-LM accuracy on held-out"),
        (["finetune", "--hidden-state-weight", "-1"], "argument --hidden-state-weight: must be "
                                                     ">= 0, got -1.0"),
        (["finetune", "--dataset", "synthetic", "--distill-from", __file__],
         "tokenizer/vocab.txt beside it; the student must read the teacher's token ids"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys, tmp_path):
    argv = [*argv, "--output-dir", str(tmp_path / "run")]
    assert_exits_2_with_one_line("train_bert.py", argv, message, capsys)


def test_offline_sst2_says_where_to_put_files(run_app, tmp_path):
    os.environ["TFDS_DATA_DIR"] = str(tmp_path / "tfds")
    try:
        result = run_app("train_bert.py", "finetune", "--dataset", "sst2", "--output-dir",
                         str(tmp_path / "run"), timeout=120)  # fmt: skip
    finally:
        del os.environ["TFDS_DATA_DIR"]
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: glue/sst2:") and "train.tsv" in last and "--data-dir" in last
