"""Training shared by every application: recipes, schedules, the run folder and its callbacks.

`zoo.train.recipe` needs no backend (the registry reads recipes without importing Keras); the
rest loads on first use.
"""

from zoo._lazy import lazy_attributes
from zoo.train.recipe import TrainingRecipe

__getattr__, __dir__ = lazy_attributes(__name__, {
    "TrainingRun": "zoo.train.runner",
    "build_optimizer": "zoo.train.runner",
    "classification_loss": "zoo.train.runner",
    "OneCycle": "zoo.train.schedules",
    "StepDecay": "zoo.train.schedules",
    "learning_rate_schedule": "zoo.train.schedules",
})  # fmt: skip

__all__ = [
    "OneCycle",
    "StepDecay",
    "TrainingRecipe",
    "TrainingRun",
    "build_optimizer",
    "classification_loss",
    "learning_rate_schedule",
]
