"""Train an image classifier (cnn, CIFAR ResNets, ResNet-9) and report its test accuracy.

    zoo train image --backend jax --model resnet20 --epochs 30
    zoo train image --dataset cifar10 --data-dir ~/data/cifar   # offline
    zoo train image --model cnn --dataset fashion_mnist \\
        --data-dir /usr/share/datasets/fashion-mnist --epochs 5
    zoo train image --model resnet20 --prune 0.75 --quantize int8
    zoo train image --model resnet20 \\
        --distill-from runs/resnet56_cifar10_tensorflow/model.keras --temperature 4 --alpha 0.1

The run folder (--output-dir, default runs/<model>_<dataset>_<backend>) receives model.keras,
best.keras, history.csv, TensorBoard logs and metrics.json; rerunning the same command after
a kill resumes from the last finished epoch.
"""

from zoo import get_model_spec, list_models
from zoo._cli import OneLineArgumentParser, existing_dir, exit_on_user_error, fraction, positive_int
from zoo.apps._closing import close_run
from zoo.compress.options import Compression, add_compression_arguments
from zoo.data import IMAGE_DATASETS, load_image_data, native_image_shape
from zoo.evaluate import evaluate_classifier
from zoo.train.arguments import add_training_arguments, recipe_from_args, run_from_args


def parse_args(argv=None, prog="zoo train image"):
    parser = OneLineArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", default="resnet20", choices=list_models(task="image_classification")
    )
    parser.add_argument("--dataset", default="cifar10", choices=IMAGE_DATASETS)
    parser.add_argument(
        "--data-dir", type=existing_dir, help="folder with the data set's published files (offline)"
    )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        help="resize images to this square size (default: the data set's own size; "
        "the model's for --dataset folder)",
    )
    parser.add_argument(
        "--validation-split",
        type=fraction,
        default=0.1,
        help="fraction of training data held out for the best checkpoint",
    )
    parser.add_argument(
        "--max-train-examples", type=positive_int, help="train on a random subset of this size"
    )
    parser.add_argument("--max-test-examples", type=positive_int)
    parser.add_argument(
        "--skip-bad-files",
        action="store_true",
        help="--dataset folder: leave out image files that cannot be decoded (counted) "
        "instead of stopping",
    )
    add_training_arguments(parser)
    add_compression_arguments(parser)
    return parser.parse_args(argv)


def image_shape(dataset, model_shape, image_size=None):
    """The shape images are trained at: the data set's own (Fashion-MNIST stays 28x28x1),
    resized to `image_size` squares if given; an image folder has no own size, so the
    model's registered input shape is its default."""
    shape = native_image_shape(dataset, default=model_shape)
    return (image_size, image_size, shape[2]) if image_size else shape


@exit_on_user_error
def main(argv=None, prog="zoo train image"):
    args = parse_args(argv, prog)
    spec = get_model_spec(args.model)
    recipe = recipe_from_args(spec.recipe, args)
    run = run_from_args(args, f"runs/{args.model}_{args.dataset}", recipe)
    data = load_image_data(
        args.dataset,
        data_dir=args.data_dir,
        batch_size=recipe.batch_size,
        image_shape=image_shape(args.dataset, spec.input_shape, args.image_size),
        validation_split=args.validation_split,
        augment=recipe.augment,
        seed=args.seed,
        max_train_examples=args.max_train_examples,
        max_test_examples=args.max_test_examples,
        skip_bad_files=args.skip_bad_files,
    )
    compression = Compression.from_args(args)
    steps = data.steps_per_epoch
    with run.scope():
        model = spec.build(input_shape=data.image_shape, num_classes=data.num_classes)
        trainer = compression.prepare(model, total_steps=steps * recipe.epochs,
                                      distribution=run.distribution)  # fmt: skip
        run.compile(trainer, recipe, steps_per_epoch=steps, from_logits=compression.distilling)
    run.fit(
        trainer,
        data.train,
        validation=data.validation,
        epochs=recipe.epochs,
        verbose=0 if args.quiet else "auto",
        callbacks=compression.callbacks(),
        checkpoint_model=model,
    )
    model = compression.finish(run, model, steps_per_epoch=steps)
    metrics = run.finish(
        model,
        data.test,
        {
            "model": args.model,
            "epochs": recipe.epochs,
            "batch_size": recipe.batch_size,
            **data.describe(),
            **compression.describe(model),
        },
    )
    return close_run(
        run, args, model, data.test, metrics, compression=compression,
        evaluation=lambda: evaluate_classifier(model, data.test, class_names=data.class_names,
                                               predict=run.predict, description=data.describe()),
        headline=lambda m: f"test accuracy {m['test_accuracy']:.4f}", synthetic=data.synthetic,
    )  # fmt: skip

