"""The documentation's model tables must agree with the registry they describe."""

import re
from pathlib import Path

import pytest

from zoo import get_model_spec, list_models

DOCS = Path(__file__).resolve().parent.parent / "docs"
ROW = re.compile(r"^\| `(?P<name>[a-z0-9_]+)` \| (?P<params>[\d,]+) \| (?P<value>[\d.]+)% ")


def _documented_rows(page):
    rows = {}
    for line in (DOCS / page).read_text().splitlines():
        match = ROW.match(line)
        if match:
            rows[match["name"]] = match
    return rows


@pytest.mark.parametrize("name", list_models(task="image_classification"))
def test_image_models_page_matches_registry(name):
    rows = _documented_rows("models/images.md")
    assert name in rows, f"docs/models/images.md has no row for {name}"
    spec = get_model_spec(name)
    assert int(rows[name]["params"].replace(",", "")) == spec.parameter_count
    assert float(rows[name]["value"]) == spec.reference.value


def test_benchmark_table_is_filled():
    text = (DOCS / "benchmarks.md").read_text()
    start, end = "<!-- train_throughput:start -->", "<!-- train_throughput:end -->"
    table = text.split(start)[1].split(end)[0]
    assert "| `resnet20` | zoo / tensorflow |" in table and "| `cnn` | plain PyTorch |" in table


BERT_ROW = re.compile(
    r"^\| `(?P<name>bert_\w+)` \| (?P<layers>\d+) \| (?P<hidden>\d+) \| (?P<heads>\d+) "
    r"\| (?P<params>[\d,]+) \| (?P<value>[\d.]+)% "
)


@pytest.mark.parametrize("name", list_models("bert*"))
def test_bert_page_matches_registry(name):
    rows = {
        m["name"]: m
        for m in map(BERT_ROW.match, (DOCS / "models/bert.md").read_text().splitlines())
        if m
    }
    assert name in rows, f"docs/models/bert.md has no row for {name}"
    spec, row = get_model_spec(name), rows[name]
    assert int(row["params"].replace(",", "")) == spec.parameter_count
    assert float(row["value"]) == spec.reference.value


SEQUENCE_ROW = re.compile(r"^\| `(?P<name>\w+)` \| (?P<params>[\d,]+) \| (?P<reference>[^|]+) \|")


@pytest.mark.parametrize("name", list_models("*lstm*"))
def test_sequence_page_matches_registry(name):
    rows = {
        m["name"]: m
        for m in map(SEQUENCE_ROW.match, (DOCS / "models/sequence.md").read_text().splitlines())
        if m
    }
    assert name in rows, f"docs/models/sequence.md has no row for {name}"
    spec, row = get_model_spec(name), rows[name]
    assert int(row["params"].replace(",", "")) == spec.parameter_count
    reference = row["reference"].strip()
    if spec.reference is None:
        assert reference == "—"
    else:
        assert reference.startswith(f"{spec.reference.value}% {spec.reference.dataset}")


def test_lstm_benchmark_table_is_filled():
    text = (DOCS / "models/sequence.md").read_text()
    table = text.split("<!-- lstm_throughput:start -->")[1].split("<!-- lstm_throughput:end -->")[0]
    assert "| `bilstm_text` | zoo / torch |" in table and "plain PyTorch, padded |" in table


@pytest.mark.parametrize("name", list_models(task="click_through_rate"))
def test_recommenders_page_matches_registry(name):
    rows = _documented_rows("models/recommenders.md")
    assert name in rows, f"docs/models/recommenders.md has no row for {name}"
    spec = get_model_spec(name)
    assert int(rows[name]["params"].replace(",", "")) == spec.parameter_count
    assert float(rows[name]["value"]) == spec.reference.value


def test_recommender_benchmark_table_is_filled():
    text = (DOCS / "models/recommenders.md").read_text()
    start, end = "<!-- recommender_throughput:start -->", "<!-- recommender_throughput:end -->"
    table = text.split(start)[1].split(end)[0]
    assert "| zoo / jax |" in table and "| plain PyTorch |" in table


def _hook(name):
    import importlib.util

    path = DOCS / "hooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"docs_hook_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_version_matrix_states_requirements_and_installed_versions():
    import importlib.metadata

    hook = _hook("versions")
    assert hook.requirements()["torch"] == "==2.13.0"
    assert hook.requirements()["jax"].startswith(">=")  # "jax[cpu]>=..." without the extra
    table = hook.version_matrix()
    for package in hook.PACKAGES:
        assert f"| `{package}` |" in table
    assert f"| {importlib.metadata.version('keras')} |" in table
    page = (DOCS / "versions.md").read_text()
    assert hook.on_page_markdown(page, None, None, None).count("| `keras` |") == 1


def test_command_line_page_holds_every_zoo_subcommand():
    hook = _hook("command_line")
    text = hook.on_page_markdown((DOCS / "command-line.md").read_text(), None, None, None)
    import argparse

    from zoo.cli import build_parser

    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert {"list", "info", "export", "evaluate", "explain", "bench"} <= set(commands.choices)
    for command in commands.choices:
        assert f"### `zoo {command}`" in text and f"usage: zoo {command}" in text


def test_installation_page_lists_every_extra():
    import tomllib

    extras = tomllib.loads((DOCS.parent / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    text = (DOCS / "installation.md").read_text()
    for extra in extras:
        assert f"| `{extra}` |" in text, f"docs/installation.md lacks the {extra!r} extra"
