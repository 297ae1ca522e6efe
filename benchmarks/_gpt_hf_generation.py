"""Time Hugging Face `transformers` greedy `generate` (GPT2LMHeadModel, random weights, the
shape of a zoo GPT preset) with its key/value cache, and optionally without it. Prints one
JSON line, a list of records like `_gpt_generation_worker.py`'s (run by gpt_generation.py).
"""

import argparse
import json
import time

import numpy as np
import torch
from _gpt_torch_reference import hf_gpt2
from _harness import peak_rss_mb

from zoo.models.gpt_presets import GPT_PRESETS

parser = argparse.ArgumentParser()
parser.add_argument("--model", default="gpt_mini")
parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8])
parser.add_argument("--prompt-length", type=int, default=16)
parser.add_argument("--new-tokens", type=int, default=256)
parser.add_argument("--modes", nargs="+", default=["cache"], choices=["cache", "no_cache"])
args = parser.parse_args()


def decode_rate(batch_size, new_tokens, seconds, two_tokens_seconds):
    """Tokens/s beyond a 2-token call's time; "" where noise leaves no positive difference."""
    beyond = seconds - two_tokens_seconds
    return round(batch_size * (new_tokens - 2) / beyond, 1) if beyond > 0 else ""


def main():
    torch.manual_seed(0)
    preset = GPT_PRESETS[args.model]
    total = args.prompt_length + args.new_tokens
    model = hf_gpt2(preset.replace(max_sequence_length=max(total, preset.max_sequence_length)))
    model.eval()
    records = []
    for batch_size in args.batch_sizes:
        # The prompts of _gpt_generation_worker.prompts_of.
        prompts = np.random.default_rng(1).integers(1, preset.vocabulary_size,
                                                    (batch_size, args.prompt_length))
        input_ids = torch.from_numpy(prompts)
        mask = torch.ones_like(input_ids)

        def run(new_tokens, use_cache, input_ids=input_ids, mask=mask):
            return model.generate(input_ids=input_ids, attention_mask=mask, do_sample=False,
                                  max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                                  use_cache=use_cache, pad_token_id=0)  # fmt: skip

        for mode in args.modes:
            use_cache = mode == "cache"
            run(8, use_cache)  # warm-up
            start = time.perf_counter()
            run(2, use_cache)
            two = time.perf_counter() - start
            start = time.perf_counter()
            output = run(args.new_tokens, use_cache)
            seconds = time.perf_counter() - start
            assert output.shape == (batch_size, total), output.shape
            records.append({
                "batch_size": batch_size, "cache": use_cache, "two_tokens_seconds": round(two, 3),
                "decode_tokens_per_second": decode_rate(batch_size, args.new_tokens, seconds, two),
                "seconds": round(seconds, 3),
                "tokens_per_second": round(batch_size * args.new_tokens / seconds, 1),
                "peak_rss_mb": peak_rss_mb(),
            })  # fmt: skip
    print(json.dumps(records))


if __name__ == "__main__":
    main()
