"""Time Hugging Face transformers' BertForSequenceClassification training steps in PyTorch.

The configuration matches zoo's preset (same sizes, tanh GELU, SDPA attention); the loop
is the plain one a PyTorch user writes. Prints one JSON line (run by bert_throughput.py).
"""

import argparse
import json

import torch
import transformers
from _harness import time_torch_training

from zoo.models.bert import BERT_PRESETS

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--batch-size", type=int, default=16)
parser.add_argument("--sequence-length", type=int, default=128)
parser.add_argument("--warmup-steps", type=int, default=3)
parser.add_argument("--steps", type=int, default=10)
args = parser.parse_args()


def main():
    torch.manual_seed(0)
    preset = BERT_PRESETS[args.model]
    config = transformers.BertConfig(
        vocab_size=preset.vocabulary_size, hidden_size=preset.hidden_dim,
        num_hidden_layers=preset.num_layers, num_attention_heads=preset.num_heads,
        intermediate_size=preset.intermediate_dim, hidden_act="gelu_new",
        max_position_embeddings=preset.max_sequence_length, num_labels=2,
        attn_implementation="sdpa",
    )  # fmt: skip
    model = transformers.BertForSequenceClassification(config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    total = args.warmup_steps + args.steps
    shape = (total, args.batch_size, args.sequence_length)
    token_ids = torch.randint(1000, preset.vocabulary_size, shape)
    labels = torch.randint(0, 2, (total, args.batch_size))
    mask = torch.ones(shape, dtype=torch.long)

    def loss_of_step(step):
        return model(input_ids=token_ids[step], attention_mask=mask[step],
                     labels=labels[step]).loss  # fmt: skip

    print(json.dumps(time_torch_training(model, optimizer, loss_of_step, batch_size=args.batch_size,
                                         warmup_steps=args.warmup_steps, steps=args.steps)))


if __name__ == "__main__":
    main()
