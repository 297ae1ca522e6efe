"""Pretrain a BERT encoder with masked-LM on a text corpus, or fine-tune one to classify text.

    zoo train bert pretrain --model bert_mini --corpus corpus.txt --epochs 10 \\
        --output-dir runs/bert_mini_pretrain
    zoo train bert finetune --dataset sst2 --model bert_tiny
    zoo train bert finetune --dataset imdb --data-dir ~/data/aclImdb \\
        --init-from runs/bert_mini_pretrain          # or a keras-hub / Hugging Face folder
    zoo train bert finetune --dataset sst2 --model bert_tiny \\
        --distill-from runs/bert_small_sst2/model.keras --hidden-state-weight 1 --quantize int8

`pretrain` writes the pretrainer (model.keras), the encoder (encoder.keras) and the
tokenizer (tokenizer/vocab.txt) to its run folder, which `finetune --init-from` accepts.
`finetune` trains with the model's registered recipe for its start point: the pretrained
encoder's with --init-from, the one for random initialisation (a larger rate) without;
metrics.json records which as "recipe_start", and the training flags override either.
Both report in metrics.json and resume when the same command is run again after a kill.
"""

from pathlib import Path

from zoo import get_model_spec, list_models
from zoo._cli import OneLineArgumentParser, existing_dir, exit_on_user_error, fraction, positive_int
from zoo._utils import atomic_path
from zoo.apps._subcommand import backend_after_command
from zoo.apps._text_classifier import train_text_classifier
from zoo.apps.bert_data import in_memory_corpus, run_tokenizer, streamed_corpus
from zoo.compress.options import add_compression_arguments
from zoo.convert import load_bert_encoder
from zoo.data._reading import add_encoding_argument
from zoo.data.bert_inputs import classification_dataset
from zoo.data.corpus_stream import read_errors
from zoo.data.text import TEXT_DATASETS, load_text_classification
from zoo.data.tokenizer import WordPieceTokenizer
from zoo.errors import ConfigError
from zoo.export.options import export_run
from zoo.models.bert import (
    bert_config_of,
    bert_encoder_of,
    build_bert,
    build_bert_classifier,
    build_bert_pretrainer,
)
from zoo.train import TrainingRecipe
from zoo.train.arguments import add_training_arguments, recipe_from_args, run_from_args
from zoo.train.losses import masked_lm_loss

# Masked-LM pretraining of the compact BERTs: AdamW with linear warm-up and decay
# (Devlin et al. 2018 used 1e-4 for base; small models take a larger rate).
PRETRAIN_RECIPE = TrainingRecipe(
    epochs=10, batch_size=32, optimizer="adamw", learning_rate=5e-4, weight_decay=0.01,
    schedule="onecycle", warmup_fraction=0.1, augment=False,
)  # fmt: skip


def parse_args(argv=None, prog="zoo train bert"):
    parser = OneLineArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True,
                                     parser_class=OneLineArgumentParser)  # fmt: skip
    models = list_models("bert*")
    for command in ("pretrain", "finetune"):
        sub = commands.add_parser(command)
        sub.add_argument("--model", default="bert_mini" if command == "pretrain" else "bert_tiny",
                         choices=models)  # fmt: skip
        sub.add_argument("--vocabulary", help="a BERT vocab.txt (default: learn one from the data)")
        sub.add_argument("--vocabulary-size", type=positive_int, default=8000,
                         help="size of a learned vocabulary")  # fmt: skip
        sub.add_argument("--cased", action="store_true", help="keep case and accents")
        sub.add_argument("--sequence-length", type=positive_int, default=128)
        add_encoding_argument(sub)
        add_training_arguments(sub)
        if command == "pretrain":
            sub.add_argument("--corpus", nargs="+", required=True,
                             help="plain-text files: a sentence or paragraph a line")  # fmt: skip
            sub.add_argument("--validation-split", type=fraction, default=0.05,
                             help="share of the corpus's passages held out")  # fmt: skip
            sub.add_argument("--in-memory", action="store_true",
                             help="read the corpus whole into memory (default: stream it)")
            sub.add_argument("--steps-per-epoch", type=positive_int,
                             help="train by steps: epochs of this many steps (default: one "
                                  "pass over the corpus, estimated when streamed)")  # fmt: skip
            sub.add_argument("--validation-sequences", type=positive_int,
                             help="evaluate on the first N held-out sequences (default: all)")
            sub.add_argument("--tokenizer-sample-mb", type=positive_int, default=100,
                             help="learn the vocabulary from this much of a streamed corpus, "
                                  "spread over its files")  # fmt: skip
        else:
            sub.add_argument("--dataset", default="sst2", choices=TEXT_DATASETS)
            sub.add_argument("--data-dir", type=existing_dir,
                             help="the task's files (SST-2 tsv, aclImdb folders, csv)")  # fmt: skip
            sub.add_argument(
                "--init-from",
                type=existing_dir,
                help="a pretraining run, keras-hub preset or Hugging Face folder",
            )
            sub.add_argument("--validation-split", type=fraction, default=0.1)
            sub.add_argument("--max-train-examples", type=positive_int)
            sub.add_argument("--max-test-examples", type=positive_int)
            add_compression_arguments(sub, hidden_states=True)
    return parser.parse_args(backend_after_command(argv, ("pretrain", "finetune")))


def _check_length(args, config):
    if args.sequence_length > config.max_sequence_length:
        raise ConfigError(
            f"--sequence-length {args.sequence_length} exceeds the model's "
            f"{config.max_sequence_length} positions."
        )


def pretrain(args):
    if args.evaluate:
        raise ConfigError(
            "--evaluate reports a classifier's test split: use it with finetune (pretraining "
            "records its masked-LM accuracy in metrics.json)."
        )
    recipe = recipe_from_args(PRETRAIN_RECIPE, args)
    run = run_from_args(args, f"runs/{args.model}_pretrain", recipe)
    data = (in_memory_corpus if args.in_memory else streamed_corpus)(args, run, recipe)
    tokenizer = data.tokenizer
    with run.scope():
        model = build_bert_pretrainer(args.model, vocabulary_size=tokenizer.vocabulary_size)
        _check_length(args, bert_config_of(model))
        run.compile(model, recipe, steps_per_epoch=data.steps_per_epoch,
                    loss=masked_lm_loss(), metrics=None, weighted_metrics=["accuracy"])  # fmt: skip
    with read_errors():  # a bad byte met mid-run: one line, not tf.data's traceback
        run.fit(model, data.train, validation=data.validation, epochs=recipe.epochs,
                verbose=0 if args.quiet else "auto", steps_per_epoch=data.fit_steps)  # fmt: skip
        run.check_finite(model)  # before the encoder is written: never a NaN encoder
        with atomic_path(run.run_dir / "encoder.keras") as tmp:
            bert_encoder_of(model).save(tmp)
        metrics = run.finish(model, data.validation, {
            "task": "masked_lm", "model": args.model, "epochs": recipe.epochs,
            "batch_size": recipe.batch_size, "sequence_length": args.sequence_length,
            "vocabulary_size": tokenizer.vocabulary_size,
            "corpus": [str(c) for c in args.corpus], "synthetic": False, **data.description,
        })  # fmt: skip
    metrics["masked_lm_accuracy"] = metrics["test_accuracy"]
    run.write_metrics(metrics)
    metrics = export_run(run, args.export, metrics)
    run.done()
    print(f"masked-LM accuracy {metrics['masked_lm_accuracy']:.4f} on held-out text | "
          f"{args.model}, {metrics['backend']} | {run.run_dir}")  # fmt: skip
    return metrics


def _teacher_tokenizer(args):
    """A teacher's tokenizer: the `tokenizer/` folder of the run that saved it."""
    folder = Path(args.distill_from).parent / "tokenizer"
    if not (folder / "vocab.txt").is_file():
        raise ConfigError(
            f"--distill-from {args.distill_from}: no {folder}/vocab.txt beside it; the student "
            "must read the teacher's token ids (pass that vocabulary as --vocabulary)."
        )
    return WordPieceTokenizer.load(folder)


def recipe_start(args):
    """The registered recipe's start point: `"pretrained"` (the model's `recipe`) with
    --init-from, else `"from_scratch"` (its `recipes["from_scratch"]`)."""
    return "pretrained" if args.init_from else "from_scratch"


def finetune(args):
    spec = get_model_spec(args.model)
    start = recipe_start(args)
    recipe = recipe_from_args(spec.recipe_for(start), args)
    name = Path(args.init_from).name if args.init_from else args.model
    run = run_from_args(args, f"runs/{name}_{args.dataset}", recipe)
    encoder = tokenizer = None
    if args.init_from:
        encoder, tokenizer = load_bert_encoder(args.init_from)
        if args.vocabulary:
            tokenizer = WordPieceTokenizer(args.vocabulary, lowercase=not args.cased)
        if tokenizer is None:
            raise ConfigError(f"{args.init_from} has no vocabulary; pass --vocabulary vocab.txt.")
    splits = load_text_classification(
        args.dataset, data_dir=args.data_dir, validation_split=args.validation_split,
        seed=args.seed, max_train_examples=args.max_train_examples,
        max_test_examples=args.max_test_examples, encoding=args.encoding,
    )  # fmt: skip
    if args.distill_from and not args.vocabulary:
        teacher_tokenizer = _teacher_tokenizer(args)
        if tokenizer is not None and tokenizer.vocabulary != teacher_tokenizer.vocabulary:
            raise ConfigError(
                f"--init-from {args.init_from} and --distill-from {args.distill_from} have "
                "different vocabularies; the student must read the teacher's token ids."
            )
        tokenizer = teacher_tokenizer
    if encoder is None:
        tokenizer = tokenizer or run_tokenizer(args, run, lambda: WordPieceTokenizer.from_texts(
            splits.train_texts, args.vocabulary_size, not args.cased))  # fmt: skip
        encoder = build_bert(args.model, vocabulary_size=tokenizer.vocabulary_size)
    config = bert_config_of(encoder)
    if config.vocabulary_size != tokenizer.vocabulary_size:
        raise ConfigError(
            f"The encoder has {config.vocabulary_size} token embeddings but the vocabulary "
            f"{tokenizer.vocabulary_size} tokens; they must come from the same checkpoint."
        )
    _check_length(args, config)
    tokenizer.save(run.run_dir / "tokenizer")
    return train_text_classifier(
        args, run, recipe, splits,
        make_dataset=lambda texts, labels, training: classification_dataset(
            texts, labels, tokenizer, sequence_length=args.sequence_length,
            batch_size=recipe.batch_size, training=training, seed=args.seed),
        build_model=lambda num_classes: build_bert_classifier(encoder, num_classes=num_classes),
        record={"task": args.dataset, "model": args.model, "init_from": args.init_from,
                "recipe_start": start, "sequence_length": args.sequence_length,
                "vocabulary_size": tokenizer.vocabulary_size},
    )  # fmt: skip


@exit_on_user_error
def main(argv=None, prog="zoo train bert"):
    args = parse_args(argv, prog)
    return pretrain(args) if args.command == "pretrain" else finetune(args)

