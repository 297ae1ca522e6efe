"""The quality suite's recommender tasks: DeepFM and Wide&Deep on MovieLens 100K's real
ratings (943 users, 1,682 films, 100,000 ratings; label: rating >= 4), read from the
`ml-100k` folder that `benchmarks/real_data.py` unpacks from the recbole wheel (GroupLens
terms: research use, no redistribution, so none of it ships with zoo).

* `deepfm_movielens_100k`, `wide_deep_movielens_100k`: the model trained as a user runs it
  (`train_recommender.py` with only the data flags, so with the application's default
  recipe for MovieLens 100K, `zoo.data.tabular.training_recipe`), then the same network in
  plain PyTorch (`_quality_recommender_baselines.py`) trained in the same run, for the same
  epochs, on the same rows and features: the worker re-makes the split with zoo's reader
  (checked against the run's row counts) and encodes the rows with the encoder the zoo run
  saved (its vocabularies and statistics).

Each task gives test AUC rows (%, its own metric) and test log-loss rows (a second task
name, `<task>_logloss`, so each task keeps one metric). The published figures (DeepFM 80.07,
Wide&Deep 81.39 AUC) are Criteo's, a click log: no reference row here.
"""

from dataclasses import replace

from benchmarks._quality import QualityTask, figure_row, run_application, run_baseline

DATASET = "movielens_100k"
QUICK_ROWS = 20_000  # the first ratings of u.data (80% train), one epoch
NAMES = {"deepfm": "DeepFM", "wide_deep": "Wide&Deep"}
BASELINE = "plain PyTorch {}, same network, Adam 1e-3, batch 256"
ZOO = "zoo, the application's default recipe"
NOTE = ("MovieLens 100K, random 80/10/10 split of the ratings (seed 0), label rating >= 4 "
        "(55% positive); the published AUCs (Criteo) are on another data set, so no "
        "reference row")  # fmt: skip


def _data_dir():
    from benchmarks.real_data import prepare

    return prepare(DATASET)  # the ml-100k folder (a one-line RealDataError if it cannot be had)


def _size_arguments(context):
    """The flags that shrink a run: a quick run's row cap and one epoch, or a stated budget."""
    if context.quick:
        return ["--max-rows", QUICK_ROWS, "--epochs", 1]
    return ["--epochs", context.epochs] if context.epochs else []


def logloss_task(task):
    """The log-loss twin of an AUC task: its rows come from the same runs."""
    return replace(task, name=f"{task.name}_logloss", metric="test log loss", unit="",
                   higher_is_better=False)  # fmt: skip


def _recommender_task(task, context):
    data_dir = _data_dir()
    size = _size_arguments(context)
    run_dir = context.work / f"{task.name}_{context.backend}"
    metrics, command = run_application(
        "train_recommender.py",
        ["--model", task.model, "--dataset", DATASET, "--data-dir", data_dir, *size],
        backend=context.backend, output_dir=run_dir,
    )  # fmt: skip
    epochs = metrics["epochs"]
    cap = ["--max-rows", QUICK_ROWS] if context.quick else []
    baseline = run_baseline("_quality_recommender_baselines.py", [
        task.model, "--run-dir", run_dir, "--data-dir", data_dir, "--epochs", epochs,
        *cap])  # fmt: skip
    figure = BASELINE.format(NAMES[task.model])
    same_run = {"epochs": epochs, "backend": context.backend}
    rows = []
    metric_tasks = ((task, "test_auc", 100), (logloss_task(task), "test_logloss", 1))
    for metric_task, key, scale in metric_tasks:
        rows += [figure_row(metric_task, role="zoo", figure=ZOO, value=scale * metrics[key],
                            command=command, seconds=metrics["train_seconds"], **same_run),
                 figure_row(metric_task, role="baseline", figure=figure, value=baseline[key],
                            seconds=baseline["seconds"], **same_run)]  # fmt: skip
    return rows


TASKS = [
    QualityTask(f"{model}_{DATASET}", "recommender", model, "MovieLens 100K", "test AUC",
                _recommender_task, note=NOTE)
    for model in ("deepfm", "wide_deep")
]  # fmt: skip
