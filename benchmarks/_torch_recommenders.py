"""zoo's recommenders written directly in PyTorch, layer for layer as `build_deepfm` and
`build_wide_deep` (same parameter counts): what a PyTorch user would train instead. Used by
the throughput suite (`_deepfm_torch_reference.py`, Criteo's fields) and the quality suite's
baselines (`_quality_recommender_baselines.py`, MovieLens's).

A model is described by its fields, in zoo's feature order, each `(kind, size)`: `("sparse",
vocabulary size)` (one id a row), `("sequence", vocabulary size)` (ids padded with 0, mean of
the non-zero ones, zoo's `SequencePooling`) or `("dense", values)`. `forward` takes one
tensor per field in that order: ids `(batch,)` or `(batch, 1)`, sequences `(batch, length)`,
dense values `(batch, values)`; it returns logits `(batch, 1)` (train with
`binary_cross_entropy_with_logits`, `torch.sigmoid` for probabilities).

Embeddings start at N(0, 0.01) (PyTorch's N(0, 1) default makes the FM term's logits tens
of units wide at the first step); linear layers keep PyTorch's defaults.

Example:
>>> model = DeepFM([("dense", 1)] * 13 + [("sparse", 10_000)] * 26, dim=10)  # doctest: +SKIP
>>> sum(p.numel() for p in model.parameters())  # doctest: +SKIP
3342945
"""

import torch
from torch import nn

KINDS = ("sparse", "sequence", "dense")
EMBEDDING_STD = 0.01


def _embedding(vocabulary_size, dim):
    layer = nn.Embedding(vocabulary_size, dim)
    nn.init.normal_(layer.weight, std=EMBEDDING_STD)
    return layer


class Field(nn.Module):
    """One feature as a `(batch, dim)` vector: an id's embedding, the mean of a sequence's
    non-padding ids' embeddings, or dense values times a learned matrix (no bias)."""

    def __init__(self, kind, size, dim):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"field kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.map = nn.Linear(size, dim, bias=False) if kind == "dense" else _embedding(size, dim)

    def forward(self, x):
        if self.kind == "dense":
            return self.map(x)
        if self.kind == "sparse":
            return self.map(x.reshape(-1))
        mask = (x != 0).unsqueeze(-1).to(self.map.weight.dtype)
        return (self.map(x) * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def _mlp(width, hidden):
    layers = []
    for units in hidden:
        layers += [nn.Linear(width, units), nn.ReLU()]
        width = units
    return nn.Sequential(*layers, nn.Linear(width, 1))


class _Recommender(nn.Module):
    def __init__(self, fields):
        super().__init__()
        self.kinds = [kind for kind, _ in fields]
        self.bias = nn.Parameter(torch.zeros(1))

    def dense_values(self, inputs):
        return [x for kind, x in zip(self.kinds, inputs, strict=True) if kind == "dense"]


class DeepFM(_Recommender):
    """A linear term, FM over every field's embedding (dense fields too) and an MLP on the
    embeddings and the raw dense values, summed with a bias (zoo's `build_deepfm`)."""

    def __init__(self, fields, dim, hidden=(400, 400, 400)):
        super().__init__(fields)
        self.fields = nn.ModuleList(Field(kind, size, dim) for kind, size in fields)
        self.linear = nn.ModuleList(Field(kind, size, 1) for kind, size in fields)
        dense = sum(size for kind, size in fields if kind == "dense")
        self.mlp = _mlp(len(fields) * dim + dense, hidden)

    def forward(self, *inputs):
        vectors = [field(x) for field, x in zip(self.fields, inputs, strict=True)]
        stacked = torch.stack(vectors, 1)  # (batch, fields, dim)
        fm = 0.5 * (stacked.sum(1) ** 2 - (stacked**2).sum(1)).sum(1, keepdim=True)
        linear = sum(term(x) for term, x in zip(self.linear, inputs, strict=True))
        deep = self.mlp(torch.cat([*vectors, *self.dense_values(inputs)], 1))
        return self.bias + linear + fm + deep


class WideDeep(_Recommender):
    """A linear model on the categorical fields and an MLP on their embeddings and the raw
    dense values, summed with a bias (zoo's `build_wide_deep` without crosses, as
    `train_recommender.py` builds it)."""

    def __init__(self, fields, dim, hidden=(400, 400, 400)):
        super().__init__(fields)
        self.fields = nn.ModuleDict({str(i): Field(kind, size, dim)
                                     for i, (kind, size) in enumerate(fields) if kind != "dense"})
        self.linear = nn.ModuleDict({str(i): Field(kind, size, 1)
                                     for i, (kind, size) in enumerate(fields) if kind != "dense"})
        dense = sum(size for kind, size in fields if kind == "dense")
        self.mlp = _mlp(len(self.fields) * dim + dense, hidden)

    def forward(self, *inputs):
        vectors = [field(inputs[int(i)]) for i, field in self.fields.items()]
        linear = sum(term(inputs[int(i)]) for i, term in self.linear.items())
        deep = self.mlp(torch.cat([*vectors, *self.dense_values(inputs)], 1))
        return self.bias + linear + deep


NETWORKS = {"deepfm": DeepFM, "wide_deep": WideDeep}
