"""Image classification data: tensorflow-datasets, local files in published formats, synthetic.

`load_image_data` returns batched, prefetched `tf.data.Dataset`s of `(images, labels)`
(float32 normalised per channel, int32 labels) that every Keras backend consumes.

Example:
>>> data = load_image_data("synthetic", batch_size=32, image_shape=(32, 32, 3))
>>> data.synthetic, data.num_classes
(True, 10)
>>> data = load_image_data("fashion_mnist", data_dir="/usr/share/datasets/fashion-mnist",
...                        image_shape=(32, 32, 3))  # doctest: +SKIP
"""

import dataclasses
import logging
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from zoo._utils import check_fraction, check_positive_int
from zoo.data import image_files
from zoo.data._tfds import load_tfds_splits
from zoo.data.image_check import check_folder_images
from zoo.data.synthetic import SYNTHETIC_WARNING, synthetic_images
from zoo.errors import ConfigError, DataSourceError

log = logging.getLogger(__name__)

_FASHION_NAMES = [
    "t-shirt/top", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Augmentation:
    """Label-keeping training augmentation of one data set: a random crop of the image padded
    by `crop_padding` pixels (0: none) and, where it keeps the label, a horizontal flip.

    Augmentation belongs to the data as much as to the model: CIFAR's photos are framed
    loosely (pad 4 and crop, He et al. 2015), digits must not be mirrored, and Fashion-MNIST's
    items are centred and size-normalised, so shifted copies look like no test image (measured
    on `cnn` with its recipe at 28x28x1: flips alone 93.3% after 20 epochs and 88.0% after
    one; flips and a pad-2 crop 93.1% and 86.0%; a pad-3 crop 84.5% after one).
    """

    crop_padding: int
    flip: bool

    @classmethod
    def for_size(cls, size, flip=True):
        """The default for images of `size` pixels: pad by an eighth (4 for 32x32)."""
        return cls(max(1, size // 8), flip)


@dataclasses.dataclass(frozen=True)
class ImageDatasetInfo:
    """A known data set: its tfds name, shape, where its files come from, how to read them."""

    name: str
    num_classes: int
    image_shape: tuple
    augmentation: Augmentation
    files: str  # the published files `--data-dir` must hold
    download_url: str  # where tensorflow-datasets downloads from
    read_files: object  # data_dir -> image_files.ArraySplits

    @property
    def flip(self):
        """Whether horizontal flips keep the label (not for digits)."""
        return self.augmentation.flip


DATASETS = {
    "cifar10": ImageDatasetInfo(
        "cifar10", 10, (32, 32, 3), Augmentation(4, flip=True),
        "cifar-10-python.tar.gz (or its extracted cifar-10-batches-py/)",
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        lambda d: image_files.read_cifar(d, "cifar10"),
    ),
    "cifar100": ImageDatasetInfo(
        "cifar100", 100, (32, 32, 3), Augmentation(4, flip=True),
        "cifar-100-python.tar.gz (or its extracted cifar-100-python/)",
        "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        lambda d: image_files.read_cifar(d, "cifar100"),
    ),
    "mnist": ImageDatasetInfo(
        "mnist", 10, (28, 28, 1), Augmentation(2, flip=False),
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
        "t10k-labels-idx1-ubyte.gz",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        image_files.read_idx_dataset,
    ),
    "fashion_mnist": ImageDatasetInfo(
        "fashion_mnist", 10, (28, 28, 1), Augmentation(0, flip=True),
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
        "t10k-labels-idx1-ubyte.gz (Debian: apt-get install dataset-fashion-mnist puts them "
        "in /usr/share/datasets/fashion-mnist)",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        lambda d: image_files.read_idx_dataset(d, _FASHION_NAMES),
    ),
}  # fmt: skip

IMAGE_DATASETS = (*DATASETS, "folder", "synthetic")


@dataclasses.dataclass
class ImageData:
    """Train / validation / test pipelines and what a run records about them."""

    name: str
    source: str  # "tfds", "files", "folder" or "synthetic"
    train: tf.data.Dataset
    validation: tf.data.Dataset | None
    test: tf.data.Dataset
    num_train: int
    num_validation: int
    num_test: int
    num_classes: int
    class_names: list
    image_shape: tuple
    batch_size: int
    mean: tuple
    std: tuple
    augmentation: dict | None = None  # the training augmentation, None when off
    skipped_files: int = 0  # unreadable image files left out (--skip-bad-files)

    @property
    def synthetic(self):
        return self.source == "synthetic"

    @property
    def steps_per_epoch(self):
        return self.num_train // self.batch_size

    def describe(self):
        skipped = {"skipped_files": self.skipped_files} if self.skipped_files else {}
        return {
            "dataset": self.name,
            "data_source": self.source,
            "synthetic": self.synthetic,
            "num_train": self.num_train,
            "num_validation": self.num_validation,
            "num_test": self.num_test,
            "num_classes": self.num_classes,
            "image_shape": list(self.image_shape),
            "normalization": {"mean": list(self.mean), "std": list(self.std)},
            "augmentation": self.augmentation,
            **skipped,
        }


def load_image_data(
    name="cifar10",
    *,
    data_dir=None,
    batch_size=128,
    image_shape=None,
    validation_split=0.1,
    augment=True,
    seed=0,
    max_train_examples=None,
    max_test_examples=None,
    skip_bad_files=False,
):
    """Load `name` ("cifar10", "cifar100", "mnist", "fashion_mnist", "folder", "synthetic").

    With `data_dir`, the data set's published files are read from that folder (for
    "folder": `train/<class>/` and `test/<class>/`); without it, tensorflow-datasets loads
    (and if needed downloads) it. Images become `image_shape` (height, width, channels;
    grayscale is repeated to 3 channels, sizes are resized); the default is the data set's
    own shape. Training batches drop the remainder; augmentation (the data set's
    `Augmentation`: see `augmentation_of`) applies to the training split only. An image
    folder's files are decoded once up front: an unreadable one is an error naming it, or
    with `skip_bad_files` is left out (counted in `ImageData.skipped_files`).
    """
    if name not in IMAGE_DATASETS:
        raise ConfigError(
            f"Unknown image data set {name!r}; use one of {', '.join(IMAGE_DATASETS)}."
        )
    check_positive_int("batch_size", batch_size)
    check_fraction("validation_split", validation_split)
    for label, limit in (
        ("max_train_examples", max_train_examples),
        ("max_test_examples", max_test_examples),
    ):
        if limit is not None:
            check_positive_int(label, limit)
    if data_dir is not None and not Path(data_dir).is_dir():
        raise DataSourceError(f"--data-dir {data_dir} is not a directory.")
    if name == "folder" and data_dir is None:
        raise ConfigError(
            "The 'folder' data set needs data_dir (--data-dir) with train/ and test/."
        )

    splits, source = _read_splits(name, data_dir, image_shape, seed, max_train_examples,
                                  max_test_examples, skip_bad_files)  # fmt: skip
    shape = tuple(image_shape) if image_shape else _native_shape(splits)
    builder = _PipelineBuilder(image_shape=shape, batch_size=batch_size, seed=seed,
                               augmentation=augmentation_of(name, shape))  # fmt: skip
    return builder.build(
        name, source, splits, validation_split, augment, max_train_examples, max_test_examples
    )


def augmentation_of(name, image_shape):
    """The training augmentation of data set `name` at `image_shape`: its own where zoo
    knows the data set (scaled to a resized image), else `Augmentation.for_size`.

    Example:
    >>> augmentation_of("fashion_mnist", (28, 28, 1))
    Augmentation(crop_padding=0, flip=True)
    """
    info = DATASETS.get(name)
    size = min(image_shape[:2]) if len(image_shape) == 3 else 32
    if info is None:
        return Augmentation.for_size(size)
    native = min(info.image_shape[:2])
    padding = int(round(info.augmentation.crop_padding * size / native))
    return Augmentation(padding, info.augmentation.flip)


def native_image_shape(name, default=(32, 32, 3)):
    """The (height, width, channels) of data set `name`'s own images; `default` for image
    folders and synthetic data, which have no size of their own.

    Example:
    >>> native_image_shape("fashion_mnist")
    (28, 28, 1)
    """
    info = DATASETS.get(name)
    return tuple(info.image_shape) if info else tuple(default)


def load_image_test_set(name, *, image_shape, mean, std, data_dir=None, batch_size=128,
                        max_examples=None, seed=0, skip_bad_files=False):  # fmt: skip
    """The test split of `name` (sources as in `load_image_data`), normalised with a trained
    model's channel statistics `mean` and `std` (0-255 scale, as `ImageData` records them)
    rather than this copy's own: a shifted or corrupted copy must be seen as the model saw
    its training data. Returns `(dataset, class_names, description)`.

    Example:
    >>> test, names, _ = load_image_test_set("synthetic", image_shape=(32, 32, 3),
    ...                                      mean=(127.5,) * 3, std=(64.0,) * 3)
    >>> len(names)
    10
    """
    if name not in IMAGE_DATASETS:
        raise ConfigError(
            f"Unknown image data set {name!r}; use one of {', '.join(IMAGE_DATASETS)}."
        )
    check_positive_int("batch_size", batch_size)
    if data_dir is not None and not Path(data_dir).is_dir():
        raise DataSourceError(f"--data-dir {data_dir} is not a directory.")
    splits, source = _read_splits(name, data_dir, image_shape, seed, None, max_examples,
                                  skip_bad_files)  # fmt: skip
    builder = _PipelineBuilder(image_shape=tuple(image_shape), batch_size=batch_size, seed=seed,
                               augmentation=Augmentation(0, flip=False),
                               mean=np.asarray(mean, np.float32),
                               std=np.asarray(std, np.float32))  # fmt: skip
    folder = isinstance(splits, image_files.FolderSplits)
    test_x, test_y = _take(splits.test_paths if folder else splits.test_images,
                           splits.test_labels, max_examples, seed + 1)  # fmt: skip
    test = builder._batched(builder._formatted(test_x, test_y, folder), training=False)
    description = {"dataset": name, "data_source": source, "data_dir": str(data_dir or ""),
                   "synthetic": source == "synthetic", "num_test": len(test_y),
                   **({"skipped_files": len(splits.skipped)} if folder and splits.skipped
                      else {})}  # fmt: skip
    return test, list(splits.class_names), description


def _read_splits(name, data_dir, image_shape, seed, max_train, max_test, skip_bad_files=False):
    """The raw splits of `name` and where they came from ("synthetic", "folder", "files",
    "tfds"); an image folder's unreadable files refused or (`skip_bad_files`) left out."""
    if name == "synthetic":
        shape = tuple(image_shape or (32, 32, 3))
        log.warning(SYNTHETIC_WARNING)
        train_x, train_y = synthetic_images(max_train or 512, shape, 10, seed)
        test_x, test_y = synthetic_images(max_test or 256, shape, 10, seed + 1)
        return image_files.ArraySplits(
            train_x, train_y, test_x, test_y, [str(i) for i in range(10)]
        ), "synthetic"
    if name == "folder":
        if data_dir is None:
            raise ConfigError(
                "The 'folder' data set needs data_dir (--data-dir) with train/ and test/."
            )
        splits = image_files.read_image_folder(data_dir)
        return check_folder_images(splits, data_dir, skip=skip_bad_files), "folder"
    if data_dir is not None:
        return DATASETS[name].read_files(data_dir), "files"
    return _load_tfds(DATASETS[name]), "tfds"


def _native_shape(splits):
    if isinstance(splits, image_files.FolderSplits):
        raise ConfigError("The 'folder' data set needs image_shape (--image-size) to resize to.")
    shape = splits.train_images.shape[1:]
    return (*shape, 1) if len(shape) == 2 else tuple(shape)


def _load_tfds(info):
    """Load a data set through tensorflow-datasets (failing fast, with the fix, offline)."""
    (train, test), tfds_info = load_tfds_splits(
        info.name, ("train", "test"), info.download_url, info.files
    )
    try:
        (train_x, train_y), (test_x, test_y) = _to_arrays(train), _to_arrays(test)
    except Exception as error:  # a corrupt or partial download
        raise DataSourceError(
            f"{info.name}: reading the tensorflow-datasets copy failed ({error}). "
            f"Put {info.files} in a folder and pass --data-dir FOLDER."
        ) from None
    names = tfds_info.features["label"].names
    return image_files.ArraySplits(
        train_x, train_y.astype(np.int32), test_x, test_y.astype(np.int32), names
    )


def _to_arrays(dataset, chunk=10_000):
    """(images, labels) numpy arrays from a dataset of single examples."""
    images, labels = [], []
    for x, y in dataset.batch(chunk).as_numpy_iterator():
        images.append(x)
        labels.append(y)
    return np.concatenate(images), np.concatenate(labels)


@dataclasses.dataclass
class _PipelineBuilder:
    """Turns arrays or file lists into the batched, normalised tf.data pipelines."""

    image_shape: tuple
    batch_size: int
    seed: int
    augmentation: Augmentation
    mean: np.ndarray | None = None  # per-channel statistics of the training split
    std: np.ndarray | None = None

    def build(self, name, source, splits, validation_split, augment, max_train, max_test):
        if len(self.image_shape) != 3 or any(
            not isinstance(s, int) or s < 1 for s in self.image_shape
        ):
            raise ConfigError(
                f"image_shape must be (height, width, channels), got {self.image_shape!r}."
            )
        if self.image_shape[2] not in (1, 3):
            raise ConfigError(f"image_shape channels must be 1 or 3, got {self.image_shape[2]}.")
        folder = isinstance(splits, image_files.FolderSplits)
        train_x = splits.train_paths if folder else splits.train_images
        test_x = splits.test_paths if folder else splits.test_images
        train_x, train_y = _take(train_x, splits.train_labels, max_train, self.seed)
        test_x, test_y = _take(test_x, splits.test_labels, max_test, self.seed + 1)
        num_val = int(round(len(train_y) * validation_split))
        val_x, val_y = train_x[len(train_y) - num_val :], train_y[len(train_y) - num_val :]
        train_x, train_y = train_x[: len(train_y) - num_val], train_y[: len(train_y) - num_val]
        if len(train_y) < self.batch_size:
            raise ConfigError(
                f"batch_size={self.batch_size} is larger than the {len(train_y)} training "
                "examples; lower --batch-size or use more data."
            )
        train_source = self._formatted(train_x, train_y, folder)
        self.mean, self.std = _channel_stats(train_source, len(train_y))
        if not folder:  # in-memory arrays: format once, then reuse every epoch
            train_source = train_source.cache()
        num_classes = len(splits.class_names)
        return ImageData(
            name=name,
            source=source,
            train=self._batched(train_source, training=True, augment=augment, size=len(train_y)),
            validation=(
                self._batched(self._formatted(val_x, val_y, folder).cache(), training=False)
                if num_val
                else None
            ),
            test=self._batched(self._formatted(test_x, test_y, folder).cache(), training=False),
            num_train=len(train_y),
            num_validation=num_val,
            num_test=len(test_y),
            num_classes=num_classes,
            class_names=list(splits.class_names),
            image_shape=self.image_shape,
            batch_size=self.batch_size,
            mean=tuple(float(m) for m in self.mean),
            std=tuple(float(s) for s in self.std),
            augmentation=dataclasses.asdict(self.augmentation) if augment else None,
            skipped_files=len(splits.skipped) if folder else 0,
        )

    def _format(self, image):
        """uint8 image (H, W[, C]) -> uint8 image of `image_shape`."""
        if image.shape.rank == 2:
            image = image[..., tf.newaxis]
        height, width, channels = self.image_shape
        if image.shape[-1] == 1 and channels == 3:
            image = tf.image.grayscale_to_rgb(image)
        elif image.shape[-1] == 3 and channels == 1:
            image = tf.cast(
                tf.round(tf.image.rgb_to_grayscale(tf.cast(image, tf.float32))), tf.uint8
            )
        if tuple(image.shape[:2]) != (height, width):
            image = tf.image.resize(image, (height, width), antialias=True)
            image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
        return image

    def _formatted(self, images, labels, from_files):
        """A dataset of (uint8 image of `image_shape`, int32 label) examples."""
        labels = np.asarray(labels, np.int32)
        if from_files:

            def decode(path, label):
                raw = tf.io.read_file(path)
                image = tf.io.decode_image(raw, channels=3, expand_animations=False)
                image.set_shape((None, None, 3))
                return self._format(image), label

            dataset = tf.data.Dataset.from_tensor_slices((list(images), labels))
            return dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
        dataset = tf.data.Dataset.from_tensor_slices((images, labels))
        return dataset.map(lambda x, y: (self._format(x), y), num_parallel_calls=tf.data.AUTOTUNE)

    def _augment(self, example, seeds):
        """The data set's `Augmentation`: a padded random crop and (where it keeps the label)
        a horizontal flip.

        Stateless ops seeded per example keep a seeded run reproducible although the
        map runs in parallel.
        """
        image, label = example
        height, width, channels = self.image_shape
        pad = self.augmentation.crop_padding
        if pad:
            image = tf.pad(image, [[pad, pad], [pad, pad], [0, 0]])
            image = tf.image.stateless_random_crop(image, (height, width, channels),
                                                   seed=seeds[0])  # fmt: skip
        if self.augmentation.flip:
            image = tf.image.stateless_random_flip_left_right(image, seed=seeds[1])
        return image, label

    def _normalize(self, images, labels):
        images = (tf.cast(images, tf.float32) - self.mean) / self.std
        if keras.config.image_data_format() == "channels_first":
            images = tf.transpose(images, (0, 3, 1, 2))
        return images, labels

    def _batched(self, dataset, *, training, augment=False, size=None):
        if training:
            dataset = dataset.shuffle(size, seed=self.seed, reshuffle_each_iteration=True)
            if augment and (self.augmentation.crop_padding or self.augmentation.flip):
                seeds = tf.data.Dataset.random(self.seed, rerandomize_each_iteration=True)
                seeds = seeds.batch(4).map(lambda s: tf.reshape(s, (2, 2)))
                dataset = tf.data.Dataset.zip(dataset, seeds)
                dataset = dataset.map(self._augment, num_parallel_calls=tf.data.AUTOTUNE)
        dataset = dataset.batch(self.batch_size, drop_remainder=training)
        dataset = dataset.map(self._normalize, num_parallel_calls=tf.data.AUTOTUNE)
        return dataset.prefetch(tf.data.AUTOTUNE)


def _take(images, labels, limit, seed):
    """A seeded random subset of at most `limit` examples, in shuffled order."""
    order = np.random.default_rng(seed).permutation(len(labels))
    if limit is not None:
        order = order[:limit]
    if isinstance(images, list):
        return [images[i] for i in order], np.asarray(labels)[order]
    return images[order], np.asarray(labels)[order]


def _channel_stats(dataset, size, sample=10_000):
    """Per-channel mean and std (0-255 scale) over up to `sample` training images."""
    batch = next(iter(dataset.take(min(size, sample)).batch(sample)))[0].numpy()
    pixels = batch.reshape(-1, batch.shape[-1]).astype(np.float64)
    std = pixels.std(axis=0)
    return pixels.mean(axis=0).astype(np.float32), np.maximum(std, 1.0).astype(np.float32)
