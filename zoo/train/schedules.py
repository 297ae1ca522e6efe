"""Learning-rate schedules named by a `TrainingRecipe` ("constant", "cosine", "onecycle", "step").

Example:
>>> from zoo.train.recipe import TrainingRecipe
>>> schedule = learning_rate_schedule(TrainingRecipe(schedule="onecycle", warmup_fraction=0.25,
...                                                  learning_rate=0.4), total_steps=100)
>>> float(schedule(25)), float(schedule(100))
(0.4, 0.0)
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """Linear rise from 0 to `peak` over `warmup_steps`, then linear fall to 0 at `total_steps`.

    The piecewise-linear one-cycle schedule of the DAWNBench CIFAR records (Page 2018).
    """

    def __init__(self, peak, total_steps, warmup_steps):
        self.peak = float(peak)
        self.total_steps = int(total_steps)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        rise = step / max(self.warmup_steps, 1)
        fall = (self.total_steps - step) / max(self.total_steps - self.warmup_steps, 1)
        fraction = ops.where(step < self.warmup_steps, rise, fall)
        return self.peak * ops.clip(fraction, 0.0, 1.0)

    def get_config(self):
        return {
            "peak": self.peak,
            "total_steps": self.total_steps,
            "warmup_steps": self.warmup_steps,
        }


@keras.saving.register_keras_serializable(package="zoo")
class StepDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`peak` divided by `factor` at each of `milestones` (fractions of `total_steps`).

    With `warmup_steps`, the first steps run at `peak / factor` (He et al. 2015's warm-up
    for ResNet-110).
    """

    def __init__(self, peak, total_steps, milestones=(0.5, 0.75), factor=10.0, warmup_steps=0):
        self.peak = float(peak)
        self.total_steps = int(total_steps)
        self.milestones = tuple(float(m) for m in milestones)
        self.factor = float(factor)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        rate = ops.convert_to_tensor(self.peak, "float32")
        for milestone in self.milestones:
            passed = step >= milestone * self.total_steps
            rate = ops.where(passed, rate / self.factor, rate)
        return ops.where(step < self.warmup_steps, self.peak / self.factor, rate)

    def get_config(self):
        return {
            "peak": self.peak,
            "total_steps": self.total_steps,
            "milestones": list(self.milestones),
            "factor": self.factor,
            "warmup_steps": self.warmup_steps,
        }


def learning_rate_schedule(recipe, total_steps):
    """The learning rate (a float or a Keras schedule) that `recipe` asks for."""
    warmup = int(round(recipe.warmup_fraction * total_steps))
    if recipe.schedule == "constant":
        return recipe.learning_rate
    if recipe.schedule == "onecycle":
        return OneCycle(recipe.learning_rate, total_steps, warmup)
    if recipe.schedule == "step":
        return StepDecay(recipe.learning_rate, total_steps, warmup_steps=warmup)
    if warmup:
        return keras.optimizers.schedules.CosineDecay(
            0.0,
            max(total_steps - warmup, 1),
            warmup_target=recipe.learning_rate,
            warmup_steps=warmup,
        )
    return keras.optimizers.schedules.CosineDecay(recipe.learning_rate, max(total_steps, 1))
