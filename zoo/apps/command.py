"""`zoo train TASK [ARGS...]`: the training applications as a sub-command of `zoo`.

    zoo train image --model cnn --dataset fashion_mnist --epochs 5
    zoo train bert finetune --dataset sst2 --model bert_tiny
    zoo train image --help

The arguments after the task go to the application unparsed, so building this parser imports
no Keras: the backend is chosen from `--backend` first (`zoo.apps.launch`).
"""

import argparse

from zoo.apps import TASKS


def command_train(args):
    from zoo.apps.launch import launch

    launch(args.task, args.arguments, prog=f"zoo train {args.task}")


def add_train_arguments(train):
    """The arguments of the `zoo train` sub-command (its parser is `train`)."""
    tasks = "\n".join(f"  {task:12s} {line}" for task, line in TASKS.items())
    train.description = (f"Train a model with a task's application (zoo train TASK --help "
                         f"shows its flags).\n\ntasks:\n{tasks}")  # fmt: skip
    train.formatter_class = argparse.RawDescriptionHelpFormatter
    train.add_argument("task", choices=list(TASKS), metavar="TASK",
                       help="one of: " + ", ".join(TASKS))  # fmt: skip
    train.add_argument("arguments", nargs=argparse.REMAINDER,
                       help="the application's flags (zoo train TASK --help)")  # fmt: skip
    train.set_defaults(handler=command_train)

