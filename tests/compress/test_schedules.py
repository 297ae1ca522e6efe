"""Pruning schedules against their formulas (tensorflow-model-optimization's maths)."""

import pytest

from zoo.compress import ConstantSparsity, PolynomialDecay
from zoo.errors import ConfigError


def test_constant_sparsity_prunes_every_frequency_steps_in_range():
    schedule = ConstantSparsity(0.75, begin_step=10, end_step=40, frequency=10)
    pruned = [step for step in range(60) if schedule(step)[0]]
    assert pruned == [10, 20, 30, 40]
    assert {schedule(step)[1] for step in range(60)} == {0.75}
    every_300 = ConstantSparsity(0.5, frequency=300)
    assert [step for step in range(1000) if every_300(step)[0]] == [0, 300, 600, 900]


@pytest.mark.parametrize("power", [1, 2, 3])
def test_polynomial_decay_follows_its_formula(power):
    schedule = PolynomialDecay(0.1, 0.9, begin_step=100, end_step=300, power=power, frequency=25)
    for step in range(0, 400, 5):
        progress = min(max((step - 100) / 200, 0), 1)
        expected = 0.9 + (0.1 - 0.9) * (1 - progress) ** power
        assert schedule.sparsity(step) == pytest.approx(expected)
        assert schedule.prunes_at(step) == (100 <= step <= 300 and (step - 100) % 25 == 0)
    assert schedule.sparsity(100) == pytest.approx(0.1)
    assert schedule.sparsity(300) == pytest.approx(0.9)
    assert schedule.sparsity(10_000) == pytest.approx(0.9)  # holds the final sparsity


def test_records_its_arguments():
    assert PolynomialDecay(0.0, 0.5, 0, 10, frequency=2).to_dict() == {
        "schedule": "PolynomialDecay", "begin_step": 0, "end_step": 10, "frequency": 2,
        "initial_sparsity": 0.0, "final_sparsity": 0.5, "power": 3.0,
    }  # fmt: skip


@pytest.mark.parametrize("make, message", [
    (lambda: ConstantSparsity(1.0), "target_sparsity must be a number in [0, 1), got 1.0"),
    (lambda: ConstantSparsity(0.5, begin_step=-1), "begin_step must be an integer >= 0"),
    (lambda: ConstantSparsity(0.5, begin_step=5, end_step=2), "end_step=2 must be -1"),
    (lambda: ConstantSparsity(0.5, frequency=0), "frequency must be a positive integer"),
    (lambda: PolynomialDecay(0.0, 0.5, 0, -1), "PolynomialDecay needs an end_step"),
    (lambda: PolynomialDecay(0.0, 0.5, 0, 10, power=0), "power must be a number > 0"),
])  # fmt: skip
def test_bad_arguments_name_the_value(make, message):
    with pytest.raises(ConfigError) as error:
        make()
    assert message in str(error.value)
