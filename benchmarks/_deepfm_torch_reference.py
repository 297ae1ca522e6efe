"""DeepFM written directly in PyTorch (`_torch_recommenders.DeepFM`, layer for layer as zoo's
`build_deepfm`) on Criteo's fields (same parameter count), timed as the throughput suite times
zoo's. Prints one JSON line like `_deepfm_keras_worker.py`."""

import argparse
import json

import torch
from _harness import criteo_batches, time_torch_training
from _torch_recommenders import DeepFM
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--batch-size", type=int, default=1024)
parser.add_argument("--vocabulary-size", type=int, default=10_000)
parser.add_argument("--warmup-steps", type=int, default=3)
parser.add_argument("--steps", type=int, default=20)
args = parser.parse_args()


def main():
    torch.manual_seed(0)
    # Criteo's fields in zoo's order (`criteo_features`): 13 dense values, 26 categorical ids.
    model = DeepFM([("dense", 1)] * 13 + [("sparse", args.vocabulary_size)] * 26, dim=10)
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    total = args.warmup_steps + args.steps
    arrays = criteo_batches(total * args.batch_size, args.vocabulary_size)
    dense, sparse, labels = (torch.from_numpy(a) for a in arrays)
    sparse = sparse.long()

    def loss_of_step(step):
        batch = slice(step * args.batch_size, (step + 1) * args.batch_size)
        fields = [*dense[batch].split(1, 1), *sparse[batch].unbind(1)]
        logits = model(*fields)
        return nn.functional.binary_cross_entropy_with_logits(logits, labels[batch])

    print(json.dumps(time_torch_training(model, optimizer, loss_of_step, batch_size=args.batch_size,
                                         warmup_steps=args.warmup_steps, steps=args.steps)))


if __name__ == "__main__":
    main()
