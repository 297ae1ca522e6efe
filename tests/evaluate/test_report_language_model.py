"""A causal LM's evaluation: perplexity and bits per token in the report."""

import json
import math

from zoo.evaluate import evaluate_language_model, write_report


def test_language_model_report_headlines_perplexity(tmp_path):
    entry = evaluate_language_model({"loss": math.log(20.0), "accuracy": 0.3}, 4096,
                                    description={"corpus": ["a.txt"]})  # fmt: skip
    assert round(entry["metrics"]["perplexity"], 6) == 20.0
    assert round(entry["metrics"]["bits_per_token"], 4) == round(math.log2(20.0), 4)
    report = write_report(tmp_path, {"validation text": entry}, title="gpt_nano")
    text = report.markdown_path.read_text()
    assert "| perplexity | 20.0000 |" in text and "| tokens | 4,096 |" in text
    saved = json.loads(report.json_path.read_text())
    assert saved["results"]["validation text"]["task"] == "language_model"
