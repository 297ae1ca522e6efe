"""Model cards come from the registry: every registered model has one, with its numbers, and
the command on it is one its application accepts."""

import importlib
import shlex

import pytest

from zoo import get_model_spec, list_models
from zoo.model_cards import cards_index, model_card, training_commands


@pytest.mark.parametrize("name", list_models())
def test_card_states_the_registry_numbers(name):
    spec = get_model_spec(name)
    card = model_card(name)
    assert card.startswith(f"# {name}\n")
    assert f"| parameters | {spec.parameter_count:,} |" in card
    assert (str(spec.reference) if spec.reference else "none published") in card
    assert f'create_model("{name}")' in card
    assert f"[`{name}`]({name}.md)" in cards_index()


@pytest.mark.parametrize("name", list_models())
def test_training_commands_parse_with_their_application(name, tmp_path):
    """Each command's arguments, with its example paths made real, pass the application's
    own parser (so `--model NAME` is one of its choices)."""
    (tmp_path / "series.csv").write_text("load\n1\n")
    (tmp_path / "corpus.txt").write_text("a line\n")
    paths = {"series.csv": tmp_path / "series.csv", "corpus.txt": tmp_path / "corpus.txt",
             "~/data/criteo": tmp_path, "~/data/imagenet": tmp_path,
             f"runs/{name}_pretrain": tmp_path}  # fmt: skip
    for command in training_commands(name):
        zoo, train, task, *argv = shlex.split(command)
        assert (zoo, train) == ("zoo", "train"), command  # no checkout needed
        argv = [str(paths.get(arg, arg)) for arg in argv]
        args = importlib.import_module(f"zoo.apps.{task}").parse_args(argv)
        assert args.model == name


def test_card_shows_what_zoo_measured_beside_the_reference(monkeypatch):
    from tests.test_registry import MEASURED_CNN
    from zoo import _measured

    monkeypatch.setattr(_measured, "MEASURED", {"cnn": [MEASURED_CNN]})
    card = model_card("cnn")
    assert ("| Fashion-MNIST | 91.9% test accuracy, 20 epochs, jax, 2030-01-02 "
            "| 91.1% (plain Keras CNN) | 91.6% |") in card  # fmt: skip
    assert f"```bash\n{MEASURED_CNN['command']}\n```" in card
    monkeypatch.setattr(_measured, "MEASURED", {})
    assert "Not yet measured by zoo's quality benchmark" in model_card("cnn")
