"""`RunBackup`: the end-of-epoch backup a killed run resumes from, never half written.

Each epoch's weights and optimizer state go to `backup/epoch-<N>.npz` under a temporary name
that is renamed once complete; only then does `backup/training_metadata.json` (written the
same way) point to them, and only then is the previous epoch's file deleted. A kill or a full
disk at any moment leaves the metadata naming a complete file, so the next run resumes from
the last epoch whose backup finished. (Keras's `BackupAndRestore` writes in place, so a fault
mid-write leaves a backup no later run can load; and h5py, which it writes with, crashes the
interpreter after a write that ran out of space. NumPy's archive is written through a
Python file, which fails with a plain `OSError`.)

Example:
>>> import numpy as np, keras, tempfile
>>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
>>> model.compile("sgd", "mse")
>>> folder = tempfile.mkdtemp()
>>> _ = model.fit(np.ones((4, 2)), np.ones(4), epochs=2, verbose=0,
...               callbacks=[RunBackup(folder)])
>>> backup_epoch(folder)
2
"""

import zipfile
from pathlib import Path

import keras
import numpy as np

from zoo._keras_internals import set_initial_epoch
from zoo._utils import atomic_path, first_line, write_json_atomic
from zoo.errors import DataSourceError, TrainingDivergedError
from zoo.train.run_state import read_json

METADATA = "training_metadata.json"


def backup_epoch(backup_dir):
    """The number of epochs the backup in `backup_dir` holds (0: none)."""
    metadata = _read_metadata(Path(backup_dir))
    return metadata.get("epoch", 0) if metadata else 0


def _read_metadata(backup_dir):
    return read_json(backup_dir / METADATA, "the backup's metadata")


class RunBackup(keras.callbacks.Callback):
    """Back up the model and optimizer at each epoch's end to `backup_dir`; restore at the
    start of `fit` when a backup is there (the run continues from the epoch after it)."""

    def __init__(self, backup_dir):
        super().__init__()
        self.backup_dir = Path(backup_dir)

    def on_train_begin(self, logs=None):
        metadata = _read_metadata(self.backup_dir)
        if not metadata:
            return
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        path = self.backup_dir / metadata["weights"]
        try:
            with np.load(path) as arrays:
                _assign(self.model.weights, arrays, "w", path)
                if optimizer is not None:
                    _assign(optimizer.variables, arrays, "o", path)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise DataSourceError(
                f"the backup {path} cannot be loaded ({first_line(error)}); rerun with "
                "--overwrite to start the run afresh."
            ) from None
        set_initial_epoch(self.model, metadata["epoch"])

    def on_epoch_end(self, epoch, logs=None):
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        name = f"epoch-{epoch + 1}.npz"
        arrays = _arrays(self.model.weights, "w")
        broken = [v.path for v, a in zip(self.model.weights, arrays.values(), strict=True)
                  if a.dtype.kind == "f" and not np.isfinite(a).all()]  # fmt: skip
        if broken:  # the epoch's last update made them NaN: keep the previous backup
            raise TrainingDivergedError(
                f"Training diverged in epoch {epoch + 1}: {', '.join(broken[:3])} not finite "
                f"after its last step; {self.backup_dir} keeps the epoch before. Rerun the "
                "same command with a lower --lr, or add --overwrite to start afresh."
            )
        if self.model.optimizer is not None:
            arrays.update(_arrays(self.model.optimizer.variables, "o"))
        with atomic_path(self.backup_dir / name) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, **arrays)
        write_json_atomic(self.backup_dir / METADATA, {"epoch": epoch + 1, "weights": name})
        for old in self.backup_dir.glob("epoch-*.npz"):
            if old.name != name:
                old.unlink(missing_ok=True)


def _arrays(variables, prefix):
    return {f"{prefix}{i}": keras.ops.convert_to_numpy(v) for i, v in enumerate(variables)}


def _assign(variables, arrays, prefix, path):
    stored = sum(1 for key in arrays.files if key.startswith(prefix))
    if stored != len(variables):
        raise ValueError(f"{stored} arrays for {len(variables)} variables of another model")
    for i, variable in enumerate(variables):
        value = arrays[f"{prefix}{i}"]
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"{variable.path} has shape {tuple(variable.shape)}, the backup "
                             f"{tuple(value.shape)}")  # fmt: skip
        variable.assign(value)


def state_bytes(model):
    """About how many bytes a copy of `model`'s weights and optimizer state takes (before the
    optimizer is built, its state is counted as two slots per weight, as Adam's)."""
    weights = _bytes(model.weights)
    optimizer = getattr(model, "optimizer", None)  # an uncompiled model has none
    if optimizer is not None and optimizer.built:
        return weights + _bytes(optimizer.variables)
    return 3 * weights


def _bytes(variables):
    # bits from the dtype's name ("float32", "bfloat16", "int64"); "bool" is one byte
    sizes = (int("".join(filter(str.isdigit, str(v.dtype))) or 8) // 8 for v in variables)
    return sum(int(np.prod(v.shape)) * size for v, size in zip(variables, sizes, strict=True))
