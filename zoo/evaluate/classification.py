"""Multi-class classification metrics from labels and predicted probabilities (numpy only).

Conventions, the same as scikit-learn's with `zero_division=0`: a class that is never predicted
has precision 0.0, a class with no examples has recall 0.0, and F1 is 0.0 when precision and
recall are both 0. `macro_f1` averages over the classes that occur in the labels or the
predictions; `weighted_f1` weights each class by its support. Accuracy takes the arg-max (the
first class on ties); top-k counts a hit when the true class ranks among the first k with ties
broken the same way (so top-1 accuracy is the accuracy; a tie at the cut-off is not a free hit,
unlike `tf.math.in_top_k`).

Example:
>>> metrics = classification_metrics([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
>>> round(metrics["accuracy"], 4), metrics["confusion_matrix"]
(0.6667, [[1, 0], [1, 1]])
"""

import numpy as np

from zoo._utils import check_positive_int
from zoo.errors import ConfigError

PROBABILITY_HINT = "pass probabilities, e.g. softmax(logits)"


def softmax(logits, axis=-1):
    """Numerically stable softmax of `logits` along `axis`, as a float64 numpy array.

    Example:
    >>> softmax([[0.0, 0.0]]).tolist()
    [[0.5, 0.5]]
    """
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=axis, keepdims=True)


def check_probability_range(name, values, hint=PROBABILITY_HINT):
    """Raise `ConfigError` unless every value is finite and in [0, 1]; return float64 values."""
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        count = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
        raise ConfigError(f"{name} has {count} non-finite values (NaN or inf); {hint}.")
    low, high = float(values.min()), float(values.max())
    if low < -1e-6 or high > 1 + 1e-6:
        raise ConfigError(
            f"{name} must lie in [0, 1], got values from {low:.4g} to {high:.4g} "
            f"(these look like logits); {hint}."
        )
    return np.clip(values, 0.0, 1.0)


def _check_labels(labels, num_examples, num_classes):
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim == 2 and labels.shape == (num_examples, num_classes):
        raise ConfigError(
            f"labels have shape {labels.shape} and look one-hot; pass class indices, "
            "e.g. labels.argmax(axis=1)."
        )
    if labels.ndim != 1:
        raise ConfigError(f"labels must be a 1-D array of class indices, got shape {labels.shape}.")
    if len(labels) != num_examples:
        raise ConfigError(
            f"labels and probabilities must have the same length, got {len(labels)} labels "
            f"and {num_examples} rows of probabilities."
        )
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ConfigError("labels must be integer class indices, got non-integer values.")
    elif labels.dtype.kind not in "iu":
        raise ConfigError(f"labels must be integer class indices, got dtype {labels.dtype}.")
    labels = labels.astype(np.int64)
    bad = (labels < 0) | (labels >= num_classes)
    if np.any(bad):
        value = int(labels[np.argmax(bad)])
        raise ConfigError(
            f"label {value} is out of range for {num_classes} classes; labels must be in "
            f"[0, {num_classes}). Check num_classes or the width of the probabilities."
        )
    return labels


def _check_probabilities(probabilities):
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim == 2 and probabilities.shape[1] == 1:
        probabilities = probabilities[:, 0]
    if probabilities.ndim == 1:  # one sigmoid output of a binary classifier
        positive = check_probability_range("probabilities", probabilities)
        return np.stack([1.0 - positive, positive], axis=1)
    if probabilities.ndim != 2:
        raise ConfigError(
            f"probabilities must have shape (N, num_classes) or (N,), got {probabilities.shape}."
        )
    probabilities = check_probability_range("probabilities", probabilities)
    sums = probabilities.sum(axis=1)
    off = np.abs(sums - 1.0) > 1e-3
    if np.any(off):
        row = int(np.argmax(off))
        raise ConfigError(
            f"rows of probabilities must sum to 1 (within 1e-3); row {row} sums to "
            f"{sums[row]:.4g} ({int(off.sum())} rows are off); {PROBABILITY_HINT}."
        )
    return probabilities


def _ratio(numerator, denominator):
    return float(numerator) / float(denominator) if denominator else 0.0


def reliability_bins(confidence, correct, bins=15):
    """Equal-width bins over [0, 1] of `confidence`: (list of bin dicts, ECE).

    Bin b holds confidences in (lower, upper] (the first bin also holds 0). An empty bin has
    count 0 and confidence/accuracy None. ECE = sum over bins of (n_b / N) |acc_b - conf_b|.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    confidence_sum = np.bincount(index, weights=confidence, minlength=bins)
    correct_sum = np.bincount(index, weights=correct, minlength=bins)
    result, ece = [], 0.0
    for b in range(bins):
        count = int(counts[b])
        entry = {"lower": float(edges[b]), "upper": float(edges[b + 1]), "count": count}
        if count:
            mean_confidence = confidence_sum[b] / count
            accuracy = correct_sum[b] / count
            ece += count / len(confidence) * abs(accuracy - mean_confidence)
            entry.update(confidence=float(mean_confidence), accuracy=float(accuracy))
        else:
            entry.update(confidence=None, accuracy=None)
        result.append(entry)
    return result, float(ece)


def classification_metrics(labels, probabilities, *, class_names=None, top_k=5, bins=15):
    """Accuracy, top-k, per-class P/R/F1, confusion matrix and calibration, as a JSON-ready dict.

    `probabilities` is (N, C) with rows summing to 1, or one sigmoid column (N,) / (N, 1) for a
    binary classifier (read as [1 - p, p]). `labels` are class indices in [0, C). The confusion
    matrix has true classes as rows and predicted classes as columns. `top_k_accuracy` has the
    key `f"top_{top_k}"` only when top_k < C. Calibration uses `bins` equal-width bins over the
    top-class confidence.

    Example:
    >>> m = classification_metrics([2, 0], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]], top_k=2)
    >>> m["accuracy"], m["top_k_accuracy"]
    (1.0, {'top_2': 1.0})
    """
    top_k = check_positive_int("top_k", top_k)
    bins = check_positive_int("bins", bins)
    probabilities = _check_probabilities(probabilities)
    num_examples, num_classes = probabilities.shape
    if num_examples == 0:
        raise ConfigError("classification_metrics needs at least one example, got 0.")
    labels = _check_labels(labels, num_examples, num_classes)
    if class_names is None:
        class_names = [str(index) for index in range(num_classes)]
    class_names = [str(name) for name in class_names]
    if len(class_names) != num_classes:
        raise ConfigError(
            f"class_names has {len(class_names)} names but probabilities have {num_classes} "
            "columns; pass one name per column."
        )

    predicted = np.argmax(probabilities, axis=1)
    correct = predicted == labels
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)

    # The true class's rank with ties broken as argmax breaks them (the lower class id first),
    # so top-1 accuracy equals accuracy.
    true_scores = probabilities[np.arange(num_examples), labels]
    tied_before = (probabilities == true_scores[:, None]) & (
        np.arange(num_classes)[None, :] < labels[:, None]
    )
    higher = np.sum(probabilities > true_scores[:, None], axis=1) + tied_before.sum(axis=1)
    top_k_accuracy = {}
    if top_k < num_classes:
        top_k_accuracy[f"top_{top_k}"] = float(np.mean(higher < top_k))

    true_positives = np.diag(matrix)
    support = matrix.sum(axis=1)
    predicted_counts = matrix.sum(axis=0)
    per_class, f1_scores = [], []
    for c in range(num_classes):
        precision = _ratio(true_positives[c], predicted_counts[c])
        recall = _ratio(true_positives[c], support[c])
        f1 = _ratio(2 * precision * recall, precision + recall)
        f1_scores.append(f1)
        per_class.append(
            {
                "class": class_names[c],
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "support": int(support[c]),
            }
        )
    f1_scores = np.array(f1_scores)
    present = (support > 0) | (predicted_counts > 0)
    reliability, ece = reliability_bins(probabilities.max(axis=1), correct, bins)
    return {
        "num_examples": int(num_examples),
        "num_classes": int(num_classes),
        "accuracy": float(np.mean(correct)),
        "top_k_accuracy": top_k_accuracy,
        "per_class": per_class,
        "macro_f1": float(np.mean(f1_scores[present])),
        "weighted_f1": float(np.sum(f1_scores * support) / num_examples),
        "confusion_matrix": matrix.tolist(),
        "expected_calibration_error": ece,
        "reliability": reliability,
    }
