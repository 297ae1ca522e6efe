import math

import keras
import numpy as np
import pytest

from zoo.train import OneCycle, StepDecay, TrainingRecipe, learning_rate_schedule


def _values(schedule, steps):
    return np.array([float(keras.ops.convert_to_numpy(schedule(s))) for s in steps])


def test_onecycle_is_piecewise_linear():
    schedule = OneCycle(peak=0.4, total_steps=240, warmup_steps=50)
    steps = [0, 25, 50, 145, 240, 300]
    expected = [0.0, 0.2, 0.4, 0.2, 0.0, 0.0]
    np.testing.assert_allclose(_values(schedule, steps), expected, atol=1e-6)


def test_step_decay_matches_he_et_al():
    schedule = StepDecay(peak=0.1, total_steps=64_000, warmup_steps=400)
    steps = [0, 399, 400, 31_999, 32_000, 47_999, 48_000, 63_999]
    expected = [0.01, 0.01, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    np.testing.assert_allclose(_values(schedule, steps), expected, rtol=1e-5)


def test_cosine_from_recipe():
    schedule = learning_rate_schedule(TrainingRecipe(learning_rate=0.2, schedule="cosine"), 100)
    expected = [0.2 * 0.5 * (1 + math.cos(math.pi * s / 100)) for s in (0, 25, 50, 100)]
    np.testing.assert_allclose(_values(schedule, [0, 25, 50, 100]), expected, rtol=1e-5, atol=1e-7)


def test_cosine_with_warmup_peaks_after_warmup():
    recipe = TrainingRecipe(learning_rate=0.2, schedule="cosine", warmup_fraction=0.1)
    values = _values(learning_rate_schedule(recipe, 100), [0, 5, 10, 100])
    np.testing.assert_allclose(values, [0.0, 0.1, 0.2, 0.0], atol=1e-6)


def test_constant():
    assert learning_rate_schedule(TrainingRecipe(learning_rate=0.3, schedule="constant"), 10) == 0.3


@pytest.mark.parametrize(
    "schedule", [OneCycle(0.4, 100, 10), StepDecay(0.1, 100, milestones=(0.3,), warmup_steps=3)]
)
def test_serialization_round_trip(schedule):
    restored = keras.optimizers.schedules.deserialize(
        keras.optimizers.schedules.serialize(schedule)
    )
    np.testing.assert_allclose(
        _values(restored, range(0, 101, 7)), _values(schedule, range(0, 101, 7))
    )
