"""Fine-tune a pretrained transformer to classify text: what `zoo train bert finetune` and
`zoo train gpt finetune --dataset` share once the encoder, tokenizer and splits are chosen.

Example:
>>> metrics = train_text_classifier(
...     args, run, recipe, splits,
...     make_dataset=lambda texts, labels, training: classification_dataset(...),
...     build_model=lambda num_classes: build_bert_classifier(encoder, num_classes),
...     record={"task": "sst2", "model": "bert_tiny"})  # doctest: +SKIP
"""

from zoo.apps._closing import close_run
from zoo.compress.options import Compression
from zoo.evaluate import evaluate_classifier

SPLITS = ("train", "validation", "test")


def train_text_classifier(args, run, recipe, splits, *, make_dataset, build_model, record):
    """Train `build_model(num_classes)` (logits out) on `splits` (`zoo.data.text.TextSplits`)
    with `recipe` and the compression flags, evaluate it on the test split, write the run
    (`record` plus the recipe's size and the splits go into metrics.json) and close it
    (`close_run`). `make_dataset(texts, labels, training)` batches one split."""
    datasets = {}
    for split in SPLITS:
        texts, labels = getattr(splits, f"{split}_texts"), getattr(splits, f"{split}_labels")
        datasets[split] = make_dataset(texts, labels, split == "train") if len(texts) else None
    compression = Compression.from_args(args)
    steps = len(splits.train_texts) // recipe.batch_size
    with run.scope():
        model = build_model(splits.num_classes)
        trainer = compression.prepare(model, total_steps=steps * recipe.epochs,
                                      distribution=run.distribution)  # fmt: skip
        run.compile(trainer, recipe, steps_per_epoch=steps, from_logits=True)
    run.fit(trainer, datasets["train"], validation=datasets["validation"], epochs=recipe.epochs,
            verbose=0 if args.quiet else "auto", callbacks=compression.callbacks(),
            checkpoint_model=model)  # fmt: skip
    model = compression.finish(run, model, steps_per_epoch=steps, from_logits=True)
    metrics = run.finish(model, datasets["test"], {
        **record, "epochs": recipe.epochs, "batch_size": recipe.batch_size,
        **splits.describe(), **compression.describe(model),
    })  # fmt: skip
    return close_run(
        run, args, model, datasets["test"], metrics, compression=compression,
        evaluation=lambda: evaluate_classifier(model, datasets["test"],
                                               class_names=splits.class_names, from_logits=True,
                                               predict=run.predict, description=splits.describe()),
        headline=lambda m: f"test accuracy {m['test_accuracy']:.4f}", synthetic=splits.synthetic,
    )  # fmt: skip
