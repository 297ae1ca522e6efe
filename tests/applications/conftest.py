import os
import subprocess
import sys

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
