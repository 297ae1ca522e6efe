"""The quality suite's language-model baseline: the nanoGPT-style model of
`_gpt_torch_reference.py` in plain PyTorch, trained on the zoo run's own token stream.

Same preset shape, the zoo run's tokenizer (so the same ids), the same split (the corpus's
last 10% held out whole), windows read from a fresh random offset every epoch, AdamW with
linear warm-up and cosine decay to zero over the same number of steps, and the validation
loss over every held-out window. Prints one JSON line (run by `_quality_language.py`).

    python benchmarks/_quality_language_baselines.py --corpus wiki.txt \\
        --tokenizer runs/gpt_nano_pretrain/tokenizer --preset gpt_nano --epochs 5
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _gpt_torch_reference import NanoGPT  # noqa: E402


def _windows(stream, length, offset):
    count = (len(stream) - 1 - offset) // length
    starts = offset + length * np.arange(count)
    return np.stack([stream[s:s + length + 1] for s in starts])


def _schedule(step, total, warmup, peak):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(total - warmup, 1)
    return peak * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))


def _validation_loss(model, stream, length, batch_size):
    model.eval()
    windows = torch.from_numpy(_windows(stream, length, 0).astype(np.int64))
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in windows.split(batch_size):
            logits = model(batch[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1),
                                   reduction="sum")  # fmt: skip
            total, count = total + float(loss), count + batch[:, 1:].numel()
    model.train()
    return total / count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", nargs="+", required=True)
    parser.add_argument("--tokenizer", required=True, help="the zoo run's tokenizer folder")
    parser.add_argument("--preset", default="gpt_nano")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from zoo import get_model_spec
    from zoo.data.gpt_inputs import read_documents, split_stream, token_stream, window_count
    from zoo.data.gpt_tokenizer import load_gpt_tokenizer
    from zoo.models.gpt import resolve_gpt_config

    tokenizer = load_gpt_tokenizer(args.tokenizer)
    recipe = get_model_spec(args.preset).recipe  # the zoo run's recipe: the same schedule
    config = resolve_gpt_config(args.preset, vocabulary_size=tokenizer.vocabulary_size)
    length = min(config.max_sequence_length, 256)
    train, validation = split_stream(token_stream(read_documents(args.corpus), tokenizer), 0.1)
    steps_per_epoch = window_count(train, length) // recipe.batch_size
    total = steps_per_epoch * args.epochs
    warmup = int(round(recipe.warmup_fraction * total))

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = NanoGPT(config)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": recipe.weight_decay},
                                   {"params": other, "weight_decay": 0.0}],
                                  lr=recipe.learning_rate)  # fmt: skip
    start, step = time.perf_counter(), 0
    for _ in range(args.epochs):
        windows = _windows(train, length, int(rng.integers(length)))
        order = rng.permutation(len(windows))[: steps_per_epoch * recipe.batch_size]
        for batch_index in order.reshape(steps_per_epoch, recipe.batch_size):
            batch = torch.from_numpy(windows[batch_index].astype(np.int64))
            for group in optimizer.param_groups:
                group["lr"] = _schedule(step, total, warmup, recipe.learning_rate)
            logits = model(batch[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
    seconds = time.perf_counter() - start
    loss = _validation_loss(model, validation, length, recipe.batch_size)
    print(json.dumps({"validation_loss": loss, "validation_perplexity": math.exp(loss),
                      "epochs": args.epochs, "steps": total, "seconds": round(seconds, 1),
                      "torch_threads": torch.get_num_threads()}))  # fmt: skip


if __name__ == "__main__":
    main()
