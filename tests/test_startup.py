"""The `zoo` command starts without a backend for what needs none, and quietly for the rest."""

import subprocess
import sys

import pytest

import zoo
from zoo._keras_backend import missing_backend_message, select_backend

HEAVY = ("keras", "tensorflow", "jax", "torch")


def _run_as_zoo_command(argv):
    """Run `zoo.cli.main(argv)` in a fresh interpreter that looks like the `zoo` command and
    report which heavy modules it imported."""
    code = (
        "import sys; sys.argv[0] = 'zoo'\n"
        "from zoo.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('IMPORTED', sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["info", "bert_tiny"],
                                  ["info", "deepfm", "--json"], ["list", "--task", "bogus"]])
def test_help_list_and_info_import_no_backend(argv):
    result = _run_as_zoo_command(argv)
    assert "IMPORTED []" in result.stdout, result.stdout + result.stderr


def test_a_command_that_needs_tensorflow_starts_quietly():
    result = _run_as_zoo_command(["evaluate", "--help"])
    assert "usage: zoo evaluate" in result.stdout
    # No absl / oneDNN / CUDA-stub start-up lines on stderr.
    assert "absl" not in result.stderr and "I0000" not in result.stderr, result.stderr


def test_builders_load_on_first_use():
    assert "build_resnet" in dir(zoo) and "build_resnet" in zoo.__all__
    model = zoo.build_cnn((28, 28, 1), num_classes=3)
    assert model.output_shape == (None, 3)
    with pytest.raises(AttributeError, match="no attribute 'build_nothing'"):
        zoo.build_nothing  # noqa: B018


def test_a_backend_that_is_not_installed_names_the_extra(monkeypatch, capsys):
    import importlib.util

    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == "jax" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert missing_backend_message("jax") == (
        'the jax backend needs jax, which is not installed: pip install "keras-zoo[jax]" '
        "(or choose another backend: tensorflow, jax, torch)"
    )
    with pytest.raises(SystemExit) as exit_:
        select_backend(["--backend", "jax"], prog="train_cifar.py")
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("train_cifar.py: error: the jax backend needs jax")


def test_import_zoo_imports_no_backend_and_registers_layers_when_keras_comes():
    code = (
        "import importlib.util, sys, zoo\n"
        "assert 'keras' not in sys.modules, 'import zoo imported keras'\n"
        "importlib.util.find_spec('keras')  # TensorFlow looks Keras up before importing it\n"
        "import keras\n"
        "print(all(keras.saving.get_registered_object(f'zoo>{name}') is not None\n"
        "          for name in ('LSTM', 'OneCycle')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.stdout.strip() == "True", result.stderr


def test_an_application_switches_backend_after_import_zoo(tmp_path):
    # `python applications/train_cifar.py --backend X` chooses X even though the script
    # imports zoo first (KERAS_BACKEND says otherwise here).
    code = (
        "import os, sys; os.environ['KERAS_BACKEND'] = 'tensorflow'\n"
        "import zoo\n"
        "from zoo._keras_backend import select_backend\n"
        "select_backend(['--backend', 'torch'])\n"
        "import keras; print(keras.backend.backend())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.stdout.strip() == "torch", result.stderr


def test_the_zoo_command_names_the_extra_of_a_missing_backend(monkeypatch, capsys):
    import importlib.util

    from zoo.cli import main

    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == "torch" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    with pytest.raises(SystemExit) as exit_:
        main(["evaluate", "runs/nothing"])
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == ('error: KERAS_BACKEND: the torch backend needs torch, which is not installed: '
                    'pip install "keras-zoo[torch]" (or choose another backend: tensorflow, jax, '
                    'torch)')  # fmt: skip


def test_a_reader_that_leaves_early_gets_no_traceback():
    # `zoo info cnn | head -1`: the command stops quietly when its reader has gone.
    code = ("import sys; sys.argv[0] = 'zoo'\nfrom zoo.cli import main\n"
            "for _ in range(200):\n    main(['info', 'cnn'])\n")  # fmt: skip
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stdout.readline().startswith("cnn:")
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1 and "Traceback" not in stderr, stderr


def test_jax_keeps_its_compiled_programs_unless_told_otherwise(tmp_path):
    from zoo._keras_backend import use_jax_compilation_cache

    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    use_jax_compilation_cache(environ)
    assert environ["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path / "keras-zoo" / "jax")
    assert float(environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"]) > 0
    chosen = {"JAX_COMPILATION_CACHE_DIR": "/elsewhere"}
    use_jax_compilation_cache(chosen)
    assert chosen == {"JAX_COMPILATION_CACHE_DIR": "/elsewhere"}
