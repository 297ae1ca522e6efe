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
import zipfile
from pathlib import Path

import keras

from zoo._utils import first_line
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
        return RunFiles(model_path, path, _read_record(path / "metrics.json"))
    if path.suffix != ".keras" or not path.is_file():
        raise DataSourceError(
            f"{path} is neither a run folder nor a .keras file; pass one of them."
        )
    return RunFiles(path, None, {})


def _read_record(metrics):
    """The run's `metrics.json` record ({} without one); a corrupt one is one clear error."""
    if not metrics.is_file():
        return {}
    try:
        record = json.loads(metrics.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataSourceError(
            f"{metrics} is not readable JSON ({error}); rerun the training command to rewrite "
            "it, or pass the run's model.keras file instead of its folder."
        ) from None
    return record if isinstance(record, dict) else {}


def load_model(model_path):
    """The model of a `.keras` file, for inference (not compiled); a file that exists but is
    not a readable Keras model (not a zip, truncated, corrupt) is one `DataSourceError`."""
    model_path = Path(model_path)
    advice = "it is corrupt or truncated; export it again or retrain the run"
    if not zipfile.is_zipfile(model_path):
        raise DataSourceError(
            f"{model_path} exists but is not a readable Keras model (not a .keras zip "
            f"archive): {advice}."
        )
    try:
        with zipfile.ZipFile(model_path) as archive:
            damaged = archive.testzip()  # every member's checksum: catches flipped bytes
        if damaged:
            raise zipfile.BadZipFile(f"{damaged} fails its checksum")
        return keras.saving.load_model(model_path, compile=False)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise DataSourceError(
            f"{model_path} exists but is not a readable Keras model ({first_line(error)}): "
            f"{advice}."
        ) from None
