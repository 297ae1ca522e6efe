"""Knowledge distillation (Hinton et al. 2015) on Keras's own `keras.distillation.Distiller`.

The student learns from the labels and from the teacher's temperature-softened
probabilities: `loss = alpha * CE(y, student) + (1 - alpha) * T^2 * KL(softmax(t / T) ||
softmax(s / T))`, `t` and `s` the logits, `T` the temperature (T^2 keeps the soft term's
gradients at the scale of the hard one). zoo's classifiers end in a float32 layer named
`predictions` (softmax for the image models, identity for BERT); distillation reads the
logits that enter it, so any zoo classifier can teach or learn, on every backend.

Example:
>>> distiller = distill(create_model("resnet56"), create_model("resnet20"))  # doctest: +SKIP
>>> distiller.compile(optimizer="adam", loss=student_loss(), metrics=["accuracy"])
>>> distiller.fit(train, epochs=30)  # trains the resnet20 it was given
"""

import keras

from zoo._utils import check_fraction
from zoo.errors import ConfigError

LOGITS_LAYER = "predictions"


def logits_model(model):
    """`model` up to the logits: the input of its `predictions` layer (same weights)."""
    try:
        head = model.get_layer(LOGITS_LAYER)
    except ValueError:
        raise ConfigError(
            f"distillation needs a classifier ending in a layer named {LOGITS_LAYER!r} (zoo's "
            f"image, text and BERT classifiers do); {model.name!r} has none."
        ) from None
    return keras.Model(model.input, head.input, name=f"{model.name}_logits")


def distillation_loss(temperature):
    """`keras.distillation.LogitsDistillation` with Hinton et al.'s loss.

    Keras 3.15's default `loss="kl_divergence"` becomes a plain function, which its code then
    applies to the scaled *logits* without the softmax (on fixed logits it gave 25.4 where the
    formula gives 2.97); a `keras.losses.KLDivergence()` instance takes the softmax path.
    """
    return keras.distillation.LogitsDistillation(temperature=temperature,
                                                 loss=keras.losses.KLDivergence())  # fmt: skip


def student_loss():
    """The student's own loss on the labels, from logits."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def distill(teacher, student, *, temperature=4.0, alpha=0.1):
    """A `keras.distillation.Distiller` training `student`'s weights toward `teacher`.

    `alpha` weighs the student's own loss (1 - alpha the distillation term); the teacher is
    frozen. Compile the result with `loss=student_loss()`; after `fit`, `student` holds the
    trained weights.
    """
    check_fraction("alpha", alpha, inclusive_high=True)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or (
        temperature <= 0
    ):
        raise ConfigError(f"temperature must be a number > 0, got {temperature!r}.")
    teacher_logits, student_logits = logits_model(teacher), logits_model(student)
    if teacher_logits.output_shape[-1] != student_logits.output_shape[-1]:
        raise ConfigError(
            f"teacher {teacher.name!r} has {teacher_logits.output_shape[-1]} classes, student "
            f"{student.name!r} {student_logits.output_shape[-1]}; they must predict the same."
        )
    teacher.trainable = False
    return keras.distillation.Distiller(
        teacher=teacher_logits,
        student=student_logits,
        distillation_losses=distillation_loss(temperature),
        student_loss_weight=alpha,
    )
