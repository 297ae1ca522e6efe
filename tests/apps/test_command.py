"""`zoo train TASK ...`: the training applications as package code (parse only, no training)."""

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT
from zoo.apps import TASKS
from zoo.cli import main


def _zoo(*argv, cwd=None):
    """Run the `zoo` command in a fresh process (a light one: no Keras before the task's)."""
    code = "import sys; sys.argv[0] = 'zoo'; from zoo.cli import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          cwd=cwd or REPO_ROOT, timeout=300)  # fmt: skip


def test_train_help_lists_the_six_tasks(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for task in ("image", "text", "bert", "gpt", "timeseries", "recommender"):
        assert f"  {task} " in out, out
    assert set(TASKS) == {"image", "text", "bert", "gpt", "timeseries", "recommender"}


def test_a_task_help_is_the_application_help():
    result = _zoo("train", "image", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: zoo train image")
    for flag in ("--model", "--validation-split", "--backend", "--verbose", "--prune"):
        assert flag in result.stdout


def test_an_unknown_task_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "imagez"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "invalid choice: 'imagez'" in err, err


def test_an_unknown_backend_is_one_line():
    result = _zoo("train", "image", "--backend", "bogus")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["zoo train image: error: argument --backend: invalid choice: 'bogus' "
                     "(choose from tensorflow, jax, torch)"], result.stderr  # fmt: skip


def test_building_the_train_parser_imports_no_keras():
    code = ("import sys; from zoo.cli import build_parser; import zoo.apps.launch; "
            "build_parser('train').parse_args(['train', 'image', '--epochs', '1']); "
            "print(sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules))")
    env = {**os.environ}
    env.pop("KERAS_BACKEND", None)
    result = subprocess.run([sys.executable, "-c", code.replace("import sys;", "import sys; "
                             "sys.argv[0] = 'zoo';")], capture_output=True, text=True,
                            env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# The one vocabulary of flags: each application parses these (no training).
SHARED = ["--validation-split", "0.2", "--backend", "jax", "--verbose", "--epochs", "1"]
COMPRESSION = ["--prune", "0.5", "--quantize", "int8"]
PARSES = {
    "image": ["--dataset", "synthetic", *SHARED, *COMPRESSION],
    "text": ["--dataset", "synthetic", *SHARED, *COMPRESSION],
    "bert": ["finetune", "--dataset", "synthetic", *SHARED, *COMPRESSION],
    "timeseries": ["--csv", "synthetic", "--target", "load", "--test-split", "0.2", *SHARED,
                   *COMPRESSION],
    "recommender": ["--dataset", "synthetic", "--test-split", "0.2", *SHARED, *COMPRESSION],
}


@pytest.mark.parametrize("task", list(PARSES))
def test_every_application_takes_the_shared_flags(task):
    import importlib

    args = importlib.import_module(f"zoo.apps.{task}").parse_args(PARSES[task])
    assert (args.validation_split, args.backend, args.verbose) == (0.2, "jax", True)
    assert (args.prune, args.quantize) == (0.5, "int8")
    assert args.dataset == "synthetic" if task != "timeseries" else args.test_split == 0.2


def test_bert_takes_backend_before_its_sub_command():
    from zoo.apps.bert import parse_args

    args = parse_args(["--backend", "torch", "finetune", "--dataset", "imdb"])
    assert (args.backend, args.command, args.dataset) == ("torch", "finetune", "imdb")


@pytest.mark.parametrize("old", ["--validation-fraction", "--test-fraction"])
def test_the_old_fraction_flags_are_gone(old, capsys):
    from zoo.apps.recommender import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--dataset", "synthetic", old, "0.2"])


def test_a_forecaster_refuses_distillation_in_one_line(capsys):
    from zoo.apps.timeseries import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--csv", "synthetic", "--target", "load", "--distill-from", __file__])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "lstm_forecaster forecasts numbers" in err, err
