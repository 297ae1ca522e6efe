"""Training recipes: the hyper-parameters that take a registered model to its reference result.

Example:
>>> from zoo.train.recipe import TrainingRecipe
>>> recipe = TrainingRecipe(epochs=30, learning_rate=0.1, schedule="cosine")
>>> recipe.replace(epochs=5).epochs
5
"""

import dataclasses

from zoo._utils import check_choice, check_fraction, check_positive_int
from zoo.errors import ConfigError

OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine", "onecycle", "step")


@dataclasses.dataclass(frozen=True)
class TrainingRecipe:
    """Optimizer, schedule and regularisation settings for one training run.

    `schedule` is `"constant"`, `"cosine"` (cosine decay to zero), `"onecycle"` (linear
    warm-up to `learning_rate` over `warmup_fraction` of the steps, then linear decay to zero)
    or `"step"` (divide by 10 at 50% and 75% of the steps, He et al. 2015).
    `weight_decay` is the optimizer's decoupled weight decay.
    """

    epochs: int = 30
    batch_size: int = 128
    optimizer: str = "sgd"
    learning_rate: float = 0.1
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 5e-4
    schedule: str = "cosine"
    warmup_fraction: float = 0.0
    label_smoothing: float = 0.0
    augment: bool = True

    def __post_init__(self):
        check_positive_int("epochs", self.epochs)
        check_positive_int("batch_size", self.batch_size)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("schedule", self.schedule, SCHEDULES)
        if not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be > 0, got {self.learning_rate!r}.")
        if self.weight_decay < 0:
            raise ConfigError(f"weight_decay must be >= 0, got {self.weight_decay!r}.")
        check_fraction("momentum", self.momentum)
        check_fraction("warmup_fraction", self.warmup_fraction)
        check_fraction("label_smoothing", self.label_smoothing)

    def replace(self, **changes):
        """A copy with `changes` applied; `None` values are ignored (unset CLI flags)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self):
        return dataclasses.asdict(self)
