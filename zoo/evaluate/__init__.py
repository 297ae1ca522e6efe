"""Evaluation of trained models: numpy metrics, matplotlib plots and a report folder.

Example:
>>> from zoo.evaluate import classification_metrics
>>> classification_metrics([1, 0], [[0.3, 0.7], [0.6, 0.4]])["accuracy"]
1.0
"""

from zoo.evaluate.binary import binary_metrics, group_auc, roc_auc, sigmoid
from zoo.evaluate.classification import classification_metrics, reliability_bins, softmax
from zoo.evaluate.evaluator import (
    evaluate_classifier,
    evaluate_forecasts,
    evaluate_recommender,
    evaluation_kind,
)
from zoo.evaluate.forecasting import forecast_metrics
from zoo.evaluate.language_model import evaluate_language_model, language_model_metrics
from zoo.evaluate.options import evaluate_run
from zoo.evaluate.plots import (
    plot_confusion_matrix,
    plot_group_auc,
    plot_horizon_errors,
    plot_reliability_diagram,
    plot_training_curves,
    read_history_csv,
)
from zoo.evaluate.report import EvaluationReport, write_report

__all__ = [
    "EvaluationReport",
    "binary_metrics",
    "classification_metrics",
    "evaluate_classifier",
    "evaluate_forecasts",
    "evaluate_language_model",
    "evaluate_recommender",
    "evaluate_run",
    "evaluation_kind",
    "forecast_metrics",
    "group_auc",
    "language_model_metrics",
    "plot_confusion_matrix",
    "plot_group_auc",
    "plot_horizon_errors",
    "plot_reliability_diagram",
    "plot_training_curves",
    "read_history_csv",
    "reliability_bins",
    "roc_auc",
    "sigmoid",
    "softmax",
    "write_report",
]
