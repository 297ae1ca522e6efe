"""Weights copied between two models built from the same layers (a pretrainer and the
encoder it trains, a language model and a classifier on its backbone).

Example:
>>> from zoo import build_bert, build_bert_classifier
>>> encoder = build_bert("bert_tiny")
>>> classifier = build_bert_classifier("bert_tiny", num_classes=2)
>>> copy_weights_by_layer_name(encoder, classifier)
['bert_tiny_classifier_logits']
"""

from zoo.errors import ConfigError


def copy_weights_by_layer_name(source, target):
    """Copy the weights of every layer of `target` that `source` has under the same name.

    Returns the names of the target's layers with weights that found no source (left as
    initialised). Shapes must agree; a mismatch raises `ConfigError` naming the layer.
    """
    source_layers = {layer.name: layer for layer in source.layers}
    missing = []
    for layer in target.layers:
        if not layer.weights:
            continue
        match = source_layers.get(layer.name)
        if match is None:
            missing.append(layer.name)
            continue
        for mine, theirs in zip(layer.weights, match.weights, strict=True):
            if tuple(mine.shape) != tuple(theirs.shape):
                raise ConfigError(
                    f"{layer.name}: weight {mine.path} has shape {tuple(mine.shape)} but the "
                    f"source's is {tuple(theirs.shape)}."
                )
            mine.assign(theirs.value)
    return missing
