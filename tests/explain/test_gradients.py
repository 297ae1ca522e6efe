import keras
import numpy as np
import pytest

from zoo.explain import value_and_gradients


def test_gradients_match_the_analytic_ones():
    """d/dx sum(x**2 * w) = 2 x w; an input fn ignores gets zeros; constants get none."""
    rng = np.random.RandomState(0)
    x, unused = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    w = rng.normal(size=(4, 3)).astype("float32")

    def fn(x, unused, w):
        return keras.ops.sum(x**2 * w, axis=1)

    values, (grad_x, grad_unused) = value_and_gradients(fn, [x, unused], [w])
    np.testing.assert_allclose(values, (x**2 * w).sum(axis=1), rtol=1e-5)
    np.testing.assert_allclose(grad_x, 2 * x * w, rtol=1e-5)
    np.testing.assert_array_equal(grad_unused, np.zeros((4, 2), "float32"))
    assert values.dtype == grad_x.dtype == np.float32


def test_model_gradients_use_inference_mode():
    """Dropout at rate 0.9 would scramble the gradient if the model ran in training mode."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dropout(0.9),
                              keras.layers.Dense(1, use_bias=False)])  # fmt: skip
    model.set_weights([np.array([[1.0], [2.0], [3.0]], "float32")])
    _, (grad,) = value_and_gradients(lambda x: model(x, training=False)[:, 0], [np.ones((5, 3))])
    np.testing.assert_allclose(grad, np.tile([1.0, 2.0, 3.0], (5, 1)), rtol=1e-6)


def test_values_must_be_one_per_example():
    with pytest.raises(ValueError, match=r"one value per example, shape \(batch,\)"):
        value_and_gradients(lambda x: x * 2.0, [np.ones((2, 3))])


def test_unknown_backend_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "numpy")
    with pytest.raises(ValueError, match="backend 'numpy' has no gradient.*tensorflow, jax, torch"):
        value_and_gradients(lambda x: keras.ops.sum(x, axis=1), [np.ones((2, 3))])
