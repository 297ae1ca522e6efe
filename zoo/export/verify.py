"""Run an artifact and the Keras model on the same inputs and compare their outputs.

The inputs are random but valid: floats from a normal distribution, ids below the smallest
embedding table, padding masks of ones with the last quarter of one row padded. Open
dimensions are filled with `sequence_length`, so a verification also exercises them.

Example:
>>> difference = verify(model, "model.onnx", "onnx")  # doctest: +SKIP
>>> difference.max_abs_difference < difference.tolerance  # doctest: +SKIP
True
"""

import dataclasses

import keras
import numpy as np

from zoo._keras_internals import all_sublayers
from zoo.errors import ExportError
from zoo.export.signature import call_with_named_inputs, input_specs

# max |artifact - keras| allowed, times max(1, max |keras output|): float32 kernels of two
# frameworks summing in different orders (24 BERT blocks stay below 1e-4 of the scale).
FLOAT32_TOLERANCE = 1e-4


class VerificationError(ExportError):
    """The artifact's outputs differ from Keras's by more than the tolerance."""


@dataclasses.dataclass(frozen=True)
class Verification:
    """The largest absolute difference between artifact and Keras outputs, per output."""

    max_abs_difference: float
    tolerance: float
    per_output: dict
    batch_sizes: tuple

    def to_dict(self):
        return dataclasses.asdict(self)


def _smallest_vocabulary(model):
    sizes = [
        layer.input_dim
        for layer in all_sublayers(model)
        if isinstance(getattr(layer, "input_dim", None), int)
    ]
    return min(sizes, default=2)


def example_inputs(model, batch_size=3, sequence_length=11, seed=0):
    """Valid random inputs for `model`, listed as `input_specs` lists them."""
    rng = np.random.default_rng(seed)
    vocabulary = _smallest_vocabulary(model)
    arrays = []
    for spec in input_specs(model):
        shape = (batch_size, *[sequence_length if d is None else d for d in spec.shape[1:]])
        if "int" not in spec.dtype and "bool" not in spec.dtype:
            arrays.append(rng.normal(size=shape).astype(spec.dtype))
        elif "mask" in spec.name:
            mask = np.ones(shape, spec.dtype)
            mask[-1, shape[1] - max(1, shape[1] // 4) :] = 0
            arrays.append(mask)
        elif "segment" in spec.name:
            arrays.append(rng.integers(0, 2, size=shape).astype(spec.dtype))
        else:
            arrays.append(rng.integers(0, vocabulary, size=shape).astype(spec.dtype))
    return arrays


def load_artifact(path, format):
    """A function running the artifact at `path`: dict of named input arrays -> dict of
    named numpy outputs (ONNX Runtime on the CPU, or TensorFlow's `serve` signature)."""
    if format == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        outputs = [output.name for output in session.get_outputs()]
        return lambda feeds: dict(zip(outputs, session.run(outputs, feeds), strict=True))
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures["serve"]
    return lambda feeds: {name: value.numpy() for name, value in serve(**feeds).items()}


def run_artifact(path, format, arrays, names):
    """The artifact's outputs on `arrays` (its inputs `names`), as a dict of numpy arrays."""
    return load_artifact(path, format)(dict(zip(names, arrays, strict=True)))


def verify(model, path, format, tolerance=FLOAT32_TOLERANCE, batch_sizes=(1, 3)):
    """Compare the artifact at `path` with `model` at each batch size (the first rows of one
    Keras batch: every model here treats rows independently); raise `VerificationError` when
    an output differs by more than `tolerance` of its scale."""
    names = [spec.name for spec in input_specs(model)]
    arrays = example_inputs(model, batch_size=max(batch_sizes))
    expected = call_with_named_inputs(model, [keras.ops.convert_to_tensor(a) for a in arrays])
    expected = {
        name: keras.ops.convert_to_numpy(keras.ops.cast(value, "float32"))
        for name, value in expected.items()
    }
    run = load_artifact(path, format)
    per_output = dict.fromkeys(expected, 0.0)
    for batch_size in batch_sizes:
        actual = run({n: array[:batch_size] for n, array in zip(names, arrays, strict=True)})
        if sorted(actual) != sorted(expected):
            raise VerificationError(
                f"{path} has outputs {sorted(actual)}, the Keras model {sorted(expected)}."
            )
        for name, value in expected.items():
            difference = np.abs(actual[name].astype("float32") - value[:batch_size])
            per_output[name] = max(per_output[name], float(np.max(difference)))
    scale = max([1.0] + [float(np.max(np.abs(value))) for value in expected.values()])
    result = Verification(max(per_output.values()), tolerance * scale, per_output,
                          tuple(batch_sizes))  # fmt: skip
    if result.max_abs_difference > result.tolerance:
        raise VerificationError(
            f"{path} differs from the Keras model by {result.max_abs_difference:.3g} "
            f"(allowed {result.tolerance:.3g}); outputs: {per_output}. Nothing was written."
        )
    return result
