"""Callbacks every training run gets from `zoo.train.TrainingRun.fit`."""

import json
import math
import time
from pathlib import Path

import keras

from zoo._utils import atomic_path, write_json_atomic


class BestModelCheckpoint(keras.callbacks.Callback):
    """Save the whole model to `path` when `monitor` improves, atomically and resumably.

    Unlike `keras.callbacks.ModelCheckpoint`, the file is written under a temporary name and
    renamed, and the best value is kept beside it (`<path>.json`) so that a resumed run does
    not overwrite a better model with a worse one. `saved_model`: the model to save, when the
    model being fit only trains it (a distiller's student).
    """

    def __init__(self, path, monitor="val_accuracy", mode="max", saved_model=None):
        super().__init__()
        self.saved_model = saved_model  # default: the model being fit
        self.path = Path(path)
        self.monitor = monitor
        self.mode = mode
        self.state_path = self.path.with_name(self.path.name + ".json")
        self.best = None

    def on_train_begin(self, logs=None):
        if self.state_path.is_file() and self.path.is_file():
            self.best = json.loads(self.state_path.read_text())["best"]

    def _improved(self, value):
        if self.best is None:
            return True
        return value > self.best if self.mode == "max" else value < self.best

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or math.isnan(value) or not self._improved(value):
            return
        self.best = float(value)
        with atomic_path(self.path) as tmp:
            (self.saved_model or self.model).save(tmp)
        write_json_atomic(
            self.state_path, {"best": self.best, "monitor": self.monitor, "epoch": epoch + 1}
        )


class ThroughputMeter(keras.callbacks.Callback):
    """Measure training examples per second, leaving out this process's first epoch.

    The first epoch pays for tracing and compilation; steady-state throughput is what
    comparisons between backends need. With a single epoch, that epoch is used.
    """

    def __init__(self, batch_size):
        super().__init__()
        self.batch_size = batch_size
        self.epoch_times = []
        self.epoch_steps = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self._steps += 1

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_times.append(time.perf_counter() - self._start)
        self.epoch_steps.append(self._steps)

    @property
    def examples_per_second(self):
        times, steps = self.epoch_times, self.epoch_steps
        if len(times) > 1:
            times, steps = times[1:], steps[1:]
        seconds = sum(times)
        return sum(steps) * self.batch_size / seconds if seconds else 0.0
