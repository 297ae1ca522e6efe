"""Write an artifact under the tensorflow backend, for a model saved by any backend.

`zoo.export.export` runs this module in a subprocess (with `KERAS_BACKEND=tensorflow`) when the
current backend cannot trace a TensorFlow graph; `.keras` files hold backend-independent
weights, so the model reloads here unchanged.

Example:
    KERAS_BACKEND=tensorflow python -m zoo.export.worker model.keras out.onnx onnx 17
"""

import argparse


def write_artifact(model, path, format, opset):
    """Write `model` (float32 copy if mixed) to `path` as `format`."""
    from zoo.export.precision import float32_copy
    from zoo.export.writers import write_onnx, write_saved_model

    model = float32_copy(model)
    if format == "onnx":
        write_onnx(model, path, opset=opset)
    else:
        write_saved_model(model, path)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m zoo.export.worker")
    parser.add_argument("model")
    parser.add_argument("path")
    parser.add_argument("format", choices=("saved_model", "onnx"))
    parser.add_argument("opset", type=int)
    args = parser.parse_args(argv)

    import keras

    import zoo  # noqa: F401  (registers zoo's layers for deserialisation)

    if keras.backend.backend() != "tensorflow":
        raise SystemExit("zoo.export.worker must run with KERAS_BACKEND=tensorflow")
    model = keras.saving.load_model(args.model, compile=False)
    write_artifact(model, args.path, args.format, args.opset)


if __name__ == "__main__":
    main()
