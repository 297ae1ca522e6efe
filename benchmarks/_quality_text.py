"""The quality suite's text tasks, on Rotten Tomatoes review snippets (`benchmarks/real_data.py`:
Pang & Lee's sentence-polarity source, 10,201 train / 2,551 test rows, 58% fresh):

* `bilstm_text_rotten_tomatoes`: `bilstm_text`'s registered recipe (`train_text.py`) beside
  the Keras example's bidirectional LSTM written in plain Keras, trained in the same run.
* `bert_tiny_rotten_tomatoes`: `bert_tiny` fine-tuned from random initialisation and after
  masked-LM pretraining on real prose (`train_bert.py pretrain`, then `finetune --init-from`),
  each with its registered recipe, beside keras-hub's `BertBackbone` of the same shape trained
  from scratch with the same tokenizer and rows in the same run.

Every run reads 64 tokens a snippet (the longest is 53 words; a data-describing flag, the
same for every network); nothing about training is set here. SST-2's published figures are on
another data set (Stanford's phrase-annotated sentences), so they are not reference rows.
"""

from benchmarks._quality import QualityTask, figure_row, run_application, run_baseline

SEQUENCE_LENGTH = 64
QUICK_SUBSET = ["--max-train-examples", 3000, "--max-test-examples", 1000]
CORPORA = ("wikipedia", "movie_plots")  # the pretraining text, 3.4 MB in all
PRETRAINED_RUN = "runs/bert_tiny_pretrain"


def _data_dir():
    from benchmarks.real_data import prepare

    return prepare("rotten_tomatoes")


def _size_arguments(context):
    """A quick run's subset and one epoch, or a stated epoch budget; else the recipe's."""
    if context.quick:
        return ["--epochs", 1, *QUICK_SUBSET]
    return ["--epochs", context.epochs] if context.epochs else []


def _rows(metrics):
    """How many rows the run trained, validated and tested on (a quick run takes fewer)."""
    return (f"{metrics['num_train']:,} training rows ({metrics['num_validation']:,} more held "
            f"out for validation), {metrics['num_test']:,} test rows")  # fmt: skip


def _zoo_row(task, context, figure, metrics, command, note=""):
    return figure_row(task, role="zoo", figure=figure, value=100 * metrics["test_accuracy"],
                      epochs=metrics["epochs"], backend=context.backend, command=command,
                      seconds=metrics["train_seconds"],
                      note=f"{_rows(metrics)}; {note or task.note}")  # fmt: skip


def _baseline_row(task, context, figure, baseline, metrics):
    """A baseline trained on the rows of the zoo run `metrics` (its split, not its hold-out)."""
    return figure_row(task, role="baseline", figure=figure, value=baseline["test_accuracy"],
                      epochs=baseline["epochs"], backend=context.backend,
                      seconds=baseline["seconds"],
                      note=f"{_rows(metrics)}; {task.note}")  # fmt: skip


def bilstm_text_rotten_tomatoes(task, context):
    data_dir, size = _data_dir(), _size_arguments(context)
    shape = ["--sequence-length", SEQUENCE_LENGTH]
    metrics, command = run_application(
        "train_text.py", ["--model", task.model, "--dataset", "csv", "--data-dir", data_dir,
                          *shape, *size],
        backend=context.backend, output_dir=context.work / f"{task.name}_{context.backend}",
    )  # fmt: skip
    baseline = run_baseline("_quality_text_baselines.py", [
        "keras_bilstm", "--data-dir", data_dir, *shape, "--epochs", metrics["epochs"],
        *size[2:]], backend=context.backend)  # fmt: skip
    return [_zoo_row(task, context, "zoo, registered recipe", metrics, command),
            _baseline_row(task, context, "plain Keras BiLSTM (Keras example), Adam", baseline,
                          metrics)]


def _sequences(pretraining):
    """The training sequences of a pretraining run: counted (in memory) or estimated
    (streamed, the default)."""
    counted = pretraining.get("num_train_sequences")
    return counted if counted is not None else f"about {pretraining['estimated_train_sequences']}"


def _pretrain(context):
    """Masked-LM pretraining of bert_tiny on `CORPORA` with its recipe; (run folder, metrics,
    command, corpus size in MB)."""
    from benchmarks.real_data import prepare

    corpus = sorted(path for name in CORPORA for path in prepare(name).glob("*.txt"))
    folder = context.work / f"bert_tiny_pretrain_{context.backend}"
    metrics, command = run_application(
        "train_bert.py", ["pretrain", "--model", "bert_tiny", "--corpus", *corpus,
                          *(["--epochs", 1] if context.quick else [])],
        backend=context.backend, output_dir=folder,
    )  # fmt: skip
    return folder, metrics, command, sum(path.stat().st_size for path in corpus) / 1e6


def bert_tiny_rotten_tomatoes(task, context):
    data_dir, size = _data_dir(), _size_arguments(context)
    finetune = ["finetune", "--model", task.model, "--dataset", "csv", "--data-dir", data_dir,
                "--sequence-length", SEQUENCE_LENGTH, *size]  # fmt: skip
    scratch_dir = context.work / f"{task.name}_scratch_{context.backend}"
    scratch, scratch_command = run_application("train_bert.py", finetune,
                                               backend=context.backend, output_dir=scratch_dir)
    pretrained_dir, pretraining, pretrain_command, corpus_mb = _pretrain(context)
    tuned, tuned_command = run_application(
        "train_bert.py", [*finetune, "--init-from", pretrained_dir], backend=context.backend,
        output_dir=context.work / f"{task.name}_pretrained_{context.backend}")  # fmt: skip
    baseline = run_baseline("_quality_text_baselines.py", [
        "keras_hub_bert", "--preset", task.model, "--data-dir", data_dir,
        "--vocabulary", scratch_dir / "tokenizer" / "vocab.txt", "--epochs", scratch["epochs"],
        "--sequence-length", SEQUENCE_LENGTH, *size[2:]], backend=context.backend)  # fmt: skip
    # The command a user reruns: pretraining into runs/, then fine-tuning from there.
    tuned_command = (f"{pretrain_command} --output-dir {PRETRAINED_RUN} && "
                     + tuned_command.replace(str(pretrained_dir), PRETRAINED_RUN))
    pretrained_note = (
        f"{task.note}; pretrained first ({corpus_mb:.1f} MB, "
        f"{_sequences(pretraining)} sequences, {pretraining['epochs']} epochs, "
        f"held-out masked-LM accuracy {pretraining['masked_lm_accuracy']:.3f}, "
        f"{pretraining['train_seconds']:.0f} s)")  # fmt: skip
    return [
        _zoo_row(task, context, "zoo, from scratch, registered from-scratch recipe", scratch,
                 scratch_command),
        _zoo_row(task, context, f"zoo, masked-LM pretrained ({' + '.join(CORPORA)}), then "
                 "fine-tuned with the registered recipe", tuned, tuned_command,
                 note=pretrained_note),
        _baseline_row(task, context, "keras-hub BertBackbone, from scratch, AdamW 5e-4, same "
                      "tokenizer", baseline, scratch),
    ]  # fmt: skip


TASKS = [
    QualityTask("bilstm_text_rotten_tomatoes", "text", "bilstm_text", "Rotten Tomatoes",
                "test accuracy", bilstm_text_rotten_tomatoes,
                note="the registry's reference is on IMDB (whole reviews), not on this data set"),
    QualityTask("bert_tiny_rotten_tomatoes", "text", "bert_tiny", "Rotten Tomatoes",
                "test accuracy", bert_tiny_rotten_tomatoes,
                note="the registry's SST-2 references are on another data set (Stanford's "
                     "parsed sentences, 67k training phrases), not comparable"),
]  # fmt: skip
