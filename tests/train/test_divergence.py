"""A diverging run stops at the first non-finite loss, keeps its last good epoch and never
saves a NaN model (zoo.train.divergence, TrainingRun.finish)."""

import json
import re

import keras
import numpy as np
import pytest

from zoo.errors import ConfigError, TrainingDivergedError
from zoo.train import TrainingRecipe, TrainingRun
from zoo.train.divergence import StopOnDivergence, non_finite_weights

RECIPE = TrainingRecipe(epochs=3, batch_size=8, optimizer="sgd", learning_rate=0.01,
                        weight_decay=0.0, schedule="constant", augment=False)  # fmt: skip


def _regression(scale=1.0, rows=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 4)).astype("float32") * scale
    return x, (x @ np.arange(1.0, 5.0)).astype("float32")


def _model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])


def test_stops_at_the_first_non_finite_batch_with_epoch_and_step():
    model = _model()
    model.compile(keras.optimizers.SGD(1e6), "mse")
    x, y = _regression(scale=1e3)
    with pytest.raises(TrainingDivergedError, match=r"epoch 1, step \d+: the loss is (nan|inf)"):
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[StopOnDivergence()])


def test_a_finite_run_is_left_alone():
    model = _model()
    model.compile(keras.optimizers.SGD(0.01), "mse")
    history = model.fit(*_regression(), batch_size=8, epochs=2, verbose=0,
                        callbacks=[StopOnDivergence()])  # fmt: skip
    assert len(history.history["loss"]) == 2


def test_non_finite_weights_names_them():
    model = _model()
    assert non_finite_weights(model) == []
    kernel, bias = model.layers[0].get_weights()
    kernel[0, 0] = np.nan
    model.layers[0].set_weights([kernel, bias])
    assert non_finite_weights(model) == [model.layers[0].kernel.path]


def _run(tmp_path, learning_rate, epochs):
    run = TrainingRun(tmp_path / "run", seed=0)
    model = _model()
    recipe = RECIPE.replace(learning_rate=learning_rate, epochs=epochs)
    run.open({"model": "dense", "recipe": recipe.to_dict()})
    run.compile(model, recipe, loss="mse", metrics=(), monitor="loss", monitor_mode="min",
                steps_per_epoch=8)  # fmt: skip
    return run, model


def _data(scale=1.0):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices(_regression(scale)).batch(8)


def test_a_diverged_run_keeps_its_last_good_epoch_and_saves_no_model(tmp_path):
    """SGD at rate 1 on these rows grows slowly, then overflows many epochs in: the run stops
    there, and the folder holds every good epoch and nothing of the diverged one."""
    run, model = _run(tmp_path, 1.0, epochs=30)
    advice = r"the last good one. Rerun the same command with a lower --lr \(this run: 1, sgd\)"
    with pytest.raises(TrainingDivergedError, match=advice) as error:
        run.fit(model, _data(), epochs=30, verbose=0)
    diverged = int(re.search(r"at epoch (\d+), step \d+: the loss is", str(error.value))[1])
    assert 1 < diverged < 30
    folder = tmp_path / "run"
    assert not (folder / "model.keras").exists()
    history = (folder / "history.csv").read_text().splitlines()
    assert len(history) == 1 + diverged - 1, history[-2:]  # no row of the diverged epoch
    metadata = json.loads((folder / "backup" / "training_metadata.json").read_text())
    assert metadata["epoch"] == diverged - 1  # a rerun goes on from the last good epoch
    assert not non_finite_weights(keras.saving.load_model(folder / "best.keras"))
    assert json.loads((folder / "diverged.json").read_text())["epoch"] == diverged


class _Rows(keras.utils.PyDataset):
    """The regression rows in batches of 8; with `bad_epoch`, that epoch's first batch is NaN
    (a loss spike), which makes the update and the weights NaN."""

    def __init__(self, bad_epoch=None):
        super().__init__()
        self.x, self.y = _regression()
        self.bad_epoch, self.epoch = bad_epoch, 0

    def __len__(self):
        return len(self.x) // 8

    def __getitem__(self, index):
        x = self.x[index * 8:(index + 1) * 8]
        return (x * np.nan if (self.epoch, index) == (self.bad_epoch, 0) else x,
                self.y[index * 8:(index + 1) * 8])  # fmt: skip

    def on_epoch_end(self):
        self.epoch += 1


def test_a_diverged_run_goes_on_with_a_lower_learning_rate(tmp_path, capsys):
    """The advice of a diverged run, followed: the same command with a lower --lr resumes
    from the last good epoch (any other change is refused) and trains to the end."""
    run, model = _run(tmp_path, 0.01, epochs=5)
    with pytest.raises(TrainingDivergedError, match=r"at epoch \d, step 1") as error:
        run.fit(model, _Rows(bad_epoch=2), epochs=5, verbose=0)
    kept = int(re.search(r"at epoch (\d)", str(error.value))[1]) - 1
    assert kept >= 1
    with pytest.raises(ConfigError, match="--epochs 5 -> 6"):
        _run(tmp_path, 0.001, epochs=6)
    run, model = _run(tmp_path, 0.001, epochs=5)
    assert "Resuming after the divergence with --lr 0.01 -> 0.001" in capsys.readouterr().out
    history = run.fit(model, _Rows(), epochs=5, verbose=0)
    assert run.resumed_from_epoch == kept and len(history.history["loss"]) == 5 - kept
    assert not non_finite_weights(model)
    config = json.loads((tmp_path / "run" / "run_config.json").read_text())
    assert config["recipe"]["learning_rate"] == 0.001 and len(config["changes"]) == 1


def test_finish_refuses_a_model_with_nan_weights(tmp_path):
    run, model = _run(tmp_path, 0.01, epochs=1)
    run.fit(model, _data(), epochs=1, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    model.layers[0].set_weights([np.full_like(kernel, np.nan), bias])
    with pytest.raises(TrainingDivergedError, match="kernel.*not finite; nothing was saved"):
        run.finish(model, _data(), {"model": "dense"})
    assert not (tmp_path / "run" / "model.keras").exists()
    assert not (tmp_path / "run" / "metrics.json").exists()
