"""Write tiny data sets in their real published on-disk formats (for loader tests)."""

import gzip
import io
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np


def _cifar_batch(images, labels, label_key):
    # The published batches: a dict with bytes keys (Python 2 cPickle), rows of 3072 bytes
    # holding the red, green and blue planes of a 32x32 image.
    return {
        b"batch_label": b"testing batch",
        label_key.encode(): [int(v) for v in labels],
        b"data": images.transpose(0, 3, 1, 2).reshape(len(images), -1),
        b"filenames": [f"img{i}.png".encode() for i in range(len(images))],
    }


def write_cifar(root, name="cifar10", per_batch=6, archive=True, seed=0):
    """Write CIFAR-10 or -100 (python version); return (train_x, train_y, test_x, test_y)."""
    rng = np.random.default_rng(seed)
    classes = 10 if name == "cifar10" else 100
    folder = "cifar-10-batches-py" if name == "cifar10" else "cifar-100-python"
    label_key = "labels" if name == "cifar10" else "fine_labels"
    train_members = [f"data_batch_{i}" for i in range(1, 6)] if name == "cifar10" else ["train"]
    test_member = "test_batch" if name == "cifar10" else "test"
    files = {}
    train_x, train_y = [], []
    for member in train_members:
        x = rng.integers(0, 256, (per_batch, 32, 32, 3), dtype=np.uint8)
        y = rng.integers(0, classes, per_batch)
        files[member] = _cifar_batch(x, y, label_key)
        train_x.append(x)
        train_y.append(y)
    test_x = rng.integers(0, 256, (per_batch, 32, 32, 3), dtype=np.uint8)
    test_y = rng.integers(0, classes, per_batch)
    files[test_member] = _cifar_batch(test_x, test_y, label_key)
    if name == "cifar10":
        files["batches.meta"] = {b"label_names": [f"class{i}".encode() for i in range(10)]}
    else:
        files["meta"] = {b"fine_label_names": [f"fine{i}".encode() for i in range(100)]}
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if archive:
        archive_name = "cifar-10-python.tar.gz" if name == "cifar10" else "cifar-100-python.tar.gz"
        with tarfile.open(root / archive_name, "w:gz") as tar:
            for member, content in files.items():
                raw = pickle.dumps(content, protocol=2)
                info = tarfile.TarInfo(f"{folder}/{member}")
                info.size = len(raw)
                tar.addfile(info, io.BytesIO(raw))
    else:
        (root / folder).mkdir()
        for member, content in files.items():
            (root / folder / member).write_bytes(pickle.dumps(content, protocol=2))
    return np.concatenate(train_x), np.concatenate(train_y), test_x, test_y


def idx_bytes(array):
    """Encode a uint8 array in the idx format (magic 0x0000 08 ndim, big-endian sizes)."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", size) for size in array.shape)
    return header + np.ascontiguousarray(array, np.uint8).tobytes()


def write_idx(root, train=20, test=10, size=28, compress=True, seed=0):
    """Write the four MNIST-format files; return (train_x, train_y, test_x, test_y)."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (train, size, size), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, train).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (test, size, size), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, test).astype(np.uint8),
    }
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        raw = idx_bytes(array)
        if compress:
            (root / f"{stem}.gz").write_bytes(gzip.compress(raw))
        else:
            (root / stem).write_bytes(raw)
    return tuple(arrays.values())


def write_image_folder(root, classes=("cat", "dog"), per_class=4, size=(12, 10), test_name="test"):
    """Write train/<class>/*.png and <test_name>/<class>/*.png; return the class names."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    for split, count in (("train", per_class), (test_name, 2)):
        for index, class_name in enumerate(classes):
            folder = Path(root) / split / class_name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(count):
                image = np.full((*size, 3), 40 * index, np.uint8)
                image += rng.integers(0, 10, image.shape, dtype=np.uint8)
                png = tf.io.encode_png(image).numpy()
                (folder / f"{i}.png").write_bytes(png)
    return list(classes)


def write_sst2(folder):
    """GLUE SST-2's layout: train.tsv and dev.tsv with `sentence` and `label` columns."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["sentence\tlabel"] + ["a gripping , funny film \t1", "dull and lifeless \t0"] * 10
    (folder / "train.tsv").write_text("\n".join(rows) + "\n")
    (folder / "dev.tsv").write_text("sentence\tlabel\nwonderful \t1\nawful \t0\n")


def write_acl_imdb(root, per_class=3, seed=None):
    """IMDB's aclImdb layout: {train,test}/{neg,pos}/<id>_<rating>.txt and an unlabelled
    train/unsup folder. With `seed`, reviews are random filler words around one sentiment
    word ("bad"/"awful" or "good"/"great") at a random place: learnable, but only by a model
    that reads the whole review."""
    rng = np.random.default_rng(seed)
    filler = [f"word{i}" for i in range(50)]
    for split in ("train", "test"):
        for label, words, ratings in (("neg", ("bad", "awful"), (1, 5)),
                                      ("pos", ("good", "great"), (7, 11))):  # fmt: skip
            folder = root / "aclImdb" / split / label
            folder.mkdir(parents=True)
            for i in range(per_class):
                if seed is None:
                    text = f"a {words[0]} movie <br /> number {i}"
                else:
                    tokens = list(rng.choice(filler, rng.integers(5, 15)))
                    tokens.insert(rng.integers(0, len(tokens) + 1), rng.choice(words))
                    text = "<br />".join([" ".join(tokens[:3]), " ".join(tokens[3:])])
                (folder / f"{i}_{rng.integers(*ratings)}.txt").write_text(text)
    (root / "aclImdb" / "train" / "unsup").mkdir()


def write_movielens_100k(root, users=12, items=9, ratings=150, seed=0):
    """GroupLens ml-100k: u.data (tab), u.user and u.item (pipe, latin-1, 19 genre flags)."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    lines = [f"{rng.integers(1, users + 1)}\t{rng.integers(1, items + 1)}\t{rng.integers(1, 6)}\t"
             f"{874724710 + i * 60}" for i in range(ratings)]  # fmt: skip
    (root / "u.data").write_text("\n".join(lines) + "\n", encoding="latin-1")
    (root / "u.user").write_text("".join(
        f"{u}|{20 + u}|{'MF'[u % 2]}|{['student', 'writer', 'other'][u % 3]}|{85711 + u}\n"
        for u in range(1, users + 1)), encoding="latin-1")  # fmt: skip
    (root / "u.item").write_text("".join(
        f"{i}|Movie {i} (1995)|01-Jan-1995||http://x|" + "|".join(
            "1" if g in (i % 19, (i * 7) % 19) else "0" for g in range(19)) + "\n"
        for i in range(1, items + 1)), encoding="latin-1")  # fmt: skip


def write_movielens_1m(root, users=12, items=9, ratings=150, seed=0):
    """GroupLens ml-1m: ratings.dat, users.dat, movies.dat ("::"-separated, latin-1)."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    lines = [f"{rng.integers(1, users + 1)}::{rng.integers(1, items + 1)}::{rng.integers(1, 6)}::"
             f"{978300760 + i}" for i in range(ratings)]  # fmt: skip
    (root / "ratings.dat").write_text("\n".join(lines) + "\n", encoding="latin-1")
    (root / "users.dat").write_text("".join(
        f"{u}::{'MF'[u % 2]}::{[1, 18, 25][u % 3]}::{u % 20}::{48067 + u}\n"
        for u in range(1, users + 1)), encoding="latin-1")  # fmt: skip
    genres = ("Comedy", "Drama|Romance", "Animation|Children's")
    (root / "movies.dat").write_text("".join(
        f"{i}::Movie {i} (1995)::{genres[i % 3]}\n" for i in range(1, items + 1)),
        encoding="latin-1")  # fmt: skip


def write_criteo(path, rows=300, seed=0):
    """Criteo's display-advertising log: label, I1..I13, C1..C26, tab-separated, no header,
    empty fields where missing. The label follows I1 and C1, so a model can learn it."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for _ in range(rows):
        ints = [str(rng.integers(0, 50)) if rng.random() > 0.1 else "" for _ in range(13)]
        cats = [f"{rng.integers(0, 6):08x}" if rng.random() > 0.1 else "" for _ in range(26)]
        label = int((ints[0] != "" and int(ints[0]) > 25) or cats[0].endswith("1"))
        lines.append("\t".join([str(label), *ints, *cats]))
    path.write_text("\n".join(lines) + "\n")
    return path
