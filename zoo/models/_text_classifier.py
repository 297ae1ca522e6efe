"""What the transformer classifier builders (`build_bert_classifier`, `build_gpt_classifier`)
share: where the backbone comes from, the head on the pooled features, and the weights.

A backbone is a preset name, a config, or a zoo model whose weights the classifier takes
(copied by layer name after the classifier is built with the model's own layer prefix).
"""

from dataclasses import dataclass

import keras

from zoo._utils import check_fraction, check_positive_int
from zoo.layers import HashedDropout
from zoo.models._image_classifier import PREDICTIONS_LAYER
from zoo.models._weights import copy_weights_by_layer_name


@dataclass(frozen=True)
class ClassifierBackbone:
    """The resolved backbone of a classifier: its config, the source model (or None) and the
    prefix of its layer names; `name` is the classifier's."""

    config: object
    source: keras.Model | None
    prefix: str
    name: str


def resolve_backbone(builder, backbone, *, num_classes, dropout, name, config_of, resolve,
                     prefix_of, default_prefix, config_overrides):  # fmt: skip
    """Check the head's arguments and resolve `backbone` for `builder`.

    Example:
    >>> from zoo.models.gpt import GPTLayerNames, gpt_config_of, resolve_gpt_config
    >>> resolved = resolve_backbone(
    ...     "build_gpt_classifier", "gpt_nano", num_classes=2, dropout=0.1, name=None,
    ...     config_of=gpt_config_of, resolve=resolve_gpt_config,
    ...     prefix_of=lambda m: GPTLayerNames.of(m).prefix, default_prefix="gpt",
    ...     config_overrides={})
    >>> resolved.prefix, resolved.name
    ('gpt_nano', 'gpt_nano_classifier')
    """
    check_positive_int(f"{builder}: num_classes", num_classes)
    check_fraction(f"{builder}: dropout", dropout)
    if isinstance(backbone, keras.Model):
        config = config_of(backbone).replace(**config_overrides)
        source, prefix = backbone, prefix_of(backbone)
    else:
        config = resolve(backbone, **config_overrides)
        source, prefix = None, backbone if isinstance(backbone, str) else default_prefix
    return ClassifierBackbone(config, source, prefix, name or f"{prefix}_classifier")


def classification_head(inputs, features, resolved, *, num_classes, dropout, kernel_initializer,
                        classifier_activation, dtype):  # fmt: skip
    """Dropout and a dense layer of `num_classes` on `features`, float32 predictions; the
    model, with the source backbone's weights copied in."""
    name = resolved.name
    x = HashedDropout(dropout, dtype=dtype, name=f"{name}_dropout")(features)
    x = keras.layers.Dense(num_classes, kernel_initializer=kernel_initializer, dtype=dtype,
                           name=f"{name}_logits")(x)  # fmt: skip
    outputs = keras.layers.Activation(classifier_activation, dtype="float32",
                                      name=PREDICTIONS_LAYER)(x)  # fmt: skip
    model = keras.Model(inputs, outputs, name=name)
    if resolved.source is not None:
        copy_weights_by_layer_name(resolved.source, model)
    return model
