import importlib
import json
import os
import signal
import subprocess
import sys
import time

import keras
import pytest

from tests.helpers import REPO_ROOT

APPLICATIONS = os.path.join(REPO_ROOT, "applications")


def app_command(script, *args):
    return [
        sys.executable,
        os.path.join(APPLICATIONS, script),
        "--backend",
        keras.backend.backend(),
        *args,
    ]


@pytest.fixture
def run_app():
    """Run an application in a fresh process on the current backend; return the result."""

    def run(script, *args, timeout=600):
        return subprocess.run(
            app_command(script, *args),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO_ROOT,
        )

    return run


def _epochs_backed_up(metadata):
    try:
        return json.loads(metadata.read_text()).get("epoch", 0)
    except (OSError, ValueError):  # not written yet, or caught mid-write
        return 0


def kill_after_epochs(command, run_dir, epochs, timeout=300):
    """Start `command`, SIGKILL it once its backup holds `epochs` finished epochs; return
    the epoch count the backup holds after the kill (what a rerun resumes from)."""
    metadata = run_dir / "backup" / "training_metadata.json"
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if _epochs_backed_up(metadata) >= epochs:
                break
            time.sleep(0.02)
        assert process.poll() is None, "training finished before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert not (run_dir / "metrics.json").exists()
    return json.loads(metadata.read_text())["epoch"]


# Each recipe of applications/ and the package module holding its code (zoo train TASK).
APP_TASKS = {"train_cifar.py": "image", "train_text.py": "text", "train_bert.py": "bert",
             "train_gpt.py": "gpt", "train_timeseries.py": "timeseries",
             "train_recommender.py": "recommender"}  # fmt: skip


def load_app(script):
    """The module of an application script's code (`zoo.apps.<task>`; its `main(argv)` runs
    in this process)."""
    return importlib.import_module(f"zoo.apps.{APP_TASKS[script]}")


def assert_exits_2_with_one_line(script, argv, message, capsys):
    """`script`'s main(argv) exits with status 2 and prints one line containing `message`."""
    app = load_app(script)
    with pytest.raises(SystemExit) as exit_info:
        app.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert message in err
