"""Which scalar an explanation explains: one model output, one class (or unit) per example.

Example:
>>> import numpy as np
>>> resolve_target(np.array([[0.1, 0.9], [0.8, 0.2]]), None).tolist()  # predicted classes
[1, 0]
"""

import keras
import numpy as np

from zoo._keras_internals import producing_layer
from zoo.errors import ConfigError
from zoo.export.precision import float32_copy
from zoo.models._image_classifier import PREDICTIONS_LAYER


def as_functional(model):
    """`model` as a float32 functional model: a mixed-precision model is explained through a
    float32 copy with its weights (float16 gradients underflow and bfloat16 ones break
    integrated gradients' completeness), a built `Sequential` is rewrapped."""
    if not isinstance(model, keras.Model):
        raise ConfigError(f"explanations need a keras.Model, got {type(model).__name__}.")
    model = float32_copy(model)
    if isinstance(model, keras.Sequential):
        try:
            return keras.Model(model.inputs, model.outputs, name=model.name)
        except (AttributeError, ValueError):
            raise ConfigError(
                f"Sequential model {model.name!r} is not built; give it a keras.Input first."
            ) from None
    if not hasattr(model, "output_names"):
        raise ConfigError(
            f"{model.name!r} is a subclassed model; explanations need a functional model "
            "(one built from keras.Input)."
        )
    return model


def model_input_list(model, inputs, caller):
    """`inputs` (array, list or dict by input name) as a list of arrays in `model.inputs` order."""
    names = [tensor.name for tensor in model.inputs]
    if isinstance(inputs, dict):
        missing = [name for name in names if name not in inputs]
        if missing:
            raise ConfigError(f"{caller}: inputs lack {missing}; {model.name!r} takes {names}.")
        return [np.asarray(inputs[name]) for name in names]
    if isinstance(inputs, (list, tuple)):
        if len(inputs) != len(names):
            raise ConfigError(
                f"{caller}: got {len(inputs)} inputs but {model.name!r} takes {len(names)} "
                f"({names}); pass one array per input or a dict by name."
            )
        return [np.asarray(x) for x in inputs]
    if len(names) != 1:
        raise ConfigError(f"{caller}: {model.name!r} takes {names}; pass a dict by name.")
    return [np.asarray(inputs)]


def output_tensor(model, output=None):
    """The symbolic output of `model` named `output` (default: its only output, or the one
    named `PREDICTIONS_LAYER`, "predictions"); a `ValueError` lists the valid names."""
    structure = model.output
    if isinstance(structure, dict):
        named = dict(structure)  # the dict's keys, not the layers' names
    else:
        named = dict(zip(model.output_names, model.outputs, strict=True))
    if output is None:
        if len(named) == 1:
            return next(iter(named.values()))
        if PREDICTIONS_LAYER in named:
            return named[PREDICTIONS_LAYER]
        raise ConfigError(f"{model.name!r} has outputs {sorted(named)}; pass output= one of them.")
    if output not in named:
        raise ConfigError(
            f"output={output!r} is not an output of {model.name!r}; use one of {sorted(named)}."
        )
    return named[output]


def class_scores(tensor):
    """The pre-softmax class scores behind `tensor` when a softmax `Activation` layer made it
    (zoo's classifiers: the `*_logits` Dense), else `tensor` itself."""
    origin = producing_layer(tensor)
    layer = origin.layer if origin else None
    if isinstance(layer, keras.layers.Activation) and layer.activation is keras.activations.softmax:
        return layer.input
    return tensor


def _classes(predictions):
    shape = np.shape(predictions)
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        return 1
    if len(shape) != 2:
        raise ConfigError(
            f"the explained output has shape {tuple(shape)}; explanations need (batch,) or "
            "(batch, classes) - pick an output that is one score per class."
        )
    return shape[1]


def resolve_target(predictions, target):
    """Per-example class indices `(batch,)` for `target`: None = the predicted class (0 for a
    single unit, which is then explained itself), an int, or one int per example."""
    predictions = np.asarray(predictions)
    batch, classes = predictions.shape[0], _classes(predictions)
    if target is None:
        if classes == 1:
            return np.zeros(batch, "int64")
        return np.argmax(predictions, axis=-1).astype("int64")
    targets = np.asarray(target)
    if targets.ndim == 0:
        targets = np.full(batch, targets)
    if targets.shape != (batch,) or not np.issubdtype(targets.dtype, np.integer):
        raise ConfigError(
            f"target must be None, an int or {batch} ints (one per example), got {target!r}."
        )
    bad = targets[(targets < 0) | (targets >= classes)]
    if bad.size:
        raise ConfigError(
            f"target {bad[0]} is out of range for an output with {classes} "
            f"{'unit' if classes == 1 else 'classes'}; use 0..{classes - 1}."
        )
    return targets.astype("int64")


def target_one_hot(predictions, targets):
    """`(batch, classes)` float32 one-hot rows selecting `targets` (a column of ones for an
    output of one unit or shape (batch,)); feed it to `target_scores`."""
    classes = _classes(np.asarray(predictions))
    return np.eye(classes, dtype="float32")[np.asarray(targets)]


def target_scores(predictions, one_hot):
    """The per-example score `(batch,)` selected by the `one_hot` rows in `predictions`."""
    predictions = keras.ops.cast(predictions, "float32")
    if len(predictions.shape) == 1:
        predictions = predictions[:, None]
    return keras.ops.sum(predictions * keras.ops.cast(one_hot, "float32"), axis=-1)
