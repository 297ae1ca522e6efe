"""Time greedy generation from a zoo GPT language model on one Keras backend: with the
key/value cache (`zoo.generation.generate`) and without one (a full forward pass over the
sequence so far for every new token, as a cache-less decoder does).

Without a cache, each step calls `lm.predict_on_batch` on the tokens so far, right-padded to
a multiple of `--no-cache-bucket` (a compiled step is compiled once per bucket length, all
before the clock starts; the padding is masked and, the attention being causal, changes
nothing), and takes the argmax at the last real position. Prints one JSON line: a list of
records, one per (batch size, cache or not) (run by gpt_generation.py).
"""

import argparse
import json
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--backend", required=True)
parser.add_argument("--model", default="gpt_mini")
parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8])
parser.add_argument("--prompt-length", type=int, default=16)
parser.add_argument("--new-tokens", type=int, default=256)
parser.add_argument("--no-cache-bucket", type=int, default=None,
                    help="pad the cache-less decoder's input to a multiple of this "
                         "(default 32 on jax and tensorflow, 1 on torch, which runs eagerly)")
parser.add_argument("--modes", nargs="+", default=["cache", "no_cache"],
                    choices=["cache", "no_cache"])
args = parser.parse_args()
os.environ["KERAS_BACKEND"] = args.backend

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _harness import peak_rss_mb  # noqa: E402

from zoo.generation import generate  # noqa: E402
from zoo.models.gpt import build_gpt_lm  # noqa: E402
from zoo.models.gpt_presets import GPT_PRESETS  # noqa: E402


def prompts_of(batch_size, length, vocabulary_size):
    """The same random prompts in every worker (and in `_gpt_hf_generation.py`)."""
    return np.random.default_rng(1).integers(1, vocabulary_size, (batch_size, length))


def _bucketed(length, bucket, total):
    return min(total, -(-length // bucket) * bucket)


def generate_without_cache(lm, prompts, new_tokens, bucket):
    """Greedy decoding by a full forward pass per new token; returns (batch, new_tokens)."""
    batch, prompt_length = prompts.shape
    total = prompt_length + new_tokens
    ids = np.zeros((batch, total), "int32")
    ids[:, :prompt_length] = prompts
    for t in range(prompt_length, total):
        length = _bucketed(t, bucket, total)
        mask = np.broadcast_to((np.arange(length) < t).astype("int32"), (batch, length))
        logits = lm.predict_on_batch({"token_ids": ids[:, :length], "padding_mask": mask})
        ids[:, t] = np.asarray(logits)[:, t - 1].argmax(-1)
    return ids[:, prompt_length:]


def timed(function):
    start = time.perf_counter()
    output = function()
    return time.perf_counter() - start, np.asarray(output)


def decode_rate(batch_size, new_tokens, seconds, two_tokens_seconds):
    """Tokens/s beyond a 2-token call's time; "" where noise leaves no positive difference."""
    beyond = seconds - two_tokens_seconds
    return round(batch_size * (new_tokens - 2) / beyond, 1) if beyond > 0 else ""


def main():
    keras.utils.set_random_seed(0)
    config = GPT_PRESETS[args.model]
    total = args.prompt_length + args.new_tokens
    lm = build_gpt_lm(config, max_sequence_length=max(total, config.max_sequence_length))
    bucket = args.no_cache_bucket or (1 if args.backend == "torch" else 32)
    records = []
    for batch_size in args.batch_sizes:
        prompts = prompts_of(batch_size, args.prompt_length, config.vocabulary_size)
        outputs = {}
        for mode in args.modes:
            record = {"batch_size": batch_size, "cache": mode == "cache"}
            if mode == "cache":
                def run(new_tokens, prompts=prompts):
                    return generate(lm, prompts.tolist(), new_tokens, greedy=True)

                # Warm-up: on jax and tensorflow generate() compiles its whole decode once per
                # shapes, so both lengths timed below are compiled before the clock starts;
                # two new tokens then cost the call, the prompt and one decoding step.
                run(args.new_tokens)
                run(2)
                two, _ = timed(lambda: run(2))
                seconds, outputs[mode] = timed(lambda: run(args.new_tokens))
                record["two_tokens_seconds"] = round(two, 3)
                record["decode_tokens_per_second"] = decode_rate(batch_size, args.new_tokens,
                                                                 seconds, two)  # fmt: skip
            else:
                for t in range(args.prompt_length, total, bucket):  # compile every bucket
                    length = _bucketed(t, bucket, total)
                    lm.predict_on_batch({"token_ids": np.zeros((batch_size, length), "int32"),
                                         "padding_mask": np.ones((batch_size, length), "int32")})
                    if bucket == 1:
                        break
                seconds, outputs[mode] = timed(
                    lambda prompts=prompts: generate_without_cache(lm, prompts, args.new_tokens,
                                                                   bucket))  # fmt: skip
                record["no_cache_bucket"] = bucket
            record["seconds"] = round(seconds, 3)
            record["tokens_per_second"] = round(batch_size * args.new_tokens / seconds, 1)
            records.append(record)
        if len(outputs) == 2:  # the same greedy tokens with and without the cache
            agree = (outputs["cache"] == outputs["no_cache"]).mean()
            for record in records[-2:]:
                record["tokens_agreeing"] = round(float(agree), 4)
    for record in records:
        record["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(records))


if __name__ == "__main__":
    main()
