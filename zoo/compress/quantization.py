"""Post-training int8 quantization through Keras's `Model.quantize`, and what it saved.

Keras quantizes the weights of Dense, EinsumDense (so attention and BERT's feed-forward
layers) and Embedding layers (zoo's `ReversibleEmbedding` too) to int8 with a float scale per
output channel, and their inputs to int8 per batch as they run; on every backend. Keras has
no int8 convolution or LSTM: those stay float, so a ResNet shrinks by its classifier only,
BERT by nearly all of it. `quantize` returns which layers changed and the bytes before and
after; accuracy before and after is the caller's evaluation (the applications record both).

Example:
>>> model = build_bert_classifier("bert_tiny", num_classes=2)  # doctest: +SKIP
>>> report = quantize(model, "int8")  # doctest: +SKIP
>>> report["bytes_after"] < report["bytes_before"] / 3  # doctest: +SKIP
True
"""

import re
import warnings

import keras
import numpy as np

from zoo._keras_internals import all_sublayers
from zoo._utils import check_choice

QUANTIZATION_MODES = ("int8",)


def weight_bytes(model):
    """Bytes of all of `model`'s weights as stored (int8 weights take 1 byte, float32 4)."""
    total = 0
    for variable in model.weights:
        dtype = keras.backend.standardize_dtype(variable.dtype)
        bits = int(re.search(r"\d+", dtype).group()) if dtype != "bool" else 8
        total += int(np.prod(variable.shape)) * bits // 8
    return total


def quantize(model, mode="int8"):
    """Quantize `model` in place (Keras's `Model.quantize`); return a report of the change.

    The report: mode, quantized_layers (their names), quantized_parameters (weights now
    int8), float_parameters (weights left in float), bytes_before, bytes_after.
    """
    check_choice("quantize mode", mode, QUANTIZATION_MODES)
    bytes_before = weight_bytes(model)
    with warnings.catch_warnings():
        # Keras warns once per layer type it cannot quantize (Conv2D, LayerNormalization,
        # ...); the report below names what was quantized instead.
        warnings.filterwarnings("ignore", message=".*does not have a `quantize` method")
        model.quantize(mode)
    quantized = [layer for layer in all_sublayers(model)
                 if getattr(layer, "quantization_mode", None) == mode]  # fmt: skip
    quantized_parameters = sum(
        int(np.prod(variable.shape))
        for layer in quantized
        for variable in layer.weights
        if keras.backend.standardize_dtype(variable.dtype) == "int8"
    )
    return {
        "mode": mode,
        "quantized_layers": [layer.name for layer in quantized],
        "quantized_parameters": quantized_parameters,
        "float_parameters": int(model.count_params()) - quantized_parameters,
        "bytes_before": bytes_before,
        "bytes_after": weight_bytes(model),
    }
