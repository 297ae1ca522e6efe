"""Stop a run at the first non-finite loss, before anything of the diverged epoch is saved.

A loss of NaN or infinity means the weights are (or are about to be) garbage: a run that
goes on would back them up, keep them as `model.keras` and report `NaN` as its result.
`StopOnDivergence` raises `zoo.errors.TrainingDivergedError` from inside `fit` at the first
such batch, so the epoch-end callbacks (the backup, the best checkpoint, the history row)
never see it: the run folder keeps the last good epoch and a note of the divergence
(`diverged.json`, which lets the next command continue with a lower `--lr`), and the
application prints one line and exits with status 2.

Example:
>>> import numpy as np, keras
>>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
>>> model.compile(keras.optimizers.SGD(0.1), "mse")
>>> try:
...     model.fit(np.full((8, 1), 1e30), np.ones(8), callbacks=[StopOnDivergence()], verbose=0)
... except TrainingDivergedError as error:
...     print(str(error).split(".")[0])
Training diverged at epoch 1, step 1: the loss is inf
"""

import math
from pathlib import Path

import keras
import numpy as np

from zoo._utils import write_json_atomic
from zoo.errors import TrainingDivergedError
from zoo.train.run_state import DIVERGED_FILE


class StopOnDivergence(keras.callbacks.Callback):
    """Raise `TrainingDivergedError` (epoch, step, loss, what to try) at the first batch whose
    loss is not finite. `folder`: the run folder the message names (what it keeps); `advice`
    ends the message.
    """

    def __init__(self, folder=None, advice="Try a lower learning rate (--lr) or another "
                 "optimizer."):  # fmt: skip
        super().__init__()
        self.folder = folder
        self.advice = advice
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(keras.ops.convert_to_numpy(loss))
        if not math.isfinite(loss):
            if self.folder is not None:
                note = {"epoch": self._epoch + 1, "step": batch + 1, "loss": str(loss)}
                write_json_atomic(Path(self.folder) / DIVERGED_FILE, note)
            raise TrainingDivergedError(
                f"Training diverged at epoch {self._epoch + 1}, step {batch + 1}: the loss is "
                f"{loss}. {self._kept()}{self.advice}"
            )

    def _kept(self):
        if self.folder is None:
            return ""
        if self._epoch == 0:
            return f"{self.folder} holds no finished epoch. "
        return f"{self.folder} keeps epoch {self._epoch}, the last good one. "


def non_finite_weights(model):
    """The names of `model`'s weights that hold NaN or infinity (empty: all finite)."""
    return [weight.path for weight in model.weights
            if not np.isfinite(keras.ops.convert_to_numpy(weight)).all()]  # fmt: skip
