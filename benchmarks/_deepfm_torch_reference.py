"""DeepFM written directly in PyTorch, layer for layer as zoo's `build_deepfm` on Criteo's
fields (same parameter count): what a PyTorch user would train instead. Prints one JSON line
like `_deepfm_keras_worker.py`."""

import argparse
import json

import torch
from _harness import criteo_batches, time_torch_training
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--batch-size", type=int, default=1024)
parser.add_argument("--vocabulary-size", type=int, default=10_000)
parser.add_argument("--warmup-steps", type=int, default=3)
parser.add_argument("--steps", type=int, default=20)
args = parser.parse_args()


class DeepFM(nn.Module):
    def __init__(self, vocabulary_size, dense=13, sparse=26, dim=10, hidden=(400, 400, 400)):
        super().__init__()
        self.embeddings = nn.ModuleList(nn.Embedding(vocabulary_size, dim) for _ in range(sparse))
        self.linear = nn.ModuleList(nn.Embedding(vocabulary_size, 1) for _ in range(sparse))
        self.dense_embeddings = nn.Parameter(torch.randn(dense, dim) * 0.05)
        self.dense_linear = nn.Parameter(torch.zeros(dense))
        self.bias = nn.Parameter(torch.zeros(1))
        layers, width = [], (dense + sparse) * dim + dense
        for units in hidden:
            layers += [nn.Linear(width, units), nn.ReLU()]
            width = units
        self.mlp = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, dense, sparse):
        fields = torch.stack([e(sparse[:, i]) for i, e in enumerate(self.embeddings)], 1)
        fields = torch.cat([dense[..., None] * self.dense_embeddings, fields], 1)  # (B, 39, k)
        fm = 0.5 * (fields.sum(1) ** 2 - (fields**2).sum(1)).sum(1, keepdim=True)
        linear = sum(w(sparse[:, i]) for i, w in enumerate(self.linear))
        linear = linear + (dense * self.dense_linear).sum(1, keepdim=True)
        deep = self.mlp(torch.cat([fields.flatten(1), dense], 1))
        return torch.sigmoid(self.bias + linear + fm + deep)


def main():
    torch.manual_seed(0)
    model = DeepFM(args.vocabulary_size)
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    total = args.warmup_steps + args.steps
    arrays = criteo_batches(total * args.batch_size, args.vocabulary_size)
    dense, sparse, labels = (torch.from_numpy(a) for a in arrays)
    sparse = sparse.long()

    def loss_of_step(step):
        batch = slice(step * args.batch_size, (step + 1) * args.batch_size)
        return nn.functional.binary_cross_entropy(model(dense[batch], sparse[batch]), labels[batch])

    print(json.dumps(time_torch_training(model, optimizer, loss_of_step, batch_size=args.batch_size,
                                         warmup_steps=args.warmup_steps, steps=args.steps)))


if __name__ == "__main__":
    main()
