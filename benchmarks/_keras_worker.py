"""Measure one zoo model's training throughput on one backend (run by train_throughput.py).

Prints one JSON line: images/s over the timed steps (after warm-up steps that pay for
tracing and compilation) and the process's peak resident memory.
"""

import argparse
import json
import os
import resource
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--backend", required=True)
parser.add_argument("--model", required=True)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--warmup-steps", type=int, default=10)
parser.add_argument("--steps", type=int, default=50)
parser.add_argument("--data-format", default="channels_last")
parser.add_argument("--jit-compile", default="auto", choices=["auto", "true", "false"])
parser.add_argument("--input", default="tf.data", choices=["tf.data", "numpy"])
parser.add_argument("--steps-per-execution", type=int, default=1)
args = parser.parse_args()
os.environ["KERAS_BACKEND"] = args.backend

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _harness import make_step_timer  # noqa: E402

import zoo  # noqa: E402

keras.config.set_image_data_format(args.data_format)


def main():
    keras.utils.set_random_seed(0)
    spec = zoo.get_model_spec(args.model)
    height, width, channels = spec.input_shape
    shape = (height, width, channels)
    if args.data_format == "channels_first":
        shape = (channels, height, width)
    model = spec.build(input_shape=shape, num_classes=10)
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    model.compile(
        optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        jit_compile=jit,
        steps_per_execution=args.steps_per_execution,
    )
    total = args.warmup_steps + args.steps
    rng = np.random.default_rng(0)
    images = rng.normal(size=(total * args.batch_size, *shape)).astype("float32")
    labels = rng.integers(0, 10, size=(total * args.batch_size,)).astype("int32")
    timer = make_step_timer()
    if args.input == "tf.data":
        import tensorflow as tf

        data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(args.batch_size)
        data = data.cache().prefetch(tf.data.AUTOTUNE)
        model.fit(data, epochs=1, verbose=0, callbacks=[timer])
    else:
        model.fit(images, labels, batch_size=args.batch_size, epochs=1, verbose=0,
                  shuffle=False, callbacks=[timer])  # fmt: skip
    # With steps_per_execution = k, Keras calls the batch hooks once per k steps.
    k = args.steps_per_execution
    timed = timer.ends[args.warmup_steps // k - 1 :]
    seconds = timed[-1] - timed[0]
    images_per_second = (len(timed) - 1) * k * args.batch_size / seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "images_per_second": round(images_per_second, 1),
        "peak_rss_mb": round(peak_mb),
        "jit_compile": bool(model.jit_compile),
        "parameters": model.count_params(),
    }))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
