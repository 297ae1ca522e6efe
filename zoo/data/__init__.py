"""tf.data input pipelines that every Keras backend consumes."""

from zoo.data.images import (
    DATASETS,
    IMAGE_DATASETS,
    ImageData,
    load_image_data,
    native_image_shape,
)

__all__ = ["DATASETS", "IMAGE_DATASETS", "ImageData", "load_image_data", "native_image_shape"]
