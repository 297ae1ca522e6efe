"""The quality suite's image tasks: Fashion-MNIST at its own 28x28x1, read from Debian's
`dataset-fashion-mnist` (the published idx files; MIT licence).

* `cnn_fashion_mnist`: the registered `cnn` recipe beside the same network written in plain
  Keras (no augmentation) and the fashion-mnist benchmark's 91.6%.
* `cnn_fashion_mnist_one_epoch`: the same with `--epochs 1`, a user's short run.
* `resnet20_fashion_mnist`: ResNet-20's registered recipe beside ResNet-20 in plain PyTorch
  trained the same way; no published figure exists for this pair. The full recipe is 164
  epochs (about 8 CPU-hours for the pair), so the suite runs 10 (stated with the figure).
"""

from pathlib import Path

from benchmarks._quality import (
    QualityTask,
    figure_row,
    reference_rows,
    run_application,
    run_baseline,
)

FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
QUICK_SUBSET = {"train": 3000, "test": 1000}
RESNET_EPOCHS = 10


def _data_dir():
    if not (FASHION_MNIST / "train-images-idx3-ubyte.gz").is_file():
        raise RuntimeError(f"Fashion-MNIST is not in {FASHION_MNIST}: "
                           "apt-get install dataset-fashion-mnist")  # fmt: skip
    return FASHION_MNIST


def _size_arguments(context, default_epochs=None, fixed_epochs=None):
    """The flags that size a run: a quick run's subset and one epoch, a stated budget, or a
    task's own epochs (a user's short run)."""
    epochs = fixed_epochs or (1 if context.quick else (context.epochs or default_epochs))
    arguments = ["--epochs", epochs] if epochs else []
    if context.quick:
        arguments += ["--max-train-examples", QUICK_SUBSET["train"],
                      "--max-test-examples", QUICK_SUBSET["test"]]  # fmt: skip
    return arguments


def _image_task(task, context, baseline_script_args, baseline_figure, default_epochs=None,
                fixed_epochs=None):  # fmt: skip
    data_dir = _data_dir()
    size = _size_arguments(context, default_epochs, fixed_epochs)
    metrics, command = run_application(
        "train_cifar.py",
        ["--model", task.model, "--dataset", "fashion_mnist", "--data-dir", data_dir, *size],
        backend=context.backend, output_dir=context.work / f"{task.name}_{context.backend}",
    )  # fmt: skip
    epochs = metrics["epochs"]
    baseline = run_baseline("_quality_image_baselines.py", [
        *baseline_script_args, "--data-dir", data_dir, "--epochs", epochs,
        *size[2:]], backend=context.backend)  # fmt: skip
    return [
        figure_row(task, role="zoo", figure="zoo, registered recipe",
                   value=100 * metrics["test_accuracy"], epochs=epochs, backend=context.backend,
                   command=command, seconds=metrics["train_seconds"]),
        figure_row(task, role="baseline", figure=baseline_figure, value=baseline["test_accuracy"],
                   epochs=epochs, backend=context.backend, seconds=baseline["seconds"]),
        *reference_rows(task, "Fashion-MNIST"),
    ]  # fmt: skip


def cnn_fashion_mnist(task, context):
    return _image_task(task, context, ["keras_cnn"], "plain Keras CNN, Adam, no augmentation")


def cnn_fashion_mnist_one_epoch(task, context):
    """A user's short run: `--epochs 1` (the schedule fits itself to it)."""
    return _image_task(task, context, ["keras_cnn"], "plain Keras CNN, Adam, no augmentation",
                       fixed_epochs=1)


def resnet20_fashion_mnist(task, context):
    from zoo.data.images import augmentation_of

    padding = augmentation_of("fashion_mnist", (28, 28, 1)).crop_padding  # zoo's, mirrored
    return _image_task(task, context, ["torch_resnet20", "--padding", padding],
                       "plain PyTorch ResNet-20, same recipe", default_epochs=RESNET_EPOCHS)


TASKS = [
    QualityTask("cnn_fashion_mnist", "image", "cnn", "Fashion-MNIST", "test accuracy",
                cnn_fashion_mnist,
                note="60,000 training images (6,000 held out for the best checkpoint), the "
                     "10,000 test images; the reference's network is the same"),
    QualityTask("cnn_fashion_mnist_one_epoch", "image", "cnn", "Fashion-MNIST",
                "test accuracy", cnn_fashion_mnist_one_epoch,
                note="a short run (--epochs 1) must not be worse than the plain baseline's"),
    QualityTask("resnet20_fashion_mnist", "image", "resnet20", "Fashion-MNIST", "test accuracy",
                resnet20_fashion_mnist,
                note=f"{RESNET_EPOCHS} of the recipe's 164 epochs (CPU budget); no published "
                     "ResNet-20 figure on Fashion-MNIST"),
]  # fmt: skip
