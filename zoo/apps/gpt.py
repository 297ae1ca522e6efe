"""Pretrain a GPT language model on a text corpus, or fine-tune one: continue on a new corpus,
or classify text from its last token.

    zoo train gpt pretrain --model gpt_nano --corpus shakespeare.txt
    zoo train gpt pretrain --model gpt2 --corpus books/*.txt --tokenizer byte_pair \\
        --sequence-length 256 --epochs 1
    zoo train gpt finetune --init-from runs/gpt_nano_pretrain_jax --corpus more.txt
    zoo train gpt finetune --init-from ~/models/gpt2 --dataset sst2 --data-dir ~/data/SST-2
    zoo generate runs/gpt_nano_pretrain_jax --prompt "ROMEO:" --max-new-tokens 200

`pretrain` learns the tokenizer from the corpus (characters by default; `--tokenizer
byte_pair` learns a byte-level BPE, `--tokenizer-from DIR` reads GPT-2's vocab.json and
merges.txt) and writes the language model (model.keras) and its tokenizer (tokenizer/) to
the run folder. A corpus of up to 256 MB is read into memory and its last
`--validation-split` held out whole; a larger one (or any, with `--stream`) is streamed,
never whole in memory, its held-out passages chosen by a hash of their text
(`zoo.apps.gpt_data`). metrics.json records the validation loss and perplexity.
`finetune --init-from` reads a zoo run, a Hugging Face GPT-2 folder or a keras-hub GPT-2
preset. Runs resume when the same command is run again after a kill.
"""

from pathlib import Path

from zoo import get_model_spec, list_models
from zoo._cli import OneLineArgumentParser, existing_dir, exit_on_user_error, fraction, positive_int
from zoo.apps._closing import close_run
from zoo.apps._subcommand import backend_after_command
from zoo.apps._text_classifier import train_text_classifier
from zoo.apps.gpt_data import GptCorpus
from zoo.compress.options import Compression, add_compression_arguments
from zoo.data._reading import add_encoding_argument
from zoo.data.corpus_stream import read_errors
from zoo.data.gpt_inputs import last_token_classification_dataset
from zoo.data.gpt_tokenizer import BytePairTokenizer, CharacterTokenizer, load_gpt_tokenizer
from zoo.data.run_encoder import load_or_fit
from zoo.data.text import TEXT_DATASETS, load_text_classification
from zoo.errors import ConfigError
from zoo.evaluate import evaluate_language_model
from zoo.models.gpt import build_gpt_classifier, build_gpt_lm, gpt_config_of
from zoo.models.gpt_presets import FINETUNE_RECIPE
from zoo.train.arguments import add_training_arguments, recipe_from_args, run_from_args
from zoo.train.losses import causal_lm_loss

TOKENIZER_FOLDER = "tokenizer"  # in the run folder, beside model.keras
TOKENIZER_SETTINGS = "tokenizer/tokenizer.json"  # written by every kind of tokenizer
TOKENIZERS = ("characters", "byte_pair")


def parse_args(argv=None, prog="zoo train gpt"):
    parser = OneLineArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True,
                                     parser_class=OneLineArgumentParser)  # fmt: skip
    for command in ("pretrain", "finetune"):
        sub = commands.add_parser(command)
        sub.add_argument("--sequence-length", type=positive_int,
                         help="tokens a training window reads (default: the model's context, "
                              "at most 256)")  # fmt: skip
        sub.add_argument("--corpus", nargs="+", required=command == "pretrain",
                         help="plain-text files, one document each")  # fmt: skip
        sub.add_argument("--validation-split", type=fraction, default=0.1,
                         help="the corpus's share held out for validation (its last part in "
                              "memory, passages by hash when streamed)")  # fmt: skip
        reading = sub.add_mutually_exclusive_group()
        reading.add_argument("--stream", action="store_true",
                             help="stream the corpus (default: above 256 MB on disk)")
        reading.add_argument("--in-memory", action="store_true",
                             help="read the corpus whole into memory, whatever its size")
        sub.add_argument("--validation-windows", type=positive_int,
                         help="evaluate on the first N held-out windows (default: all)")
        sub.add_argument("--steps-per-epoch", type=positive_int,
                         help="train by steps: epochs of this many steps (default: one pass "
                              "over the corpus, estimated when streamed)")  # fmt: skip
        add_encoding_argument(sub)
        add_training_arguments(sub)
        add_compression_arguments(sub)
        if command == "pretrain":
            sub.add_argument("--model", default="gpt_nano", choices=list_models(task="causal_lm"))
            sub.add_argument("--tokenizer", choices=TOKENIZERS, default="characters",
                             help="learn characters or a byte-level BPE")  # fmt: skip
            sub.add_argument("--vocabulary-size", type=positive_int, default=8000,
                             help="size of a learned byte-level BPE")  # fmt: skip
            sub.add_argument("--tokenizer-sample-mb", type=positive_int, default=100,
                             help="learn the tokenizer from this much of a streamed corpus, "
                                  "spread over its files")  # fmt: skip
            sub.add_argument("--tokenizer-from", type=existing_dir,
                             help="a tokenizer folder (GPT-2's vocab.json and merges.txt, or "
                                  "a zoo run's tokenizer/) instead of learning one")  # fmt: skip
        else:
            sub.add_argument("--init-from", type=existing_dir, required=True,
                             help="a zoo GPT run, Hugging Face GPT-2 or keras-hub preset folder")
            sub.add_argument("--dataset", choices=TEXT_DATASETS,
                             help="classify this data set (instead of --corpus)")  # fmt: skip
            sub.add_argument("--data-dir", type=existing_dir,
                             help="the data set's files (SST-2 tsv, aclImdb folders, csv)")
            sub.add_argument("--max-train-examples", type=positive_int)
            sub.add_argument("--max-test-examples", type=positive_int)
    args = parser.parse_args(backend_after_command(argv, ("pretrain", "finetune")))
    if args.command == "finetune" and bool(args.corpus) == bool(args.dataset):
        parser.error("finetune needs either --corpus (go on learning text) or --dataset "
                     "(classify it), not both")  # fmt: skip
    return args


def _sequence_length(args, config):
    length = args.sequence_length or min(config.max_sequence_length, 256)
    if length > config.max_sequence_length:
        raise ConfigError(
            f"--sequence-length {length} exceeds the model's {config.max_sequence_length} "
            "positions; give at most that."
        )
    return length


def _pretrain_tokenizer(args, run, corpus):
    """The run's tokenizer: a resumed run's, --tokenizer-from's, or one learned from the
    corpus (a streamed one's sample)."""

    def fit():
        if args.tokenizer_from:
            return load_gpt_tokenizer(args.tokenizer_from)
        if args.tokenizer == "byte_pair" and run.distribution.processes > 1:
            raise ConfigError(
                f"--strategy {run.distribution.name} over {run.distribution.processes} "
                "processes would learn a byte-pair vocabulary in each, which need not match; "
                "pass --tokenizer-from (e.g. the tokenizer/ of a one-process run)."
            )
        texts = corpus.tokenizer_texts(args)
        if args.tokenizer == "byte_pair":
            return BytePairTokenizer.from_texts(texts, vocabulary_size=args.vocabulary_size)
        return CharacterTokenizer.from_texts(texts)

    return load_or_fit(run, TOKENIZER_SETTINGS, load=load_gpt_tokenizer, fit=fit)


def _train_language_model(args, run, model, tokenizer, recipe, record, corpus=None):
    """Fit `model` on the corpus (`corpus`, opened from --corpus when not given), write
    model.keras and metrics.json; return the metrics."""
    config = gpt_config_of(model)
    length = _sequence_length(args, config)
    if config.vocabulary_size < tokenizer.vocabulary_size:
        raise ConfigError(
            f"The model has {config.vocabulary_size} token embeddings but the tokenizer "
            f"{tokenizer.vocabulary_size} tokens; they must come from the same run or checkpoint."
        )
    tokenizer.save(run.run_dir / TOKENIZER_FOLDER)
    corpus = corpus or GptCorpus.open(args)
    data = corpus.datasets(args, run, tokenizer, length, recipe.batch_size)
    steps = data.steps_per_epoch
    compression = Compression.from_args(args)
    with run.scope():
        trainer = compression.prepare(model, total_steps=steps * recipe.epochs,
                                      distribution=run.distribution)  # fmt: skip
        run.compile(trainer, recipe, steps_per_epoch=steps, loss=causal_lm_loss(),
                    monitor="loss", monitor_mode="min")  # fmt: skip
    with read_errors():  # a bad byte met mid-run: one line, not tf.data's traceback
        run.fit(trainer, data.train, validation=data.validation, epochs=recipe.epochs,
                verbose=0 if args.quiet else "auto", callbacks=compression.callbacks(),
                checkpoint_model=model, steps_per_epoch=data.fit_steps)  # fmt: skip
        model = compression.finish(run, model, steps_per_epoch=steps, loss=causal_lm_loss(),
                                   monitor="loss", monitor_mode="min")  # fmt: skip
        held_out = data.validation if data.validation is not None else data.train
        described = {"corpus": [str(path) for path in args.corpus], **data.description}
        metrics = run.finish(model, held_out, {
            "task": "causal_lm", "epochs": recipe.epochs, "batch_size": recipe.batch_size,
            "sequence_length": length, "tokenizer": type(tokenizer).__name__,
            "vocabulary_size": tokenizer.vocabulary_size, **described, **record,
            **compression.describe(model),
        })  # fmt: skip
    metrics["validation_loss"] = metrics["test_loss"]
    metrics["validation_perplexity"] = evaluate_language_model(
        {"loss": metrics["test_loss"]}, 0)["metrics"]["perplexity"]  # fmt: skip
    run.write_metrics(metrics)
    args.model, args.dataset = record["model"], "corpus"  # as close_run reports the run
    return close_run(
        run, args, model, held_out, metrics, compression=compression,
        evaluation=lambda: evaluate_language_model(
            run.evaluate(model, held_out), data.validation_tokens, description=described),
        headline=lambda m: (f"validation loss {m['validation_loss']:.4f}, perplexity "
                            f"{m['validation_perplexity']:.2f}"),
        synthetic=False, evaluation_name="validation text",
    )  # fmt: skip


def pretrain(args):
    recipe = recipe_from_args(get_model_spec(args.model).recipe, args)
    run = run_from_args(args, f"runs/{args.model}_pretrain", recipe)
    corpus = GptCorpus.open(args)  # once, for the tokenizer and the training
    tokenizer = _pretrain_tokenizer(args, run, corpus)
    with run.scope():
        model = build_gpt_lm(args.model, vocabulary_size=tokenizer.vocabulary_size)
    return _train_language_model(args, run, model, tokenizer, recipe,
                                 {"model": args.model, "init_from": None}, corpus)  # fmt: skip


def finetune(args):
    from zoo.convert import load_gpt

    model, tokenizer = load_gpt(args.init_from, tokenizer_needed_for="fine-tuning")
    recipe = recipe_from_args(FINETUNE_RECIPE, args)
    name = Path(args.init_from).name
    run = run_from_args(args, f"runs/{name}_{args.dataset or 'finetune'}", recipe)
    record = {"model": model.name, "init_from": str(args.init_from)}
    if args.corpus:
        return _train_language_model(args, run, model, tokenizer, recipe, record)
    return _classify(args, run, model, tokenizer, recipe, record)


def _classify(args, run, lm, tokenizer, recipe, record):
    length = _sequence_length(args, gpt_config_of(lm))
    splits = load_text_classification(
        args.dataset, data_dir=args.data_dir, validation_split=args.validation_split,
        seed=args.seed, max_train_examples=args.max_train_examples,
        max_test_examples=args.max_test_examples, encoding=args.encoding,
    )  # fmt: skip
    tokenizer.save(run.run_dir / TOKENIZER_FOLDER)
    args.model = record["model"]  # as close_run reports the run
    return train_text_classifier(
        args, run, recipe, splits,
        make_dataset=lambda texts, labels, training: last_token_classification_dataset(
            texts, labels, tokenizer, sequence_length=length, batch_size=recipe.batch_size,
            training=training, seed=args.seed),
        build_model=lambda num_classes: build_gpt_classifier(lm, num_classes=num_classes),
        record={"task": args.dataset, **record, "sequence_length": length,
                "vocabulary_size": tokenizer.vocabulary_size},
    )  # fmt: skip


@exit_on_user_error
def main(argv=None, prog="zoo train gpt"):
    args = parse_args(argv, prog)
    return pretrain(args) if args.command == "pretrain" else finetune(args)
