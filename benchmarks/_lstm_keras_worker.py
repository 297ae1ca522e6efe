"""Time training steps of a zoo LSTM text classifier on one backend (run by
lstm_throughput.py). Prints one JSON line."""

import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--backend", required=True)
parser.add_argument("--model", required=True)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--sequence-length", type=int, default=200)
parser.add_argument("--vocabulary-size", type=int, default=20000)
parser.add_argument("--warmup-steps", type=int, default=3)
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--jit-compile", default="auto", choices=["auto", "true", "false"])
parser.add_argument("--keras-lstm", action="store_true",
                    help="build with keras.layers.LSTM instead of zoo.layers.LSTM")  # fmt: skip
args = parser.parse_args()
os.environ["KERAS_BACKEND"] = args.backend

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _harness import padded_token_ids, time_keras_fit  # noqa: E402

import zoo  # noqa: E402
from zoo.models import lstm as lstm_models  # noqa: E402


def main():
    keras.utils.set_random_seed(0)
    if args.keras_lstm:  # the same network on Keras's own layer: what zoo's kernel replaces
        lstm_models.LSTM = keras.layers.LSTM
    model = zoo.create_model(args.model, vocabulary_size=args.vocabulary_size,
                             sequence_length=args.sequence_length)  # fmt: skip
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  jit_compile=jit)  # fmt: skip
    count = (args.warmup_steps + args.steps) * args.batch_size
    ids, _ = padded_token_ids(count, args.sequence_length, args.vocabulary_size)
    labels = np.random.default_rng(1).integers(0, 2, count).astype("int32")
    print(json.dumps(time_keras_fit(model, ids, labels, batch_size=args.batch_size,
                                    warmup_steps=args.warmup_steps)))  # fmt: skip


if __name__ == "__main__":
    main()
