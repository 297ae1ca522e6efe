import json

import pytest

from zoo import bench_command, cli, list_models


def test_list_shows_every_model_with_parameters_and_reference(capsys):
    cli.main(["list"])
    out = capsys.readouterr().out
    for name in list_models():
        assert f"\n{name} " in out
    assert "271,098" in out and "91.25% CIFAR-10" in out


def test_list_pattern_and_task(capsys):
    cli.main(["list", "resnet1*"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["resnet110"]
    cli.main(["list", "nothing*"])
    assert "no model matches 'nothing*'" in capsys.readouterr().out


def test_info(capsys):
    cli.main(["info", "resnet20"])
    out = capsys.readouterr().out
    assert "parameters    271,098" in out
    assert "91.25% test accuracy on CIFAR-10 (He et al. 2015" in out
    cli.main(["info", "resnet9", "--json"])
    info = json.loads(capsys.readouterr().out)
    assert info["recipe"]["schedule"] == "onecycle" and info["parameters"] == 6_577_600


@pytest.mark.parametrize(
    "argv, message",
    [
        (["info", "resnet57"], "error: Unknown model 'resnet57'; did you mean resnet56"),
        (["list", "--task", "juggling"], "argument --task: invalid choice: 'juggling'"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


@pytest.mark.parametrize("name", list_models())
def test_info_of_every_model_in_text_and_json(name, capsys):
    cli.main(["info", name])
    text = capsys.readouterr().out
    assert text.startswith(f"{name}: ") and all(len(line) < 400 for line in text.splitlines())
    cli.main(["info", name, "--json"])
    assert json.loads(capsys.readouterr().out)["name"] == name


def test_info_summarises_feature_specs(capsys):
    cli.main(["info", "deepfm"])
    assert "build_deepfm(features=<39 DenseFeature/SparseFeature>)" in capsys.readouterr().out
    cli.main(["info", "wide_deep", "--json"])
    defaults = json.loads(capsys.readouterr().out)["defaults"]
    first = {"class": "SparseFeature", "name": "C1", "vocabulary_size": 10000, "embedding_dim": 10}
    assert defaults["wide_features"][0] == first


def test_bench_forwards_to_the_checkouts_runner(capsys):
    cli.main(["bench", "list"])
    out = capsys.readouterr().out
    assert "train_throughput" in out and "results/compression_fashion_mnist.csv" in out
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", "run", "--suites", "nope"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "zoo bench run: error:" in err and "'nope'" in err


def test_bench_outside_a_checkout_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bench_command, "SOURCE_CHECKOUT", tmp_path / "site-packages")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", "list"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "the benchmarks live in a keras-zoo source checkout" in err


def test_bench_ignores_a_benchmarks_folder_in_the_current_directory(tmp_path, monkeypatch):
    """Only the checkout zoo itself runs from counts: nothing is imported from the cwd."""
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "_command.py").write_text("raise RuntimeError('imported')\n")
    monkeypatch.chdir(tmp_path)
    assert bench_command.find_checkout() == bench_command.SOURCE_CHECKOUT


def test_bench_from_elsewhere_finds_the_editable_checkout(tmp_path, monkeypatch, capsys):
    """An editable install runs `zoo bench` from any folder: the checkout above zoo/."""
    monkeypatch.chdir(tmp_path)
    assert bench_command.find_checkout() == bench_command.SOURCE_CHECKOUT
    cli.main(["bench", "list"])
    assert "train_throughput" in capsys.readouterr().out


def test_info_shows_what_zoo_measured(monkeypatch, capsys):
    from tests.test_registry import MEASURED_CNN
    from zoo import _measured

    monkeypatch.setattr(_measured, "MEASURED", {"cnn": [MEASURED_CNN]})
    cli.main(["info", "cnn"])
    out = capsys.readouterr().out
    assert "zoo measured  91.9% test accuracy on Fashion-MNIST (20 epochs, jax" in out
    assert f"with: {MEASURED_CNN['command']}" in out
    cli.main(["info", "cnn", "--json"])
    assert json.loads(capsys.readouterr().out)["measured"][0]["baseline_value"] == 91.1


def test_info_prints_recipe_numbers_short(capsys):
    """A recipe's floats print to 4 significant digits (not 0.20833333333333334)."""
    from zoo.cli import main

    main(["info", "resnet9"])
    recipe = next(line for line in capsys.readouterr().out.splitlines() if "recipe" in line)
    assert "warmup_fraction=0.2083," in recipe and "learning_rate=0.4," in recipe


def test_an_unknown_keras_backend_is_one_line_for_the_zoo_command():
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    command = shutil.which("zoo") or str(Path(sys.executable).with_name("zoo"))
    if not Path(command).is_file():
        pytest.skip("the `zoo` command is not installed (pip install -e .)")
    result = subprocess.run([command, "list"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "KERAS_BACKEND": "bogus"})  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: KERAS_BACKEND='bogus' is not a Keras backend; set it to tensorflow, jax or "
        "torch, or unset it (tensorflow)."]  # fmt: skip
