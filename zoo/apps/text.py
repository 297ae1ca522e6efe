"""Train an LSTM text classifier (IMDB, SST-2 or your own files) and report test accuracy.

    zoo train text --model bilstm_text --dataset imdb --epochs 2
    zoo train text --backend jax --dataset folder --data-dir ~/data/aclImdb
    zoo train text --dataset csv --data-dir my_task/   # train.csv + test.csv

The vocabulary is learned from the training texts with `keras.layers.TextVectorization` in
the tf.data pipeline and saved as `text_encoder.json` in the run folder, beside `model.keras`
(which takes token ids). Rerunning the same command after a kill resumes the run.
"""

from zoo import get_model_spec, list_models
from zoo._cli import (
    OneLineArgumentParser,
    existing_dir,
    exit_on_user_error,
    fraction,
    positive_int,
)
from zoo.apps._closing import close_run
from zoo.compress.options import Compression, add_compression_arguments
from zoo.data._reading import add_encoding_argument
from zoo.data.run_encoder import load_or_fit
from zoo.data.text import TEXT_DATASETS, load_text_classification
from zoo.data.text_encoder import ENCODER_FILE, TextEncoder
from zoo.evaluate import evaluate_classifier
from zoo.train.arguments import add_training_arguments, recipe_from_args, run_from_args


def parse_args(argv=None, prog="zoo train text"):
    parser = OneLineArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="bilstm_text",
                        choices=list_models(task="text_classification"))  # fmt: skip
    parser.add_argument("--dataset", default="imdb", choices=TEXT_DATASETS)
    parser.add_argument("--data-dir", type=existing_dir,
                        help="local files: aclImdb folders, SST-2 tsv, text,label csv")  # fmt: skip
    parser.add_argument("--vocabulary-size", type=positive_int, default=20000,
                        help="most frequent words kept (with padding, unknown)")  # fmt: skip
    parser.add_argument("--sequence-length", type=positive_int, default=200,
                        help="tokens per text (longer texts are cut)")  # fmt: skip
    parser.add_argument("--validation-split", type=fraction, default=0.1)
    parser.add_argument("--max-train-examples", type=positive_int)
    parser.add_argument("--max-test-examples", type=positive_int)
    add_encoding_argument(parser)
    add_training_arguments(parser)
    add_compression_arguments(parser)
    return parser.parse_args(argv)


def text_encoder(run, texts, args):
    """The run's encoder: the saved one when resuming, else one adapted on `texts`."""
    return load_or_fit(run, ENCODER_FILE, load=TextEncoder.load,
                       fit=lambda: TextEncoder.adapt(texts, args.vocabulary_size,
                                                     args.sequence_length))  # fmt: skip


def train(args):
    spec = get_model_spec(args.model)
    recipe = recipe_from_args(spec.recipe, args)
    run = run_from_args(args, f"runs/{args.model}_{args.dataset}", recipe)
    splits = load_text_classification(
        args.dataset, data_dir=args.data_dir, validation_split=args.validation_split,
        seed=args.seed, max_train_examples=args.max_train_examples,
        max_test_examples=args.max_test_examples, encoding=args.encoding,
    )  # fmt: skip
    encoder = text_encoder(run, splits.train_texts, args)
    datasets = {
        split: encoder.dataset(texts, getattr(splits, f"{split}_labels"),
                               batch_size=recipe.batch_size, training=split == "train",
                               seed=args.seed) if len(texts) else None
        for split in ("train", "validation", "test")
        for texts in [getattr(splits, f"{split}_texts")]
    }  # fmt: skip
    compression = Compression.from_args(args)
    steps = len(splits.train_texts) // recipe.batch_size
    with run.scope():
        model = spec.build(vocabulary_size=encoder.vocabulary_size,
                           num_classes=splits.num_classes,
                           sequence_length=encoder.sequence_length)  # fmt: skip
        trainer = compression.prepare(model, total_steps=steps * recipe.epochs,
                                      distribution=run.distribution)  # fmt: skip
        run.compile(trainer, recipe, steps_per_epoch=steps, from_logits=compression.distilling)
    run.fit(trainer, datasets["train"], validation=datasets["validation"], epochs=recipe.epochs,
            verbose=0 if args.quiet else "auto", callbacks=compression.callbacks(),
            checkpoint_model=model)  # fmt: skip
    model = compression.finish(run, model, steps_per_epoch=steps)
    metrics = run.finish(model, datasets["test"], {
        "model": args.model, "epochs": recipe.epochs, "batch_size": recipe.batch_size,
        "sequence_length": encoder.sequence_length,
        "vocabulary_size": encoder.vocabulary_size, **splits.describe(),
        **compression.describe(model),
    })  # fmt: skip
    return close_run(
        run, args, model, datasets["test"], metrics, compression=compression,
        evaluation=lambda: evaluate_classifier(model, datasets["test"],
                                               class_names=splits.class_names,
                                               predict=run.predict, description=splits.describe()),
        headline=lambda m: f"test accuracy {m['test_accuracy']:.4f}", synthetic=splits.synthetic,
    )  # fmt: skip


@exit_on_user_error
def main(argv=None, prog="zoo train text"):
    return train(parse_args(argv, prog))

