"""Binary (click-through) metrics: ROC AUC, log loss and group AUC, from labels and probabilities.

AUC is the Mann-Whitney rank statistic: the probability that a random positive scores higher
than a random negative, ties counting one half. Group AUC (GAUC, Zhou et al. 2018 "Deep
Interest Network") is the AUC within each group (e.g. each user) averaged with the group's
number of impressions as weight, over the groups that have both a positive and a negative.

Example:
>>> metrics = binary_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
>>> metrics["auc"]
0.75
"""

import numpy as np

from zoo.errors import ConfigError
from zoo.evaluate.classification import check_probability_range

SIGMOID_HINT = "pass probabilities, e.g. sigmoid(logits)"
LOGLOSS_EPSILON = 1e-7
LISTED_GROUPS = 20


def sigmoid(logits):
    """Numerically stable logistic function of `logits`, as a float64 numpy array.

    Example:
    >>> sigmoid([0.0]).tolist()
    [0.5]
    """
    logits = np.asarray(logits, dtype=np.float64)
    exp = np.exp(-np.abs(logits))
    return np.where(logits >= 0, 1.0 / (1.0 + exp), exp / (1.0 + exp))


def _check_binary(labels, probabilities):
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim == 2 and probabilities.shape[1] == 2:  # softmax over [neg, pos]
        probabilities = probabilities[:, 1]
    elif probabilities.ndim == 2 and probabilities.shape[1] == 1:
        probabilities = probabilities[:, 0]
    if probabilities.ndim != 1:
        raise ConfigError(
            f"probabilities must have shape (N,), (N, 1) or (N, 2), got {probabilities.shape}."
        )
    probabilities = check_probability_range("probabilities", probabilities, SIGMOID_HINT)
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1 or len(labels) != len(probabilities):
        raise ConfigError(
            f"labels must be 1-D with one entry per probability, got shape {labels.shape} for "
            f"{len(probabilities)} probabilities."
        )
    if len(labels) == 0:
        raise ConfigError("binary_metrics needs at least one example, got 0.")
    valid = (labels == 0) | (labels == 1)
    if not np.all(valid):
        value = labels[np.argmin(valid)]
        raise ConfigError(f"labels must be 0 or 1 (clicked or not), got {value!r}.")
    return labels.astype(np.float64), probabilities


def _grouped_auc(labels, scores, group_index, num_groups):
    """Per-group (count, positives, AUC) from average ranks within each group; NaN if undefined."""
    order = np.lexsort((scores, group_index))
    group, score, label = group_index[order], scores[order], labels[order]
    size = len(order)
    new_group = np.r_[True, group[1:] != group[:-1]]
    new_run = new_group | np.r_[True, score[1:] != score[:-1]]  # a run = tied scores in a group
    run_starts = np.flatnonzero(new_run)
    run_ends = np.r_[run_starts[1:], size]
    mean_position = (run_starts + run_ends + 1) / 2.0  # 1-based average rank over the run
    group_starts = np.flatnonzero(new_group)[np.cumsum(new_group) - 1]
    rank = mean_position[np.cumsum(new_run) - 1] - group_starts
    counts = np.bincount(group, minlength=num_groups).astype(np.float64)
    positives = np.bincount(group, weights=label, minlength=num_groups)
    negatives = counts - positives
    positive_rank_sum = np.bincount(group, weights=rank * label, minlength=num_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
    auc[(positives == 0) | (negatives == 0)] = np.nan
    return counts, positives, auc


def roc_auc(labels, probabilities):
    """ROC AUC by the Mann-Whitney rank statistic, ties averaged; needs both classes present.

    Example:
    >>> roc_auc([0, 1, 0, 1], [0.2, 0.2, 0.1, 0.9])
    0.875
    """
    labels, scores = _check_binary(labels, probabilities)
    positives = int(labels.sum())
    if positives in (0, len(labels)):
        present = "positive (1)" if positives else "negative (0)"
        raise ConfigError(
            f"AUC needs both positive and negative labels, but all {len(labels)} labels are "
            f"{present}; evaluate on a set that contains both."
        )
    _, _, auc = _grouped_auc(labels, scores, np.zeros(len(labels), dtype=np.int64), 1)
    return float(auc[0])


def _python_key(value):
    return value.item() if isinstance(value, np.generic) else value


def group_auc(labels, probabilities, groups, *, name="user", min_group_size=1):
    """Impression-weighted mean AUC over groups having both classes and >= `min_group_size` rows.

    Returns {"name", "groups_evaluated", "groups_skipped", "weighted_auc" (None when no group
    qualifies), "mean_auc" (unweighted), "per_group": the 20 largest evaluated groups}.
    """
    labels, scores = _check_binary(labels, probabilities)
    groups = np.asarray(groups)
    if groups.ndim == 2 and groups.shape[1] == 1:
        groups = groups[:, 0]
    if groups.shape != labels.shape:
        raise ConfigError(
            f"groups must hold one key per example, got shape {groups.shape} for "
            f"{len(labels)} examples."
        )
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, (int, np.integer)):
        raise ConfigError(f"min_group_size must be an integer, got {min_group_size!r}.")
    keys, group_index = np.unique(groups, return_inverse=True)
    group_index = group_index.reshape(-1)
    counts, positives, auc = _grouped_auc(labels, scores, group_index, len(keys))
    evaluated = ~np.isnan(auc) & (counts >= min_group_size)
    chosen = np.flatnonzero(evaluated)
    largest = chosen[np.argsort(-counts[chosen], kind="stable")][:LISTED_GROUPS]
    weighted = None
    if len(chosen):
        weighted = float(np.sum(counts[chosen] * auc[chosen]) / np.sum(counts[chosen]))
    return {
        "name": str(name),
        "groups_evaluated": int(len(chosen)),
        "groups_skipped": int(len(keys) - len(chosen)),
        "weighted_auc": weighted,
        "mean_auc": float(np.mean(auc[chosen])) if len(chosen) else None,
        "per_group": [
            {"group": _python_key(keys[g]), "count": int(counts[g]), "auc": float(auc[g])}
            for g in largest
        ],
    }


def binary_metrics(labels, probabilities, *, groups=None, group_name="user", min_group_size=1):
    """AUC, log loss, positive rate and mean prediction; with `groups`, also group AUC.

    `probabilities` are P(label = 1): shape (N,), (N, 1), or (N, 2) softmax columns [neg, pos].
    Log loss clips probabilities to [1e-7, 1 - 1e-7]. AUC with one class present raises
    `ValueError`. Groups with fewer than `min_group_size` examples are skipped in group AUC, as
    are groups with only one class.

    Example:
    >>> m = binary_metrics([1, 0, 1, 0], [0.9, 0.2, 0.4, 0.6], groups=["a", "a", "b", "b"])
    >>> groups = m["group_auc"]
    >>> m["auc"], groups["weighted_auc"]
    (0.75, 0.5)
    """
    labels, scores = _check_binary(labels, probabilities)
    clipped = np.clip(scores, LOGLOSS_EPSILON, 1 - LOGLOSS_EPSILON)
    logloss = -np.mean(labels * np.log(clipped) + (1 - labels) * np.log(1 - clipped))
    metrics = {
        "num_examples": int(len(labels)),
        "auc": roc_auc(labels, scores),
        "logloss": float(logloss),
        "positive_rate": float(np.mean(labels)),
        "mean_prediction": float(np.mean(scores)),
    }
    if groups is not None:
        metrics["group_auc"] = group_auc(
            labels, scores, groups, name=group_name, min_group_size=min_group_size
        )
    return metrics
