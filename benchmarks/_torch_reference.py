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
from torch import nn
from torch.nn import functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True, choices=["cnn", "resnet20"])
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--warmup-steps", type=int, default=10)
parser.add_argument("--steps", type=int, default=50)
parser.add_argument("--channels-last", action="store_true", help="torch.channels_last layout")
args = parser.parse_args()


class CNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.dense = nn.Linear(64 * 8 * 8, 128)
        self.logits = nn.Linear(128, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.logits(F.relu(self.dense(torch.flatten(x, 1))))


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride, self.pad = stride, planes - in_planes

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x
        if self.stride != 1 or self.pad:  # option A: subsample, zero-pad channels
            shortcut = F.pad(x[:, :, :: self.stride, :: self.stride],
                             (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))  # fmt: skip
        return F.relu(out + shortcut)


class ResNet20(nn.Module):
    def __init__(self, num_classes=10, n=3):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        blocks, in_planes = [], 16
        for planes, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(n):
                blocks.append(BasicBlock(in_planes, planes, stride if i == 0 else 1))
                in_planes = planes
        self.blocks = nn.Sequential(*blocks)
        self.logits = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn(self.conv(x))))
        return self.logits(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def main():
    torch.manual_seed(0)
    model = {"cnn": CNN, "resnet20": ResNet20}[args.model]()
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
