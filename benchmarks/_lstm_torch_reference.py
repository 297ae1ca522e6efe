"""The LSTM text classifiers written directly in PyTorch with `torch.nn.LSTM`: what a PyTorch
user would train instead. Prints one JSON line like `_lstm_keras_worker.py`.

Same network as zoo's (embedding 128, LSTM 64 layers, dense classes), except that
`nn.LSTM` keeps two bias vectors per gate (4 x units more parameters per layer and direction).
With `--packed`, padded batches go through `pack_padded_sequence`, so padding is skipped as
zoo's masking skips it; without it the LSTM also reads the padding (faster, and wrong for
right-padded batches unless the model learns to ignore it).
"""

import argparse
import json

import torch
from _harness import padded_token_ids, time_torch_training
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True, choices=["lstm_text", "bilstm_text"])
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--sequence-length", type=int, default=200)
parser.add_argument("--vocabulary-size", type=int, default=20000)
parser.add_argument("--warmup-steps", type=int, default=3)
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--packed", action="store_true")
args = parser.parse_args()


class LSTMClassifier(nn.Module):
    def __init__(self, vocabulary_size, layers, bidirectional, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary_size, 128, padding_idx=0)
        self.lstm = nn.LSTM(128, 64, num_layers=layers, batch_first=True,
                            bidirectional=bidirectional)  # fmt: skip
        self.bidirectional = bidirectional
        self.logits = nn.Linear(64 * (2 if bidirectional else 1), num_classes)

    def forward(self, ids, lengths=None):
        x = self.embedding(ids)
        if lengths is not None:
            x = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, (hidden, _) = self.lstm(x)
        features = torch.cat([hidden[-2], hidden[-1]], 1) if self.bidirectional else hidden[-1]
        return self.logits(features)


def main():
    torch.manual_seed(0)
    layers, bidirectional = (2, True) if args.model == "bilstm_text" else (1, False)
    model = LSTMClassifier(args.vocabulary_size, layers, bidirectional)
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = nn.CrossEntropyLoss()
    count = (args.warmup_steps + args.steps) * args.batch_size
    ids, lengths = padded_token_ids(count, args.sequence_length, args.vocabulary_size)
    ids, lengths = torch.from_numpy(ids).long(), torch.from_numpy(lengths)
    labels = torch.randint(0, 2, (count,))

    def loss_of_step(step):
        batch = slice(step * args.batch_size, (step + 1) * args.batch_size)
        logits = model(ids[batch], lengths[batch] if args.packed else None)
        return loss_fn(logits, labels[batch])

    print(json.dumps(time_torch_training(model, optimizer, loss_of_step, batch_size=args.batch_size,
                                         warmup_steps=args.warmup_steps, steps=args.steps)))


if __name__ == "__main__":
    main()
