"""Time zoo GPT language-model training steps on one Keras backend (numpy-fed `fit`, AdamW).

Random character-level batches (vocabulary 65): the model reads `sequence_length` tokens and
predicts the next one at every position. Prints one JSON line (run by gpt_throughput.py).
"""

import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--backend", required=True)
parser.add_argument("--model", default="gpt_mini")
parser.add_argument("--batch-size", type=int, default=8)
parser.add_argument("--sequence-length", type=int, default=256)
parser.add_argument("--dropout", type=float, default=None, help="default: the preset's")
parser.add_argument("--warmup-steps", type=int, default=3)
parser.add_argument("--steps", type=int, default=10)
parser.add_argument("--jit-compile", default="auto", choices=["auto", "true", "false"])
args = parser.parse_args()
os.environ["KERAS_BACKEND"] = args.backend

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _harness import time_keras_fit  # noqa: E402

from zoo.models.gpt import build_gpt_lm  # noqa: E402
from zoo.models.gpt_presets import GPT_PRESETS  # noqa: E402


def main():
    keras.utils.set_random_seed(0)
    config = GPT_PRESETS[args.model]
    lm = build_gpt_lm(config, dropout=args.dropout,
                      max_sequence_length=max(args.sequence_length, config.max_sequence_length))
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    lm.compile(optimizer=keras.optimizers.AdamW(3e-4),
               loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
               jit_compile=jit)  # fmt: skip
    n = (args.warmup_steps + args.steps) * args.batch_size
    rng = np.random.default_rng(0)
    text = rng.integers(0, config.vocabulary_size, (n, args.sequence_length + 1)).astype("int32")
    features = {"token_ids": text[:, :-1],
                "padding_mask": np.ones((n, args.sequence_length), "int32")}  # fmt: skip
    result = time_keras_fit(lm, features, text[:, 1:], batch_size=args.batch_size,
                            warmup_steps=args.warmup_steps)  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
