"""The same networks written directly in PyTorch: the reference a user would pick instead.

`cnn` and `resnet20` mirror zoo's builders layer for layer (same parameter counts), trained
with the plain loop a PyTorch user writes: batches already in memory, SGD with momentum.
Prints one JSON line like `_keras_worker.py`.
"""

import argparse
import json
import resource
import time

import torch
from _torch_networks import NETWORKS
from torch.nn import functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True, choices=["cnn", "resnet20"])
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--warmup-steps", type=int, default=10)
parser.add_argument("--steps", type=int, default=50)
parser.add_argument("--channels-last", action="store_true", help="torch.channels_last layout")
args = parser.parse_args()


def main():
    torch.manual_seed(0)
    model = NETWORKS[args.model]()
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    total = args.warmup_steps + args.steps
    images = torch.randn(total, args.batch_size, 3, 32, 32)
    labels = torch.randint(0, 10, (total, args.batch_size))
    model.train()
    ends = []
    for step in range(total):
        x = images[step].contiguous(memory_format=memory_format)
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels[step])
        loss.backward()
        optimizer.step()
        ends.append(time.perf_counter())
    timed = ends[args.warmup_steps - 1 :]
    print(json.dumps({
        "images_per_second": round((len(timed) - 1) * args.batch_size / (timed[-1] - timed[0]), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "jit_compile": False,
        "parameters": sum(p.numel() for p in model.parameters()),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
