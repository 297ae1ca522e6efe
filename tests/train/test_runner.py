import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo import build_cnn
from zoo._utils import PARTIAL, atomic_path, write_json_atomic
from zoo.train import TrainingRecipe, TrainingRun


def _datasets(n=64, batch=16):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8, 8, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0).astype("int32")  # learnable
    train = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch, drop_remainder=True)
    return train, tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)


def test_run_folder_and_metrics(tmp_path):
    train, test = _datasets()
    recipe = TrainingRecipe(
        epochs=3,
        batch_size=16,
        optimizer="adam",
        learning_rate=1e-2,
        weight_decay=0.0,
        label_smoothing=0.1,
    )
    run = TrainingRun(tmp_path / "run", seed=1)
    with run.scope():
        model = build_cnn(input_shape=(8, 8, 1), num_classes=2, filters=(4,), dense_units=8)
        run.compile(model, recipe, steps_per_epoch=4)
    history = run.fit(model, train, validation=test, epochs=recipe.epochs, verbose=0)
    assert len(history.history["loss"]) == 3
    metrics = run.finish(model, test, {"model": "cnn", "dataset": "toy"})
    folder = tmp_path / "run"
    for name in ("model.keras", "best.keras", "history.csv", "metrics.json", "logs"):
        assert (folder / name).exists(), name
    run.done()
    assert not (folder / "backup").exists()  # removed once the run is done
    on_disk = json.loads((folder / "metrics.json").read_text())
    assert on_disk == json.loads(json.dumps(metrics))
    for key in (
        "backend",
        "model",
        "dataset",
        "test_accuracy",
        "test_loss",
        "train_seconds",
        "examples_per_second",
        "parameters",
    ):
        assert key in on_disk, key
    assert on_disk["backend"] == keras.backend.backend()
    assert on_disk["parameters"] == model.count_params()
    assert on_disk["best"]["monitor"] == "val_accuracy"
    assert on_disk["examples_per_second"] > 0
    reloaded = keras.saving.load_model(folder / "model.keras")  # custom loss reloads too
    np.testing.assert_allclose(
        reloaded.predict(test, verbose=0), model.predict(test, verbose=0), atol=1e-6
    )
    rows = (folder / "history.csv").read_text().strip().splitlines()
    assert len(rows) == 4  # header and three epochs


def test_best_checkpoint_keeps_the_best_value_across_runs(tmp_path):
    from zoo.train.callbacks import BestModelCheckpoint

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    checkpoint = BestModelCheckpoint(tmp_path / "best.keras", monitor="val_accuracy")
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    checkpoint.on_epoch_end(0, {"val_accuracy": 0.8})
    checkpoint.on_epoch_end(1, {"val_accuracy": 0.5})
    assert json.loads((tmp_path / "best.keras.json").read_text())["epoch"] == 1
    resumed = BestModelCheckpoint(tmp_path / "best.keras", monitor="val_accuracy")
    resumed.set_model(model)
    resumed.on_train_begin()
    resumed.on_epoch_end(2, {"val_accuracy": 0.7})  # worse than 0.8: kept
    assert json.loads((tmp_path / "best.keras.json").read_text())["best"] == pytest.approx(0.8)


def test_atomic_path_leaves_the_old_file_on_failure(tmp_path):
    target = tmp_path / "metrics.json"
    write_json_atomic(target, {"a": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            with open(tmp, "w") as handle:
                handle.write("half")
            raise RuntimeError("killed")
    assert json.loads(target.read_text()) == {"a": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]


def test_a_kill_between_the_last_epoch_and_finish_loses_nothing(tmp_path):
    """The backup outlives `fit` until `finish` has written model.keras and metrics.json: a
    run killed in between (simulated: a new TrainingRun on the same folder) resumes at its
    last epoch, trains nothing more, and finishes; only then is the backup removed."""
    train, test = _datasets()
    recipe = TrainingRecipe(epochs=2, batch_size=16, optimizer="adam", learning_rate=1e-2,
                            weight_decay=0.0)  # fmt: skip

    def start():
        run = TrainingRun(tmp_path / "run", seed=1)
        with run.scope():
            model = build_cnn(input_shape=(8, 8, 1), num_classes=2, filters=(4,), dense_units=8)
            run.compile(model, recipe, steps_per_epoch=4)
        return run, model

    run, model = start()
    run.fit(model, train, validation=test, epochs=2, verbose=0)
    assert (tmp_path / "run" / "backup" / "training_metadata.json").is_file()
    weights = model.get_weights()
    run, model = start()  # the kill: nothing but the folder survives
    assert run.resuming
    history = run.fit(model, train, validation=test, epochs=2, verbose=0)
    assert run.resumed_from_epoch == 2 and not history.history.get("loss")
    for restored, trained in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(restored, trained)
    metrics = run.finish(model, test, {"model": "cnn"})
    assert metrics["resumed_from_epoch"] == 2
    assert len((tmp_path / "run" / "history.csv").read_text().splitlines()) == 1 + 2
    assert (tmp_path / "run" / "backup").exists()  # until everything the run writes is written
    run.done()
    assert not (tmp_path / "run" / "backup").exists()


def test_a_writer_killed_mid_write_leaves_nothing_the_next_run_keeps(tmp_path):
    """atomic_path's temporary names carry the PARTIAL mark; a process killed while writing
    (simulated: the temporary is left on disk) leaves it, and the next run into the folder
    removes it before training, with the lock held. Other hidden files stay."""
    folder = tmp_path / "run"
    with atomic_path(folder / "model.keras") as tmp:
        assert Path(tmp).name.startswith(f".model.keras{PARTIAL}")
        Path(tmp).write_bytes(b"a model")
    (folder / f".best.keras{PARTIAL}k1ll3d_x.keras").write_bytes(b"half a model")  # the kill
    (folder / "export").mkdir()
    (folder / "export" / f".model.onnx{PARTIAL}abc").write_bytes(b"half an export")
    (folder / ".keep").write_text("a user's file")
    train, test = _datasets()
    run = TrainingRun(folder, seed=1)
    with run.scope():
        model = build_cnn(input_shape=(8, 8, 1), num_classes=2, filters=(4,), dense_units=8)
        run.compile(model, TrainingRecipe(epochs=1, batch_size=16, optimizer="adam",
                                          learning_rate=1e-2, weight_decay=0.0),
                    steps_per_epoch=4)  # fmt: skip
    run.fit(model, train, epochs=1, verbose=0)
    assert not [p for p in folder.rglob("*") if PARTIAL in p.name]
    assert (folder / ".keep").read_text() == "a user's file"
