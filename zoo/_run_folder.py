"""A model to explain or evaluate: a run folder (what an application wrote) or a `.keras` file.

A run folder holds `model.keras` and `metrics.json`, whose record names the registered model,
the data set, the seed and (for images) the channel statistics the model was trained with;
beside them the run's encoders (`text_encoder.json`, `tokenizer/`, `tabular_encoder.json`).
A bare `.keras` file carries none of this.

Example:
>>> run = read_run("runs/resnet20_cifar10")  # doctest: +SKIP
>>> run.record["model"], load_model(run.model_path).name  # doctest: +SKIP
('resnet20', 'resnet20')
"""

import dataclasses
import json
from pathlib import Path

import keras

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
