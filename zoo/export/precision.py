"""Exporting a mixed-precision model: the artifact is written from a float32 copy.

ONNX export needs float32 graphs, and a float32 artifact serves on any hardware; the copy has
the same weights (cast up) and the same architecture, with every `mixed_float16` /
`mixed_bfloat16` dtype policy replaced by `float32`. Quantized (`int8_from_...`) layers keep
their policy.

Example:
>>> model = create_model("resnet20")  # built under mixed_bfloat16  # doctest: +SKIP
>>> float32_copy(model).dtype_policy.name  # doctest: +SKIP
'float32'
"""

import keras

_LOW_PRECISION = ("mixed_float16", "mixed_bfloat16", "float16", "bfloat16")


def _to_float32(config):
    """`config` with every low-precision dtype policy replaced; and whether any was."""
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy":
            if config.get("config", {}).get("name") in _LOW_PRECISION:
                return {**config, "config": {**config["config"], "name": "float32"}}, True
            return config, False
        changed = False
        rewritten = {}
        for key, value in config.items():
            if key == "dtype" and value in _LOW_PRECISION:
                rewritten[key], was = "float32", True
            else:
                rewritten[key], was = _to_float32(value)
            changed = changed or was
        return rewritten, changed
    if isinstance(config, list | tuple):
        items = [_to_float32(item) for item in config]
        return type(config)(item for item, _ in items), any(was for _, was in items)
    return config, False


def float32_copy(model):
    """`model` itself when it is float32 throughout, else a float32 copy with its weights."""
    config, changed = _to_float32(keras.saving.serialize_keras_object(model))
    if not changed:
        return model
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(model.get_weights())  # mixed policies keep float32 variables
    return copy
