"""The registry entry of `resnet9` (metadata only: importing this module imports no backend)."""

from zoo.registry import ReferenceResult, register_model_path
from zoo.train.recipe import TrainingRecipe

register_model_path(
    "resnet9",
    "zoo.models.resnet9:build_resnet9",
    task="image_classification",
    input_shape=(32, 32, 3),
    parameter_count=6_577_600,
    reference=ReferenceResult(
        dataset="CIFAR-10",
        metric="test accuracy",
        value=94.0,
        source="Page 2018, How to train your ResNet (DAWNBench): 24 epochs",
    ),
    # Page's recipe: batch 512, SGD with Nesterov momentum 0.9, weight decay 5e-4, the
    # learning rate rising linearly to 0.4 over 5 epochs and falling to 0 at epoch 24.
    recipe=TrainingRecipe(
        epochs=24,
        batch_size=512,
        learning_rate=0.4,
        nesterov=True,
        weight_decay=5e-4,
        schedule="onecycle",
        warmup_fraction=5 / 24,
    ),
    description="ResNet-9, the DAWNBench CIFAR-10 network (Page 2018).",
)
