"""Time one training configuration through zoo's strategy, precision and XLA settings.

Run by scaling.py, one configuration per process (simulated devices must be set before the
backend starts). Prints one JSON line: examples/s over the timed steps (after warm-up steps
that pay for tracing and compilation), peak memory, and what really ran (XLA, replicas).

    python benchmarks/_scale_worker.py --backend jax --model bert_small --precision mixed_bfloat16
    python benchmarks/_scale_worker.py --backend jax --strategy data_parallel --devices 2
"""

import argparse
import json
import os
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--backend", required=True, choices=["tensorflow", "jax", "torch"])
parser.add_argument("--model", required=True)
parser.add_argument("--precision", default="float32")
parser.add_argument("--xla", default="auto", choices=["auto", "true", "false"])
parser.add_argument("--strategy", default="none")
parser.add_argument("--devices", type=int, default=1, help="simulated CPU devices")
parser.add_argument("--batch-size", type=int, default=64, help="global batch")
parser.add_argument("--sequence-length", type=int, default=128)
parser.add_argument("--warmup-steps", type=int, default=5)
parser.add_argument("--steps", type=int, default=20)
args = parser.parse_args()
os.environ["KERAS_BACKEND"] = args.backend
if args.backend == "jax" and args.devices > 1:
    os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={args.devices}"

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if args.backend == "tensorflow" and args.devices > 1:
    import tensorflow as tf

    tf.config.set_logical_device_configuration(
        tf.config.list_physical_devices("CPU")[0],
        [tf.config.LogicalDeviceConfiguration()] * args.devices,
    )

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _harness import make_step_timer, throughput_record  # noqa: E402

from zoo import build_bert_classifier, get_model_spec  # noqa: E402
from zoo.train.precision import set_precision  # noqa: E402
from zoo.train.strategy import get_distribution  # noqa: E402


def batches(model_name, count, rng):
    """Synthetic inputs and labels for `count` examples of `model_name`."""
    if model_name.startswith("bert"):
        tokens = rng.integers(2, 30000, size=(count, args.sequence_length)).astype("int32")
        inputs = {"token_ids": tokens, "segment_ids": np.zeros_like(tokens),
                  "padding_mask": np.ones_like(tokens)}  # fmt: skip
        return inputs, rng.integers(0, 2, size=count).astype("int32")
    shape = get_model_spec(model_name).input_shape
    images = rng.normal(size=(count, *shape)).astype("float32")
    return images, rng.integers(0, 10, size=count).astype("int32")


def build(model_name):
    if model_name.startswith("bert"):
        model = build_bert_classifier(model_name, num_classes=2)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        return model, keras.optimizers.AdamW(1e-4), loss
    model = get_model_spec(model_name).build(num_classes=10)
    return model, keras.optimizers.SGD(0.01, momentum=0.9), "sparse_categorical_crossentropy"


def device_kind():
    """The device the backend trains on: the accelerator's name, or "cpu"."""
    if args.backend == "jax":
        import jax

        device = jax.devices()[0]
        return device.device_kind if device.platform != "cpu" else "cpu"
    if args.backend == "torch":
        import torch

        return torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "cpu"
    return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")


def training_data(inputs, labels):
    """fit's data arguments: a cached tf.data pipeline where TensorFlow is installed (every CPU
    run), the arrays themselves where it is not (a GPU machine with JAX or PyTorch alone)."""
    try:
        import tensorflow as tf
    except ImportError:
        return {"x": inputs, "y": labels, "batch_size": args.batch_size, "shuffle": False}
    data = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(args.batch_size)
    return {"x": data.cache().prefetch(tf.data.AUTOTUNE)}


def main():
    set_precision(args.precision)
    distribution = get_distribution(args.strategy).activate()
    keras.utils.set_random_seed(0)
    with distribution.scope():
        model, optimizer, loss = build(args.model)
        xla = {"auto": "auto", "true": True, "false": False}[args.xla]
        model.compile(optimizer=optimizer, loss=loss, jit_compile=xla)
    total = args.warmup_steps + args.steps
    inputs, labels = batches(args.model, total * args.batch_size, np.random.default_rng(0))
    timer = make_step_timer()
    model.fit(**training_data(inputs, labels), epochs=1, verbose=0, callbacks=[timer])
    xla_ran = bool(model.jit_compile) and args.backend != "torch"
    record = throughput_record(timer.ends, warmup_steps=args.warmup_steps,
                               batch_size=args.batch_size, parameters=model.count_params(),
                               jit_compile=xla_ran)  # fmt: skip
    record["examples_per_second"] = record.pop("sequences_per_second")
    record["replicas"] = distribution.replicas
    record["device"] = device_kind()
    print(json.dumps(record))


if __name__ == "__main__":
    main()
