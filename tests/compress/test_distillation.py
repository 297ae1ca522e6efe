"""Distillation: the loss equals Hinton et al.'s formula; a student learns from a teacher."""

import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo import create_model
from zoo.compress.distillation import (
    bert_hidden_state_pairs,
    distill,
    distillation_loss,
    logits_model,
    student_loss,
)
from zoo.errors import ConfigError
from zoo.models.bert import build_bert_classifier


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("temperature", [1.0, 4.0])
def test_distillation_loss_is_the_formula_on_fixed_logits(temperature):
    rng = np.random.default_rng(0)
    teacher, student = rng.normal(size=(5, 10)) * 3, rng.normal(size=(5, 10))
    loss = distillation_loss(temperature)
    got = float(to_numpy(loss.compute_loss(teacher.astype("float32"), student.astype("float32"))))
    p, q = softmax(teacher / temperature), softmax(student / temperature)
    expected = temperature**2 * np.mean(np.sum(p * np.log(p / q), axis=-1))
    assert got == pytest.approx(expected, rel=1e-4)


def test_logits_are_what_enters_the_softmax():
    model = create_model("cnn", num_classes=4)
    x = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
    logits = to_numpy(logits_model(model)(x))
    np.testing.assert_allclose(softmax(logits), to_numpy(model(x)), rtol=1e-5, atol=1e-6)


def test_student_trains_toward_the_teacher():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 32, 32, 3)).astype("float32")
    y = rng.integers(0, 3, size=64)
    teacher = create_model("cnn", num_classes=3, name="teacher")
    student = create_model("cnn", num_classes=3, name="student")
    before = [to_numpy(w).copy() for w in student.weights]
    teacher_before = [to_numpy(w).copy() for w in teacher.weights]
    distiller = distill(teacher, student, temperature=4.0, alpha=0.3)
    distiller.compile(optimizer=keras.optimizers.Adam(1e-3), loss=student_loss())
    history = distiller.fit(x, y, batch_size=16, epochs=3, verbose=0)
    losses = history.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0], losses
    after = [to_numpy(w) for w in student.weights]
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    for a, b in zip(teacher_before, teacher.weights, strict=True):  # the teacher is frozen
        np.testing.assert_array_equal(a, to_numpy(b))


def small_bert(name, num_layers, hidden_dim):
    return build_bert_classifier(
        "bert_tiny", num_classes=2, name=name, num_layers=num_layers, hidden_dim=hidden_dim,
        num_heads=2, vocabulary_size=50, max_sequence_length=16, dropout=0.0,
    )  # fmt: skip


def test_bert_hidden_states_map_uniformly_and_train_their_projections():
    teacher, student = small_bert("teacher", 4, 32), small_bert("student", 2, 16)
    pairs = bert_hidden_state_pairs(teacher, student)
    assert pairs == [("bert_tiny_block1", "bert_tiny_block0"),
                     ("bert_tiny_block3", "bert_tiny_block1")]  # fmt: skip
    distiller = distill(teacher, student, alpha=0.5, hidden_states=pairs, hidden_state_weight=2.0)
    # The hidden-state term is the mean squared error after the student's projection.
    rng = np.random.default_rng(0)
    hidden_loss = distiller.distillation_losses[1]
    t, s = rng.normal(size=(3, 16, 32)), rng.normal(size=(3, 16, 16))
    projected = to_numpy(hidden_loss.projection(s.astype("float32")))
    got = float(to_numpy(hidden_loss.compute_loss(t.astype("float32"), s.astype("float32"))))
    assert got == pytest.approx(np.mean((t - projected) ** 2), rel=1e-5)
    x = {"token_ids": rng.integers(1, 50, size=(32, 16)),
         "segment_ids": np.zeros((32, 16), "int32"), "padding_mask": np.ones((32, 16), "int32")}
    y = rng.integers(0, 2, size=32)
    projections_before = [to_numpy(p.kernel).copy() for p in distiller.projections]
    distiller.compile(optimizer=keras.optimizers.Adam(3e-3), loss=student_loss())
    history = distiller.fit(x, y, batch_size=8, epochs=3, verbose=0)
    losses = history.history["distillation_loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0], losses
    for before, projection in zip(projections_before, distiller.projections, strict=True):
        assert not np.allclose(before, to_numpy(projection.kernel))


def test_bad_arguments():
    cnn = create_model("cnn", num_classes=3)
    with pytest.raises(ConfigError, match="has 10 classes, student"):
        distill(create_model("cnn"), cnn)
    with pytest.raises(ConfigError, match="temperature must be a number > 0"):
        distill(cnn, cnn, temperature=0)
    with pytest.raises(ConfigError, match="more transformer blocks"):
        bert_hidden_state_pairs(small_bert("t", 1, 16), small_bert("s", 2, 16))
    with pytest.raises(ConfigError, match="needs two BERT classifiers"):
        bert_hidden_state_pairs(cnn, small_bert("s", 2, 16))
    with pytest.raises(ConfigError, match="alpha must be a number in"):
        distill(cnn, cnn, alpha=1.5)
    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="plain")
    with pytest.raises(ConfigError, match="ending in a layer named 'predictions'"):
        logits_model(plain)
