"""Each zoo figure beside its reference as a ratio: one function per kind of suite, turning the
rows of its results CSV (dicts of strings, as `csv.DictReader` gives them) into ratio rows.

A ratio row is always `value / reference_value`; `higher_is_better` says which way is good
(for a latency or an error, a ratio below 1 is the better result).

Example:
>>> rows = [{"model": "cnn", "implementation": "zoo / jax", "images_per_second": "50"},
...         {"model": "cnn", "implementation": "plain PyTorch", "images_per_second": "100"}]
>>> versus_reference("images_per_second", "images/s", "plain PyTorch")(rows)[0]["ratio"]
0.5
"""

import re

from benchmarks._harness import MATMUL_ROOF_GFLOPS

COLUMNS = ("suite", "model", "figure", "metric", "value", "reference", "reference_value",
           "ratio", "higher_is_better", "published")  # fmt: skip
ROOF_MEASURED = "a float32 numpy matmul, measured in the same run"
ROOF_PUBLISHED = ("REFERENCES.md: a large numpy float32 matmul reaches about 170 GFLOP/s on "
                  "the 2-core development machine")  # fmt: skip
PRUNING_SOURCE = "TF-MOT pruning guide, InceptionV3 top-1 78.1% dense"
PUBLISHED_PRUNING = {0.5: (0.5, 78.0), 0.75: (0.75, 76.1), 0.9: (0.875, 74.6)}
DISTILLATION_SOURCE = "Hinton et al. 2015, MNIST: 74 errors distilled, 146 student alone"


def ratio_row(model, figure, metric, value, reference, reference_value, *,
              higher_is_better=True, published=""):  # fmt: skip
    """One ratio row (without its `suite`, which `ratio_rows` adds); its ratio is None where
    either figure is 0 (no ratio to draw on a log scale: the report leaves the row out)."""
    value, reference_value = float(value), float(reference_value)
    ratio = round(value / reference_value, 4) if value > 0 and reference_value > 0 else None
    return {
        "model": model, "figure": figure, "metric": metric, "value": value,
        "reference": reference, "reference_value": reference_value,
        "ratio": ratio, "higher_is_better": higher_is_better,
        "published": published,
    }  # fmt: skip


def _by_model(rows):
    models = {}
    for row in rows:
        models.setdefault(row["model"], []).append(row)
    return models


def versus_reference(column, metric, reference):
    """Ratios of the `zoo / ...` implementations' `column` to the `reference` implementation's,
    model by model (train, LSTM and recommender throughput)."""

    def ratios(rows):
        result = []
        for model, group in _by_model(rows).items():
            base = next((r for r in group if r["implementation"] == reference), None)
            if base is None:
                continue
            result += [ratio_row(model, row["implementation"], metric, row[column], reference,
                                 base[column])  # fmt: skip
                       for row in group if row["implementation"].startswith("zoo")]
        return result

    return ratios


def bert_ratios(rows):
    """zoo's sequences/s against the fastest reference (keras-hub or Hugging Face) of the same
    model, and zoo's achieved matmul GFLOP/s against this machine's measured matmul roof."""
    result = []
    for model, group in _by_model(rows).items():
        references = [r for r in group if not r["implementation"].startswith("zoo")]
        fastest = max(references, key=lambda r: float(r["sequences_per_second"]), default=None)
        for row in group:
            if not row["implementation"].startswith("zoo"):
                continue
            if fastest:
                result.append(ratio_row(
                    model, row["implementation"], "sequences/s", row["sequences_per_second"],
                    f"fastest reference: {fastest['implementation']}",
                    fastest["sequences_per_second"]))  # fmt: skip
            measured = row.get("roof_gflops")
            source = ROOF_MEASURED if measured else ROOF_PUBLISHED
            result.append(ratio_row(model, row["implementation"], "GFLOP/s, share of the roof",
                                    row["achieved_gflops"], "matmul roof of the machine",
                                    float(measured or MATMUL_ROOF_GFLOPS),
                                    published=source))  # fmt: skip
    return result


def _label(backend, precision, xla):
    return f"{backend} {precision}{' + XLA' if xla == 'True' else ''}"


def precision_xla_ratios(rows):
    """Every precision / XLA setting against the same backend's first float32 row."""
    result, baselines = [], {}
    for row in rows:
        key = (row["model"], row["backend"])
        if key not in baselines and row["precision"] == "float32":
            baselines[key] = row
            continue
        base = baselines.get(key)
        if base:
            result.append(ratio_row(row["model"], _label(row["backend"], row["precision"],
                                                         row["xla"]),
                                    "examples/s", row["examples_per_second"],
                                    _label(base["backend"], base["precision"], base["xla"]),
                                    base["examples_per_second"]))  # fmt: skip
    return result


def data_parallel_ratios(rows):
    """Throughput on N simulated devices against the ideal: N x one device's (efficiency)."""
    result = []
    singles = {(r["model"], r["backend"]): r for r in rows if int(r["devices"]) == 1}
    for row in rows:
        devices = int(row["devices"])
        one = singles.get((row["model"], row["backend"]))
        if devices > 1 and one:
            result.append(ratio_row(
                row["model"], f"{row['backend']} {row['strategy']}, {devices} devices",
                "examples/s", row["examples_per_second"], f"ideal: {devices} x one device",
                devices * float(one["examples_per_second"])))  # fmt: skip
    return result


def _published_pruning(sparsity):
    if sparsity not in PUBLISHED_PRUNING:
        return ""
    published_sparsity, accuracy = PUBLISHED_PRUNING[sparsity]
    return (f"{PRUNING_SOURCE}, {accuracy}% at {published_sparsity * 100:g}% sparse: "
            f"{accuracy / 78.1:.3f}")  # fmt: skip


def compression_ratios(rows):
    """Test accuracy of every compressed run (and the teacher, and the distilled cnn) against
    the dense run's; stored weight bytes of the pruned and int8 models against the dense."""
    dense = next((r for r in rows if r["run"] == "cnn, 0% sparse"), None)
    if dense is None:
        return []
    result = []
    for row in rows:
        if row is dense:
            continue
        sparsity = float(row["sparsity"])
        result.append(ratio_row(row["model"], row["run"], "test accuracy", row["test_accuracy"],
                                "dense cnn, trained alone", dense["test_accuracy"],
                                published=_published_pruning(sparsity)))  # fmt: skip
        if row["run"].startswith("cnn distilled"):
            result.append(ratio_row(
                row["model"], row["run"], "test errors", 1 - float(row["test_accuracy"]),
                "dense cnn, trained alone", 1 - float(dense["test_accuracy"]),
                higher_is_better=False, published=f"{DISTILLATION_SOURCE}: 0.507"))  # fmt: skip
        if sparsity and row["compressed_bytes"]:
            result.append(ratio_row(row["model"], row["run"], "zlib weight bytes",
                                    row["compressed_bytes"], "dense cnn",
                                    dense["compressed_bytes"], higher_is_better=False))  # fmt: skip
        elif "int8" in row["run"]:
            result.append(ratio_row(row["model"], row["run"], "weight bytes",
                                    row["weight_bytes"], "dense cnn, float32",
                                    dense["weight_bytes"], higher_is_better=False))  # fmt: skip
    return result


NUMBERS = re.compile(r"([\d.]+) / ([\d.]+)")
BASELINE = re.compile(r"(?P<name>[a-z-]+(?: \(\d+\))?) (?P<mae>[\d.]+) / (?P<rmse>[\d.]+)")
CHANCE = re.compile(r"chance ([\d.]+)")


def sequence_ratios(rows):
    """Forecast MAE and RMSE against the naive and seasonal-naive forecasts (lower is
    better); text accuracy against chance."""
    result = []
    for row in rows:
        figure = f"zoo / {row['backend']}"
        numbers, chance = NUMBERS.fullmatch(row["result"]), CHANCE.fullmatch(row["baseline"])
        if numbers:
            for baseline in BASELINE.finditer(row["baseline"]):
                for metric, value in zip(("mae", "rmse"), numbers.groups(), strict=True):
                    result.append(ratio_row(row["model"], figure, f"test {metric.upper()}",
                                            value, f"{baseline['name']} forecast",
                                            baseline[metric], higher_is_better=False))  # fmt: skip
        elif chance:
            result.append(ratio_row(row["model"], figure, "test accuracy", row["result"],
                                    "chance", chance.group(1)))  # fmt: skip
    return result


def _artifact_ratios(model, row, reference, name):
    return [
        ratio_row(model, row["runtime"], "batch-1 latency (ms)", row["batch1_ms"], name,
                  reference["batch1_ms"], higher_is_better=False),
        ratio_row(model, row["runtime"], "samples/s at batch 64", row["batch64_samples_per_s"],
                  name, reference["batch64_samples_per_s"]),
    ]  # fmt: skip


def export_ratios(rows):
    """Every exported artifact (ONNX Runtime, SavedModel) against Keras `predict` on the
    backend that serves that model fastest, at batch 1 and at batch 64; zoo's bert_mini
    artifacts against keras-hub's BertBackbone exported by Keras itself."""
    result = []
    for model, group in _by_model(rows).items():
        predicts = [r for r in group if r["runtime"].startswith("keras predict")]
        plain = next((r for r in group if "keras-hub" in r["runtime"]), None)
        artifacts = [r for r in group if r["runtime"].startswith(("onnxruntime", "saved_model"))
                     and r is not plain]  # fmt: skip
        if predicts:
            fastest = {"batch1_ms": min(float(r["batch1_ms"]) for r in predicts),
                       "batch64_samples_per_s": max(float(r["batch64_samples_per_s"])
                                                    for r in predicts)}  # fmt: skip
            for row in artifacts:
                result += _artifact_ratios(model, row, fastest,
                                           "keras predict, fastest backend")  # fmt: skip
        elif plain:
            for row in artifacts:
                result += _artifact_ratios(model, row, plain,
                                           "keras-hub BertBackbone, Keras's ONNX export")
    return result


def _precision_label(row):
    """ "mixed_bfloat16 + XLA, batch 256" (older rows: no precision or batch recorded)."""
    label = row.get("precision") or "mixed_bfloat16"
    label += " + XLA" if str(row.get("xla", "True")) == "True" else ""
    return f"{label}, batch {row['batch_size']}" if row.get("batch_size") else label


def gpu_mfu_ratios(rows):
    """Model FLOPs utilisation against NVIDIA's published BERT pretraining MFU."""
    return [ratio_row(row["model"], f"zoo / {row['backend']} {_precision_label(row)}", "MFU",
                      row["mfu"], "NVIDIA BERT pretraining on A100", row["published_mfu"],
                      published="NVIDIA DeepLearningExamples: about 44% of an A100's bf16 "
                                "peak")
            for row in rows]  # fmt: skip


def quality_ratios(rows):
    """Each zoo figure of the quality suite against its same-run baselines and the published
    reference of its task (accuracy or AUC: higher is better; an error: lower)."""
    result = []
    for zoo in (row for row in rows if row["role"] == "zoo"):
        higher = str(zoo["higher_is_better"]) == "True"
        model = f"{zoo['model']} on {zoo['dataset']}"
        for other in rows:
            same_run = other["role"] == "baseline" and other["backend"] == zoo["backend"]
            if other["task"] != zoo["task"] or not (same_run or other["role"] == "reference"):
                continue
            result.append(ratio_row(model, f"zoo / {zoo['backend']}", zoo["metric"],
                                    zoo["value"], other["figure"], other["value"],
                                    higher_is_better=higher,
                                    published=other["figure"] if other["role"] == "reference"
                                    else ""))  # fmt: skip
    return result


STREAMING_GOALS = "issue 23's goals for a 20M-row log on the 2-core machine"


def streaming_ratios(rows):
    """Criteo streaming against its goals: the vocabulary pass at >= 300k rows/s, the input
    pipeline at >= 3x the training rows/s, the training run's peak memory under 3 GB."""
    stages = {row["stage"]: row for row in rows}
    result = []
    if "count" in stages:
        result.append(ratio_row("deepfm", "vocabulary pass", "rows/s",
                                stages["count"]["rows_per_second"], "goal: 300k rows/s",
                                300_000, published=STREAMING_GOALS))  # fmt: skip
    if "pipeline" in stages and "train" in stages:
        result.append(ratio_row("deepfm", "input pipeline alone", "rows/s",
                                stages["pipeline"]["rows_per_second"],
                                "goal: 3x the training rows/s",
                                3 * float(stages["train"]["rows_per_second"]),
                                published=STREAMING_GOALS))  # fmt: skip
    if "train" in stages:
        result.append(ratio_row("deepfm", "training run, 1 epoch", "peak memory (MB)",
                                stages["train"]["peak_rss_mb"], "goal: under 3 GB", 3072,
                                higher_is_better=False, published=STREAMING_GOALS))  # fmt: skip
    return result


def table_format_ratios(rows):
    """Each streamed format's vocabulary pass rows/s beside Criteo's own TSV, and against
    issue 23's 300k rows/s goal."""
    formats = {row["format"]: row for row in rows}
    result = []
    for kind, row in formats.items():
        result.append(ratio_row("deepfm", f"vocabulary pass, {kind}", "rows/s",
                                row["rows_per_second"], "goal: 300k rows/s", 300_000,
                                published=STREAMING_GOALS))  # fmt: skip
        if kind != "criteo" and "criteo" in formats:
            result.append(ratio_row("deepfm", f"vocabulary pass, {kind}", "rows/s",
                                    row["rows_per_second"], "the same rows as Criteo TSV",
                                    formats["criteo"]["rows_per_second"]))  # fmt: skip
    return result


CORPUS_GOALS = "issue 23's goals for a 2 GB corpus on the 2-core machine"


def corpus_streaming_ratios(rows):
    """Corpus streaming against its goals: the first step within a minute and under 3 GB,
    the input pipeline at >= 3x the training sequences/s."""
    stages = {row["stage"]: row for row in rows}
    model = rows[0]["model"] if rows else ""
    result = []
    if "first_step" in stages:
        first = stages["first_step"]
        result += [ratio_row(model, "pretraining run cut to 1 step", "seconds", first["seconds"],
                             "goal: first step within 60 s", 60, higher_is_better=False,
                             published=CORPUS_GOALS),
                   ratio_row(model, "pretraining run cut to 1 step", "peak memory (MB)",
                             first["peak_rss_mb"], "goal: under 3 GB", 3072,
                             higher_is_better=False, published=CORPUS_GOALS)]  # fmt: skip
    if "pipeline" in stages and "train" in stages:
        result.append(ratio_row(model, "input pipeline alone", "sequences/s",
                                stages["pipeline"]["rows_per_second"],
                                "goal: 3x the training sequences/s",
                                3 * float(stages["train"]["rows_per_second"]),
                                published=CORPUS_GOALS))  # fmt: skip
    return result
