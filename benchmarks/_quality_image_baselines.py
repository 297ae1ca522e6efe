"""Plain baselines of zoo's image networks for the quality suite, trained on the same files:

* `keras_cnn`: the CNN as a Keras user writes it (Sequential, pixels / 255, Adam 1e-3,
  batch 64, no augmentation), on the Keras backend of `KERAS_BACKEND`;
* `torch_resnet20`: ResNet-20 in plain PyTorch (SGD 0.1, momentum 0.9, weight decay 1e-4,
  batch 128, learning rate / 10 at 50% and 75% of the epochs, zoo's augmentation of the data
  set mirrored: random pad-and-crop by `--padding` pixels (0: none) and horizontal flips).

Both read the data set's idx files with numpy alone and train on all of its training images.
Prints one JSON line: test accuracy (%), epochs, seconds.

    python benchmarks/_quality_image_baselines.py keras_cnn --data-dir DIR --epochs 20
"""

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np

STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte")  # fmt: skip


def read_idx(path):
    """An MNIST-format idx file (uint8 images or labels) as a numpy array."""
    with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as handle:
        data = handle.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(data_dir, max_train=None, max_test=None, seed=0):
    """(train images, train labels, test images, test labels): images (N, H, W, 1) uint8."""
    paths = [next(Path(data_dir).glob(f"{stem}*")) for stem in STEMS]
    train_x, train_y, test_x, test_y = (read_idx(path) for path in paths)
    rng = np.random.default_rng(seed)
    train = rng.permutation(len(train_y))[:max_train]
    test = rng.permutation(len(test_y))[:max_test]
    return (train_x[train, ..., None], train_y[train].astype("int64"),
            test_x[test, ..., None], test_y[test].astype("int64"))  # fmt: skip


def keras_cnn(data, epochs, seed):
    import keras

    train_x, train_y, test_x, test_y = data
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(train_x.shape[1:]),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_x / 255.0, train_y, batch_size=64, epochs=epochs, verbose=0)
    return model.evaluate(test_x / 255.0, test_y, verbose=0)[1]


def _augment(images, padding, generator):
    """Random pad-and-crop by up to `padding` pixels and random horizontal flips, per image."""
    import torch
    from torch.nn import functional as F

    size = images.shape[-1]
    flip = torch.rand(len(images), generator=generator) < 0.5
    if not padding:
        return torch.where(flip[:, None, None, None], images.flip(-1), images)
    padded = F.pad(images, (padding,) * 4)
    offsets = torch.randint(0, 2 * padding + 1, (len(images), 2), generator=generator)
    crops = torch.stack([padded[i, :, y : y + size, x : x + size]
                         for i, (y, x) in enumerate(offsets.tolist())])  # fmt: skip
    crops[flip] = crops[flip].flip(-1)
    return crops


def torch_resnet20(data, epochs, seed, padding):
    import torch
    from _torch_networks import ResNet20
    from torch.nn import functional as F

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    train_x, train_y, test_x, test_y = data
    mean, std = train_x.mean(), train_x.std()
    to_tensor = lambda x: torch.tensor((x - mean) / std, dtype=torch.float32).permute(0, 3, 1, 2)  # noqa: E731
    train_x, test_x = to_tensor(train_x), to_tensor(test_x)
    train_y, test_y = torch.tensor(train_y), torch.tensor(test_y)
    model = ResNet20(in_channels=train_x.shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    steps = len(train_y) // 128
    schedule = torch.optim.lr_scheduler.MultiStepLR(
        optimizer, [steps * epochs // 2, steps * epochs * 3 // 4], gamma=0.1)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(train_y), generator=generator)
        for step in range(steps):
            batch = order[step * 128 : (step + 1) * 128]
            optimizer.zero_grad(set_to_none=True)
            images = _augment(train_x[batch], padding, generator)
            F.cross_entropy(model(images), train_y[batch]).backward()
            optimizer.step()
            schedule.step()
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(test_x[i : i + 500]).argmax(1)
                                 for i in range(0, len(test_y), 500)])  # fmt: skip
    return float((predictions == test_y).float().mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("network", choices=["keras_cnn", "torch_resnet20"])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--padding", type=int, default=3, help="pad-and-crop (torch_resnet20)")
    parser.add_argument("--max-train-examples", type=int)
    parser.add_argument("--max-test-examples", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = load(args.data_dir, args.max_train_examples, args.max_test_examples, args.seed)
    start = time.perf_counter()
    if args.network == "keras_cnn":
        accuracy = keras_cnn(data, args.epochs, args.seed)
    else:
        accuracy = torch_resnet20(data, args.epochs, args.seed, args.padding)
    print(json.dumps({"test_accuracy": round(100 * float(accuracy), 2), "epochs": args.epochs,
                      "num_train": len(data[1]), "num_test": len(data[3]),
                      "seconds": round(time.perf_counter() - start, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
