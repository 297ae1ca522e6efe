"""Shape-correct random data, for smoke tests only (results on it mean nothing)."""

import numpy as np

SYNTHETIC_WARNING = "SYNTHETIC DATA: random images and labels; accuracy on it means nothing."


def synthetic_images(num_examples, image_shape, num_classes, seed=0):
    """Random uint8 images of `image_shape` (HWC) and uniform integer labels.

    Example:
    >>> images, labels = synthetic_images(4, (8, 8, 3), num_classes=10)
    >>> images.shape, labels.dtype
    ((4, 8, 8, 3), dtype('int32'))
    """
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(num_examples, *image_shape), dtype=np.uint8)
    labels = rng.integers(0, num_classes, size=num_examples).astype(np.int32)
    return images, labels


def synthetic_series(rows=2000, seed=0):
    """An hourly series with a known pattern: {"hour", "load", "temperature"} columns.

    `load` = 10 + 4 sin(2 pi t / 24) + AR(1) noise (coefficient 0.9, innovations of standard
    deviation 0.5): a daily cycle that the naive forecast lags behind and persistent noise that
    the seasonal-naive one cannot follow. The best possible one-step forecast errs by the
    innovations alone (MAE about 0.4). `temperature` is a noisy covariate on the same cycle.

    Example:
    >>> columns = synthetic_series(48)
    >>> sorted(columns), columns["load"].shape
    (['hour', 'load', 'temperature'], (48,))
    """
    rng = np.random.default_rng(seed)
    t = np.arange(rows, dtype=np.float64)
    noise = np.zeros(rows)
    innovations = rng.normal(0.0, 0.5, rows)
    for i in range(1, rows):
        noise[i] = 0.9 * noise[i - 1] + innovations[i]
    daily = np.sin(2 * np.pi * t / 24)
    return {
        "hour": t % 24,
        "load": 10 + 4 * daily + noise,
        "temperature": 15 - 6 * np.cos(2 * np.pi * (t - 3) / 24) + rng.normal(0, 1, rows),
    }
