"""Pruning schedules: at which training steps to prune, and to which sparsity.

The usual maths (tensorflow-model-optimization's, which does not support Keras 3): pruning
happens on steps `begin_step, begin_step + frequency, ...` up to `end_step` (-1: no end);
`ConstantSparsity` prunes to one target, `PolynomialDecay` raises the sparsity from `initial`
to `final` as `final + (initial - final) * (1 - p) ** power`, `p` the fraction of the way
from `begin_step` to `end_step`. A schedule is called with the step and returns
`(prune_now, sparsity)`; it runs on the host, so it is the same on every backend.

Example:
>>> schedule = PolynomialDecay(0.0, 0.8, begin_step=0, end_step=100, frequency=50)
>>> prune, sparsity = schedule(50)
>>> prune, round(sparsity, 4)
(True, 0.7)
>>> schedule(60)[0]
False
"""

from zoo._utils import check_fraction, check_positive_int
from zoo.errors import ConfigError


class PruningSchedule:
    """The steps on which to prune: every `frequency` steps from `begin_step` to `end_step`."""

    def __init__(self, begin_step=0, end_step=-1, frequency=100):
        if isinstance(begin_step, bool) or not isinstance(begin_step, int) or begin_step < 0:
            raise ConfigError(f"begin_step must be an integer >= 0, got {begin_step!r}.")
        if not isinstance(end_step, int) or (end_step != -1 and end_step < begin_step):
            raise ConfigError(
                f"end_step={end_step!r} must be -1 (no end) or >= begin_step={begin_step}."
            )
        self.begin_step, self.end_step = begin_step, end_step
        self.frequency = check_positive_int("frequency", frequency)

    def prunes_at(self, step):
        """True on the steps the schedule prunes."""
        in_range = step >= self.begin_step and (self.end_step == -1 or step <= self.end_step)
        return in_range and (step - self.begin_step) % self.frequency == 0

    def sparsity(self, step):
        """The fraction of weights that are zero after pruning at `step`."""
        raise NotImplementedError

    def __call__(self, step):
        return self.prunes_at(step), self.sparsity(step)

    def to_dict(self):
        """The schedule's name and arguments, as `metrics.json` records them."""
        return {"schedule": type(self).__name__, **vars(self)}


class ConstantSparsity(PruningSchedule):
    """Prune to `target_sparsity` on every pruning step.

    >>> ConstantSparsity(0.5, begin_step=10, frequency=5)(15)
    (True, 0.5)
    """

    def __init__(self, target_sparsity, begin_step=0, end_step=-1, frequency=100):
        super().__init__(begin_step, end_step, frequency)
        self.target_sparsity = check_fraction("target_sparsity", target_sparsity)

    def sparsity(self, step):
        return self.target_sparsity


class PolynomialDecay(PruningSchedule):
    """Raise the sparsity from `initial_sparsity` to `final_sparsity` between `begin_step` and
    `end_step` along a polynomial of degree `power` (3: fast at first, gentle at the end)."""

    def __init__(self, initial_sparsity, final_sparsity, begin_step, end_step, power=3,
                 frequency=100):  # fmt: skip
        if end_step == -1:
            raise ConfigError("PolynomialDecay needs an end_step (the step of final_sparsity).")
        super().__init__(begin_step, end_step, frequency)
        self.initial_sparsity = check_fraction("initial_sparsity", initial_sparsity)
        self.final_sparsity = check_fraction("final_sparsity", final_sparsity)
        if isinstance(power, bool) or not isinstance(power, (int, float)) or power <= 0:
            raise ConfigError(f"power must be a number > 0, got {power!r}.")
        self.power = float(power)

    def sparsity(self, step):
        span = max(self.end_step - self.begin_step, 1)
        progress = min(max((step - self.begin_step) / span, 0.0), 1.0)
        remaining = (1.0 - progress) ** self.power
        return self.final_sparsity + (self.initial_sparsity - self.final_sparsity) * remaining
