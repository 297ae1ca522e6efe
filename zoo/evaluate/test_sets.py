"""Where `zoo evaluate` reads a model and its test sets from.

A *run folder* (an application's `--output-dir`) holds `model.keras` and `metrics.json`, which
names the registered model (so its task) and, for images, the data set and the channel
statistics the model was trained with. A bare `.keras` file says none of this, so the command
asks for `--task` then.

A test set is either an image data set (`load_image_test_set`: a registered name, or its
published files in a folder, normalised with the run's statistics) or an `.npz` file that works
for any model: one array per model input, keyed by the input's name (`x` for a single-input
model), labels under `y` (class ids, clicks, or windows x horizon for forecasters), and for
forecasters optional baselines under `baseline_<name>`.

Example:
>>> np.savez("test.npz", x=images, y=labels)  # doctest: +SKIP
>>> dataset, extras = npz_test_set("test.npz", model)  # doctest: +SKIP
"""

import dataclasses
import json
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from zoo.errors import DataSourceError


@dataclasses.dataclass(frozen=True)
class RunFiles:
    """A model to evaluate: its `.keras` file, its run folder (or None) and that run's
    `metrics.json` record (empty for a bare model file)."""

    model_path: Path
    run_dir: Path | None
    record: dict


def read_run(path):
    """`RunFiles` of a run folder or a `.keras` file; one clear error for anything else."""
    path = Path(path)
    if path.is_dir():
        model_path = path / "model.keras"
        if not model_path.is_file():
            raise DataSourceError(
                f"{path} is not a run folder: it has no model.keras (pass the folder an "
                "application wrote, or a .keras file)."
            )
        metrics = path / "metrics.json"
        record = json.loads(metrics.read_text()) if metrics.is_file() else {}
        return RunFiles(model_path, path, record)
    if path.suffix != ".keras" or not path.is_file():
        raise DataSourceError(
            f"{path} is neither a run folder nor a .keras file; pass one of them."
        )
    return RunFiles(path, None, {})


def load_model(model_path):
    """The model of a `.keras` file, for inference (not compiled)."""
    return keras.saving.load_model(model_path, compile=False)


def takes_dict(model):
    """Whether `model` is called on a dict of named inputs (a Sequential never is)."""
    return not isinstance(model, keras.Sequential) and isinstance(model.input, dict)


def _input_names(model):
    if takes_dict(model):
        return list(model.input)
    return [tensor.name for tensor in model.inputs]


def npz_test_set(path, model, *, batch_size=256):
    """A batched `(inputs, y)` dataset from an `.npz` file, and its `baseline_*` arrays.

    Inputs are keyed by the model's input names (`x` also works for a single input)."""
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(f"Test set {path} does not exist.")
    try:
        arrays = dict(np.load(path, allow_pickle=False))
    except (OSError, ValueError) as error:
        raise DataSourceError(f"{path} is not a numpy .npz file ({error}).") from None
    names = _input_names(model)
    if "y" not in arrays:
        raise DataSourceError(f"{path} has no labels: save them under 'y' (np.savez(..., y=...)).")
    if len(names) == 1 and names[0] not in arrays and "x" in arrays:
        arrays[names[0]] = arrays.pop("x")
    missing = [name for name in names if name not in arrays]
    if missing:
        raise DataSourceError(
            f"{path} lacks the model's input(s) {missing}; save one array per input under its "
            f"name ({', '.join(names)})" + (" or 'x'" if len(names) == 1 else "") + "."
        )
    inputs = {name: arrays[name] for name in names}
    if not takes_dict(model):
        inputs = inputs[names[0]] if len(names) == 1 else tuple(inputs[n] for n in names)
    labels = arrays["y"]
    sizes = {len(array) for array in keras.tree.flatten(inputs)} | {len(labels)}
    if len(sizes) != 1:
        raise DataSourceError(f"{path}: its arrays have different lengths {sorted(sizes)}.")
    dataset = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(batch_size)
    baselines = {key[len("baseline_"):]: value for key, value in arrays.items()
                 if key.startswith("baseline_")}  # fmt: skip
    description = {"dataset": path.name, "data_source": str(path), "num_test": len(labels)}
    return dataset, {"baselines": baselines, "labels": labels, "description": description}


def image_statistics(record, dataset, data_dir, image_shape):
    """The channel mean and std the model was trained with: the run's, else (a bare model)
    those of `dataset`'s training split."""
    normalization = record.get("normalization")
    if normalization:
        return normalization["mean"], normalization["std"]
    from zoo.data import load_image_data

    data = load_image_data(dataset, data_dir=data_dir, image_shape=image_shape,
                           validation_split=0.0, augment=False)  # fmt: skip
    return data.mean, data.std
