"""The registry entries of the Inception models (metadata only: importing this module imports no
backend)."""

from zoo.registry import ReferenceResult, register_model_path
from zoo.train.recipe import TrainingRecipe

register_model_path(
    "inception_v3",
    "zoo.models.inception:build_inception_v3",
    task="image_classification",
    input_shape=(299, 299, 3),
    parameter_count=23_851_784,
    reference=ReferenceResult(
        dataset="ImageNet",
        metric="top-1 validation accuracy",
        value=77.9,
        source="Szegedy et al. 2016, Rethinking the Inception Architecture; "
        "keras.applications table (InceptionV3, 299x299 single crop)",
    ),
    # The paper trains with RMSProp (decay 0.9, epsilon 1.0) at 0.045, x0.94 every two epochs,
    # batch 32 on each of 50 replicas, label smoothing 0.1, gradient clipping at 2.0. zoo's
    # recipes offer SGD, Adam and AdamW: the closest is SGD with momentum at the linearly
    # scaled 0.1 for batch 256 with a cosine decay (Goyal et al. 2017), keeping the paper's
    # label smoothing 0.1 and TF-slim's weight decay 4e-5, for 100 epochs.
    recipe=TrainingRecipe(
        epochs=100,
        batch_size=256,
        learning_rate=0.1,
        weight_decay=4e-5,
        schedule="cosine",
        label_smoothing=0.1,
    ),
    description="Inception-v3 (Szegedy et al. 2016), the network of keras.applications"
    ".InceptionV3: factorised 7x7 and 3x3 Inception modules, input >= 75x75.",
)

register_model_path(
    "inception_cifar",
    "zoo.models.inception:build_inception_cifar",
    task="image_classification",
    input_shape=(32, 32, 3),
    parameter_count=6_174_154,
    reference=ReferenceResult(
        dataset="CIFAR-10",
        metric="test accuracy",
        value=95.04,
        source="kuangliu/pytorch-cifar README, GoogLeNet (models/googlenet.py)",
    ),
    # kuangliu/pytorch-cifar main.py: SGD 0.1, momentum 0.9, weight decay 5e-4, batch 128,
    # cosine annealing over 200 epochs, random crop and flip.
    recipe=TrainingRecipe(
        epochs=200,
        batch_size=128,
        learning_rate=0.1,
        weight_decay=5e-4,
        schedule="cosine",
    ),
    description="GoogLeNet for 32x32 images (Inception-v1 modules, kuangliu/pytorch-cifar): "
    "192-filter stem, modules 3a-5b, global average pooling.",
)
