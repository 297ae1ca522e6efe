"""Every command in the documentation's shell blocks (and the README's) is one that works.

The commands train for hours or download data sets, so they are not run: each is checked
against what would run it. An application's or the `zoo` command's arguments must pass its
own parser (flags, choices, numbers; paths need not exist here), `pip install` extras must be
declared in pyproject.toml, a script or module must exist, and `python -c` code must compile.
A program the project does not ship (docker, curl, ...) must be one of `EXTERNAL_PROGRAMS`, so
a new kind of command gets a check before it gets into the docs.
"""

import argparse
import importlib
import importlib.util
import os
import shlex
import sys
import tomllib

import pytest

from tests.applications.conftest import load_app
from tests.docs.markdown_blocks import DOCS, code_blocks, pages, shell_commands
from tests.helpers import REPO_ROOT

SHELLS = ("bash", "sh", "shell", "console")
EXTERNAL_PROGRAMS = {"docker", "curl", "apt-get", "mkdocs", "tensorflow_model_server"}
BACKENDS = {"tensorflow", "jax", "torch"}


def _documented_commands():
    """(where, environment, argv) of every shell command in docs/ and README.md."""
    commands = []
    for page in [*pages(), "../README.md"]:
        for block in code_blocks(page):
            if block.language in SHELLS and not block.not_run:
                where = block.where.replace("docs/../", "")
                commands += [(where, env, argv) for env, argv in shell_commands(block.code) if argv]
    return commands


COMMANDS = _documented_commands()


@pytest.fixture
def paths_need_not_exist(monkeypatch):
    """Parsers accept any path: the docs' example paths (`~/data/cifar10`) are not here.

    Matched by qualified name, not identity: a test that re-imports `zoo` leaves modules
    holding an older `zoo._cli`'s functions."""
    for module in list(sys.modules.values()):
        for name in ("existing_dir", "existing_file"):
            value = getattr(module, name, None)
            if getattr(value, "__module__", None) == "zoo._cli" and value.__name__ == name:
                monkeypatch.setattr(module, name, str)


def _parse(parse_args, argv):
    """Run `parse_args(argv)`; `--help` must print help and exit 0, anything else parse."""
    if "--help" in argv or "-h" in argv:
        with pytest.raises(SystemExit) as exit_:
            parse_args(argv)
        assert exit_.value.code == 0
        return None
    return parse_args(argv)


def _check_python(argv):
    if argv[:1] == ["-c"]:
        compile(argv[1], "<python -c>", "exec")
    elif argv[:1] == ["-m"]:
        module = argv[1]
        if module == "benchmarks":
            _parse(importlib.import_module("benchmarks.__main__").parse_args, argv[2:])
        elif module == "pip":
            _check_pip(argv[2:])
        else:
            assert importlib.util.find_spec(module), f"no module {module}"
    elif argv[0].startswith("applications/"):
        app = load_app(argv[0].removeprefix("applications/"))
        _parse(app.parse_args, argv[1:])
    elif argv[0].startswith("benchmarks/"):
        _parse(_load_script(argv[0]).build_parser().parse_args, argv[1:])
    else:
        assert os.path.isfile(os.path.join(REPO_ROOT, argv[0])), f"no script {argv[0]}"


def _load_script(path):
    """A script of the checkout (`benchmarks/train_throughput.py`) as a module, not run."""
    location = os.path.join(REPO_ROOT, path)
    assert os.path.isfile(location), f"no script {path}"
    spec = importlib.util.spec_from_file_location(f"documented_{os.path.basename(path)[:-3]}",
                                                  location)  # fmt: skip
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_pip(argv):
    extras = tomllib.loads((DOCS.parent / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert argv[0] == "install", argv
    for target in argv[1:]:
        if target.startswith(".["):
            wanted = target.removeprefix(".[").removesuffix("]").split(",")
            assert set(wanted) <= set(extras), f"{target}: pyproject.toml declares {sorted(extras)}"


@pytest.mark.parametrize(("where", "environment", "argv"), COMMANDS,
                         ids=[f"{w}:{' '.join(a[:3])}" for w, _, a in COMMANDS])  # fmt: skip
def test_documented_command_works(where, environment, argv, paths_need_not_exist):
    backend = environment.get("KERAS_BACKEND")
    assert backend in (None, *BACKENDS), f"{where}: KERAS_BACKEND={backend}"
    program, *rest = argv
    if program == "python":
        _check_python(rest)
    elif program == "zoo":
        from zoo.cli import build_parser

        if rest[:1] == ["train"] and len(rest) > 1 and not rest[1].startswith("-"):
            task = build_parser().parse_args(rest[:2]).task  # the application parses the rest
            _parse(importlib.import_module(f"zoo.apps.{task}").parse_args, rest[2:])
            return
        args = _parse(build_parser().parse_args, rest)
        if args is not None and args.command == "bench":  # zoo passes them on: check them here
            _check_python(["-m", "benchmarks", *args.arguments])
    elif program == "pip":
        _check_pip(rest)
    else:
        assert program in EXTERNAL_PROGRAMS, (
            f"{where}: `{shlex.join(argv)}` runs {program!r}, which this test does not know: "
            "check it here or add it to EXTERNAL_PROGRAMS"
        )


def test_commands_were_found():
    """The extraction works: the docs hold commands of every kind this test checks."""
    programs = {argv[0] for _, _, argv in COMMANDS}
    assert {"python", "zoo", "pip"} <= programs
    assert len(COMMANDS) > 60


def test_a_wrong_flag_is_caught(paths_need_not_exist):
    """The check can fail: a misspelt flag or an unknown model is refused by the parser."""
    app = load_app("train_cifar.py")
    for argv in (["--model", "resnet21"], ["--epochz", "3"]):
        with pytest.raises(SystemExit):
            app.parse_args(argv)
    assert isinstance(app.parse_args(["--data-dir", "/nowhere"]), argparse.Namespace)
