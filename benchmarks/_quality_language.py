"""The quality suite's language-model task, on English Wikipedia prose (`benchmarks/real_data.py`
`wikipedia`: 106 articles, 2.7 MB, CC BY-SA):

* `gpt_nano_wikipedia`: `gpt_nano` pretrained character-level with its registered recipe
  (`train_gpt.py pretrain`, the corpus's last 10% held out), beside the nanoGPT-style model of
  the same shape in plain PyTorch (`_quality_language_baselines.py`) trained on the same token
  stream, split and schedule in the same run. Both report the validation loss (nats per
  character; lower is better).

nanoGPT's published figure for the `gpt_mini` shape (1.4697 on Shakespeare-char) is on other
text, so it is no reference row here.
"""

from benchmarks._quality import QualityTask, figure_row, run_application, run_baseline


def gpt_nano_wikipedia(task, context):
    from benchmarks.real_data import prepare

    corpus = sorted(prepare("wikipedia").glob("*.txt"))
    size = ["--epochs", 1] if context.quick else (["--epochs", context.epochs] if context.epochs
                                                  else [])  # fmt: skip
    folder = context.work / f"{task.name}_{context.backend}"
    metrics, command = run_application(
        "train_gpt.py", ["pretrain", "--model", task.model, "--corpus", *corpus, *size],
        backend=context.backend, output_dir=folder)  # fmt: skip
    plain = run_baseline("_quality_language_baselines.py", [
        "--corpus", *corpus, "--tokenizer", folder / "tokenizer", "--preset", task.model,
        "--epochs", metrics["epochs"]])  # fmt: skip
    note = (f"{metrics['train_tokens']:,} training and {metrics['validation_tokens']:,} "
            f"held-out characters ({metrics['vocabulary_size']} distinct); {task.note}")
    common = dict(epochs=metrics["epochs"], backend=context.backend, note=note)
    return [
        figure_row(task, role="zoo", figure="zoo, registered recipe",
                   value=metrics["validation_loss"], command=command,
                   seconds=metrics["train_seconds"], **common),
        figure_row(task, role="baseline", figure="nanoGPT-style model in plain PyTorch, same "
                   "stream and schedule", value=plain["validation_loss"],
                   seconds=plain["seconds"], **common),
    ]  # fmt: skip


TASKS = [
    QualityTask("gpt_nano_wikipedia", "language", "gpt_nano", "Wikipedia (106 articles)",
                "validation loss (nats/char)", gpt_nano_wikipedia, unit="",
                higher_is_better=False,
                note="nanoGPT's Shakespeare-char figure is on other text, not comparable"),
]  # fmt: skip
