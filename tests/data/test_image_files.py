import gzip

import numpy as np
import pytest

from tests.data.fake_files import idx_bytes, write_cifar, write_idx, write_image_folder
from zoo.data.image_files import read_cifar, read_idx, read_idx_dataset, read_image_folder
from zoo.errors import DataSourceError


@pytest.mark.parametrize("archive", [True, False])
def test_cifar10_archive_and_folder(tmp_path, archive):
    train_x, train_y, test_x, test_y = write_cifar(tmp_path, "cifar10", archive=archive)
    splits = read_cifar(tmp_path, "cifar10")
    np.testing.assert_array_equal(splits.train_images, train_x)  # HWC, planes decoded
    np.testing.assert_array_equal(splits.train_labels, train_y)
    np.testing.assert_array_equal(splits.test_images, test_x)
    np.testing.assert_array_equal(splits.test_labels, test_y)
    assert splits.class_names[:2] == ["class0", "class1"]
    assert splits.train_images.shape == (30, 32, 32, 3)


def test_cifar10_extracted_folder_given_directly(tmp_path):
    write_cifar(tmp_path, "cifar10", archive=False)
    splits = read_cifar(tmp_path / "cifar-10-batches-py", "cifar10")
    assert len(splits.test_labels) == 6


def test_cifar100_fine_labels(tmp_path):
    _, train_y, _, _ = write_cifar(tmp_path, "cifar100")
    splits = read_cifar(tmp_path, "cifar100")
    np.testing.assert_array_equal(splits.train_labels, train_y)
    assert len(splits.class_names) == 100


def test_cifar_missing_file_says_what_to_put_where(tmp_path):
    with pytest.raises(DataSourceError, match="No cifar-10-python.tar.gz or cifar-10-batches-py/"):
        read_cifar(tmp_path, "cifar10")


def test_cifar_refuses_arbitrary_pickles(tmp_path):
    import os
    import pickle

    write_cifar(tmp_path, "cifar10", archive=False)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(pickle.dumps(Evil()))
    with pytest.raises(DataSourceError, match="unexpected object"):
        read_cifar(tmp_path, "cifar10")


@pytest.mark.parametrize("compress", [True, False])
def test_idx_dataset(tmp_path, compress):
    train_x, train_y, test_x, test_y = write_idx(tmp_path, compress=compress)
    splits = read_idx_dataset(tmp_path)
    np.testing.assert_array_equal(splits.train_images, train_x)
    np.testing.assert_array_equal(splits.train_labels, train_y)
    np.testing.assert_array_equal(splits.test_images, test_x)
    np.testing.assert_array_equal(splits.test_labels, test_y)
    assert splits.train_labels.dtype == np.int32


def test_idx_errors(tmp_path):
    (tmp_path / "bad.gz").write_bytes(gzip.compress(b"\x01\x02\x03\x04"))
    with pytest.raises(DataSourceError, match="bad magic"):
        read_idx(tmp_path / "bad.gz")
    (tmp_path / "short").write_bytes(idx_bytes(np.zeros((4, 2, 2), np.uint8))[:-3])
    with pytest.raises(DataSourceError, match="truncated"):
        read_idx(tmp_path / "short")
    with pytest.raises(DataSourceError, match="No train-images-idx3-ubyte.gz"):
        read_idx_dataset(tmp_path)


def test_real_fashion_mnist_sample_reads_as_published():
    """The shipped sample keeps the published files' names and format (real idx headers)."""
    from tests.helpers import FASHION_MNIST_SAMPLE

    splits = read_idx_dataset(FASHION_MNIST_SAMPLE)
    assert splits.train_images.shape == (3000, 28, 28) and splits.test_images.shape[0] == 1000
    assert splits.train_images.dtype == np.uint8
    assert np.bincount(splits.test_labels).tolist() == [100] * 10


@pytest.mark.parametrize("test_name", ["test", "val"])
def test_image_folder(tmp_path, test_name):
    classes = write_image_folder(tmp_path, test_name=test_name)
    splits = read_image_folder(tmp_path)
    assert splits.class_names == classes
    assert len(splits.train_paths) == 8 and len(splits.test_paths) == 4
    assert list(splits.train_labels) == [0] * 4 + [1] * 4


def test_image_folder_layout_errors(tmp_path):
    with pytest.raises(DataSourceError, match="needs train/<class>/ and test/<class>/"):
        read_image_folder(tmp_path)
    write_image_folder(tmp_path)
    (tmp_path / "test" / "horse").mkdir()
    with pytest.raises(DataSourceError, match="classes missing from"):
        read_image_folder(tmp_path)
