"""Training shared by every application: recipes, schedules, the run folder and its callbacks."""

from zoo.train.recipe import TrainingRecipe
from zoo.train.runner import TrainingRun, build_optimizer, classification_loss
from zoo.train.schedules import OneCycle, StepDecay, learning_rate_schedule

__all__ = [
    "OneCycle",
    "StepDecay",
    "TrainingRecipe",
    "TrainingRun",
    "build_optimizer",
    "classification_loss",
    "learning_rate_schedule",
]
