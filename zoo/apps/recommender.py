"""Train a click-through-rate recommender (DeepFM, Wide&Deep); report test AUC and logloss.

    zoo train recommender --model deepfm --dataset movielens_100k
    zoo train recommender --backend jax --dataset movielens_1m \\
        --data-dir ~/data/ml-1m --split time
    zoo train recommender --dataset criteo --data-dir ~/data/criteo \\
        --max-rows 2000000 --hash-buckets 100000
    zoo train recommender --model wide_deep --dataset csv --csv clicks.csv \\
        --label clicked --features user:sparse item:sparse tags:sequence:max_length=5 price:dense \\
        --crosses user:item

Labels are binary: MovieLens ratings of 4 or more, Criteo's clicks, a CSV's 0/1 label column.
Vocabularies (or hashing) and normalisation are fitted on the training rows, applied in the
tf.data pipeline and saved in the run folder (`tabular_encoder.json`); `model.keras` takes the
encoded features. Criteo logs are streamed from their files (plain or .gz, any size: memory
stays bounded; `--max-rows` bounds the rows read) and split by a hash of each row;
`--in-memory` reads one into memory instead (`zoo.apps.recommender_data`). `--stream` streams
CSV files the same way (`--csv` a file, folder or pattern); Parquet files (`--csv
clicks.parquet`, or a folder of them) are always streamed. Rerunning the same
command after a kill resumes the run.
"""

import argparse

import keras

from zoo import get_model_spec, list_models
from zoo._cli import (
    OneLineArgumentParser,
    existing_dir,
    exit_on_user_error,
    fraction,
    positive_int,
)
from zoo.apps._closing import close_run
from zoo.apps.recommender_data import in_memory, streamed
from zoo.compress.options import Compression, add_compression_arguments
from zoo.data import encoded_cache
from zoo.data._reading import add_encoding_argument
from zoo.data.parquet_stream import is_parquet
from zoo.data.tabular import SPLITS, TABULAR_DATASETS, training_recipe
from zoo.data.tabular_encoding import ColumnSpec
from zoo.errors import ConfigError
from zoo.evaluate import evaluate_recommender
from zoo.features import DenseFeature
from zoo.train.arguments import add_training_arguments, recipe_from_args, run_from_args


def column_spec(text):
    """A --features entry as a ColumnSpec, its error as argparse's one line."""
    try:
        return ColumnSpec.parse(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_args(argv=None, prog="zoo train recommender"):
    parser = OneLineArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="deepfm",
                        choices=list_models(task="click_through_rate"))  # fmt: skip
    parser.add_argument("--dataset", default="movielens_100k", choices=TABULAR_DATASETS)
    parser.add_argument("--data-dir", type=existing_dir, help="the data set's published files")
    parser.add_argument("--csv", help="dataset csv: a CSV/TSV file (with --stream also a "
                        "folder or pattern) or Parquet files; or a Criteo file")  # fmt: skip
    parser.add_argument("--label", help="the csv's 0/1 label column")
    parser.add_argument("--features", nargs="+", type=column_spec,
                        help="name:sparse|sequence|dense[:key=value...], per column")  # fmt: skip
    parser.add_argument("--spec", help="a JSON/YAML feature-spec file (label, time, features)")
    parser.add_argument("--time-column", help="the column that orders rows for --split time")
    parser.add_argument("--split", default="random", choices=SPLITS)
    parser.add_argument("--validation-split", type=fraction, default=0.1)
    parser.add_argument("--test-split", type=fraction, default=0.1)
    parser.add_argument("--max-rows", type=positive_int, help="read at most this many rows")
    parser.add_argument("--in-memory", action="store_true",
                        help="criteo: read the log into memory, not streamed")  # fmt: skip
    parser.add_argument("--stream", action="store_true",
                        help="csv: stream --csv (a file, folder or pattern; any size, UTF-8) "
                             "instead of reading it into memory")  # fmt: skip
    parser.add_argument("--cache-encoded", action="store_true",
                        help="streamed: write the encoded training rows to the run folder once "
                             "and read them every epoch instead of parsing text again")
    parser.add_argument("--shard-by", choices=("rows", "files"), default="rows",
                        help="streamed over several processes: each reads its share of every "
                             "file's rows, or only its own files (at least one each)")  # fmt: skip
    parser.add_argument("--embedding-dim", type=positive_int)
    parser.add_argument("--min-frequency", type=positive_int, default=10,
                        help="Criteo: rarer categorical values become 'unknown'")  # fmt: skip
    parser.add_argument("--hash-buckets", type=positive_int,
                        help="Criteo: hash categorical values instead of a vocabulary")  # fmt: skip
    parser.add_argument("--hidden-units", type=positive_int, nargs="*",
                        help="MLP widths (default: the model's; none: no MLP)")  # fmt: skip
    parser.add_argument("--dropout", type=fraction, default=0.0)
    parser.add_argument("--batch-norm", action="store_true")
    parser.add_argument("--crosses", nargs="+", default=[],
                        help="wide_deep: sparse features to cross, as a:b")  # fmt: skip
    add_encoding_argument(parser)
    add_training_arguments(parser)
    add_compression_arguments(parser)
    return parser.parse_args(argv)


def build(args, spec, features):
    head = {"dropout": args.dropout, "batch_norm": args.batch_norm}
    if args.hidden_units is not None:
        head["hidden_units"] = tuple(args.hidden_units)
    if args.model == "deepfm":
        if args.crosses:
            raise ConfigError("--crosses is for wide_deep; DeepFM learns its crosses.")
        return spec.build(features=features, **head)
    crosses = [tuple(cross.split(":")) for cross in args.crosses]
    wide = [f for f in features if not isinstance(f, DenseFeature)]
    return spec.build(wide_features=wide, deep_features=features, crosses=crosses, **head)


def _streams(args):
    """Whether the run streams its data: Criteo unless --in-memory, Parquet always, a CSV
    with --stream."""
    if args.stream and args.in_memory:
        raise ConfigError("--stream and --in-memory contradict each other; keep one.")
    streamable = args.stream or args.dataset == "criteo" or (args.csv and is_parquet(args.csv))
    if args.shard_by == "files" and not streamable:
        raise ConfigError("--shard-by files shards a streamed log or table over processes; "
                          "add --stream (or drop --shard-by).")  # fmt: skip
    if args.cache_encoded and (not streamable or args.in_memory):
        raise ConfigError("--cache-encoded keeps a streamed log's encoded rows; a table read "
                          "into memory is encoded once already: drop it.")  # fmt: skip
    if args.stream and args.dataset not in ("criteo", "csv"):
        raise ConfigError(f"--stream reads files of --dataset csv or criteo, not "
                          f"{args.dataset}; drop --stream.")  # fmt: skip
    parquet = args.dataset == "csv" and args.csv and is_parquet(args.csv)
    if parquet and args.in_memory:
        raise ConfigError(f"--csv {args.csv}: Parquet files are streamed, never read whole; "
                          "drop --in-memory.")  # fmt: skip
    return (args.dataset == "criteo" and not args.in_memory) or args.stream or bool(parquet)


def train(args):
    spec = get_model_spec(args.model)
    # Criteo: the registered recipe; MovieLens 100K: the one measured on it; others: more,
    # smaller steps than Criteo's (zoo.data.tabular.training_recipe).
    recipe = recipe_from_args(training_recipe(args.dataset, spec.recipe), args)
    if args.distill_from:
        raise ConfigError(f"--distill-from: {args.model} predicts one click probability, and "
                          "distillation learns a classifier's class probabilities; --prune and "
                          "--quantize work on recommenders.")  # fmt: skip
    run = run_from_args(args, f"runs/{args.model}_{args.dataset}", recipe)
    stream = _streams(args)
    data = (streamed if stream else in_memory)(args, run, recipe)
    encoder, steps_per_epoch = data.encoder, data.steps_per_epoch
    compression = Compression.from_args(args)

    def compile_kwargs():
        return {"loss": "binary_crossentropy", "monitor": "auc", "monitor_mode": "max",
                "metrics": [keras.metrics.AUC(name="auc"),
                            keras.metrics.BinaryCrossentropy(name="logloss")]}  # fmt: skip

    with run.scope():
        model = build(args, spec, encoder.features)
        compression.prepare(model, total_steps=steps_per_epoch * recipe.epochs,
                            distribution=run.distribution)  # fmt: skip
        run.compile(model, recipe, steps_per_epoch=steps_per_epoch, **compile_kwargs())
    run.fit(model, data.train, validation=data.validation, epochs=recipe.epochs,
            verbose=0 if args.quiet else "auto", callbacks=compression.callbacks(),
            steps_per_epoch=data.fit_steps)  # fmt: skip
    model = compression.finish(run, model, steps_per_epoch=steps_per_epoch, **compile_kwargs())
    if data.cache is not None:  # training has ended: the encoded rows are not kept
        encoded_cache.remove(data.cache)
    metrics = run.finish(model, data.test, {
        "model": args.model, "epochs": recipe.epochs, "batch_size": recipe.batch_size,
        "split": args.split, "features": [s.name for s in encoder.specs], **data.description,
        **compression.describe(model),
    })  # fmt: skip
    names = [s.name for s in encoder.specs]
    return close_run(
        run, args, model, data.test, metrics, compression=compression,
        evaluation=lambda: evaluate_recommender(
            model, data.test, predict=run.predict,
            group_feature="user_id" if "user_id" in names else None,
            description=data.description),
        headline=lambda m: f"test AUC {m['test_auc']:.4f}  logloss {m['test_logloss']:.4f}",
        synthetic=data.synthetic,
    )  # fmt: skip


@exit_on_user_error
def main(argv=None, prog="zoo train recommender"):
    return train(parse_args(argv, prog))

