"""Model compression in keras.ops, on every backend: magnitude pruning, distillation, int8."""

from zoo.compress.schedules import ConstantSparsity, PolynomialDecay, PruningSchedule

__all__ = ["ConstantSparsity", "PolynomialDecay", "PruningSchedule"]
