"""`TrainingRun`: one run folder, and everything every application does with it.

A run folder holds `model.keras` (the final model), `best.keras` (best on validation),
`history.csv`, `logs/` (TensorBoard), `metrics.json`, `run_config.json` (what decides the
weights, compared when a command continues the run) and, until `done`, `backup/`, from which
the same command resumes after a kill.

Example:
>>> run = TrainingRun("runs/demo", seed=0)  # doctest: +SKIP
>>> run.open({"model": "cnn", "recipe": recipe.to_dict()})
>>> run.compile(model, recipe, steps_per_epoch=data.steps_per_epoch)
>>> run.fit(model, data.train, validation=data.validation, epochs=recipe.epochs)
>>> metrics = run.finish(model, data.test, {"model": "cnn", "dataset": "cifar10"})
>>> run.done()
"""

import csv
import json
import math
import shutil
import time
from pathlib import Path

import keras

from zoo import __version__
from zoo._utils import atomic_path, remove_partial_files, write_json_atomic
from zoo.errors import ConfigError, RunFolderWriteError, TrainingDivergedError
from zoo.train import batching, run_state
from zoo.train.backup import RunBackup, backup_epoch, state_bytes
from zoo.train.callbacks import BestModelCheckpoint, ThroughputMeter
from zoo.train.divergence import StopOnDivergence, non_finite_weights
from zoo.train.folder_lock import hold_run_folder, release_run_folder
from zoo.train.losses import SparseCategoricalCrossentropyWithSmoothing
from zoo.train.precision import loss_scaling, set_precision
from zoo.train.schedules import learning_rate_schedule
from zoo.train.strategy import get_distribution


def build_optimizer(recipe, total_steps):
    """The optimizer `recipe` names, with its learning-rate schedule over `total_steps`."""
    learning_rate = learning_rate_schedule(recipe, total_steps)
    decay = recipe.weight_decay or None
    if recipe.optimizer == "sgd":
        return keras.optimizers.SGD(
            learning_rate, momentum=recipe.momentum, nesterov=recipe.nesterov, weight_decay=decay
        )
    if recipe.optimizer == "adamw":
        return keras.optimizers.AdamW(learning_rate, weight_decay=recipe.weight_decay)
    return keras.optimizers.Adam(learning_rate, weight_decay=decay)


def classification_loss(recipe, from_logits):
    if recipe.label_smoothing:
        return SparseCategoricalCrossentropyWithSmoothing(recipe.label_smoothing, from_logits)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)


def resolve_xla(xla):
    """Keras's `jit_compile` for `--xla` (True), `--no-xla` (False) or neither (None: "auto",
    XLA where it helps: JAX, and TensorFlow on GPUs and TPUs; measured slower on TensorFlow's
    CPU for BERT). torch has no XLA (Keras's `jit_compile` there means `torch.compile`)."""
    if xla is None:
        return "auto"
    if xla and keras.backend.backend() == "torch":
        raise ConfigError(
            "--xla needs the tensorflow or jax backend; torch runs without XLA (use --no-xla "
            "or leave it unset)."
        )
    return bool(xla)


class TrainingRun:
    """Seeds, distributes, compiles, fits with the standard callbacks, evaluates and records.

    Everything that changes how a run executes (seed, distribution strategy, precision, XLA)
    is decided here, so every application gets it the same way. With several processes
    (multi-worker TensorFlow, multi-process JAX) the chief writes `run_dir`, worker `i`
    writes `run_dir/worker<i>` (its own backup, so every worker resumes).
    """

    def __init__(self, run_dir, *, seed=0, strategy="auto", precision="float32", xla=None,
                 model_parallel_size=2):  # fmt: skip
        self.jit_compile = resolve_xla(xla)
        self.precision = set_precision(precision)
        self.distribution = get_distribution(strategy, model_parallel_size=model_parallel_size)
        self.distribution.activate()
        self.run_dir = Path(run_dir)
        if not self.distribution.is_chief:
            self.run_dir = self.run_dir / f"worker{self.distribution.process_index}"
        self.seed = seed
        self.train_seconds = 0.0
        self.resumed_from_epoch = 0
        self._meter = None
        self._config = self._config_change = None  # set by `open`
        self._folder_taken = False  # by `_take_folder`
        keras.utils.set_random_seed(seed)

    def scope(self):
        """The context models must be built and compiled in (the strategy's scope)."""
        return self.distribution.scope()

    @property
    def resuming(self):
        """True when the run folder holds a backup this run continues from."""
        return backup_epoch(self.backup_dir) > 0

    def open(self, config, *, overwrite=False):
        """Take the run folder for `config` (JSON data: what decides the weights).

        If the folder exists: holds its lock, deletes the run's files first with
        `overwrite`, and checks `config` against the run it holds (`zoo.train.run_state`):
        raises `RunAlreadyFinished` when that run is this one, finished, and `ConfigError`
        when it is another one. `fit` saves `config` as `run_config.json` (a command that
        fails before training leaves no folder behind)."""
        self._config, self._config_change = config, None
        if not self.run_dir.exists():
            return
        self._take_folder()
        if overwrite:
            run_state.remove_run_files(self.run_dir)
        change = run_state.check_continuation(self.run_dir, config, resuming=self.resuming)
        if change:
            print(f"Resuming after the divergence with {change}")
        self._config_change = change

    @property
    def backup_dir(self):
        return self.run_dir / "backup"

    def compile(self, model, recipe, *, steps_per_epoch, from_logits=False, loss=None,
                metrics=("accuracy",), weighted_metrics=None, monitor="accuracy",
                monitor_mode="max"):  # fmt: skip
        """Compile `model` with `recipe`'s optimizer and schedule.

        The loss defaults to classification cross-entropy (with the recipe's label
        smoothing); pass `loss` and `weighted_metrics` for other objectives (masked-LM
        training weights both by the masking's `mask_weights`). `monitor` is the metric
        (validation's, when there is validation data) that picks `best.keras`; `monitor_mode`
        says whether higher ("max") or lower ("min") is better.
        """
        self.recipe = recipe
        self.distribution.check_batch_size(recipe.batch_size)
        self.monitor, self.monitor_mode = monitor, monitor_mode
        metrics, weighted_metrics = list(metrics or ()), list(weighted_metrics or ())
        if self.distribution.pads_evaluation:
            # Padded evaluation rows weigh 0, which only weighted metrics respect (the
            # training batches carry no weights, so there the two kinds agree).
            metrics, weighted_metrics = [], metrics + weighted_metrics
        model.compile(
            optimizer=build_optimizer(recipe, steps_per_epoch * recipe.epochs),
            loss=loss if loss is not None else classification_loss(recipe, from_logits),
            metrics=metrics or None,
            weighted_metrics=weighted_metrics or None,
            jit_compile=self.jit_compile,
        )
        return model


    def callbacks(self, validation, checkpoint_model=None):
        monitor = f"val_{self.monitor}" if validation is not None else self.monitor
        self._meter = ThroughputMeter(self.recipe.batch_size)
        padding = []
        if validation is not None and self.distribution.pads_evaluation:
            padding = [batching.RescalePaddedValidationLoss(validation, self.recipe.batch_size)]
        return [
            # First: a diverged batch stops the run before any epoch-end callback saves it.
            StopOnDivergence(self.run_dir, self._divergence_advice()),
            *padding,
            # The log row of an epoch is written before its backup, so a kill in between
            # repeats that row (trimmed on resume) rather than losing it.
            keras.callbacks.CSVLogger(str(self.run_dir / "history.csv"), append=True),
            # Kept after the last epoch until `done`: a kill before the run's results are
            # all written resumes at the end instead of at epoch 1.
            RunBackup(self.backup_dir),
            BestModelCheckpoint(self.run_dir / "best.keras", monitor=monitor,
                                mode=self.monitor_mode, saved_model=checkpoint_model),  # fmt: skip
            keras.callbacks.TensorBoard(str(self.run_dir / "logs")),
            self._meter,
        ]

    def _take_folder(self):
        """Hold the run folder's lock (creating the folder) and clear what writers killed
        mid-write left there (no other process writes here now); once per run."""
        if self._folder_taken:
            return
        hold_run_folder(self.run_dir)
        remove_partial_files(self.run_dir)
        self._folder_taken = True

    def _check_free_space(self, model):
        """Refuse to start when the run folder cannot hold what the run writes: two backups
        while one replaces the other, `best.keras` and `model.keras`, each about the model's
        weights and optimizer state."""
        need = 4 * state_bytes(model)
        free = shutil.disk_usage(self.run_dir).free
        if free < need:
            raise RunFolderWriteError(
                f"{self.run_dir} has {free / 1e6:.1f} MB free, and this run writes about "
                f"{need / 1e6:.1f} MB there (backups, best.keras, model.keras); free some "
                "space or give another --output-dir."
            )

    def _divergence_advice(self):
        return (f"Rerun the same command with a lower --lr (this run: "
                f"{self.recipe.learning_rate:g}, {self.recipe.optimizer}) to go on from the last "
                f"good epoch, or add --overwrite to start afresh.")

    def fit(self, model, train, *, validation=None, epochs, verbose="auto", callbacks=(),
            checkpoint_model=None, steps_per_epoch=None):  # fmt: skip
        """`model.fit` with backup/resume, best checkpoint, CSV and TensorBoard logs.

        `checkpoint_model`: the model `best.keras` holds, when `model` only trains it (a
        distiller); default `model`. `steps_per_epoch`: fixed epochs over a repeating `train`
        (sharded input, `zoo.train.worker_input`); None ends an epoch where `train` ends. A
        second process training into the same folder meanwhile is refused
        (`RunFolderBusyError`)."""
        self._take_folder()
        self._check_free_space(model)
        if self._config is not None:
            run_state.save_config(self.run_dir, self._config, self._config_change)
        self.resumed_from_epoch = backup_epoch(self.backup_dir)
        if self.resumed_from_epoch:
            print(f"Resuming from epoch {self.resumed_from_epoch} ({self.backup_dir})")
            _truncate_history(self.run_dir / "history.csv", self.resumed_from_epoch)
        else:
            # A fresh run: nothing of an earlier run in this folder may leak into this one.
            for stale in ("history.csv", "best.keras", "best.keras.json", "metrics.json",
                          run_state.DIVERGED_FILE):
                (self.run_dir / stale).unlink(missing_ok=True)
        start = time.perf_counter()
        run_callbacks = [*self.callbacks(validation, checkpoint_model), *callbacks]
        if validation is not None and self.distribution.pads_evaluation:
            validation = batching.pad_batches(validation, self.recipe.batch_size)
        history = model.fit(
            train,
            validation_data=validation,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            verbose=verbose,
            callbacks=run_callbacks,
            shuffle=False,  # the tf.data pipelines shuffle themselves
        )
        self.train_seconds = time.perf_counter() - start
        return history

    def finish(self, model, test, record):
        """Evaluate on `test`, save `model.keras`, write `metrics.json`; return the metrics.
        Call `done` once everything else the run writes (evaluation, export) is written.

        A model with NaN or infinite weights, or a non-finite test loss, is never saved:
        `TrainingDivergedError` instead."""
        self.check_finite(model)
        results = self.evaluate(model, test)
        self.check_finite(model, [f"test {name} {float(value)}" for name, value in results.items()
                                  if not math.isfinite(float(value))])  # fmt: skip
        with atomic_path(self.run_dir / "model.keras") as tmp:
            model.save(tmp)
        metrics = {
            **record,
            "backend": keras.backend.backend(),
            "keras_version": keras.__version__,
            "zoo_version": __version__,
            "seed": self.seed,
            **self.execution(model),
            "parameters": int(model.count_params()),
            **{f"test_{name}": float(value) for name, value in results.items()},
            "train_seconds": round(self.train_seconds, 3),
            "examples_per_second": round(self._meter.examples_per_second, 1)
            if self._meter
            else None,
            "resumed_from_epoch": self.resumed_from_epoch,
            "recipe": self.recipe.to_dict(),
        }
        best = self.run_dir / "best.keras.json"
        if best.is_file():
            metrics["best"] = json.loads(best.read_text())
        self.write_metrics(metrics)
        return metrics

    def done(self):
        """Mark the run finished: delete its backup (a later command into the folder finds
        a finished run) and release the folder."""
        shutil.rmtree(self.backup_dir, ignore_errors=True)
        release_run_folder(self.run_dir)
        self._folder_taken = False

    def check_finite(self, model, broken=None):
        """Raise `TrainingDivergedError` if `model` has a NaN or infinite weight (or `broken`,
        other non-finite figures, is not empty): such a model is never saved."""
        broken = broken or non_finite_weights(model)
        if broken:
            raise TrainingDivergedError(
                f"Training diverged: {', '.join(broken[:3])} not finite; nothing was saved as "
                f"{self.run_dir / 'model.keras'}. {self._divergence_advice()}"
            )

    def evaluate(self, model, data):
        """`model.evaluate` as a dict; every example counted once under any strategy."""
        if self.distribution.pads_evaluation:
            return batching.evaluate(model, data, self.recipe.batch_size)
        return model.evaluate(data, return_dict=True, verbose=0)

    def predict(self, model, data):
        """`model.predict`; every example predicted once under any strategy."""
        if self.distribution.pads_evaluation and self.distribution.processes > 1:
            return batching.predict_in_this_process(model, data)
        if self.distribution.pads_evaluation:
            return batching.predict(model, data, self.recipe.batch_size)
        return model.predict(data, verbose=0)

    def execution(self, model):
        """How the run executed, as `metrics.json` records it: strategy, replicas, processes,
        precision, loss scaling and whether XLA really compiled the steps."""
        xla = bool(model.jit_compile) and keras.backend.backend() != "torch"
        return {
            **self.distribution.describe(),
            "precision": self.precision,
            "loss_scaling": loss_scaling(model),
            "xla": xla,
            "jit_compile": bool(model.jit_compile),
        }

    def write_metrics(self, metrics):
        """(Re)write `metrics.json` in the run folder, atomically."""
        write_json_atomic(self.run_dir / "metrics.json", metrics)


def _truncate_history(path, epochs_done):
    """Keep the CSV log's rows of the `epochs_done` epochs the backup holds (a kill can land
    between the log's row and the backup, which would duplicate or skip an epoch)."""
    if not path.is_file():
        return
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return
    header, body = rows[0], rows[1:]
    # A kill mid-append can leave a row cut short: it is dropped with the epochs after it.
    kept = [row for row in body
            if len(row) == len(header) and row[0].isdigit() and int(row[0]) < epochs_done]
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="") as handle:
            csv.writer(handle).writerows([header, *kept])
