"""zoo's image networks written directly in PyTorch, layer for layer (same parameter counts):
the reference a PyTorch user would write instead. Used by the throughput suite
(`_torch_reference.py`) and the quality suite's baselines (`_quality_image_baselines.py`).

Example:
>>> model = CNN(in_channels=1, image_size=28)  # doctest: +SKIP
>>> sum(p.numel() for p in model.parameters())  # doctest: +SKIP
421642
"""

import torch
from torch import nn
from torch.nn import functional as F


class CNN(nn.Module):
    """Conv 32 -> pool -> conv 64 -> pool -> dense 128 -> classes (zoo's `cnn`)."""

    def __init__(self, num_classes=10, in_channels=3, image_size=32):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.dense = nn.Linear(64 * (image_size // 4) ** 2, 128)
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
    """He et al. 2015's CIFAR ResNet-20 (shortcut A), zoo's `resnet20`."""

    def __init__(self, num_classes=10, n=3, in_channels=3):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
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


NETWORKS = {"cnn": CNN, "resnet20": ResNet20}
