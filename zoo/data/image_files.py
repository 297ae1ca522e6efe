"""Readers of image data sets in their standard published on-disk formats.

* CIFAR-10 / CIFAR-100 "python version": `cifar-10-python.tar.gz` or its extracted
  `cifar-10-batches-py/` (`cifar-100-python.tar.gz` / `cifar-100-python/`).
* MNIST / Fashion-MNIST idx files: `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
  `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz` (gzipped or not).
* An image folder: `train/<class>/*.png|jpg|...` and `test/<class>/...` (or `val/`).

Every reader raises `DataSourceError` naming the file it needs and where it looked.

Example:
>>> splits = read_idx_dataset("/usr/share/datasets/fashion-mnist")  # doctest: +SKIP
>>> splits.train_images.shape
(60000, 28, 28)
"""

import dataclasses
import gzip
import io
import pickle
import tarfile
import zlib
from pathlib import Path

import numpy as np

from zoo.errors import DataSourceError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


@dataclasses.dataclass
class ArraySplits:
    """Train and test images (uint8, NHWC or NHW) with integer labels and class names."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    class_names: list


@dataclasses.dataclass
class FolderSplits:
    """File paths and integer labels of an image folder, with its class names."""

    train_paths: list
    train_labels: np.ndarray
    test_paths: list
    test_labels: np.ndarray
    class_names: list
    skipped: list = dataclasses.field(default_factory=list)  # unreadable files left out


# --- CIFAR -----------------------------------------------------------------------------

_CIFAR_LAYOUT = {
    "cifar10": {
        "archive": "cifar-10-python.tar.gz",
        "folder": "cifar-10-batches-py",
        "train": [f"data_batch_{i}" for i in range(1, 6)],
        "test": ["test_batch"],
        "meta": "batches.meta",
        "labels": "labels",
        "names": "label_names",
    },
    "cifar100": {
        "archive": "cifar-100-python.tar.gz",
        "folder": "cifar-100-python",
        "train": ["train"],
        "test": ["test"],
        "meta": "meta",
        "labels": "fine_labels",
        "names": "fine_label_names",
    },
}


class _CifarUnpickler(pickle.Unpickler):
    """Unpickles CIFAR batches (dicts, lists, bytes and numpy arrays) and nothing else."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("_codecs", "encode"),  # bytes in protocol-2 pickles written by Python 3
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
    }

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected object {module}.{name} in a CIFAR batch")


def _load_cifar_batch(raw_bytes):
    batch = _CifarUnpickler(io.BytesIO(raw_bytes), encoding="bytes").load()
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in batch.items()}


def _cifar_member_reader(data_dir, layout):
    """Return a function reading one member of the CIFAR archive or extracted folder."""
    folder = data_dir / layout["folder"]
    if folder.is_dir():
        return lambda member: (folder / member).read_bytes()
    if (data_dir / layout["meta"]).is_file():  # data_dir is the extracted folder itself
        return lambda member: (data_dir / member).read_bytes()
    archive = data_dir / layout["archive"]
    if archive.is_file():
        try:
            tar = tarfile.open(archive, "r:gz")
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            raise DataSourceError(
                f"{archive} is not a readable .tar.gz archive ({error}); download it again."
            ) from None
        return lambda member: tar.extractfile(f"{layout['folder']}/{member}").read()
    raise DataSourceError(
        f"No {layout['archive']} or {layout['folder']}/ in {data_dir}; download "
        f"https://www.cs.toronto.edu/~kriz/{layout['archive']} and put it there."
    )


def read_cifar(data_dir, name="cifar10"):
    """Read CIFAR-10 or CIFAR-100 (fine labels) from the python-version archive or folder."""
    layout = _CIFAR_LAYOUT[name]
    data_dir = Path(data_dir)
    read_member = _cifar_member_reader(data_dir, layout)

    def read_batch(member):
        try:
            return _load_cifar_batch(read_member(member))
        except (KeyError, OSError, pickle.UnpicklingError, EOFError, ValueError,
                tarfile.TarError, zlib.error, AttributeError) as error:  # fmt: skip
            raise DataSourceError(
                f"{name}: cannot read {layout['folder']}/{member} in {data_dir} ({error}); "
                "download the archive again."
            ) from None

    def read_split(members):
        images, labels = [], []
        for member in members:
            batch = read_batch(member)
            images.append(np.asarray(batch["data"], np.uint8).reshape(-1, 3, 32, 32))
            labels.append(np.asarray(batch[layout["labels"]], np.int32))
        return np.concatenate(images).transpose(0, 2, 3, 1), np.concatenate(labels)

    train_images, train_labels = read_split(layout["train"])
    test_images, test_labels = read_split(layout["test"])
    meta = read_batch(layout["meta"])
    names = [n.decode() if isinstance(n, bytes) else n for n in meta[layout["names"]]]
    return ArraySplits(train_images, train_labels, test_images, test_labels, names)


# --- idx (MNIST, Fashion-MNIST) ----------------------------------------------------------

_IDX_ADVICE = "download it again (or check the copy) and retry."
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Read one idx file (gzipped or not) into a numpy array of its stored shape."""
    path = Path(path)
    data = _read_idx_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise DataSourceError(f"{path} is not an idx file (bad magic number); {_IDX_ADVICE}")
    ndim = data[3]
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    body_start = 4 + 4 * ndim
    if len(data) < body_start:
        raise DataSourceError(f"{path} is truncated inside its header; {_IDX_ADVICE}")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - body_start != expected:
        found = (len(data) - body_start) // dtype.itemsize
        state = "truncated" if len(data) - body_start < expected else "longer than its header says"
        raise DataSourceError(
            f"{path} is {state}: the header says {shape} ({int(np.prod(shape))} values), the "
            f"file holds {found}; {_IDX_ADVICE}"
        )
    body = np.frombuffer(data, dtype=dtype, offset=body_start)
    return body.reshape(shape).astype(dtype.newbyteorder("="))


def _read_idx_bytes(path):
    """The (gunzipped) bytes of an idx file; a truncated or corrupt gzip stream is one
    `DataSourceError` naming the file."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            return handle.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise DataSourceError(
            f"{path} is a truncated or corrupt gzip file ({error}); {_IDX_ADVICE}"
        ) from None
    except OSError as error:
        raise DataSourceError(f"cannot read {path}: {error.strerror or error}.") from None


def _find_idx(data_dir, stem):
    for candidate in (data_dir / f"{stem}.gz", data_dir / stem):
        if candidate.is_file():
            return candidate
    raise DataSourceError(f"No {stem}.gz (or {stem}) in {data_dir}.")


def read_idx_dataset(data_dir, class_names=None):
    """Read the four standard MNIST-format idx files from `data_dir`."""
    data_dir = Path(data_dir)
    arrays = [
        read_idx(_find_idx(data_dir, stem))
        for stem in (
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
        )
    ]
    train_images, train_labels, test_images, test_labels = arrays
    for images, labels, split in (
        (train_images, train_labels, "train"),
        (test_images, test_labels, "t10k"),
    ):
        if len(images) != len(labels):
            raise DataSourceError(
                f"{data_dir}: {split} has {len(images)} images but {len(labels)} labels."
            )
    labels = np.concatenate([train_labels, test_labels])
    names = class_names or [str(i) for i in range(int(labels.max()) + 1)]
    return ArraySplits(
        train_images,
        train_labels.astype(np.int32),
        test_images,
        test_labels.astype(np.int32),
        names,
    )


# --- image folder ------------------------------------------------------------------------

_TEST_FOLDERS = ("test", "val", "validation")


def _list_classes(folder):
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _list_split(folder, class_names):
    paths, labels = [], []
    for index, class_name in enumerate(class_names):
        class_dir = folder / class_name
        if not class_dir.is_dir():
            continue
        files = sorted(p for p in class_dir.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)
        paths += [str(p) for p in files]
        labels += [index] * len(files)
    return paths, np.asarray(labels, np.int32)


def read_image_folder(data_dir):
    """List `train/<class>/` and `test/<class>/` (or `val/`) images under `data_dir`."""
    data_dir = Path(data_dir)
    train_dir = data_dir / "train"
    test_dir = next((data_dir / t for t in _TEST_FOLDERS if (data_dir / t).is_dir()), None)
    if not train_dir.is_dir() or test_dir is None:
        raise DataSourceError(
            f"{data_dir} is not an image folder: it needs train/<class>/ and test/<class>/ "
            "(or val/<class>/) sub-folders holding .png/.jpg images."
        )
    class_names = _list_classes(train_dir)
    if len(class_names) < 2:
        raise DataSourceError(f"{train_dir} needs at least two class sub-folders.")
    train_paths, train_labels = _list_split(train_dir, class_names)
    test_paths, test_labels = _list_split(test_dir, class_names)
    unknown = sorted(set(_list_classes(test_dir)) - set(class_names))
    if unknown:
        raise DataSourceError(f"{test_dir} has classes missing from {train_dir}: {unknown}.")
    if not train_paths or not test_paths:
        raise DataSourceError(f"{data_dir}: no images found in train/ or {test_dir.name}/.")
    return FolderSplits(train_paths, train_labels, test_paths, test_labels, class_names)
