"""`zoo evaluate RUN_DIR_OR_MODEL`: the evaluation report of a trained model, with a second test
set side by side.

    zoo evaluate runs/resnet20_cifar10 --data-dir ~/data/cifar10 \\
        --compare corrupted=~/data/cifar10-fog
    zoo evaluate runs/lstm_text_imdb --data-dir ~/aclImdb --compare sst2=~/data/sst2-as-imdb
    zoo evaluate model.keras --task binary --dataset test.npz --group-feature user_id

The report (`evaluation.json`, `evaluation.md`, PNG plots) goes into the run folder, or
`--output-dir`.
"""

import argparse
from pathlib import Path

import numpy as np

from zoo._cli import positive_int
from zoo._run_folder import load_model, read_run
from zoo.data._reading import add_encoding_argument
from zoo.errors import ConfigError
from zoo.evaluate.evaluator import (
    evaluate_classifier,
    evaluate_forecasts,
    evaluate_recommender,
    evaluation_kind,
)
from zoo.evaluate.report import TASKS, write_report
from zoo.evaluate.test_sets import image_statistics, npz_test_set, takes_dict, text_test_set
from zoo.registry import get_model_spec


def _registry_task(record):
    """The registry task of a run's model; a fine-tuned BERT encoder classifies text."""
    if not record.get("model"):
        return None
    task = get_model_spec(record["model"]).task
    if task == "text_encoder" and record.get("task") != "masked_lm":
        return "text_classification"
    return task


def _kind(args, record):
    if args.task:
        return args.task
    task = _registry_task(record)
    if task:
        return evaluation_kind(task)
    raise ConfigError(
        f"{args.model} is a bare model file: say what it predicts with --task "
        f"({', '.join(TASKS)})."
    )


def labelled_source(text):
    """argparse type of --compare: `LABEL=SOURCE` → (label, source)."""
    label, separator, source = text.partition("=")
    if not separator or not label or not source:
        raise argparse.ArgumentTypeError(
            f"{text!r} must be LABEL=SOURCE, e.g. shifted=~/data/cifar10-fog (a folder in the "
            "data set's format) or shifted=test_shifted.npz"
        )
    return label, str(Path(source).expanduser())


class _TestSets:
    """Reads the test sets the arguments name, the way the model was trained to see them."""

    def __init__(self, args, model, run):
        self.args, self.model, self.run, self.record = args, model, run, run.record
        self.dataset = args.dataset or run.record.get("dataset")
        task = _registry_task(run.record)
        first = model.inputs[0]
        self.text = task == "text_classification" or (
            task is None and len(first.shape) == 2 and "int" in str(first.dtype)
        )
        if not self.dataset:
            raise ConfigError(
                "Say which test set to use: --dataset NAME (an image data set) or --dataset "
                "FILE.npz."
            )
        self._statistics = None

    def sources(self):
        """(label, dataset name or .npz path, data folder) of every test set."""
        main = Path(self.dataset).stem if self.dataset.endswith(".npz") else self.dataset
        yield main, self.dataset, self.args.data_dir
        for label, source in self.args.compare or ():
            if source.endswith(".npz"):
                yield label, source, None
            elif self.dataset.endswith(".npz"):
                raise ConfigError(
                    f"--compare {label}={source}: with an .npz test set the second one must be "
                    "an .npz file too."
                )
            else:
                yield label, self.dataset, source

    def read(self, source, data_dir):
        """(batched dataset, class names or None, extras dict)."""
        if source.endswith(".npz"):
            dataset, extras = npz_test_set(source, self.model, batch_size=self.args.batch_size)
            return dataset, self.record.get("class_names"), extras
        from zoo.data.images import IMAGE_DATASETS, load_image_test_set
        from zoo.data.text import TEXT_DATASETS

        if self.text and source in TEXT_DATASETS:
            dataset, names, description = text_test_set(
                self.run, source, data_dir=data_dir, batch_size=self.args.batch_size,
                max_examples=self.args.max_examples, encoding=self.args.encoding)  # fmt: skip
            return dataset, names, {"description": description}
        if self.text or source not in IMAGE_DATASETS:
            raise ConfigError(
                f"zoo evaluate reads image data sets ({', '.join(IMAGE_DATASETS)}), text data "
                f"sets ({', '.join(TEXT_DATASETS)}) and .npz files, not {source!r} for this "
                "model; for a recommender or forecasting run, pass --evaluate to its "
                "application (it evaluates the test split it loaded) or save encoded inputs "
                "to an .npz."
            )
        image_shape = tuple(self.model.input_shape[1:])
        if self._statistics is None:
            self._statistics = image_statistics(self.record, source, self.args.data_dir,
                                                image_shape, self.args.skip_bad_files)  # fmt: skip
        mean, std = self._statistics
        dataset, names, description = load_image_test_set(
            source, data_dir=data_dir, image_shape=image_shape, mean=mean, std=std,
            batch_size=self.args.batch_size, max_examples=self.args.max_examples,
            seed=self.record.get("seed", 0), skip_bad_files=self.args.skip_bad_files,
        )  # fmt: skip
        return dataset, names, {"description": description}


def _evaluate(kind, model, dataset, class_names, extras, args):
    description = extras.get("description")
    if kind == "classification":
        return evaluate_classifier(model, dataset, class_names=class_names,
                                   description=description)  # fmt: skip
    if kind == "binary":
        names = list(model.input) if takes_dict(model) else []
        group = args.group_feature or ("user_id" if "user_id" in names else None)
        return evaluate_recommender(model, dataset, group_feature=group,
                                    description=description)  # fmt: skip
    if "labels" not in extras:
        raise ConfigError("Forecasters are evaluated from an .npz test set (windows under the "
                          "input name, actual values under 'y').")  # fmt: skip
    forecast = np.asarray(model.predict(dataset, verbose=0))
    windows = len(forecast)
    baselines = {name: np.reshape(values, (windows, -1))
                 for name, values in extras["baselines"].items()}  # fmt: skip
    return evaluate_forecasts(extras["labels"].reshape(windows, -1),
                              forecast.reshape(windows, -1), baselines=baselines or None,
                              description=description)  # fmt: skip


def command_evaluate(args):
    run = read_run(args.model)
    model = load_model(run.model_path)
    kind = _kind(args, run.record)
    test_sets = _TestSets(args, model, run)
    results = {}
    for label, source, data_dir in test_sets.sources():
        dataset, class_names, extras = test_sets.read(source, data_dir)
        results[label] = _evaluate(kind, model, dataset, class_names, extras, args)
    output = Path(args.output_dir) if args.output_dir else (
        run.run_dir or run.model_path.with_name(f"{run.model_path.stem}_evaluation"))
    history = run.run_dir / "history.csv" if run.run_dir else None
    name = run.record.get("model", run.model_path.stem)
    report = write_report(output, results, title=f"Evaluation of {name}",
                          history_csv=history if history and history.is_file() else None)
    print(f"wrote {output / 'evaluation.md'} ({len(report.paths)} files)")
    for label, entry in results.items():
        print(f"  {label}: {_headline(entry)}")


def _headline(entry):
    metrics = entry["metrics"]
    if entry["task"] == "classification":
        return (f"accuracy {metrics['accuracy']:.4f}, macro F1 {metrics['macro_f1']:.4f}, "
                f"ECE {metrics['expected_calibration_error']:.4f}")  # fmt: skip
    if entry["task"] == "binary":
        return f"AUC {metrics['auc']:.4f}, logloss {metrics['logloss']:.4f}"
    model = metrics["model"]
    return f"MAE {model['mae']:.4g}, RMSE {model['rmse']:.4g}"


def add_evaluate_arguments(evaluate):
    """The arguments of the `zoo evaluate` sub-command (its parser is `evaluate`)."""
    evaluate.add_argument("model", help="a run folder (model.keras, metrics.json) or .keras file")
    evaluate.add_argument("--dataset",
                          help="image or text data set name (default: the run's) or a test "
                               ".npz file")
    evaluate.add_argument("--data-dir", help="folder with the data set's published files")
    evaluate.add_argument("--compare", action="append", metavar="LABEL=SOURCE",
                          type=labelled_source,
                          help="a second test set reported side by side: a folder in the data "
                               "set's format (e.g. a corrupted copy) or an .npz file")
    evaluate.add_argument("--task", choices=TASKS,
                          help="what a bare .keras model predicts (a run folder says it)")
    evaluate.add_argument("--group-feature",
                          help="binary: the input whose groups get their own AUC "
                               "(default user_id when the model has it)")
    evaluate.add_argument("--output-dir", help="report folder (default: the run folder)")
    evaluate.add_argument("--batch-size", type=positive_int, default=256)
    evaluate.add_argument("--max-examples", type=positive_int,
                          help="data sets: evaluate a random subset of this size")
    evaluate.add_argument("--skip-bad-files", action="store_true",
                          help="image folders: leave out files that cannot be decoded "
                               "(counted) instead of stopping")
    add_encoding_argument(evaluate)
    evaluate.set_defaults(handler=command_evaluate)
