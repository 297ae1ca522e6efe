"""Time DeepFM training steps on Criteo-shaped data on one backend (run by
recommender_throughput.py). Prints one JSON line."""

import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--backend", required=True)
parser.add_argument("--batch-size", type=int, default=1024)
parser.add_argument("--vocabulary-size", type=int, default=10_000)
parser.add_argument("--warmup-steps", type=int, default=3)
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--jit-compile", default="auto", choices=["auto", "true", "false"])
args = parser.parse_args()
os.environ["KERAS_BACKEND"] = args.backend

import keras  # noqa: E402
from _harness import criteo_batches, time_keras_fit  # noqa: E402

from zoo.models.recommenders import build_deepfm, criteo_features  # noqa: E402


def main():
    keras.utils.set_random_seed(0)
    model = build_deepfm(criteo_features(args.vocabulary_size, embedding_dim=10))
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  jit_compile=jit)  # fmt: skip
    dense, sparse, labels = criteo_batches((args.warmup_steps + args.steps) * args.batch_size,
                                           args.vocabulary_size)  # fmt: skip
    inputs = {**{f"I{i + 1}": dense[:, i : i + 1] for i in range(13)},
              **{f"C{i + 1}": sparse[:, i : i + 1] for i in range(26)}}  # fmt: skip
    print(json.dumps(time_keras_fit(model, inputs, labels, batch_size=args.batch_size,
                                    warmup_steps=args.warmup_steps)))  # fmt: skip


if __name__ == "__main__":
    main()
