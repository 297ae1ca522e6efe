"""Inference timings for the export benchmark (run by export_inference.py); one JSON line.

    _export_worker.py artifacts DIR         (tensorflow) write the .keras files and artifacts
    _export_worker.py keras DIR BACKEND     Keras predict and direct call on one backend
    _export_worker.py runtimes DIR          ONNX Runtime and the SavedModel (TensorFlow)

Each takes `--models` (default all four) and `--repeats` (timed calls at batch 1, default 30).
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

MODELS = ["resnet20", "bert_small", "deepfm", "bert_mini"]
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("command", choices=["artifacts", "keras", "runtimes"])
parser.add_argument("folder", type=Path)
parser.add_argument("backend", nargs="?", default="tensorflow", help="keras: the backend")
parser.add_argument("--models", nargs="+", choices=MODELS, default=MODELS)
parser.add_argument("--repeats", type=int, default=30, help="timed calls at batch 1")
args = parser.parse_args()
command, folder = args.command, args.folder
os.environ["KERAS_BACKEND"] = args.backend if command == "keras" else "tensorflow"

import keras  # noqa: E402

from zoo.export.signature import input_specs, output_names  # noqa: E402
from zoo.export.verify import example_inputs  # noqa: E402

SEQUENCE_LENGTH = 128
REPEATS = {1: args.repeats, 64: max(1, args.repeats // 6)}


def timed(function, repeats, warmup=2):
    """Median seconds of `function()` over `repeats` calls after `warmup` calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def inputs_of(model, batch_size):
    return example_inputs(model, batch_size=batch_size, sequence_length=SEQUENCE_LENGTH, seed=1)


def record(model_name, runtime, function_of_batch):
    row = {"model": model_name, "runtime": runtime}
    for batch_size in (1, 64):
        seconds = timed(function_of_batch(batch_size), REPEATS[batch_size])
        row[f"batch{batch_size}_ms"] = round(seconds * 1000, 2)
    row["batch64_samples_per_s"] = round(64 / (row["batch64_ms"] / 1000), 1)
    return row


def write_artifacts():
    from zoo import create_model
    from zoo.export import export

    keras.utils.set_random_seed(0)
    reports = {}
    for name in args.models:
        model = create_model(name)
        model.save(folder / f"{name}.keras")
        for format, precision, path in [("onnx", "float32", f"{name}.onnx"),
                                        ("onnx", "int8", f"{name}_int8.onnx"),
                                        ("saved_model", "float32", f"{name}_saved_model")]:
            report = export(model, folder / path, format=format, precision=precision,
                            overwrite=True)  # fmt: skip
            reports[path] = report.verification.max_abs_difference
    if "bert_mini" not in args.models:
        return {"max_abs_difference": reports}
    # The reference: keras-hub's BertBackbone of bert_mini's shape, exported by
    # Keras's own model.export(format="onnx").
    import keras_hub

    hub = keras_hub.models.BertBackbone(vocabulary_size=30522, num_layers=4, num_heads=4,
                                        hidden_dim=256, intermediate_dim=1024,
                                        max_sequence_length=512)  # fmt: skip
    hub(named_inputs(hub, 1))  # Keras exports only models that were called
    hub.export(str(folder / "keras_hub_bert_mini.onnx"), format="onnx", verbose=False)
    return {"max_abs_difference": reports}


def named_inputs(model, batch_size):
    arrays = inputs_of(model, batch_size)
    if isinstance(model.input, dict):
        return dict(zip([spec.name for spec in input_specs(model)], arrays, strict=True))
    return keras.tree.pack_sequence_as(model.input, arrays)


def time_keras():
    backend = keras.backend.backend()
    rows = []
    for name in [name for name in args.models if name != "bert_mini"]:
        model = keras.saving.load_model(folder / f"{name}.keras", compile=False)

        def predict(batch_size, model=model):
            inputs = named_inputs(model, batch_size)
            return lambda: model.predict(inputs, batch_size=batch_size, verbose=0)

        def call(batch_size, model=model):
            inputs = keras.tree.map_structure(keras.ops.convert_to_tensor,
                                              named_inputs(model, batch_size))  # fmt: skip
            return lambda: keras.ops.convert_to_numpy(keras.tree.flatten(
                model(inputs, training=False))[0])  # fmt: skip

        rows.append(record(name, f"keras predict ({backend})", predict))
        rows.append(record(name, f"keras direct call ({backend})", call))
    return rows


def time_runtimes():
    import onnxruntime
    import tensorflow as tf

    rows = []
    for name in args.models:
        model = keras.saving.load_model(folder / f"{name}.keras", compile=False)
        names = [spec.name for spec in input_specs(model)]
        files = [("onnxruntime float32", f"{name}.onnx"), ("onnxruntime int8", f"{name}_int8.onnx")]
        if name == "bert_mini":
            files.append(("onnxruntime float32, keras-hub BertBackbone exported by Keras",
                          "keras_hub_bert_mini.onnx"))  # fmt: skip
        for runtime, file in files:
            session = onnxruntime.InferenceSession(str(folder / file),
                                                   providers=["CPUExecutionProvider"])  # fmt: skip

            def run_onnx(batch_size, session=session, model=model, names=names):
                feeds = dict(zip(names, inputs_of(model, batch_size), strict=True))
                return lambda: session.run(None, feeds)

            rows.append(record(name, runtime, run_onnx))
        if name == "bert_mini":
            continue
        serve = tf.saved_model.load(str(folder / f"{name}_saved_model")).signatures["serve"]
        outputs = output_names(model)

        def run_saved(batch_size, serve=serve, outputs=outputs, model=model, names=names):
            arrays = inputs_of(model, batch_size)
            feeds = {n: tf.constant(a) for n, a in zip(names, arrays, strict=True)}
            return lambda: serve(**feeds)[outputs[0]].numpy()

        rows.append(record(name, "saved_model (tensorflow)", run_saved))
    return rows


if command == "artifacts":
    print(json.dumps(write_artifacts()))
elif command == "keras":
    print(json.dumps(time_keras()))
else:
    print(json.dumps(time_runtimes()))
