"""Composite layers that keep their inner layers' int8 quantization through save and load."""

# The module, not the name: zoo.layers registers when Keras is first imported, which may
# happen while zoo._keras_internals itself is importing Keras.
from zoo import _keras_internals


class SublayerQuantization:
    """Mixin for layers built from Dense/EinsumDense/Embedding sublayers.

    `Model.quantize("int8")` quantizes the innermost layers, but a composite layer rebuilds
    its sublayers as float on load, and the saved int8 weights would not fit them. With this
    mixin, `get_config` records which sublayers are quantized, and `build` (ending with
    `self.restore_sublayer_quantization()`) quantizes them again before the weights load.

    Example:
    >>> class Block(SublayerQuantization, keras.layers.Layer):  # doctest: +SKIP
    ...     def build(self, input_shape):
    ...         self.dense = keras.layers.Dense(8, name="dense")
    ...         self.dense.build(input_shape)
    ...         self.restore_sublayer_quantization()
    """

    def __init__(self, *args, quantized_sublayers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.quantized_sublayers = dict(quantized_sublayers or {})

    def restore_sublayer_quantization(self):
        for sublayer in _keras_internals.all_sublayers(self):
            policy = self.quantized_sublayers.get(sublayer.name)
            if policy and not sublayer.quantization_mode:
                sublayer.dtype_policy = policy  # Keras quantizes a built layer given this

    def get_config(self):
        config = super().get_config()
        quantized = {sublayer.name: sublayer.dtype_policy.name
                     for sublayer in _keras_internals.all_sublayers(self)
                     if sublayer.quantization_mode}  # fmt: skip
        if quantized:
            config["quantized_sublayers"] = quantized
        return config
