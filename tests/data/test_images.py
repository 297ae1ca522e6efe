import keras
import numpy as np
import pytest

from tests.data.fake_files import write_cifar, write_idx, write_image_folder
from zoo.data import _tfds as tfds_helpers
from zoo.data import images as images_module
from zoo.data import load_image_data
from zoo.errors import ConfigError, DataSourceError


def _all(dataset):
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in dataset], strict=True)
    return np.concatenate(xs), np.concatenate(ys)


def test_cifar_files_pipeline(tmp_path):
    write_cifar(tmp_path, "cifar10", per_batch=8)  # 40 train, 8 test
    data = load_image_data(
        "cifar10", data_dir=tmp_path, batch_size=4, validation_split=0.25, seed=3
    )
    assert (data.source, data.synthetic) == ("files", False)
    assert (data.num_train, data.num_validation, data.num_test) == (30, 10, 8)
    assert data.steps_per_epoch == 7  # 30 // 4: the remainder is dropped in training
    x, y = _all(data.train)
    assert x.shape == (28, 32, 32, 3) and x.dtype == np.float32 and y.dtype == np.int32
    val_x, _ = _all(data.validation)
    assert val_x.shape[0] == 10  # evaluation keeps every example
    test_x, test_y = _all(data.test)
    assert test_x.shape[0] == 8
    # Normalised with the training split's statistics.
    assert abs(float(_all(data.train)[0].mean())) < 0.3


def test_augmentation_only_on_training(tmp_path):
    write_cifar(tmp_path, "cifar10", per_batch=8)
    data = load_image_data("cifar10", data_dir=tmp_path, batch_size=8, validation_split=0.0)
    first, second = _all(data.test)[0], _all(data.test)[0]
    np.testing.assert_array_equal(first, second)
    plain = load_image_data(
        "cifar10", data_dir=tmp_path, batch_size=40, validation_split=0.0, augment=False, seed=1
    )
    augmented = load_image_data(
        "cifar10", data_dir=tmp_path, batch_size=40, validation_split=0.0, augment=True, seed=1
    )
    a, ya = _all(plain.train)
    b, yb = _all(augmented.train)
    assert not np.allclose(np.sort(a.ravel()), np.sort(b.ravel()))  # crops add zero padding
    assert sorted(ya.tolist()) == sorted(yb.tolist())


def test_grayscale_idx_to_three_channel_resized(tmp_path):
    write_idx(tmp_path, train=20, test=10)
    data = load_image_data(
        "mnist", data_dir=tmp_path, batch_size=5, image_shape=(32, 32, 3), validation_split=0.0
    )
    x, _ = _all(data.test)
    assert x.shape == (10, 32, 32, 3)
    np.testing.assert_allclose(x[..., 0], x[..., 2])  # grey repeated over the channels
    native = load_image_data("mnist", data_dir=tmp_path, batch_size=5, validation_split=0.0)
    assert native.image_shape == (28, 28, 1)


def test_mnist_is_never_flipped():
    assert images_module.DATASETS["mnist"].flip is False
    assert images_module.DATASETS["cifar10"].flip is True


def test_augmentation_is_the_data_sets_own_and_scales_with_the_image():
    augmentation_of, Augmentation = images_module.augmentation_of, images_module.Augmentation
    assert augmentation_of("cifar10", (32, 32, 3)) == Augmentation(4, flip=True)
    assert augmentation_of("cifar10", (64, 64, 3)) == Augmentation(8, flip=True)
    assert augmentation_of("mnist", (28, 28, 1)) == Augmentation(2, flip=False)
    assert augmentation_of("fashion_mnist", (32, 32, 3)) == Augmentation(0, flip=True)
    assert augmentation_of("folder", (96, 96, 3)) == Augmentation(12, flip=True)


def test_fashion_mnist_is_flipped_but_never_shifted(tmp_path):
    """Every augmented training image is its original or that original's mirror image."""
    write_idx(tmp_path, train=16, test=4)
    options = dict(data_dir=tmp_path, batch_size=16, validation_split=0.0, seed=2)
    plain = _all(load_image_data("fashion_mnist", augment=False, **options).train)
    augmented = load_image_data("fashion_mnist", augment=True, **options)
    assert augmented.describe()["augmentation"] == {"crop_padding": 0, "flip": True}
    flipped = 0
    for _ in range(3):  # epochs: the flips are redrawn
        images, labels = _all(augmented.train)
        for image, label in zip(images, labels, strict=True):
            originals = plain[0][plain[1] == label]
            same = any(np.array_equal(image, o) for o in originals)
            mirrored = any(np.array_equal(image, o[:, ::-1]) for o in originals)
            assert same or mirrored
            flipped += mirrored and not same
    assert flipped > 0


def test_limits_take_a_seeded_subset(tmp_path):
    write_idx(tmp_path, train=20, test=10)
    options = dict(data_dir=tmp_path, batch_size=2, validation_split=0.0, max_train_examples=6,
                   max_test_examples=4, seed=5, augment=False)  # fmt: skip
    one, two = load_image_data("mnist", **options), load_image_data("mnist", **options)
    assert (one.num_train, one.num_test) == (6, 4)
    np.testing.assert_array_equal(_all(one.test)[1], _all(two.test)[1])
    other = load_image_data("mnist", **{**options, "seed": 6})
    assert not np.array_equal(_all(other.test)[0], _all(one.test)[0])  # another subset


def test_image_folder_pipeline(tmp_path):
    write_image_folder(tmp_path, per_class=4)
    data = load_image_data(
        "folder", data_dir=tmp_path, batch_size=2, image_shape=(16, 16, 3), validation_split=0.0
    )
    assert data.class_names == ["cat", "dog"]
    x, y = _all(data.test)
    assert x.shape == (4, 16, 16, 3)
    assert y.tolist() == [0, 0, 1, 1]
    # The classes differ in brightness, and normalisation keeps that order.
    assert x[y == 0].mean() < x[y == 1].mean()


def test_synthetic_is_marked():
    data = load_image_data("synthetic", batch_size=8, image_shape=(8, 8, 3), max_train_examples=32)
    assert data.synthetic and data.describe()["synthetic"] is True
    assert data.describe()["data_source"] == "synthetic"


def test_channels_first_layout(tmp_path):
    keras.config.set_image_data_format("channels_first")
    data = load_image_data("synthetic", batch_size=4, image_shape=(8, 8, 3), max_train_examples=16)
    assert next(iter(data.test))[0].shape == (4, 3, 8, 8)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"name": "imagenet"}, ConfigError, "Unknown image data set 'imagenet'"),
        ({"name": "synthetic", "batch_size": 0}, ConfigError, "batch_size must be a positive"),
        ({"name": "synthetic", "batch_size": 4096}, ConfigError, "larger than the 461 training"),
        ({"name": "folder"}, ConfigError, "needs data_dir"),
        ({"name": "cifar10", "data_dir": "/no/such/dir"}, DataSourceError, "is not a directory"),
        ({"name": "synthetic", "validation_split": 1.0}, ConfigError, "validation_split"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_image_data(**kwargs)


def test_offline_download_fails_fast_with_the_fix(monkeypatch, tmp_path):
    import tensorflow_datasets as tfds

    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(tfds_helpers, "can_reach", lambda url, timeout=5.0: False)

    def no_download(*args, **kwargs):
        raise AssertionError("must not try to download when the host is unreachable")

    monkeypatch.setattr(tfds, "load", no_download)
    with pytest.raises(DataSourceError) as error:
        load_image_data("cifar10")
    message = str(error.value)
    assert "www.cs.toronto.edu is unreachable" in message
    assert "cifar-10-python.tar.gz" in message and "--data-dir" in message


def test_tfds_route_reads_prepared_data(monkeypatch, tmp_path):
    import tensorflow_datasets as tfds

    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    # mock_data replaces download and preparation; the host check must let it through.
    monkeypatch.setattr(tfds_helpers, "can_reach", lambda url, timeout=5.0: True)
    with tfds.testing.mock_data(num_examples=24):
        data = load_image_data("cifar10", batch_size=8, validation_split=0.25)
    assert data.source == "tfds"
    assert (data.num_train, data.num_validation) == (18, 6)
    assert next(iter(data.train))[0].shape == (8, 32, 32, 3)
