"""Knowledge distillation (Hinton et al. 2015) on Keras's own `keras.distillation.Distiller`.

The student learns from the labels and from the teacher's temperature-softened
probabilities: `loss = alpha * CE(y, student) + (1 - alpha) * T^2 * KL(softmax(t / T) ||
softmax(s / T))`, `t` and `s` the logits, `T` the temperature (T^2 keeps the soft term's
gradients at the scale of the hard one). zoo's classifiers end in a float32 layer named
`predictions` (softmax for the image models, identity for BERT); distillation reads the
logits that enter it, so any zoo classifier can teach or learn, on every backend. BERT
students can also learn the teacher's hidden states (`hidden_states=`, TinyBERT's loss).

Example:
>>> distiller = distill(create_model("resnet56"), create_model("resnet20"))  # doctest: +SKIP
>>> distiller.compile(optimizer="adam", loss=student_loss(), metrics=["accuracy"])
>>> distiller.fit(train, epochs=30)  # trains the resnet20 it was given
"""

import keras
from keras import ops

from zoo._utils import check_fraction
from zoo.errors import ConfigError
from zoo.layers.transformer_encoder import TransformerEncoderBlock
from zoo.models._image_classifier import PREDICTIONS_LAYER as LOGITS_LAYER


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


class HiddenStateDistillation(keras.distillation.DistillationLoss):
    """Mean squared error between a teacher layer's output and a student layer's output
    projected to the teacher's width by a trainable Dense layer (TinyBERT's hidden-state
    loss, Jiao et al. 2020). The projection belongs to the `Distiller` training it."""

    def __init__(self, teacher_layer_name, student_layer_name, projection):
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.projection = projection

    def validate_outputs(self, teacher_outputs, student_outputs):
        pass  # the widths differ; the projection maps one onto the other

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        projected = ops.cast(self.projection(student_outputs), "float32")
        return ops.mean(ops.square(ops.cast(teacher_outputs, "float32") - projected))


class ZooDistiller(keras.distillation.Distiller):
    """Keras's `Distiller`, owning the projections of its hidden-state losses (so the
    optimizer trains them, and backups hold them)."""

    def __init__(self, *, projections=(), **kwargs):
        super().__init__(**kwargs)
        self.projections = list(projections)
        # Its teacher, student and projections are built: so is it (a backup can restore it
        # before the first step).
        self.built = True


def bert_hidden_state_pairs(teacher, student):
    """(teacher block, student block) pairs of TinyBERT's uniform mapping: student block `i`
    of `m` learns teacher block `(i + 1) * n / m - 1` of `n`, so the last learns the last."""
    teacher_blocks, student_blocks = _blocks(teacher), _blocks(student)
    if not teacher_blocks or not student_blocks:
        raise ConfigError(
            f"hidden-state distillation needs two BERT classifiers; {teacher.name!r} has "
            f"{len(teacher_blocks)} transformer blocks, {student.name!r} {len(student_blocks)}."
        )
    if len(student_blocks) > len(teacher_blocks):
        raise ConfigError(
            f"the student {student.name!r} has more transformer blocks "
            f"({len(student_blocks)}) than its teacher {teacher.name!r} ({len(teacher_blocks)})."
        )
    step = len(teacher_blocks) / len(student_blocks)
    return [(teacher_blocks[int(round((i + 1) * step)) - 1].name, block.name)
            for i, block in enumerate(student_blocks)]  # fmt: skip


def _blocks(model):
    return [layer for layer in model.layers if isinstance(layer, TransformerEncoderBlock)]


def distill(teacher, student, *, temperature=4.0, alpha=0.1, hidden_states=(),
            hidden_state_weight=1.0):  # fmt: skip
    """A `keras.distillation.Distiller` training `student`'s weights toward `teacher`.

    `alpha` weighs the student's own loss (1 - alpha the distillation term); the teacher is
    frozen. `hidden_states`: (teacher layer, student layer) name pairs whose outputs the
    student also learns, through a projection, weighted `hidden_state_weight` against the
    logits term (for BERT, `bert_hidden_state_pairs(teacher, student)`). Compile the result
    with `loss=student_loss()`; after `fit`, `student` holds the trained weights.
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
    losses, weights, projections = [distillation_loss(temperature)], [1.0], []
    for teacher_layer, student_layer in hidden_states:
        width = teacher.get_layer(teacher_layer).output.shape[-1]
        projection = keras.layers.Dense(width, name=f"project_{student_layer}_to_{width}")
        projection.build(student.get_layer(student_layer).output.shape)
        projections.append(projection)
        losses.append(HiddenStateDistillation(teacher_layer, student_layer, projection))
        weights.append(float(hidden_state_weight))
    return ZooDistiller(
        teacher=teacher_logits,
        student=student_logits,
        distillation_losses=losses,
        distillation_loss_weights=weights,
        student_loss_weight=alpha,
        projections=projections,
    )
