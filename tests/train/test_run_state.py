"""What a run folder holds decides what a command into it may do (zoo.train.run_state)."""

import json

import pytest

from zoo._utils import write_json_atomic
from zoo.errors import ConfigError, DataSourceError, RunAlreadyFinished
from zoo.train.run_state import (
    CONFIG_FILE,
    DIVERGED_FILE,
    check_continuation,
    differences,
    remove_run_files,
    save_config,
)

CONFIG = {"backend": "jax", "flags": {"model": "cnn", "max_train_examples": 256},
          "recipe": {"epochs": 3, "learning_rate": 0.001, "batch_size": 64}}  # fmt: skip


def _changed(**recipe):
    return {**CONFIG, "recipe": {**CONFIG["recipe"], **recipe}}


def _stopped_run(folder, config=CONFIG):
    """A folder as a run killed after epoch 1 leaves it."""
    save_config(folder, config)
    write_json_atomic(folder / "backup" / "training_metadata.json", {"epoch": 1})


def _finished_run(folder, config=CONFIG):
    save_config(folder, config)
    (folder / "model.keras").write_bytes(b"zip")
    write_json_atomic(folder / "metrics.json", {"test_accuracy": 0.91234, "model": "cnn"})


def test_differences_name_settings_as_the_user_writes_them():
    changed = {**_changed(learning_rate=0.5, epochs=3), "backend": "torch",
               "flags": {"model": "resnet20", "max_train_examples": None}}  # fmt: skip
    assert differences(CONFIG, changed) == [
        "backend jax -> torch", "--max-train-examples 256 -> unset", "--model cnn -> resnet20",
        "--lr 0.001 -> 0.5"]  # fmt: skip
    assert differences(CONFIG, json.loads(json.dumps(CONFIG))) == []


def test_a_fresh_folder_accepts_anything(tmp_path):
    assert check_continuation(tmp_path, CONFIG, resuming=False) is None


def test_a_stopped_run_continues_only_with_its_own_settings(tmp_path):
    _stopped_run(tmp_path)
    assert check_continuation(tmp_path, CONFIG, resuming=True) is None
    with pytest.raises(ConfigError) as error:
        check_continuation(tmp_path, _changed(epochs=5), resuming=True)
    message = str(error.value)
    assert "stopped before its end" in message and "--epochs 3 -> 5" in message
    assert "--overwrite" in message and "--output-dir" in message and "\n" not in message


def test_after_a_divergence_only_the_learning_rate_may_change(tmp_path):
    _stopped_run(tmp_path)
    write_json_atomic(tmp_path / DIVERGED_FILE, {"epoch": 2, "step": 3, "loss": "nan"})
    with pytest.raises(ConfigError, match="--epochs 3 -> 4"):
        check_continuation(tmp_path, _changed(learning_rate=1e-4, epochs=4), resuming=True)
    change = check_continuation(tmp_path, _changed(learning_rate=1e-4), resuming=True)
    assert change == "--lr 0.001 -> 0.0001"
    save_config(tmp_path, _changed(learning_rate=1e-4), change)
    saved = json.loads((tmp_path / CONFIG_FILE).read_text())
    assert saved["recipe"]["learning_rate"] == 1e-4
    assert saved["changes"][0]["change"] == change
    assert not (tmp_path / DIVERGED_FILE).exists()  # the next divergence writes a new note
    # the kept history of changes is not a difference
    assert check_continuation(tmp_path, _changed(learning_rate=1e-4), resuming=True) is None


def test_a_finished_run_is_not_retrained(tmp_path):
    _finished_run(tmp_path)
    with pytest.raises(RunAlreadyFinished) as done:
        check_continuation(tmp_path, CONFIG, resuming=False)
    assert done.value.metrics["test_accuracy"] == 0.91234
    assert "already holds this run, finished (test_accuracy 0.9123)" in str(done.value)
    with pytest.raises(ConfigError, match="a finished run with other settings: --lr"):
        check_continuation(tmp_path, _changed(learning_rate=0.1), resuming=False)


def test_a_corrupt_configuration_is_refused_in_one_line(tmp_path):
    _stopped_run(tmp_path)
    (tmp_path / CONFIG_FILE).write_bytes(b"\x00{not json")
    with pytest.raises(DataSourceError, match=f"{CONFIG_FILE} is not valid JSON.*--overwrite"):
        check_continuation(tmp_path, CONFIG, resuming=True)


def test_overwrite_removes_the_run_and_nothing_else(tmp_path):
    _finished_run(tmp_path)
    for name in ("best.keras", "history.csv", "confusion_matrix_test.png", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "backup").mkdir()
    remove_run_files(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
