"""A pip-installed zoo trains: build the wheel, install it into a fresh virtual environment
(reusing this one's heavy dependencies) and run `zoo train`, `zoo export` and `zoo evaluate`
from a folder outside the checkout, with nothing of the checkout on the path."""

import json
import os
import subprocess
import sys
import venv

import keras
import pytest

from tests.helpers import REPO_ROOT


def _run(command, cwd, env, timeout=300):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)  # fmt: skip
    assert result.returncode == 0, f"{command}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


# The wheel holds the same files whatever the backend; each backend runs the installed
# package's code in the per-backend application tests.
@pytest.mark.slow
@pytest.mark.backend_independent
def test_the_installed_wheel_trains_exports_and_evaluates(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV")}  # fmt: skip
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
          "-w", str(wheels), str(REPO_ROOT)], cwd=tmp_path, env=env)  # fmt: skip
    (wheel,) = wheels.glob("keras_zoo-*.whl")
    environment = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment)
    python, zoo = environment / "bin" / "python", environment / "bin" / "zoo"
    # The venv has no pip of its own: this interpreter's pip installs into it.
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--force-reinstall", "-q", str(wheel)], cwd=tmp_path, env=env)  # fmt: skip

    where = _run([str(python), "-c", "import zoo.apps.launch as m; print(m.__file__)"],
                 cwd=tmp_path, env=env).stdout.strip()  # fmt: skip
    assert where.startswith(str(environment)), where
    assert not where.startswith(str(REPO_ROOT))

    backend = keras.backend.backend()
    run = tmp_path / "run"
    _run([str(zoo), "train", "image", "--backend", backend, "--model", "cnn", "--dataset",
          "synthetic", "--epochs", "1", "--batch-size", "32", "--max-train-examples", "64",
          "--max-test-examples", "32", "--validation-split", "0.25", "--quiet",
          "--output-dir", str(run)], cwd=tmp_path, env=env)  # fmt: skip
    assert json.loads((run / "metrics.json").read_text())["backend"] == backend
    assert (run / "model.keras").is_file()

    fmt = "saved_model" if backend == "tensorflow" else "onnx"
    _run([str(zoo), "export", str(run / "model.keras"), "--format", fmt], cwd=tmp_path,
         env={**env, "KERAS_BACKEND": backend})  # fmt: skip
    assert (run / ("model_saved_model" if fmt == "saved_model" else "model.onnx")).exists()

    _run([str(zoo), "evaluate", str(run)], cwd=tmp_path, env={**env, "KERAS_BACKEND": backend})
    assert any(run.glob("evaluation*")), sorted(p.name for p in run.iterdir())
