"""Per-feature integrated gradients for the recommenders (DeepFM, Wide&Deep).

An input feature's ids are not differentiable, so the attribution runs over the first float
tensors they produce, found by walking the functional graph from the inputs: the outputs of
the embedding and first-order (linear) weight layers of each sparse or sequence feature, the
embeddings of hashed crosses, and dense features' raw values. Each tensor's attribution is
summed into the feature it comes from; a tensor made from several inputs (a hashed cross)
is reported as their names joined by " x " ("user x item"), never split between them.
Baselines are zeros (zero embeddings, zero dense values); the integral uses the trapezoid
rule of `zoo.explain.integrated_gradients`.

Example:
>>> result = feature_attributions(model, batch, steps=32)  # doctest: +SKIP
>>> sorted(result.scores)  # doctest: +SKIP
['age', 'item', 'user', 'user x item']
"""

import numpy as np

from zoo._keras_internals import inbound_nodes
from zoo.errors import ConfigError
from zoo.explain.integrated_gradients import Attribution, integrate
from zoo.explain.targets import as_functional, model_input_list


def _is_float(tensor):
    return "float" in str(tensor.dtype)


def attribution_points(model):
    """[(KerasTensor, label, feature name)]: the first float tensors each input produces,
    labelled by their layer (or input) name and named after the input(s) they come from.

    A point is a float model input or the float output of a layer with weights (an
    embedding, a dense layer) whose inputs all derive from integer inputs; weightless
    operations on ids (hashing, casts, masks) pass the ids' origin on.
    """
    model = as_functional(model)
    origin = {}  # id(non-float tensor) -> input names it derives from, in order
    points = {}  # id(float tensor) -> (tensor, label, origins)
    for tensor in model.inputs:
        if _is_float(tensor):
            points[id(tensor)] = (tensor, tensor.name, (tensor.name,))
        else:
            origin[id(tensor)] = (tensor.name,)
    operations = getattr(model, "operations", model.layers)
    changed = True
    while changed:
        changed = False
        for operation in operations:
            for node in inbound_nodes(operation):
                inputs = list(node.input_tensors)
                if not inputs or any(id(t) not in origin for t in inputs):
                    continue
                sources = tuple(dict.fromkeys(n for t in inputs for n in origin[id(t)]))
                for tensor in node.output_tensors:
                    if id(tensor) in origin or id(tensor) in points:
                        continue
                    changed = True
                    if _is_float(tensor) and operation.weights:
                        points[id(tensor)] = (tensor, operation.name, sources)
                    else:
                        origin[id(tensor)] = sources
    return [(tensor, label, " x ".join(sources)) for tensor, label, sources in points.values()]


def feature_attributions(model, inputs, *, target=None, steps=64, output=None, batch_size=256):
    """Integrated gradients of a recommender's output, summed per input feature.

    `inputs` is a dict feature name -> array (as the model takes). Returns an `Attribution`
    whose `scores` is {feature name (or "a x b" for a cross): (batch,) attribution},
    `attributions` is {layer or input name: attribution of that tensor}, and whose
    `completeness_gap` compares their total with F(x) - F(zero embeddings and values).

    Example:
    >>> feature_attributions(deepfm, batch).scores["user"].shape  # doctest: +SKIP
    (6,)
    """
    model = as_functional(model)
    values = model_input_list(model, inputs, "feature_attributions")
    found = attribution_points(model)
    if not found:
        raise ConfigError(
            f"feature_attributions: no float tensor derives from the inputs of {model.name!r}."
        )
    tensors = [tensor for tensor, _, _ in found]
    attributions, difference, gap, targets = integrate(
        model, tensors, values, [None] * len(tensors), target=target, steps=steps,
        output=output, batch_size=batch_size, caller="feature_attributions",
    )  # fmt: skip
    raw, scores = {}, {}
    for (_, label, feature), attribution in zip(found, attributions, strict=True):
        raw[label] = attribution
        per_example = attribution.reshape(len(attribution), -1).sum(axis=1)
        scores[feature] = scores.get(feature, 0.0) + per_example
    scores = {name: np.asarray(value, "float32") for name, value in scores.items()}
    return Attribution(raw, scores, difference, gap, targets)
