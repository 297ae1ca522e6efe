"""int8 ONNX artifacts: ONNX Runtime's dynamic quantization of the matrix products.

Weights of every MatMul/Gemm are stored as int8 (per channel) and activations are quantized
on the fly, so the CPU runs integer kernels (VNNI where the processor has it). Outputs move by
about a percent of their scale, hence a tolerance of its own.

Example:
>>> quantize_onnx_int8("bert.onnx", "/tmp/scratch.onnx")  # doctest: +SKIP
"""

import os

# max |artifact - keras| allowed, times max(1, max |keras output|), for int8 artifacts.
INT8_TOLERANCE = 0.03


def quantize_onnx_int8(path, scratch):
    """Replace the float32 ONNX file at `path` by its int8-quantized version."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(path), str(scratch), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul", "Gemm"])  # fmt: skip
    os.replace(scratch, path)
