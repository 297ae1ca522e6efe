"""Metrics against hand-computed values and brute-force formulas written out here."""

import itertools
import math

import numpy as np
import pytest

from zoo.evaluate import (
    binary_metrics,
    classification_metrics,
    forecast_metrics,
    roc_auc,
    sigmoid,
    softmax,
)

# Seven examples, three classes; predictions (arg-max) are 0 1 1 2 2 0 2.
LABELS = [0, 0, 1, 1, 2, 2, 2]
PROBABILITIES = [
    [0.7, 0.2, 0.1],
    [0.3, 0.6, 0.1],
    [0.2, 0.5, 0.3],
    [0.1, 0.2, 0.7],
    [0.1, 0.1, 0.8],
    [0.6, 0.3, 0.1],
    [0.2, 0.2, 0.6],
]


def test_hand_built_three_class_example():
    m = classification_metrics(LABELS, PROBABILITIES, class_names=["a", "b", "c"], top_k=2)
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 1, 1], [1, 0, 2]]
    assert m["num_examples"] == 7 and m["num_classes"] == 3
    assert m["accuracy"] == pytest.approx(4 / 7)
    # Only example 5 (true class 2 scored lowest) misses the top 2.
    assert m["top_k_accuracy"] == {"top_2": pytest.approx(6 / 7)}
    # precision = diagonal / column sum, recall = diagonal / row sum.
    expected = [("a", 1 / 2, 1 / 2, 2), ("b", 1 / 2, 1 / 2, 2), ("c", 2 / 3, 2 / 3, 3)]
    for row, (name, precision, recall, support) in zip(m["per_class"], expected, strict=True):
        f1 = 2 * precision * recall / (precision + recall)
        assert row == {
            "class": name,
            "precision": pytest.approx(precision),
            "recall": pytest.approx(recall),
            "f1": pytest.approx(f1),
            "support": support,
        }
    assert m["macro_f1"] == pytest.approx((0.5 + 0.5 + 2 / 3) / 3)
    assert m["weighted_f1"] == pytest.approx((2 * 0.5 + 2 * 0.5 + 3 * 2 / 3) / 7)


def test_top_k_is_only_reported_below_num_classes():
    assert classification_metrics(LABELS, PROBABILITIES)["top_k_accuracy"] == {}
    assert "top_3" not in classification_metrics(LABELS, PROBABILITIES, top_k=3)["top_k_accuracy"]


def test_class_never_predicted_has_precision_zero():
    labels = [0, 1, 2]
    probabilities = [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1]]
    m = classification_metrics(labels, probabilities)
    never = m["per_class"][2]
    assert never["precision"] == 0.0 and never["recall"] == 0.0 and never["f1"] == 0.0
    assert m["per_class"][0]["precision"] == pytest.approx(0.5)


def test_macro_f1_ignores_classes_absent_from_labels_and_predictions():
    m = classification_metrics([0, 1], [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]])
    assert m["macro_f1"] == 1.0 and m["per_class"][2]["support"] == 0


def test_expected_calibration_error_two_bins():
    # Bin (0, 0.5]: confidences 0.4 (right) and 0.45 (wrong).
    # Bin (0.5, 1]: 0.9 (right), 0.8 (wrong), 0.7 (right), 0.6 (wrong).
    labels = [0, 0, 0, 1, 1, 2]
    probabilities = [
        [0.4, 0.3, 0.3],
        [0.35, 0.45, 0.2],
        [0.9, 0.05, 0.05],
        [0.8, 0.1, 0.1],
        [0.2, 0.7, 0.1],
        [0.6, 0.2, 0.2],
    ]
    m = classification_metrics(labels, probabilities, bins=2)
    low_confidence, high_confidence = (0.4 + 0.45) / 2, (0.9 + 0.8 + 0.7 + 0.6) / 4
    expected = 2 / 6 * abs(0.5 - low_confidence) + 4 / 6 * abs(0.5 - high_confidence)
    assert m["expected_calibration_error"] == pytest.approx(expected)
    low, high = m["reliability"]
    assert (low["lower"], low["upper"], low["count"]) == (0.0, 0.5, 2)
    assert low["confidence"] == pytest.approx(low_confidence) and low["accuracy"] == 0.5
    assert (high["count"], high["accuracy"]) == (4, 0.5)
    assert high["confidence"] == pytest.approx(high_confidence)


def test_empty_reliability_bins_have_no_confidence():
    m = classification_metrics([0, 1], [[0.9, 0.1], [0.2, 0.8]], bins=4)
    assert [b["count"] for b in m["reliability"]] == [0, 0, 0, 2]
    assert m["reliability"][0]["confidence"] is None and m["reliability"][0]["accuracy"] is None


@pytest.mark.parametrize("shape", [(3,), (3, 1)])
def test_single_sigmoid_column_means_two_classes(shape):
    positive = np.array([0.9, 0.2, 0.6]).reshape(shape)
    m = classification_metrics([1, 0, 0], positive)
    two_columns = classification_metrics([1, 0, 0], [[0.1, 0.9], [0.8, 0.2], [0.4, 0.6]])
    assert m == two_columns
    assert m["num_classes"] == 2 and m["accuracy"] == pytest.approx(2 / 3)


def test_label_out_of_range_is_named():
    with pytest.raises(ValueError, match=r"label 3 is out of range for 3 classes.*\[0, 3\)"):
        classification_metrics([0, 3], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


@pytest.mark.parametrize(
    "values",
    [
        [[2.0, -1.0, 0.5], [0.1, 3.0, -2.0]],  # logits
        [[0.9, 0.9, 0.9], [0.1, 0.1, 0.1]],  # independent sigmoids, rows do not sum to 1
        [[np.nan, 0.5, 0.5], [0.2, 0.3, 0.5]],
    ],
)
def test_non_probabilities_are_refused_with_the_fix(values):
    with pytest.raises(ValueError, match=r"pass probabilities, e\.g\. softmax\(logits\)"):
        classification_metrics([0, 1], values)


def test_softmax_of_logits_is_accepted():
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 3.0, -2.0]])
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(logits), expected)
    assert classification_metrics([0, 1], softmax(logits))["accuracy"] == 1.0


def test_shape_and_name_mismatches_are_refused():
    with pytest.raises(ValueError, match="same length"):
        classification_metrics([0, 1, 1], PROBABILITIES[:2])
    with pytest.raises(ValueError, match="one-hot"):
        classification_metrics(np.eye(3)[[0, 1]], PROBABILITIES[:2])
    with pytest.raises(ValueError, match="class_names has 2 names"):
        classification_metrics(LABELS, PROBABILITIES, class_names=["a", "b"])


def _brute_force_auc(labels, scores):
    positives = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    negatives = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    wins = sum(
        1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(positives, negatives)
    )
    return wins / (len(positives) * len(negatives))


def test_auc_matches_pairwise_count_with_ties():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.random(300) * 0.5 + labels * 0.3, 1)  # coarse: many ties
    assert roc_auc(labels, scores) == pytest.approx(_brute_force_auc(labels, scores))
    assert binary_metrics(labels, scores)["auc"] == pytest.approx(_brute_force_auc(labels, scores))


def test_logloss_and_rates_by_formula():
    labels = np.array([1, 0, 1, 0, 1])
    scores = np.array([0.9, 0.2, 0.0, 1.0, 0.6])  # two hard mistakes, clipped to 1e-7
    m = binary_metrics(labels, scores)
    clipped = np.clip(scores, 1e-7, 1 - 1e-7)
    expected = -np.mean(labels * np.log(clipped) + (1 - labels) * np.log(1 - clipped))
    assert m["logloss"] == pytest.approx(expected)
    assert m["positive_rate"] == pytest.approx(0.6)
    assert m["mean_prediction"] == pytest.approx(np.mean(scores))
    assert m["num_examples"] == 5 and "group_auc" not in m


def test_binary_accepts_column_and_softmax_shapes():
    labels, scores = [0, 1, 1, 0], np.array([0.3, 0.8, 0.4, 0.5])
    flat = binary_metrics(labels, scores)
    assert binary_metrics(labels, scores[:, None]) == flat
    assert binary_metrics(labels, np.stack([1 - scores, scores], axis=1)) == pytest.approx(flat)
    np.testing.assert_allclose(sigmoid([-30.0, 0.0, 30.0]), 1 / (1 + np.exp([30.0, 0, -30.0])))


def test_auc_with_one_class_is_refused():
    with pytest.raises(ValueError, match="both positive and negative"):
        binary_metrics([1, 1, 1], [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="0 or 1"):
        binary_metrics([0, 2], [0.2, 0.5])
    with pytest.raises(ValueError, match=r"sigmoid\(logits\)"):
        binary_metrics([0, 1], [-1.5, 2.0])


def test_group_auc_matches_per_user_brute_force():
    rng = np.random.default_rng(1)
    users = rng.integers(0, 30, 600)
    labels = (rng.random(600) < 0.3).astype(int)
    labels[users == 7] = 1  # one-class users are skipped
    labels[users == 8] = 0
    scores = np.round(rng.random(600) * 0.6 + labels * 0.2, 2)
    m = binary_metrics(labels, scores, groups=users)["group_auc"]

    per_user = {}
    for user in np.unique(users):
        mask = users == user
        if 0 < labels[mask].sum() < mask.sum():
            per_user[int(user)] = (int(mask.sum()), _brute_force_auc(labels[mask], scores[mask]))
    weight = sum(count for count, _ in per_user.values())
    expected = sum(count * auc for count, auc in per_user.values()) / weight
    assert m["name"] == "user"
    assert m["weighted_auc"] == pytest.approx(expected)
    assert m["mean_auc"] == pytest.approx(np.mean([auc for _, auc in per_user.values()]))
    assert m["groups_evaluated"] == len(per_user)
    assert m["groups_skipped"] == len(np.unique(users)) - len(per_user)
    assert len(m["per_group"]) == 20
    counts = [row["count"] for row in m["per_group"]]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == max(count for count, _ in per_user.values())
    for row in m["per_group"]:
        assert (row["count"], row["auc"]) == pytest.approx(per_user[row["group"]])


def test_group_auc_min_group_size_and_string_keys():
    labels = [1, 0, 1, 0, 0, 1, 0]
    scores = [0.9, 0.1, 0.5, 0.8, 0.3, 0.7, 0.6]
    groups = ["ann", "ann", "bob", "bob", "bob", "cy", "cy"]
    m = binary_metrics(labels, scores, groups=groups, group_name="reader", min_group_size=3)
    g = m["group_auc"]
    assert (g["name"], g["groups_evaluated"], g["groups_skipped"]) == ("reader", 1, 2)
    assert g["per_group"] == [{"group": "bob", "count": 3, "auc": 0.5}]
    assert g["weighted_auc"] == 0.5
    none = binary_metrics([1, 0], [0.6, 0.4], groups=["a", "b"])["group_auc"]
    assert none["weighted_auc"] is None and none["groups_skipped"] == 2


def test_forecast_errors_per_step_and_skill():
    actual = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    forecast = np.array([[1.5, 2.0, 1.0], [2.0, 5.0, 6.0]])
    last_value = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    m = forecast_metrics(actual, forecast, baselines={"last value": last_value})
    assert (m["horizon"], m["num_windows"]) == (3, 2)
    for name, prediction, result in (
        ("model", forecast, m["model"]),
        ("last value", last_value, m["baselines"]["last value"]),
    ):
        mae = [sum(abs(prediction[n, h] - actual[n, h]) for n in range(2)) / 2 for h in range(3)]
        rmse = [
            math.sqrt(sum((prediction[n, h] - actual[n, h]) ** 2 for n in range(2)) / 2)
            for h in range(3)
        ]
        assert result["mae_per_step"] == pytest.approx(mae), name
        assert result["rmse_per_step"] == pytest.approx(rmse), name
        assert result["mae"] == pytest.approx(sum(mae) / 3), name
        assert result["rmse"] == pytest.approx(math.sqrt(sum(r**2 for r in rmse) / 3)), name
    baseline_mae = m["baselines"]["last value"]["mae"]
    assert m["skill"]["last value"] == pytest.approx(1 - m["model"]["mae"] / baseline_mae)


def test_forecast_accepts_target_axis_and_refuses_mismatches():
    actual = np.arange(12.0).reshape(2, 3, 2)
    m = forecast_metrics(actual, actual + 1.0)
    assert m["model"]["mae_per_step"] == [1.0, 1.0, 1.0] and m["baselines"] == {}
    with pytest.raises(ValueError, match=r"forecast has shape \(2, 2\) but actual has \(2, 3\)"):
        forecast_metrics(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="baseline 'naive' has shape"):
        forecast_metrics(np.zeros((2, 3)), np.zeros((2, 3)), baselines={"naive": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="non-finite"):
        forecast_metrics([[np.nan]], [[1.0]])
    perfect = forecast_metrics([[1.0]], [[2.0]], baselines={"oracle": [[1.0]]})
    assert perfect["skill"]["oracle"] is None


def test_ties_rank_as_argmax_breaks_them():
    """All-tied rows: argmax takes class 0, so only label 0 is a top-1 hit; top-2 takes 0, 1."""
    tied = np.full((3, 3), 1 / 3)
    m = classification_metrics([0, 1, 2], tied, top_k=1)
    assert m["accuracy"] == m["top_k_accuracy"]["top_1"] == pytest.approx(1 / 3)
    assert classification_metrics([0, 1, 2], tied, top_k=2)["top_k_accuracy"]["top_2"] == (
        pytest.approx(2 / 3))
