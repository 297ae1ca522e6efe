"""Run a model over a labelled test set and compute the report of its kind.

Each `evaluate_*` function returns one entry of a report, `{"task", "metrics", "dataset"}`,
that `write_report` takes (a test set's name → entry); `task` is the kind of evaluation:
"classification", "binary" (click-through rate) or "forecasting".

Example:
>>> result = evaluate_classifier(model, data.test, class_names=data.class_names)  # doctest: +SKIP
>>> write_report("runs/demo", {"test": result}, history_csv="runs/demo/history.csv")
"""

import numpy as np

from zoo.errors import ConfigError
from zoo.evaluate.binary import binary_metrics
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


def labels_and_features(dataset, feature=None):
    """The labels of a batched `(inputs, labels[, weights])` dataset, and the values of
    input `feature` (a dict input's key) when asked for, as numpy arrays."""
    labels, values = [], []
    for batch in dataset:
        inputs, batch_labels = batch[0], batch[1]
        labels.append(np.asarray(batch_labels))
        if feature is not None:
            if not isinstance(inputs, dict) or feature not in inputs:
                names = sorted(inputs) if isinstance(inputs, dict) else []
                raise ConfigError(
                    f"The test set has no input {feature!r}; its inputs are {names or 'unnamed'}."
                )
            values.append(np.asarray(inputs[feature]))
    labels = np.concatenate(labels) if labels else np.zeros((0,))
    features = np.concatenate(values).reshape(len(labels), -1)[:, 0] if values else None
    return labels, features


def outputs_logits(model):
    """Whether `model`'s last layer has no activation (its classifier outputs logits)."""
    activation = getattr(model.layers[-1], "activation", None)
    return getattr(activation, "__name__", None) == "linear"


def _predict(model, dataset, predict):
    outputs = predict(model, dataset) if predict else model.predict(dataset, verbose=0)
    return _single_output(outputs)


def evaluate_classifier(model, dataset, *, class_names=None, from_logits=None, top_k=5,
                        predict=None, description=None):  # fmt: skip
    """Accuracy, per-class precision / recall / F1, confusion matrix, top-k and calibration
    of a classifier on `dataset` (batches of `(inputs, labels)`).

    `from_logits`: the model outputs logits (softmax is applied first); default: when its
    last layer has no activation (BERT classifiers). `predict(model,
    dataset)`: how to predict (a `TrainingRun.predict` under a distribution strategy)."""
    labels, _ = labels_and_features(dataset)
    outputs = _predict(model, dataset, predict)
    if outputs_logits(model) if from_logits is None else from_logits:
        outputs = softmax(outputs)
    metrics = classification_metrics(labels.reshape(-1), outputs, class_names=class_names,
                                     top_k=top_k)  # fmt: skip
    return {"task": "classification", "metrics": metrics, "dataset": description or {}}


def evaluate_recommender(model, dataset, *, group_feature=None, predict=None,
                         description=None):  # fmt: skip
    """AUC, log loss and, with `group_feature` (e.g. "user_id"), AUC per group of a
    click-through-rate model on `dataset` (batches of `(feature dict, labels)`)."""
    labels, groups = labels_and_features(dataset, group_feature)
    outputs = _predict(model, dataset, predict).reshape(-1)
    metrics = binary_metrics(labels.reshape(-1), outputs, groups=groups,
                             group_name=group_feature or "user")  # fmt: skip
    return {"task": "binary", "metrics": metrics, "dataset": description or {}}


def evaluate_forecasts(actual, forecast, *, baselines=None, description=None):
    """MAE / RMSE per horizon step of `forecast` (windows x horizon, in the target's units)
    beside the `baselines` (name → forecasts of the same shape)."""
    metrics = forecast_metrics(np.asarray(actual), np.asarray(forecast), baselines=baselines)
    return {"task": "forecasting", "metrics": metrics, "dataset": description or {}}
