"""The quality suite's forecasting tasks: `lstm_forecaster` with its registered recipe on real
series (`benchmarks/real_data.py`: weekly CO2, monthly air passengers and wine sales,
half-hourly electricity demand, monthly sunspots, daily Seattle temperatures), beside the naive
and seasonal-naive forecasts of the same test windows and the same LSTM written in plain Keras
(globally standardised, no per-window normalisation), trained in the same run.

Each series brings its own window, horizon and season (the data-describing flags); nothing
about training is set per series. Test MAE is in the series' own units: lower is better.
"""

from benchmarks._quality import QualityTask, figure_row, run_application, run_baseline

SERIES = {"co2": "Mauna Loa CO2, weekly", "airpassengers": "air passengers, monthly",
          "wineind": "Australian wine sales, monthly",
          "taylor": "England and Wales electricity demand, half-hourly",
          "sunspots": "sunspot numbers, monthly",
          "seattle_weather": "Seattle max temperature, daily"}  # fmt: skip


def _series_task(task, context):
    from benchmarks.real_data import DATASETS, prepare

    data = DATASETS[task.dataset_key]
    csv = prepare(data.name)
    shape = ["--csv", csv, "--target", data.target, "--window", data.window,
             "--horizon", data.horizon, "--season", data.season]  # fmt: skip
    size = ["--epochs", 1] if context.quick else (["--epochs", context.epochs] if context.epochs
                                                  else [])  # fmt: skip
    metrics, command = run_application("train_timeseries.py", [*shape, *size],
                                       backend=context.backend,
                                       output_dir=context.work / f"{task.name}_{context.backend}")
    epochs = metrics["epochs"]
    plain = run_baseline("_quality_series_baselines.py", [*shape, "--epochs", epochs],
                         backend=context.backend)
    common = dict(epochs=epochs, backend=context.backend)
    naive = metrics["baselines"]
    rows = [figure_row(task, role="zoo", figure="zoo, registered recipe",
                       value=metrics["test_mae"], command=command,
                       seconds=metrics["train_seconds"], **common),
            figure_row(task, role="baseline", figure="naive forecast (last value)",
                       value=naive["naive"]["mae"], **common)]  # fmt: skip
    if "seasonal_naive" in naive:
        rows.append(figure_row(task, role="baseline",
                               figure=f"seasonal-naive forecast (season {metrics['season']})",
                               value=naive["seasonal_naive"]["mae"], **common))  # fmt: skip
    rows.append(figure_row(task, role="baseline", figure="plain Keras LSTM, globally standardised",
                           value=plain["test_mae"], seconds=plain["seconds"], **common))
    return rows


class SeriesTask(QualityTask):
    """A forecasting task on one real series of `benchmarks/real_data.py`."""

    @property
    def dataset_key(self):
        return self.name.removeprefix("lstm_forecaster_")


def _task(key):
    from benchmarks.real_data import DATASETS

    data = DATASETS[key]
    return SeriesTask(
        f"lstm_forecaster_{key}", "series", "lstm_forecaster", SERIES[key],
        "test MAE", _series_task, unit="", higher_is_better=False,
        note=f"{data.rows:,} rows, window {data.window}, horizon {data.horizon}, "
             f"season {data.season}; no published figure",
    )  # fmt: skip


TASKS = [_task(key) for key in SERIES]


def _baseline(rows, zoo, prefix):
    """The value of the same run's baseline whose figure starts with `prefix` (else NaN)."""
    return next((float(r["value"]) for r in rows if r["task"] == zoo["task"]
                 and r["backend"] == zoo["backend"] and r["role"] == "baseline"
                 and r["figure"].startswith(prefix)), float("nan"))  # fmt: skip


def forecaster_table(rows):
    """The forecaster's test MAE on each series and backend beside the naive, seasonal-naive
    and plain-LSTM errors, with its ratio to the better naive forecast (bold: the goal, 0.9
    or less, is met). For docs/models/sequence.md."""
    lines = ["| series | backend | epochs | zoo MAE | naive | seasonal-naive | ratio | "
             "plain Keras LSTM |", "|---|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    names = {task.name: task.dataset for task in TASKS}
    for zoo in (r for r in rows if r["task"] in names and r["role"] == "zoo"):
        naive, seasonal = (_baseline(rows, zoo, p) for p in ("naive", "seasonal-naive"))
        ratio = float(zoo["value"]) / min(naive, seasonal)
        shown = f"**{ratio:.2f}**" if ratio <= 0.9 else f"{ratio:.2f}"
        lines.append(f"| {names[zoo['task']]} | {zoo['backend']} | {zoo['epochs']} "
                     f"| {float(zoo['value']):g} | {naive:g} | {seasonal:g} | {shown} "
                     f"| {_baseline(rows, zoo, 'plain Keras LSTM'):g} |")  # fmt: skip
    return "\n".join(lines)


DOCS_TABLES = [("docs/models/sequence.md",
                ("<!-- forecaster_real_series:start -->", "<!-- forecaster_real_series:end -->"),
                forecaster_table)]  # fmt: skip
