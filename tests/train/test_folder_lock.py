"""One training process per run folder (zoo.train.folder_lock): a second run refuses in one
line naming the holder's pid; a killed holder leaves no stale lock."""

import subprocess
import sys
import textwrap

import pytest

from tests.applications.conftest import app_command
from zoo.errors import RunFolderBusyError
from zoo.train.folder_lock import hold_run_folder, release_run_folder

HOLD = textwrap.dedent("""
    import sys, time
    from zoo.train.folder_lock import hold_run_folder
    hold_run_folder(sys.argv[1])
    print("held", flush=True)
    time.sleep(120)
""")


def _holder(folder):
    """A child process that holds `folder`'s lock until killed."""
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE,
                             text=True)  # fmt: skip
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_process_is_refused_until_the_holder_dies(tmp_path):
    child = _holder(tmp_path / "run")
    try:
        with pytest.raises(RunFolderBusyError, match=rf"in use by another run \(pid {child.pid}\)"):
            hold_run_folder(tmp_path / "run")
    finally:
        child.kill()
        child.wait()
    hold_run_folder(tmp_path / "run")  # the OS dropped the killed holder's lock
    assert hold_run_folder(tmp_path / "run") is hold_run_folder(tmp_path / "run")
    release_run_folder(tmp_path / "run")


def test_an_application_into_a_busy_folder_exits_2_in_one_line(tmp_path):
    out = tmp_path / "run"
    child = _holder(out)
    try:
        result = subprocess.run(app_command("train_cifar.py", "--dataset", "synthetic", "--quiet",
                                            "--epochs", "1", "--output-dir", str(out)),
                                capture_output=True, text=True, timeout=600)  # fmt: skip
    finally:
        child.kill()
        child.wait()
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and f"(pid {child.pid})" in last, last
    assert "another --output-dir" in last and "Traceback" not in result.stderr
    assert not (out / "metrics.json").exists()
