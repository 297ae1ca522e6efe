"""The end every training application shares, after `run.finish` wrote the test metrics.

Example:
>>> metrics = close_run(run, args, model, data.test, metrics, compression=compression,
...                     evaluation=lambda: evaluate_classifier(model, data.test),
...                     headline=lambda m: f"test accuracy {m['test_accuracy']:.4f}",
...                     synthetic=data.synthetic)  # doctest: +SKIP
"""

from zoo.compress.options import Compression
from zoo.evaluate import evaluate_run
from zoo.export.options import export_run


def close_run(run, args, model, test_data, metrics, *, compression, evaluation, headline,
              synthetic, evaluation_name=None):  # fmt: skip
    """Quantize (`--quantize`), write the evaluation report (`--evaluate`; `evaluation()`
    evaluates the test set, reported as `evaluation_name`, default `args.dataset`), write the
    serving artifacts (`--export`), release the run folder, and print the run's one line:
    `headline(metrics)`, a note on synthetic data, the model, data set, backend and folder."""
    metrics = compression.quantize(run, model, test_data, metrics)
    if args.evaluate:
        name = evaluation_name or args.dataset
        metrics = evaluate_run(run, {name: evaluation()}, metrics)
    metrics = export_run(run, args.export, metrics)
    run.done()
    if headline is not None:
        note = " (SYNTHETIC data: meaningless)" if synthetic else ""
        print(f"{headline(metrics)}{note} | {args.model} on {args.dataset}, "
              f"{metrics['backend']} | {run.run_dir}{Compression.summary(metrics)}")  # fmt: skip
    return metrics
