"""Time Hugging Face transformers' BertModel + a Linear head training steps in PyTorch.

The configuration matches zoo's preset (same sizes, tanh GELU, SDPA attention) and the head
is zoo's: dropout 0.1 and a Linear layer (2 logits) on the pooler output, trained with
cross-entropy and AdamW; the loop is the plain one a PyTorch user writes. Prints one JSON
line (run by bert_throughput.py).
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


class BertDenseClassifier(torch.nn.Module):
    """`BertModel`'s pooler output -> dropout -> Linear: zoo's classification head."""

    def __init__(self, bert, num_classes, dropout=0.1):
        super().__init__()
        self.bert = bert
        self.dropout = torch.nn.Dropout(dropout)
        self.classifier = torch.nn.Linear(bert.config.hidden_size, num_classes)
        torch.nn.init.trunc_normal_(self.classifier.weight, std=0.02)
        torch.nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask):
        pooled = self.bert(input_ids=input_ids, attention_mask=attention_mask).pooler_output
        return self.classifier(self.dropout(pooled))


def main():
    torch.manual_seed(0)
    preset = BERT_PRESETS[args.model]
    config = transformers.BertConfig(
        vocab_size=preset.vocabulary_size, hidden_size=preset.hidden_dim,
        num_hidden_layers=preset.num_layers, num_attention_heads=preset.num_heads,
        intermediate_size=preset.intermediate_dim, hidden_act="gelu_new",
        max_position_embeddings=preset.max_sequence_length,
        attn_implementation="sdpa",
    )  # fmt: skip
    model = BertDenseClassifier(transformers.BertModel(config), num_classes=2).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    total = args.warmup_steps + args.steps
    shape = (total, args.batch_size, args.sequence_length)
    token_ids = torch.randint(1000, preset.vocabulary_size, shape)
    labels = torch.randint(0, 2, (total, args.batch_size))
    mask = torch.ones(shape, dtype=torch.long)

    def loss_of_step(step):
        logits = model(input_ids=token_ids[step], attention_mask=mask[step])
        return torch.nn.functional.cross_entropy(logits, labels[step])

    print(json.dumps(time_torch_training(model, optimizer, loss_of_step, batch_size=args.batch_size,
                                         warmup_steps=args.warmup_steps, steps=args.steps)))


if __name__ == "__main__":
    main()
