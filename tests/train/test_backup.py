"""`RunBackup`: complete or absent, never half written; restores weights and optimizer."""

import json

import keras
import numpy as np
import pytest

from zoo.errors import DataSourceError
from zoo.train.backup import RunBackup, backup_epoch, state_bytes


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    return model


def _fit(model, folder, epochs):
    x = np.arange(24, dtype="float32").reshape(8, 3) / 24
    return model.fit(x, x.sum(axis=1), epochs=epochs, batch_size=4, verbose=0,
                     callbacks=[RunBackup(folder)])  # fmt: skip


def test_a_resumed_model_continues_where_the_backup_left_it(tmp_path):
    trained = _model()
    _fit(trained, tmp_path, 2)
    assert backup_epoch(tmp_path) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "epoch-2.npz", "training_metadata.json"]  # fmt: skip
    resumed = _model()
    history = _fit(resumed, tmp_path, 3)
    assert len(history.history["loss"]) == 1  # epoch 3 only
    # the optimizer's state came back too: its step count went on from 2 epochs of 2 steps
    assert int(keras.ops.convert_to_numpy(resumed.optimizer.iterations)) == 6


def test_the_metadata_only_ever_names_a_complete_file(tmp_path):
    _fit(_model(), tmp_path, 1)
    (tmp_path / ".epoch-2.npz.partial-abc.npz").write_bytes(b"half")  # a writer killed
    assert backup_epoch(tmp_path) == 1
    history = _fit(_model(), tmp_path, 2)
    assert len(history.history["loss"]) == 1


@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 truncated", b"not a zip"])
def test_a_damaged_backup_is_refused_in_one_line(tmp_path, damage):
    _fit(_model(), tmp_path, 1)
    (tmp_path / "epoch-1.npz").write_bytes(damage)
    with pytest.raises(DataSourceError, match="epoch-1.npz cannot be loaded.*--overwrite"):
        _fit(_model(), tmp_path, 2)


def test_a_backup_of_another_model_is_refused(tmp_path):
    _fit(_model(), tmp_path, 1)
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    other.compile("adam", "mse")
    with pytest.raises(DataSourceError, match="cannot be loaded.*has shape"):
        _fit(other, tmp_path, 2)


def test_corrupt_metadata_is_refused_in_one_line(tmp_path):
    _fit(_model(), tmp_path, 1)
    (tmp_path / "training_metadata.json").write_text("{")
    corrupt = "training_metadata.json is not valid JSON.*--overwrite"
    with pytest.raises(DataSourceError, match=corrupt):
        backup_epoch(tmp_path)


def test_state_bytes_counts_weights_and_optimizer_slots(tmp_path):
    model = _model()
    weights = 4 * model.count_params()
    assert state_bytes(model) == 3 * weights  # Adam's two slots, before it is built
    _fit(model, tmp_path, 1)
    assert 3 * weights <= state_bytes(model) <= 3 * weights + 64  # and its step counters
    metadata = json.loads((tmp_path / "training_metadata.json").read_text())
    assert metadata == {"epoch": 1, "weights": "epoch-1.npz"}


def test_non_finite_weights_are_never_backed_up(tmp_path):
    from zoo.errors import TrainingDivergedError

    model = _model()
    _fit(model, tmp_path, 1)

    class Poison(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            kernel, bias = model.layers[0].get_weights()
            model.layers[0].set_weights([kernel * np.nan, bias])

    x = np.ones((8, 3), dtype="float32")
    with pytest.raises(TrainingDivergedError, match=r"epoch 2: .*kernel not finite"):
        model.fit(x, x.sum(axis=1), epochs=2, batch_size=4, verbose=0,
                  callbacks=[Poison(), RunBackup(tmp_path)])  # fmt: skip
    assert backup_epoch(tmp_path) == 1 and (tmp_path / "epoch-1.npz").is_file()
