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
