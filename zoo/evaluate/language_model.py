"""How well a causal language model predicts held-out text: loss, perplexity, bits per token.

Example:
>>> metrics = language_model_metrics(loss=1.5, accuracy=0.55, num_tokens=1000)
>>> round(metrics["perplexity"], 3), round(metrics["bits_per_token"], 3)
(4.482, 2.164)
"""

import math


def language_model_metrics(loss, accuracy, num_tokens):
    """The report's metrics from the mean next-token cross-entropy `loss` (nats) and
    next-token `accuracy` over `num_tokens` predicted tokens."""
    loss = float(loss)
    return {
        "loss": loss,
        "perplexity": math.exp(min(loss, 700.0)),
        "bits_per_token": loss / math.log(2),
        "next_token_accuracy": float(accuracy),
        "num_tokens": int(num_tokens),
    }


def evaluate_language_model(results, num_tokens, *, description=None):
    """The evaluation entry (`zoo.evaluate.write_report`) of a causal LM from `results`,
    `TrainingRun.evaluate`'s dict of its loss and accuracy over `num_tokens` tokens."""
    metrics = language_model_metrics(results["loss"], results.get("accuracy", float("nan")),
                                     num_tokens)  # fmt: skip
    return {"task": "language_model", "metrics": metrics, "dataset": description or {}}
