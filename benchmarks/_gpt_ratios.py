"""Ratio rows of the GPT suites (`gpt_throughput`, `gpt_generation`), in the form of
`benchmarks._ratios`: zoo's figures against the fastest same-run peer, and cached decoding
against decoding without a cache.

Example:
>>> rows = [{"model": "gpt_mini", "implementation": "zoo / jax", "tokens_per_second": "900"},
...         {"model": "gpt_mini", "implementation": "nanoGPT / PyTorch",
...          "tokens_per_second": "1000"}]
>>> throughput_ratios(rows)[0]["ratio"]
0.9
"""

from benchmarks._ratios import ratio_row


def _fastest(rows, column):
    return max(rows, key=lambda r: float(r[column]), default=None)


def throughput_ratios(rows):
    """Each zoo backend's training tokens/s against the fastest peer of the same model."""
    result = []
    for model in dict.fromkeys(row["model"] for row in rows):
        group = [row for row in rows if row["model"] == model]
        peer = _fastest([r for r in group if not r["implementation"].startswith("zoo")],
                        "tokens_per_second")  # fmt: skip
        if peer is None:
            continue
        result += [ratio_row(model, row["implementation"], "training tokens/s",
                             row["tokens_per_second"],
                             f"fastest peer: {peer['implementation']}",
                             peer["tokens_per_second"])
                   for row in group if row["implementation"].startswith("zoo")]  # fmt: skip
    return result


def generation_ratios(rows):
    """Per model and batch size: each zoo backend's cached decoding against its own decoding
    without a cache (the cache's speed-up), and the fastest zoo backend's against
    transformers' cached `generate`."""
    result = []
    for key in dict.fromkeys((row["model"], row["batch_size"]) for row in rows):
        group = [row for row in rows if (row["model"], row["batch_size"]) == key]
        model = f"{key[0]}, batch {key[1]}"
        cached = {row["implementation"]: row for row in group if row["cache"] == "True"}
        for row in group:
            if row["cache"] != "True" and row["implementation"] in cached:
                with_cache = cached[row["implementation"]]
                result.append(ratio_row(model, f"{row['implementation']} with the cache",
                                        "generated tokens/s", with_cache["tokens_per_second"],
                                        "the same without a cache", row["tokens_per_second"]))
        zoo = _fastest([r for n, r in cached.items() if n.startswith("zoo")], "tokens_per_second")
        peer = _fastest([r for n, r in cached.items() if not n.startswith("zoo")],
                        "tokens_per_second")  # fmt: skip
        if zoo and peer:
            result.append(ratio_row(model, f"{zoo['implementation']} with the cache (fastest zoo)",
                                    "generated tokens/s", zoo["tokens_per_second"],
                                    f"{peer['implementation']} with the cache",
                                    peer["tokens_per_second"]))  # fmt: skip
    return result
