import pytest

from zoo import ConfigError
from zoo.train import TrainingRecipe


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, "epochs must be a positive integer, got 0"),
        ({"epochs": -3}, "epochs must be a positive integer, got -3"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"optimizer": "lamb"}, "optimizer='lamb' is not supported"),
        ({"schedule": "linear"}, "schedule='linear' is not supported"),
        ({"learning_rate": 0}, "learning_rate must be > 0"),
        ({"weight_decay": -1e-4}, "weight_decay must be >= 0"),
        ({"label_smoothing": 1.0}, "label_smoothing must be a number in"),
    ],
)
def test_bad_values_name_the_field(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TrainingRecipe(**kwargs)


def test_replace_ignores_unset_values():
    recipe = TrainingRecipe(epochs=10).replace(epochs=None, learning_rate=0.05)
    assert (recipe.epochs, recipe.learning_rate) == (10, 0.05)
    with pytest.raises(ConfigError):
        recipe.replace(epochs=0)
