"""GPT generation throughput: zoo's cached greedy decoding against decoding without a cache,
on each backend, beside Hugging Face `transformers` `generate`.

`gpt_mini` (6 layers x 384, random weights) continues the same random 16-token prompts by
256 tokens, greedily, at batch 1 and 8: with `zoo.generation.generate` (key/value cache;
the whole call is timed, after a warm-up call) and with a cache-less decoder (a full forward
pass over the sequence so far for each new token, `_gpt_generation_worker.py`), on each Keras
backend in its own process; and with `transformers.GPT2LMHeadModel.generate(use_cache=True,
do_sample=False)` of the same shape. `decode_tokens_per_second` leaves out what a call
costs before its second token (prompt, compilation): (256 - 2) tokens over the time beyond
that of a 2-token call. Results go to `benchmarks/results/gpt_generation.csv` (or
`--results-dir`).

    python benchmarks/gpt_generation.py
    python benchmarks/gpt_generation.py --new-tokens 32 --batch-sizes 1
    python -m benchmarks run --suites gpt_generation    # the same, through the runner
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import add_results_dir_argument, run_worker, write_csv  # noqa: E402
from _machine import stamp  # noqa: E402

RESULTS = "gpt_generation.csv"
CONFIGURATIONS = [
    ("zoo / tensorflow", ["_gpt_generation_worker.py", "--backend", "tensorflow"]),
    ("zoo / jax", ["_gpt_generation_worker.py", "--backend", "jax"]),
    ("zoo / torch", ["_gpt_generation_worker.py", "--backend", "torch"]),
    ("transformers / PyTorch", ["_gpt_hf_generation.py"]),
]


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["gpt_mini"])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--prompt-length", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=256)
    parser.add_argument("--peer-without-cache", action="store_true",
                        help="also time transformers' generate(use_cache=False)")
    parser.add_argument("--only", nargs="+", metavar="LABEL_START",
                        help="only the configurations whose label starts with one of these")
    add_results_dir_argument(parser)
    return parser


def main():
    args = build_parser().parse_args()
    rows = []
    for model in args.models:
        for label, command in CONFIGURATIONS:
            if args.only and not label.startswith(tuple(args.only)):
                continue
            extra = []
            if label.startswith("transformers") and args.peer_without_cache:
                extra = ["--modes", "cache", "no_cache"]
            records = run_worker([HERE / command[0], *command[1:], "--model", model,
                                  "--batch-sizes", *args.batch_sizes,
                                  "--prompt-length", args.prompt_length,
                                  "--new-tokens", args.new_tokens, *extra])  # fmt: skip
            for record in records:
                cache = "with" if record["cache"] else "without"
                print(f"{model} batch {record['batch_size']} {label:24s} {cache:7s} the cache "
                      f"{record['tokens_per_second']:8.1f} tokens/s "
                      f"(decoding alone {record.get('decode_tokens_per_second', '-')})",
                      flush=True)  # fmt: skip
                rows.append({
                    "model": model, "implementation": label,
                    "batch_size": record["batch_size"], "cache": record["cache"],
                    "tokens_per_second": record["tokens_per_second"],
                    "decode_tokens_per_second": record.get("decode_tokens_per_second", ""),
                    "seconds": record["seconds"],
                    "two_tokens_seconds": record.get("two_tokens_seconds", ""),
                    "no_cache_bucket": record.get("no_cache_bucket", ""),
                    "tokens_agreeing": record.get("tokens_agreeing", ""),
                    "prompt_length": args.prompt_length, "new_tokens": args.new_tokens,
                    "peak_rss_mb": record["peak_rss_mb"], **stamp(),
                })  # fmt: skip
    write_csv(rows, args.results_dir / RESULTS)


if __name__ == "__main__":
    main()
