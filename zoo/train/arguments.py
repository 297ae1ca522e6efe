"""Command-line arguments every training application shares, and how they become a recipe.

Example:
>>> from zoo._cli import OneLineArgumentParser
>>> parser = OneLineArgumentParser()
>>> add_training_arguments(parser)
>>> args = parser.parse_args(["--epochs", "3", "--lr", "0.05"])
>>> recipe_from_args(TrainingRecipe(), args).epochs
3
"""

import argparse
import json
from pathlib import Path

import keras

from zoo._cli import fraction, non_negative_float, positive_float, positive_int
from zoo._keras_backend import BACKENDS
from zoo.evaluate.options import add_evaluation_arguments
from zoo.export.options import add_export_arguments
from zoo.train.precision import PRECISIONS
from zoo.train.recipe import OPTIMIZERS, SCHEDULES, TrainingRecipe
from zoo.train.runner import TrainingRun
from zoo.train.strategy import STRATEGIES


def add_training_arguments(parser):
    """Add --backend, --verbose, --epochs, --batch-size, --lr, ... (unset ones keep the
    model's recipe) and --evaluate, --export."""
    group = parser.add_argument_group("training (defaults: the model's registered recipe)")
    group.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="Keras backend (default: $KERAS_BACKEND, else tensorflow)",
    )
    group.add_argument("--verbose", action="store_true",
                       help="keep TensorFlow's start-up log lines")  # fmt: skip
    group.add_argument("--epochs", type=positive_int)
    group.add_argument("--batch-size", type=positive_int, help="global batch size")
    group.add_argument("--lr", type=positive_float, help="peak learning rate")
    group.add_argument("--optimizer", choices=OPTIMIZERS)
    group.add_argument("--schedule", choices=SCHEDULES)
    group.add_argument("--weight-decay", type=non_negative_float)
    group.add_argument("--label-smoothing", type=fraction)
    group.add_argument("--no-augment", action="store_true", help="turn training augmentation off")
    group.add_argument("--seed", type=int, default=0)
    group.add_argument("--output-dir", help="run folder (default: runs/<model>_<data>_<backend>; "
                       "rerun the same command to resume)")  # fmt: skip
    group.add_argument("--overwrite", action="store_true",
                       help="delete the run the folder holds (finished or not) and train "
                            "afresh")  # fmt: skip
    group.add_argument("--quiet", action="store_true", help="no progress bar")
    scale = parser.add_argument_group("scale (see the scaling guide)")
    scale.add_argument("--strategy", choices=STRATEGIES, default="auto",
                       help="distribution strategy (auto: the right one for the backend and "
                            "devices; torch: none)")  # fmt: skip
    scale.add_argument("--model-parallel-size", type=positive_int, default=2,
                       help="devices per model replica (--strategy model_parallel)")  # fmt: skip
    scale.add_argument("--precision", choices=PRECISIONS, default="float32")
    scale.add_argument("--xla", action=argparse.BooleanOptionalAction, default=None,
                       help="compile steps with XLA (default: where it helps; jax yes, "
                            "tensorflow on GPU/TPU, never torch)")  # fmt: skip
    add_evaluation_arguments(parser)
    add_export_arguments(parser)


# Flags that change neither the data nor the weights a run trains: a command that continues a
# run may differ in these. The training flags are compared through the recipe they resolve to.
EXECUTION_FLAGS = {"quiet", "verbose", "output_dir", "overwrite", "backend", "strategy",
                   "model_parallel_size", "xla", "evaluate", "export", "quantize"}  # fmt: skip
RECIPE_FLAGS = {"epochs", "batch_size", "lr", "optimizer", "schedule", "weight_decay",
                "label_smoothing", "no_augment"}  # fmt: skip


def run_configuration(args, recipe):
    """What decides a run's weights, as `run_config.json` keeps it: every flag but the
    execution ones, the resolved recipe, and the backend."""
    flags = {key: value for key, value in sorted(vars(args).items())
             if key not in EXECUTION_FLAGS | RECIPE_FLAGS and not callable(value)}  # fmt: skip
    config = {"backend": keras.backend.backend(), "flags": flags, "recipe": recipe.to_dict()}
    return json.loads(json.dumps(config, default=_plain))


def _plain(value):
    if isinstance(value, Path):
        return str(value.resolve())
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def run_from_args(args, default_dir, recipe):
    """The `TrainingRun` the flags describe, in `--output-dir` (else `default_dir` plus the
    backend, so runs on different backends never share a folder), opened for `recipe`: a
    finished run of the same command raises `RunAlreadyFinished`, another command's run
    `ConfigError` (see `zoo.train.run_state`)."""
    folder = args.output_dir or f"{default_dir}_{keras.backend.backend()}"
    run = TrainingRun(folder, seed=args.seed, strategy=args.strategy, precision=args.precision,
                      xla=args.xla, model_parallel_size=args.model_parallel_size)  # fmt: skip
    run.open(run_configuration(args, recipe), overwrite=args.overwrite)
    return run


def recipe_from_args(recipe: TrainingRecipe, args):
    """`recipe` with every training flag the user set applied (validated by the recipe)."""
    recipe = recipe or TrainingRecipe()
    recipe = recipe.replace(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        optimizer=args.optimizer,
        schedule=args.schedule,
        weight_decay=args.weight_decay,
        label_smoothing=args.label_smoothing,
    )
    return recipe.replace(augment=False) if args.no_augment else recipe
