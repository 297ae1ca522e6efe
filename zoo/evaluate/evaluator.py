"""Run a model over a labelled test set and compute the report of its kind.

Each `evaluate_*` function returns one entry of a report, `{"task", "metrics", "dataset"}`,
that `write_report` takes (a test set's name → entry); `task` is the kind of evaluation:
"classification", "binary" (click-through rate) or "forecasting".

Example:
>>> result = evaluate_classifier(model, data.test, class_names=data.class_names)  # doctest: +SKIP
>>> write_report("runs/demo", {"test": result}, history_csv="runs/demo/history.csv")
"""

import keras
import numpy as np

from zoo._keras_internals import producing_layer
from zoo.errors import ConfigError
from zoo.evaluate.binary import binary_metrics, sigmoid
from zoo.evaluate.classification import classification_metrics, softmax
from zoo.evaluate.forecasting import forecast_metrics

# The kind of evaluation for each registry task.
EVALUATIONS = {
    "image_classification": "classification",
    "text_classification": "classification",
    "click_through_rate": "binary",
    "time_series_forecasting": "forecasting",
}


def evaluation_kind(task):
    """The evaluation kind ("classification", "binary", "forecasting") of a registry task."""
    if task not in EVALUATIONS:
        raise ConfigError(
            f"Models of task {task!r} have no evaluation report; evaluable tasks: "
            f"{', '.join(EVALUATIONS)} (a text_encoder is evaluated through its classifier)."
        )
    return EVALUATIONS[task]


def _single_output(outputs):
    if isinstance(outputs, dict):
        if len(outputs) != 1:
            raise ConfigError(
                f"The model has outputs {sorted(outputs)}; evaluation needs a model with one."
            )
        outputs = next(iter(outputs.values()))
    return np.asarray(outputs)


def _feature(inputs, feature):
    if not isinstance(inputs, dict) or feature not in inputs:
        names = sorted(inputs) if isinstance(inputs, dict) else []
        raise ConfigError(
            f"The test set has no input {feature!r}; its inputs are {names or 'unnamed'}."
        )
    return np.asarray(inputs[feature])


def labels_and_features(dataset, feature=None):
    """The labels of a batched `(inputs, labels[, weights])` dataset, and the values of
    input `feature` (a dict input's key) when asked for, as numpy arrays."""
    labels, values = [], []
    for batch in dataset:
        inputs, batch_labels = batch[0], batch[1]
        labels.append(np.asarray(batch_labels))
        if feature is not None:
            values.append(_feature(inputs, feature))
    labels = np.concatenate(labels) if labels else np.zeros((0,))
    features = np.concatenate(values).reshape(len(labels), -1)[:, 0] if values else None
    return labels, features


def _probability_like(outputs):
    outputs = np.asarray(outputs, np.float64).reshape(len(outputs), -1)
    in_range = bool(np.all((outputs >= -1e-6) & (outputs <= 1 + 1e-6)))
    return in_range and (outputs.shape[1] == 1 or np.allclose(outputs.sum(axis=1), 1, atol=1e-3))


def outputs_logits(model, outputs):
    """Whether `model` outputs logits: its output layer has a linear activation (zoo's BERT
    classifiers), or, made by an op or a layer without one, `outputs` are not probabilities."""
    origin = producing_layer(model.outputs[0])
    activation = getattr(origin.layer if origin else None, "activation", None)
    if activation is not None:
        return getattr(activation, "__name__", None) == "linear"
    return not _probability_like(outputs)


def to_probabilities(model, outputs, from_logits=None):
    """`outputs` as probabilities: softmax of logits rows, sigmoid of a single logit."""
    outputs = np.asarray(outputs)
    if not (outputs_logits(model, outputs) if from_logits is None else from_logits):
        return outputs
    if outputs.ndim == 1 or outputs.shape[-1] == 1:
        return sigmoid(outputs)
    return softmax(outputs)


def _predictions_and_labels(model, dataset, predict, feature=None):
    """(model outputs, labels, values of `feature`) over `dataset`. One pass, batch by batch,
    so labels and predictions stay aligned even if the dataset reshuffles; `predict` (a
    `TrainingRun.predict` under a distribution strategy) predicts in its own pass over the
    same (unshuffled) test split."""
    if predict is not None:
        labels, values = labels_and_features(dataset, feature)
        return _single_output(predict(model, dataset)), labels, values
    outputs, labels, values = [], [], []
    for batch in dataset:
        inputs = keras.tree.map_structure(np.asarray, batch[0])  # any backend takes numpy
        outputs.append(_single_output(model.predict_on_batch(inputs)))
        labels.append(np.asarray(batch[1]))
        if feature is not None:
            values.append(_feature(inputs, feature))
    if not outputs:
        raise ConfigError("The test set is empty; nothing to evaluate.")
    labels = np.concatenate(labels)
    groups = np.concatenate(values).reshape(len(labels), -1)[:, 0] if values else None
    return np.concatenate(outputs), labels, groups


def evaluate_classifier(model, dataset, *, class_names=None, from_logits=None, top_k=5,
                        predict=None, description=None):  # fmt: skip
    """Accuracy, per-class precision / recall / F1, confusion matrix, top-k and calibration
    of a classifier on `dataset` (batches of `(inputs, labels)`).

    `from_logits`: the model outputs logits (softmax, or sigmoid for one unit, is applied
    first); default: decided by `outputs_logits`. `predict(model, dataset)`: how to predict
    (a `TrainingRun.predict` under a distribution strategy)."""
    outputs, labels, _ = _predictions_and_labels(model, dataset, predict)
    outputs = to_probabilities(model, outputs, from_logits)
    metrics = classification_metrics(labels.reshape(-1), outputs, class_names=class_names,
                                     top_k=top_k)  # fmt: skip
    return {"task": "classification", "metrics": metrics, "dataset": description or {}}


def evaluate_recommender(model, dataset, *, group_feature=None, predict=None,
                         description=None):  # fmt: skip
    """AUC, log loss and, with `group_feature` (e.g. "user_id"), AUC per group of a
    click-through-rate model on `dataset` (batches of `(feature dict, labels)`)."""
    outputs, labels, groups = _predictions_and_labels(model, dataset, predict, group_feature)
    metrics = binary_metrics(labels.reshape(-1), outputs, groups=groups,
                             group_name=group_feature or "user")  # fmt: skip
    return {"task": "binary", "metrics": metrics, "dataset": description or {}}


def evaluate_forecasts(actual, forecast, *, baselines=None, description=None):
    """MAE / RMSE per horizon step of `forecast` (windows x horizon, in the target's units)
    beside the `baselines` (name → forecasts of the same shape)."""
    metrics = forecast_metrics(np.asarray(actual), np.asarray(forecast), baselines=baselines)
    return {"task": "forecasting", "metrics": metrics, "dataset": description or {}}
