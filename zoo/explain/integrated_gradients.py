"""Integrated gradients (Sundararajan et al. 2017) on any backend.

The attribution of input (or layer output) `x` against a baseline `b` is
`(x - b) * integral_0^1 dF(b + a (x - b))/dx da`, with the integral taken by the trapezoid
rule over `steps` equal intervals of the straight path (`steps + 1` gradient evaluations,
which also give F(x) and F(b)). Attributions then sum to F(x) - F(b) up to the rule's error:
`completeness_gap` reports it per example, and `COMPLETENESS_TOLERANCE` states what the tests
check at `steps=64`.

Baselines are zeros unless given: for a normalized image that is the mean image; with
`layer=` (token ids of BERT / LSTM text, the sparse ids of recommenders) the attribution is
over that layer's output and the baseline is the zero vector in embedding space.

Example:
>>> import numpy as np
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
>>> model.set_weights([np.array([[1.0], [2.0], [3.0]])])
>>> integrated_gradients(model, np.ones((1, 3)), steps=4).attributions.tolist()
[[1.0, 2.0, 3.0]]
"""

import dataclasses
import weakref

import keras
import numpy as np

from zoo.errors import ConfigError
from zoo.explain.gradients import value_and_gradients
from zoo.explain.targets import (
    as_functional,
    model_input_list,
    output_tensor,
    resolve_target,
    target_one_hot,
    target_scores,
)

# The tests check |sum(attributions) - (F(x) - F(b))| <= RELATIVE * |F(x) - F(b)| + ABSOLUTE
# at steps=64 (5%: the check Sundararajan et al. recommend). The trapezoid rule's error falls
# as 1/steps**2 on smooth models (measured at 64 steps: BERT over token embeddings 0.04%, a
# tanh network below 0.1%) but only as about 1/steps across ReLU kinks (tiny random CNN 2.4%,
# Wide&Deep 1.9%, DeepFM 0.7%; 0.9%, 0.7%, - at 128 steps): raise `steps` for a smaller gap.
COMPLETENESS_TOLERANCE = {"relative": 0.05, "absolute": 1e-4}


@dataclasses.dataclass(frozen=True)
class Attribution:
    """What an attribution method returns (all numpy, one row per example).

    `attributions` has the structure of what was attributed (an array, or a dict of them);
    `scores` summarises each per position (summed over the last axis of rank >= 3 arrays:
    image channels, embedding features; rank-2 arrays are already per position);
    `output_difference` is F(x) - F(baseline), `completeness_gap` is
    |sum of all attributions - output_difference|, `target` the explained class per example.
    """

    attributions: object
    scores: object
    output_difference: np.ndarray
    completeness_gap: np.ndarray
    target: np.ndarray


def position_scores(attribution):
    """Sum an attribution over its last (channel / embedding) axis when it has rank >= 3."""
    attribution = np.asarray(attribution)
    if attribution.ndim < 3:
        return attribution
    channels_first = keras.config.image_data_format() == "channels_first"
    return attribution.sum(axis=1 if channels_first and attribution.ndim == 4 else -1)


_GRAPHS = weakref.WeakKeyDictionary()


def _graph(model, points, out):
    """(explained model, indices of the fixed inputs, model computing the intermediate
    points or None, score function), cached per model so JAX compiles each once."""
    key = (tuple(id(p) for p in points), id(out))
    cache = _GRAPHS.setdefault(model, {})
    if key not in cache:
        point_ids = {id(p) for p in points}
        constants = [i for i, t in enumerate(model.inputs) if id(t) not in point_ids]
        explained = keras.Model([*points, *(model.inputs[i] for i in constants)], out)
        input_ids = {id(t) for t in model.inputs}
        hidden = [p for p in points if id(p) not in input_ids]
        hidden_model = keras.Model(model.inputs, hidden) if hidden else None

        def fn(*tensors):
            predictions = explained(list(tensors[:-1]), training=False)
            return target_scores(predictions, tensors[-1])

        cache[key] = (explained, constants, hidden_model, fn)
    return cache[key]


def _in_batches(model, arrays, batch_size):
    """`model(arrays)` run `batch_size` rows at a time: a list of numpy arrays, one per output."""
    parts = []
    for start in range(0, len(arrays[0]), batch_size):
        chunk = [keras.ops.convert_to_tensor(a[start : start + batch_size]) for a in arrays]
        outputs = keras.tree.flatten(model(chunk, training=False))
        parts.append([keras.ops.convert_to_numpy(o) for o in outputs])
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def integrate(model, points, inputs, baselines, *, target, steps, output, batch_size, caller):
    """Integrated gradients of `model`'s target score over the symbolic tensors `points`.

    `points` are model inputs or intermediate KerasTensors; `inputs` the model's input list;
    `baselines` one array per point (None = zeros). Returns (attributions per point,
    F(x) - F(b), completeness gap, targets).
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ConfigError(f"{caller}: steps must be a positive integer, got {steps!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"{caller}: batch_size must be a positive integer, got {batch_size!r}.")
    explained, constants, hidden_model, fn = _graph(model, points, output_tensor(model, output))
    input_index = {id(t): i for i, t in enumerate(model.inputs)}
    at_point = [inputs[input_index[id(p)]] if id(p) in input_index else None for p in points]
    if hidden_model is not None:
        computed = iter(_in_batches(hidden_model, inputs, batch_size))
        at_point = [next(computed) if x is None else x for x in at_point]
    xs = [np.asarray(x, "float32") for x in at_point]
    bs = [np.zeros_like(x) if b is None else np.broadcast_to(np.asarray(b, "float32"), x.shape)
          for x, b in zip(xs, baselines, strict=True)]  # fmt: skip
    deltas = [x - b for x, b in zip(xs, bs, strict=True)]
    const_values = [inputs[i] for i in constants]
    [full] = _in_batches(explained, [*xs, *const_values], batch_size)
    targets = resolve_target(full, target)

    n = xs[0].shape[0]
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype="float32")
    weights = np.full(steps + 1, 1.0 / steps, "float32")
    weights[[0, -1]] *= 0.5  # the trapezoid rule
    sums = [np.zeros_like(x, dtype="float64") for x in xs]
    at_baseline, at_input = np.zeros(n, "float64"), np.zeros(n, "float64")
    rows = np.arange(n * (steps + 1))
    one_hot = target_one_hot(full, targets)
    for start in range(0, rows.size, batch_size):
        chunk = rows[start : start + batch_size]
        example, step = chunk // (steps + 1), chunk % (steps + 1)
        alpha = alphas[step]
        path = [b[example] + alpha.reshape((-1,) + (1,) * (d.ndim - 1)) * d[example]
                for d, b in zip(deltas, bs, strict=True)]  # fmt: skip
        fixed = [c[example] for c in const_values] + [one_hot[example]]
        values, grads = value_and_gradients(fn, path, fixed, explained.variables)
        w = weights[step]
        for total, grad in zip(sums, grads, strict=True):
            np.add.at(total, example, grad * w.reshape((-1,) + (1,) * (grad.ndim - 1)))
        np.add.at(at_baseline, example[step == 0], values[step == 0])
        np.add.at(at_input, example[step == steps], values[step == steps])
    attributions = [(d * total).astype("float32") for d, total in zip(deltas, sums, strict=True)]
    difference = (at_input - at_baseline).astype("float32")
    total = sum(a.reshape(n, -1).astype("float64").sum(axis=1) for a in attributions)
    gap = np.abs(total - difference).astype("float32")
    return attributions, difference, gap, targets


def _layers(model, layer):
    names = [lay.name for lay in model.layers]
    found = []
    for item in layer if isinstance(layer, (list, tuple)) else [layer]:
        if isinstance(item, keras.layers.Layer):
            item = item.name
        if item not in names:
            raise ConfigError(
                f"integrated_gradients: layer={item!r} is not a layer of {model.name!r}; "
                f"its layers are {names}."
            )
        found.append(model.get_layer(item))
    return found


def integrated_gradients(model, inputs, *, target=None, baseline=None, steps=64, layer=None,
                         output=None, batch_size=256):  # fmt: skip
    """Integrated gradients of the `target` class score of `model` for `inputs`.

    Without `layer`, attributes over the model's float inputs (integer inputs stay fixed);
    `inputs` is an array, a list or a dict by input name, and `attributions` has that
    structure (a dict holds the float inputs only). With `layer` (a name or layer, or a list
    of them), attributes over those layers' outputs instead - the way to explain token ids
    through their embedding layer; `attributions` is then an array (one layer) or a dict by
    layer name. `target`: None (predicted class; a single sigmoid unit explains itself), an
    int, or one int per example. `baseline`: None (zeros), or an array / dict like the
    attributed tensors. Rows of `steps + 1` path points run `batch_size` at a time.

    Example:
    >>> attribution = integrated_gradients(model, images, target=3)  # doctest: +SKIP
    >>> attribution.scores.shape, attribution.completeness_gap.max() < 1e-3  # doctest: +SKIP
    ((8, 32, 32), True)
    """
    caller = "integrated_gradients"
    model = as_functional(model)
    values = model_input_list(model, inputs, caller)
    if layer is not None:
        layers = _layers(model, layer)
        points = [lay.output for lay in layers]
        keys = [lay.name for lay in layers]
        single = not isinstance(layer, (list, tuple))
    else:
        floats = [i for i, t in enumerate(model.inputs) if "float" in str(t.dtype)]
        if not floats:
            raise ConfigError(
                f"{caller}: {model.name!r} has only integer inputs; pass layer=<its embedding "
                "layer name> to attribute over the embeddings."
            )
        points = [model.inputs[i] for i in floats]
        keys = [model.inputs[i].name for i in floats]
        single = not isinstance(inputs, (dict, list, tuple))
        if isinstance(inputs, (list, tuple)):
            keys = floats
    if baseline is None or single:
        baselines = [baseline] if single else [None] * len(points)
    elif isinstance(baseline, dict):
        baselines = [baseline.get(key) for key in keys]
    else:
        baselines = list(baseline)
    if len(baselines) != len(points):
        raise ConfigError(f"{caller}: baseline must match the attributed tensors {keys}.")
    attributions, difference, gap, targets = integrate(
        model, points, values, baselines, target=target, steps=steps, output=output,
        batch_size=batch_size, caller=caller,
    )  # fmt: skip
    if single:
        result, scores = attributions[0], position_scores(attributions[0])
    elif isinstance(inputs, (list, tuple)) and layer is None:
        result = [None] * len(values)
        for key, a in zip(keys, attributions, strict=True):
            result[key] = a
        scores = [None if a is None else position_scores(a) for a in result]
    else:
        result = dict(zip(keys, attributions, strict=True))
        scores = {key: position_scores(a) for key, a in result.items()}
    return Attribution(result, scores, difference, gap, targets)
