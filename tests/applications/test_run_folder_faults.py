"""Fault injection: a real run killed at each moment a file of its folder becomes visible,
out of space, or in a read-only folder; then the same command again. The folder must end
complete and consistent (every epoch's history row once, model.keras, metrics.json, no backup
and no half-written file), and no more than the epoch under way is ever trained twice.

Kills are deterministic: `ZOO_TEST_KILL_AT="write <file>"` makes the process SIGKILL itself
with the file fully written under its temporary name, just before the rename (zoo._faults).
"""

import csv
import json
import os
import signal
import subprocess
import sys

import keras
import pytest

from tests.applications.conftest import app_command
from zoo._faults import KILL_AT
from zoo._utils import PARTIAL

# Real runs in processes: .ci/run runs them. A kill while training (the backup, the resume
# and the optimizer state each backend restores) is tested on every backend; what follows the
# last epoch (saving, exporting, a full disk, a read-only folder) is zoo's own file handling,
# the same whatever the backend, and is tested once (`backend_independent`).
pytestmark = pytest.mark.slow

EPOCHS = 3
SMOKE = ["--model", "cnn", "--dataset", "synthetic", "--max-train-examples", "96",
         "--max-test-examples", "32", "--batch-size", "32", "--epochs", str(EPOCHS),
         "--quiet"]  # fmt: skip


def _run(out, kill_at=None, *extra, wrapper=()):
    env = {key: value for key, value in os.environ.items() if key != KILL_AT}
    if kill_at:
        env[KILL_AT] = kill_at
    command = app_command("train_cifar.py", *SMOKE, "--output-dir", str(out), *extra)
    command = [*wrapper, *command[1:]] if wrapper else command
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def _backup_epoch(out):
    metadata = out / "backup" / "training_metadata.json"
    return json.loads(metadata.read_text())["epoch"] if metadata.is_file() else 0


def _assert_complete(out):
    with open(out / "history.csv", newline="") as handle:
        assert [int(row["epoch"]) for row in csv.DictReader(handle)] == list(range(EPOCHS))
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_accuracy"] >= 0 and metrics["epochs"] == EPOCHS
    assert keras.saving.load_model(out / "model.keras").count_params() == metrics["parameters"]
    assert not (out / "backup").exists()
    assert not [path.name for path in out.rglob(f"*{PARTIAL}*")]
    return metrics


def _kill_in_turn(out, schedule):
    """Kill runs into `out` at each (point, epochs backed up after the kill) of `schedule` in
    turn, then run the same command to its end; return that last run."""
    for point, resumes_from in schedule:
        killed = _run(out, point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-2000:])
        assert _backup_epoch(out) == resumes_from, point
        assert not (out / "metrics.json").exists(), point
    finished = _run(out)
    assert finished.returncode == 0, finished.stderr[-2000:]
    return finished


def test_a_run_killed_at_each_write_while_training_loses_at_most_an_epoch(tmp_path):
    """Each point is reached at its first occurrence in the process, in the epoch after the
    last complete backup, which is where each rerun resumes."""
    out = tmp_path / "run"
    finished = _kill_in_turn(out, [
        ("write epoch-1.npz", 0),  # epoch 1's backup, half written: nothing to resume
        ("write best.keras", 1),  # epoch 1 backed up, its best model half written
        ("write training_metadata.json", 1),  # epoch 2's backup written, not yet named
    ])  # fmt: skip
    assert "Resuming from epoch 1" in finished.stdout
    assert _assert_complete(out)["resumed_from_epoch"] == 1


@pytest.mark.backend_independent
def test_a_run_killed_while_saving_its_results_trains_nothing_again(tmp_path):
    """Killed after its last epoch, the run resumes there and only saves; finished, the same
    command trains nothing, another one is refused, and --overwrite trains afresh."""
    out = tmp_path / "run"
    finished = _kill_in_turn(out, [("write model.keras", EPOCHS), ("write metrics.json", EPOCHS)])
    assert f"Resuming from epoch {EPOCHS}" in finished.stdout
    metrics = _assert_complete(out)
    assert metrics["resumed_from_epoch"] == EPOCHS
    again = _run(out)
    assert again.returncode == 0 and "already holds this run, finished" in again.stdout
    assert json.loads((out / "metrics.json").read_text()) == metrics
    other = _run(out, None, "--lr", "0.01")
    assert other.returncode == 2
    line = other.stderr.strip().splitlines()[-1]
    assert "holds a finished run with other settings: --lr 0.001 -> 0.01" in line
    replaced = _run(out, None, "--lr", "0.01", "--overwrite")
    assert replaced.returncode == 0, replaced.stderr[-2000:]
    assert json.loads((out / "metrics.json").read_text())["recipe"]["learning_rate"] == 0.01
    assert _assert_complete(out)["resumed_from_epoch"] == 0


@pytest.mark.backend_independent
def test_a_run_killed_while_exporting_exports_when_rerun(tmp_path):
    """The backup outlives the export: a kill there resumes at the last epoch, saves and
    exports again, and only then is the run finished."""
    out = tmp_path / "run"
    killed = _run(out, "write saved_model", "--export", "saved_model")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert _backup_epoch(out) == EPOCHS and not (out / "saved_model").exists()
    finished = _run(out, None, "--export", "saved_model")
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert f"Resuming from epoch {EPOCHS}" in finished.stdout
    metrics = _assert_complete(out)
    assert (out / "saved_model" / "saved_model.pb").is_file()
    assert metrics["export"]["saved_model"]["verification"] is not None


def _with_file_size_limit(limit):
    """A `preexec` for `_run` in the form of a wrapper command: the child gets a file size
    limit, and a write past it fails (EFBIG, as on a full disk) rather than killing it."""
    return [sys.executable, "-c",
            "import os, resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
            "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"]  # fmt: skip


@pytest.mark.backend_independent
def test_a_write_that_fails_for_space_is_one_line_and_leaves_nothing_half_written(tmp_path):
    """A file size limit below the model's backup makes epoch 1's backup fail mid-write, as a
    full disk would (a failure after a complete backup resumes from it, as any kill does)."""
    out = tmp_path / "run"
    full = _run(out, wrapper=_with_file_size_limit(2 * 2**20))
    assert full.returncode == 2, full.stderr[-2000:]
    line = full.stderr.strip().splitlines()[-1]
    assert line.startswith("error: cannot write ") and "backup" in line
    assert "larger than the file system" in line and "--output-dir" in line
    assert not (out / "model.keras").exists() and not list(out.rglob(f"*{PARTIAL}*"))
    assert _backup_epoch(out) == 0 and not list((out / "backup").glob("*.npz"))


def _read_only_folder(tmp_path):
    """A folder the process cannot write: permissions for a user, a read-only tmpfs for
    root (root ignores permissions); None where neither can be had."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(folder)],
                             capture_output=True)  # fmt: skip
    return folder if mounted.returncode == 0 else None


@pytest.mark.backend_independent
def test_a_read_only_folder_is_refused_in_one_line(tmp_path):
    folder = _read_only_folder(tmp_path)
    if folder is None:
        pytest.skip("no read-only folder can be made here (root without mount)")
    try:
        result = _run(folder / "run")
        assert result.returncode == 2, result.stderr[-2000:]
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith(f"error: cannot write {folder / 'run'}") or line.startswith(
            f"error: cannot access {folder / 'run'}"), line
        assert "writable --output-dir" in line
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(folder)], capture_output=True)
