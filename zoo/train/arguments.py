"""Command-line arguments every training application shares, and how they become a recipe.

Example:
>>> from zoo._cli import OneLineArgumentParser
>>> parser = OneLineArgumentParser()
>>> add_training_arguments(parser)
>>> args = parser.parse_args(["--epochs", "3", "--lr", "0.05"])
>>> recipe_from_args(TrainingRecipe(), args).epochs
3
"""

from zoo._cli import fraction, positive_float, positive_int
from zoo.train.recipe import OPTIMIZERS, SCHEDULES, TrainingRecipe

BACKENDS = ("tensorflow", "jax", "torch")


def add_training_arguments(parser):
    """Add --backend, --epochs, --batch-size, --lr, ... (unset ones keep the model's recipe)."""
    group = parser.add_argument_group("training (defaults: the model's registered recipe)")
    group.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="Keras backend (default: $KERAS_BACKEND, else tensorflow)",
    )
    group.add_argument("--epochs", type=positive_int)
    group.add_argument("--batch-size", type=positive_int, help="global batch size")
    group.add_argument("--lr", type=positive_float, help="peak learning rate")
    group.add_argument("--optimizer", choices=OPTIMIZERS)
    group.add_argument("--schedule", choices=SCHEDULES)
    group.add_argument("--weight-decay", type=float)
    group.add_argument("--label-smoothing", type=fraction)
    group.add_argument("--no-augment", action="store_true", help="turn training augmentation off")
    group.add_argument("--seed", type=int, default=0)
    group.add_argument("--output-dir", help="run folder (rerun the same command to resume)")
    group.add_argument("--quiet", action="store_true", help="no progress bar")


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
