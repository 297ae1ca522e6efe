"""Magnitude pruning in keras.ops, the same on tensorflow, jax and torch.

`prune(model, schedule)` picks the prunable kernels (Dense, EinsumDense and so attention,
Conv, Embedding, LSTM kernels; biases, norms and the `exclude`d layers stay) and gives each a
non-trainable mask, applied as the variable's constraint: Keras applies constraints after
every optimizer step, inside the compiled step on every backend, so pruned weights stay
exactly zero through training. `PruningCallback` recomputes the masks on the schedule's
steps, keeping the largest magnitudes (over all kernels, or per kernel), optionally in N:M
groups (2:4, which GPUs accelerate). `strip_pruning(model)` returns a plain copy with the
zeros baked in; `sparsity_report(model)` counts them.

Example:
>>> pruning = prune(model, ConstantSparsity(0.5, begin_step=0, frequency=10))  # doctest: +SKIP
>>> model.fit(data, callbacks=[PruningCallback(pruning)])  # doctest: +SKIP
>>> sparsity_report(strip_pruning(model))["sparsity"]  # doctest: +SKIP
0.5
"""

import re
import zlib

import keras
import numpy as np
from keras import ops

from zoo._keras_internals import track_optimizer_variable
from zoo._utils import check_choice
from zoo.compress.schedules import PruningSchedule
from zoo.errors import ConfigError

PRUNABLE = ("kernel", "recurrent_kernel", "embeddings")
SCOPES = ("global", "per_layer")


class MaskConstraint:
    """Multiply a weight by its mask (a non-trainable variable) after each optimizer step."""

    def __init__(self, mask):
        self.mask = mask

    def __call__(self, weight):
        return ops.multiply(weight, ops.cast(self.mask, weight.dtype))


class Pruning:
    """The pruned kernels of one model, their masks and the schedule that updates them."""

    def __init__(self, model, schedule, targets, scope, n_m):
        self.model, self.schedule, self.targets = model, schedule, targets
        self.scope, self.n_m = scope, n_m
        self.masks = [keras.Variable(np.ones(v.shape, "float32"), trainable=False,
                                     name=f"{v.name}_mask") for v in targets]  # fmt: skip
        for variable, mask in zip(targets, self.masks, strict=True):
            variable.constraint = MaskConstraint(mask)

    def update_masks(self, sparsity, trainer=None):
        """Keep the largest magnitudes so that `sparsity` of the pruned weights are zero.

        `trainer`: the model being fit, when that is not the pruned model itself (a
        distiller training it); default the pruned model."""
        trainer = trainer or self.model
        if keras.backend.backend() == "jax":
            trainer.jax_state_sync()  # the newest weights and masks, before reading them
        weights = [np.abs(keras.ops.convert_to_numpy(v)) for v in self.targets]
        if self.n_m:
            masks = [_n_m_mask(w, *self.n_m) for w in weights]
        elif self.scope == "global":
            masks = _split(_top_k_mask(np.concatenate([w.ravel() for w in weights]), sparsity),
                           weights)  # fmt: skip
        else:
            masks = [_top_k_mask(w.ravel(), sparsity).reshape(w.shape) for w in weights]
        for variable, mask_variable, mask in zip(self.targets, self.masks, masks, strict=True):
            mask_variable.assign(mask.astype("float32"))
            variable.assign(variable.constraint(variable))


def prune(model, schedule, *, layers=None, exclude=(), scope="global", n_m=None):
    """Prepare `model`'s prunable kernels for pruning by `schedule`; return the `Pruning`.

    `layers`: names (regular expressions) of the layers to prune, default all; `exclude`:
    names of layers to keep dense. `scope`: rank magnitudes over all kernels ("global") or
    within each ("per_layer"). `n_m=(2, 4)`: keep the 2 largest of every 4 consecutive
    weights along the input dimension instead (the schedule then only says when).
    """
    if not isinstance(schedule, PruningSchedule):
        raise ConfigError(f"schedule must be a ConstantSparsity or PolynomialDecay, got "
                          f"{schedule!r}.")  # fmt: skip
    check_choice("scope", scope, SCOPES)
    if n_m is not None and not (len(n_m) == 2 and 0 < n_m[0] < n_m[1]):
        raise ConfigError(f"n_m={n_m!r} must be (N, M) with 0 < N < M, e.g. (2, 4).")
    targets = [v for v in model.trainable_weights
               if _selected(v.path, layers, exclude) and v.name in PRUNABLE]  # fmt: skip
    if not targets:
        raise ConfigError(f"prune: no prunable kernel in {model.name!r} matches layers="
                          f"{layers!r}, exclude={exclude!r}.")  # fmt: skip
    if n_m:
        for variable in targets:
            if variable.shape[0] % n_m[1]:
                raise ConfigError(
                    f"prune: {variable.path} {tuple(variable.shape)} has {variable.shape[0]} "
                    f"inputs, not a multiple of M={n_m[1]}; exclude its layer."
                )
    return Pruning(model, schedule, targets, scope, tuple(n_m) if n_m else None)


class PruningCallback(keras.callbacks.Callback):
    """Update the masks of a `Pruning` on its schedule's steps (the optimizer's step count,
    so a resumed run continues the schedule). Pass it to the `fit` of the pruned model, or
    of a model that trains it (a distiller whose student is pruned)."""

    def __init__(self, pruning):
        super().__init__()
        self.pruning = pruning
        self.step = 0

    def set_model(self, model):
        super().set_model(model)
        if keras.backend.backend() == "jax" and model.optimizer is not None:
            # JAX's compiled step reads only the model's and the optimizer's variables from
            # its state; any other variable it would hold as a constant. As optimizer
            # variables the masks travel in that state (updating them needs no new trace)
            # and in the run's backups. Keras calls this after building the optimizer and
            # before any callback's on_train_begin (so before a backup is restored).
            tracked = {id(variable) for variable in model.optimizer.variables}
            for mask in self.pruning.masks:
                if id(mask) not in tracked:
                    track_optimizer_variable(model.optimizer, mask)

    def on_train_begin(self, logs=None):
        # Count from the optimizer's steps (JAX only writes them back between epochs, so
        # count here from then on). A resumed run's weights already hold the zeros: rebuild
        # the masks from them.
        self.step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        for variable, mask in zip(self.pruning.targets, self.pruning.masks, strict=True):
            mask.assign(ops.cast(ops.not_equal(variable, 0), "float32"))

    def on_train_batch_begin(self, batch, logs=None):
        prune_now, sparsity = self.pruning.schedule(self.step)
        if prune_now:
            self.pruning.update_masks(sparsity, trainer=self.model)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1


def strip_pruning(model):
    """A plain model of `model`'s architecture (no constraints), with the zeros baked in."""
    plain = keras.models.clone_model(model)
    plain.set_weights(model.get_weights())
    return plain


def sparsity_report(model):
    """Per prunable kernel and in total: parameters, zeros, sparsity; and the size of all
    weights as float32 before and after zlib compression (what zeros save on disk)."""
    rows = []
    for variable in model.weights:
        if variable.name not in PRUNABLE:
            continue
        values = keras.ops.convert_to_numpy(variable)
        zeros = int(np.sum(values == 0))
        rows.append({"weight": variable.path, "shape": list(values.shape),
                     "parameters": int(values.size), "zeros": zeros,
                     "sparsity": round(zeros / max(values.size, 1), 4)})  # fmt: skip
    prunable = sum(row["parameters"] for row in rows)
    zeros = sum(row["zeros"] for row in rows)
    raw = np.concatenate([keras.ops.convert_to_numpy(v).astype("float32").ravel()
                          for v in model.weights]).tobytes()  # fmt: skip
    return {"layers": rows, "parameters": int(model.count_params()),
            "prunable_parameters": prunable, "zeros": zeros,
            "sparsity": round(zeros / max(prunable, 1), 4), "bytes": len(raw),
            "compressed_bytes": len(zlib.compress(raw, 6))}  # fmt: skip


def _selected(path, layers, exclude):
    if any(re.search(pattern, path) for pattern in exclude):
        return False
    return layers is None or any(re.search(pattern, path) for pattern in layers)


def _top_k_mask(magnitudes, sparsity):
    """1 for the largest `len - round(sparsity * len)` magnitudes (ties by position)."""
    mask = np.ones(magnitudes.shape, bool)
    mask[np.argsort(magnitudes, kind="stable")[: int(round(sparsity * magnitudes.size))]] = False
    return mask


def _split(flat, like):
    sizes = np.cumsum([w.size for w in like])[:-1]
    return [part.reshape(w.shape) for part, w in zip(np.split(flat, sizes), like, strict=True)]


def _n_m_mask(magnitudes, n, m):
    """Keep the `n` largest of each `m` consecutive weights along the first (input) axis."""
    groups = magnitudes.reshape(magnitudes.shape[0] // m, m, -1)
    order = np.argsort(-groups, axis=1, kind="stable")
    mask = np.zeros(groups.shape, bool)
    np.put_along_axis(mask, order[:, :n, :], True, axis=1)
    return mask.reshape(magnitudes.shape)
