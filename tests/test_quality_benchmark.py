"""The quality suite's bookkeeping (benchmarks/_quality.py, benchmarks/quality.py): rows,
merging a partial run, the registry's measured entries and the docs table. Nothing here
trains; the suite itself runs in `python -m benchmarks run --suites quality`."""

import pytest

from benchmarks import quality
from benchmarks._quality import (
    QualityTask,
    figure_row,
    measured_entries,
    measured_module,
    merge_rows,
    reference_rows,
)
from benchmarks._ratios import quality_ratios

TASK = QualityTask("cnn_fashion_mnist", "image", "cnn", "Fashion-MNIST", "test accuracy",
                   run=None, note="the full sets")  # fmt: skip
STAMP = {"date": "2030-01-02", "machine": "test machine"}


def _rows(backend="jax", zoo=91.9, baseline=91.1):
    command = "zoo train image --model cnn --dataset fashion_mnist"
    rows = [figure_row(TASK, role="zoo", figure="zoo, registered recipe", value=zoo,
                       epochs=20, backend=backend, command=command, seconds=300),
            figure_row(TASK, role="baseline", figure="plain Keras CNN", value=baseline,
                       epochs=20, backend=backend, seconds=200),
            *reference_rows(TASK, "Fashion-MNIST")]  # fmt: skip
    return [{**row, **STAMP} for row in rows]


def test_rows_carry_the_registry_reference_only_for_its_own_data_set():
    rows = _rows()
    assert [row["role"] for row in rows] == ["zoo", "baseline", "reference"]
    assert rows[2]["value"] == 91.6 and "fashion-mnist benchmark" in rows[2]["figure"]
    assert reference_rows(TASK, "CIFAR-10") == []
    with pytest.raises(ValueError, match="role must be one of"):
        figure_row(TASK, role="guess", figure="x", value=1)


def test_a_partial_run_replaces_only_what_it_measured():
    old = _rows("jax") + _rows("torch", zoo=90.0)[:2]
    new = _rows("jax", zoo=92.5)
    merged = merge_rows(old, new)
    zoo = {row["backend"]: row["value"] for row in merged if row["role"] == "zoo"}
    assert zoo == {"jax": 92.5, "torch": 90.0}
    assert sum(row["role"] == "reference" for row in merged) == 1


def test_measured_module_round_trips_through_the_registry_fields():
    rows = [{key: str(value) for key, value in row.items()} for row in _rows()]  # CSV strings
    (entry,) = measured_entries(rows)["cnn"]
    assert entry["value"] == 91.9 and entry["baseline_value"] == 91.1
    assert entry["epochs"] == 20 and entry["higher_is_better"] is True
    namespace = {}
    exec(measured_module(rows), namespace)  # the text written to zoo/_measured.py
    assert namespace["MEASURED"] == {"cnn": [entry]}
    from zoo.registry import MeasuredResult

    assert MeasuredResult(**entry).baseline == "plain Keras CNN"


def test_docs_table_and_ratios():
    rows = [{key: str(value) for key, value in row.items()} for row in _rows()]
    table = quality.markdown_table(rows)
    assert ("| `cnn_fashion_mnist` | `cnn` | Fashion-MNIST | jax | 20 | **91.9%** test accuracy "
            "(zoo, registered recipe) | 91.1% plain Keras CNN | 91.6% (fashion-mnist") in table
    ratios = quality_ratios(rows)
    assert [row["reference"] for row in ratios][0] == "plain Keras CNN"
    assert ratios[0]["ratio"] == pytest.approx(91.9 / 91.1, abs=1e-4)
    assert ratios[1]["published"].startswith("fashion-mnist benchmark")


def test_every_task_names_a_registered_model_and_a_family():
    from zoo import list_models

    for task in quality.TASKS.values():
        assert task.model in list_models() and task.family and task.metric


def test_measured_entries_stand_beside_the_strongest_baseline(monkeypatch, tmp_path):
    """An error metric (lower is better): the card compares with the best baseline of the
    same run, not the first; commands name the real-data cache as $ZOO_REAL_DATA."""
    from benchmarks import _quality

    series = QualityTask("lstm_forecaster_co2", "series", "lstm_forecaster", "CO2", "test MAE",
                         run=None, unit="", higher_is_better=False)  # fmt: skip
    monkeypatch.setenv("ZOO_REAL_DATA", str(tmp_path))
    script = "zoo train timeseries --csv"
    command = _quality.user_command(f"{script} {tmp_path}/co2/co2.csv")
    assert command == f"{script} $ZOO_REAL_DATA/co2/co2.csv"
    rows = [figure_row(series, role="zoo", figure="zoo", value=0.34567, epochs=20,
                       backend="jax", command=command),
            figure_row(series, role="baseline", figure="naive", value=0.75, backend="jax"),
            figure_row(series, role="baseline", figure="seasonal-naive", value=0.5,
                       backend="jax"),
            figure_row(series, role="baseline", figure="naive", value=0.1, backend="torch")]
    (entry,) = measured_entries([{**row, **STAMP} for row in rows])["lstm_forecaster"]
    assert (entry["baseline"], entry["baseline_value"], entry["value"]) == (
        "seasonal-naive", 0.5, 0.3457)
    assert figure_row(TASK, role="zoo", figure="zoo", value=75.2646)["value"] == 75.26  # %
