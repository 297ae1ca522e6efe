"""What a run folder holds and whether a command may continue it.

A run saves its configuration (the model, the data, the recipe: everything that decides the
weights) in `run_config.json` when it starts. A later command into the same folder is
compared with it:

- the folder holds a backup (a run killed or stopped before its end): the same
  configuration resumes; another is refused in one line listing the differences. The one
  exception is the learning rate after a divergence (`diverged.json`): the advice of a
  diverged run is to go on with a lower `--lr`.
- the folder holds a finished run (`model.keras` and `metrics.json`, no backup): the same
  configuration does nothing and says so; another is refused the same way.
- `--overwrite` deletes the run's files (never anything else in the folder) first.

Example:
>>> print(*differences({"flags": {"model": "cnn"}, "recipe": {"epochs": 3}},
...                    {"flags": {"model": "resnet20"}, "recipe": {"epochs": 3}}))
--model cnn -> resnet20
"""

import json
import time
from pathlib import Path

from zoo._utils import remove_path, write_json_atomic
from zoo.errors import ConfigError, DataSourceError, RunAlreadyFinished

CONFIG_FILE = "run_config.json"
DIVERGED_FILE = "diverged.json"
# Everything a run writes into its folder (patterns), as `--overwrite` deletes it.
RUN_FILES = ("backup", "model.keras", "model_*.keras", "best.keras", "best.keras.json",
             "encoder.keras", "history.csv", "logs", "metrics.json", CONFIG_FILE, DIVERGED_FILE,
             "tokenizer", "text_encoder.json", "tabular_encoder.json", "evaluation.json",
             "evaluation.md", "confusion_matrix*.png", "reliability*.png", "group_auc*.png",
             "horizon_errors*.png", "training_curves.png", "saved_model", "model.onnx")  # fmt: skip
# The one setting a diverged run may change when it resumes.
LEARNING_RATE = "--lr"


def read_json(path, what):
    """`path`'s JSON, or None if it does not exist; corrupt JSON is refused in one line."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise DataSourceError(
            f"{path} is not valid JSON ({what}, corrupt); rerun with --overwrite to start the "
            "run afresh, or give another --output-dir."
        ) from None


def differences(saved, current, prefix=""):
    """The settings that differ between two configurations, as 'name old -> new' lines."""
    found = []
    for key in sorted(set(saved) | set(current)):
        old, new = saved.get(key), current.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            found += differences(old, new, prefix=f"{prefix}{key}.")
        elif old != new:
            found.append(f"{_name(prefix + key)} {_show(old)} -> {_show(new)}")
    return found


# The recipe's fields that a training flag sets, by the flag's name.
_RECIPE_FLAGS = {"learning_rate": "--lr", "augment": "augment (--no-augment)"}


def _name(path):
    """A setting's name as the user writes it: `flags.max_train_examples` is a flag, and so
    are most of the recipe's fields."""
    group, _, name = path.partition(".")
    if group == "flags":
        return "--" + name.replace("_", "-")
    if group == "recipe":
        return _RECIPE_FLAGS.get(name, "--" + name.replace("_", "-"))
    return path


def _show(value):
    return "unset" if value is None else json.dumps(value) if isinstance(value, list) else value


def is_finished(run_dir):
    """True when `run_dir` holds a finished run: its model and metrics, and no backup left."""
    run_dir = Path(run_dir)
    return ((run_dir / "model.keras").is_file() and (run_dir / "metrics.json").is_file()
            and not (run_dir / "backup").exists())  # fmt: skip


def check_continuation(run_dir, config, *, resuming):
    """Refuse (`ConfigError`) or accept `config` for `run_dir`; `RunAlreadyFinished` when the
    folder holds this very run, finished. Returns the accepted learning-rate change after a
    divergence, as a 'name old -> new' line (None: no change)."""
    run_dir = Path(run_dir)
    finished = not resuming and is_finished(run_dir)
    if not (resuming or finished):
        return None
    saved = read_json(run_dir / CONFIG_FILE, "the run's configuration")
    saved = {key: value for key, value in (saved or {}).items() if key != "changes"}
    changed = differences(saved, config) if saved else []
    diverged = resuming and (run_dir / DIVERGED_FILE).is_file()
    accepted = [line for line in changed if diverged and line.startswith(LEARNING_RATE + " ")]
    refused = [line for line in changed if line not in accepted]
    if refused:
        state = ("a run stopped before its end (rerun with its settings to continue it)"
                 if resuming else "a finished run")  # fmt: skip
        raise ConfigError(
            f"{run_dir} holds {state} with other settings: {'; '.join(refused)}. Pass "
            "--overwrite to replace it, or give another --output-dir."
        )
    if finished:
        metrics = read_json(run_dir / "metrics.json", "the run's results") or {}
        raise RunAlreadyFinished(
            f"{run_dir} already holds this run, finished ({_summary(metrics)}); nothing was "
            f"retrained. Pass --overwrite to train it again; `zoo evaluate {run_dir}` and "
            f"`zoo export {run_dir / 'model.keras'}` work on it as it is.", metrics)  # fmt: skip
    return accepted[0] if accepted else None


def _summary(metrics):
    figures = [f"{key} {value:.4g}" for key, value in metrics.items()
               if key.startswith("test_") and isinstance(value, float)][:2]  # fmt: skip
    return ", ".join(figures) or "no test figures recorded"


def save_config(run_dir, config, change=None):
    """Write `config` as the run's configuration; `change` (an accepted learning-rate change
    after a divergence) is appended to the `changes` it keeps."""
    path = Path(run_dir) / CONFIG_FILE
    changes = ((read_json(path, "the run's configuration") or {}).get("changes", [])
               if change else [])  # fmt: skip
    if change:
        changes.append({"change": change, "at": time.strftime("%Y-%m-%d %H:%M:%S")})
        (Path(run_dir) / DIVERGED_FILE).unlink(missing_ok=True)
    write_json_atomic(path, {**config, "changes": changes} if changes else config)


def remove_run_files(run_dir):
    """Delete every file a run writes in `run_dir` (`--overwrite`); other files stay."""
    for pattern in RUN_FILES:
        for path in Path(run_dir).glob(pattern):
            remove_path(path)
