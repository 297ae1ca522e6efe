"""Time BERT sentence-classification training steps for zoo or keras-hub on one backend.

Both carry the same head: dropout 0.1 and a Dense layer (2 logits) on the pooled output;
zoo's `build_bert_classifier` (its encoder, `build_bert`'s, computes only the first position
in its last block, which is all the pooled output reads) or keras-hub's `BertBackbone`
with that head on its `pooled_output` (`_keras_hub_bert.keras_hub_bert_dense_classifier`).

Prints one JSON line (run by bert_throughput.py).
"""

import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--backend", required=True)
parser.add_argument("--implementation", choices=["zoo", "keras_hub"], required=True)
parser.add_argument("--model", required=True)
parser.add_argument("--batch-size", type=int, default=16)
parser.add_argument("--sequence-length", type=int, default=128)
parser.add_argument("--warmup-steps", type=int, default=3)
parser.add_argument("--steps", type=int, default=10)
parser.add_argument("--jit-compile", default="auto", choices=["auto", "true", "false"])
args = parser.parse_args()
os.environ["KERAS_BACKEND"] = args.backend

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _harness import time_keras_fit  # noqa: E402
from _keras_hub_bert import keras_hub_bert_dense_classifier  # noqa: E402

from zoo.models.bert import BERT_PRESETS  # noqa: E402


def build(config):
    if args.implementation == "zoo":
        from zoo.models.bert import build_bert_classifier

        return build_bert_classifier(config, num_classes=2)
    return keras_hub_bert_dense_classifier(config, num_classes=2)


def main():
    keras.utils.set_random_seed(0)
    config = BERT_PRESETS[args.model]
    model = build(config)
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    model.compile(
        optimizer=keras.optimizers.AdamW(2e-5),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit,
    )
    total = args.warmup_steps + args.steps
    n = total * args.batch_size
    rng = np.random.default_rng(0)
    features = {
        "token_ids": rng.integers(1000, config.vocabulary_size, (n, args.sequence_length)),
        "segment_ids": np.zeros((n, args.sequence_length), "int32"),
        "padding_mask": np.ones((n, args.sequence_length), "int32"),
    }
    features["token_ids"] = features["token_ids"].astype("int32")
    labels = rng.integers(0, 2, n).astype("int32")
    result = time_keras_fit(model, features, labels, batch_size=args.batch_size,
                            warmup_steps=args.warmup_steps)  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
