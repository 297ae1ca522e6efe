"""The registry entry of `cnn` (metadata only: importing this module imports no backend)."""

from zoo.registry import ReferenceResult, register_model_path
from zoo.train.recipe import TrainingRecipe

register_model_path(
    "cnn",
    "zoo.models.cnn:build_cnn",
    task="image_classification",
    input_shape=(32, 32, 3),
    parameter_count=545_098,
    reference=ReferenceResult(
        dataset="Fashion-MNIST",
        metric="test accuracy",
        value=91.6,
        source="fashion-mnist benchmark, '2 Conv+pooling' (TensorFlow layers tutorial net)",
    ),
    recipe=TrainingRecipe(
        epochs=20, batch_size=64, optimizer="adam", learning_rate=1e-3, weight_decay=0.0
    ),
    description="Conv 32 -> pool -> conv 64 -> pool -> dense 128 -> classes, for small images.",
    fixed_input_size=True,
)
