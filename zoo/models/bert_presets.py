"""BERT shapes (`BertConfig`, `BERT_PRESETS` from bert_tiny to bert_large), their published
SST-2 figures and training recipes, and their registry entries (metadata only: importing this
module imports no backend)."""

import dataclasses

from zoo._utils import check_fraction, check_positive_int
from zoo.errors import ConfigError
from zoo.registry import ReferenceResult, register_model_path
from zoo.train.recipe import TrainingRecipe

ACTIVATIONS = ("gelu", "gelu_approximate")


@dataclasses.dataclass(frozen=True)
class BertConfig:
    """The shape of a BERT encoder; `intermediate_dim` defaults to 4 x `hidden_dim`.

    `activation` is `"gelu_approximate"` (the tanh form of the original BERT and keras-hub)
    or `"gelu"` (the exact erf form of Hugging Face checkpoints).
    """

    num_layers: int
    hidden_dim: int
    num_heads: int
    intermediate_dim: int | None = None
    vocabulary_size: int = 30522
    max_sequence_length: int = 512
    num_segments: int = 2
    dropout: float = 0.1
    attention_dropout: float | None = None
    activation: str = "gelu_approximate"
    layer_norm_epsilon: float = 1e-12
    initializer_range: float = 0.02

    def __post_init__(self):
        if self.intermediate_dim is None:
            object.__setattr__(self, "intermediate_dim", 4 * self.hidden_dim)
        if self.attention_dropout is None:
            object.__setattr__(self, "attention_dropout", self.dropout)
        for field in ("num_layers", "hidden_dim", "num_heads", "intermediate_dim",
                      "vocabulary_size", "max_sequence_length", "num_segments"):  # fmt: skip
            check_positive_int(f"BertConfig.{field}", getattr(self, field))
        if self.hidden_dim % self.num_heads:
            raise ConfigError(
                f"BertConfig: hidden_dim={self.hidden_dim} is not divisible by "
                f"num_heads={self.num_heads}; pick heads that divide it."
            )
        check_fraction("BertConfig.dropout", self.dropout)
        check_fraction("BertConfig.attention_dropout", self.attention_dropout)
        if self.activation not in ACTIVATIONS:
            raise ConfigError(
                f"BertConfig: activation={self.activation!r} is not supported; "
                f"use one of {', '.join(ACTIVATIONS)}."
            )

    def replace(self, **changes):
        """A copy with the non-`None` `changes` applied."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def parameter_count(self, pooler=True):
        """Parameters of the encoder (with the pooler), without building it."""
        h, i, layers = self.hidden_dim, self.intermediate_dim, self.num_layers
        embeddings = (self.vocabulary_size + self.max_sequence_length + self.num_segments) * h
        embeddings += 2 * h  # LayerNorm
        block = 4 * (h * h + h) + (h * i + i) + (i * h + h) + 2 * 2 * h
        return embeddings + layers * block + (h * h + h if pooler else 0)


BERT_PRESETS = {
    "bert_tiny": BertConfig(num_layers=2, hidden_dim=128, num_heads=2),
    "bert_mini": BertConfig(num_layers=4, hidden_dim=256, num_heads=4),
    "bert_small": BertConfig(num_layers=4, hidden_dim=512, num_heads=8),
    "bert_medium": BertConfig(num_layers=8, hidden_dim=512, num_heads=8),
    "bert_base": BertConfig(num_layers=12, hidden_dim=768, num_heads=12),
    "bert_large": BertConfig(num_layers=24, hidden_dim=1024, num_heads=16),
}


# Turc et al. 2019 ("Well-Read Students Learn Better", SST-2 dev accuracy) for the compact
# models; Devlin et al. 2018 (Table 1, SST-2 test) for base and large.
_SST2 = {
    "bert_tiny": (83.2, "Turc et al. 2019, Well-Read Students Learn Better"),
    "bert_mini": (85.9, "Turc et al. 2019, Well-Read Students Learn Better"),
    "bert_small": (89.7, "Turc et al. 2019, Well-Read Students Learn Better"),
    "bert_medium": (89.6, "Turc et al. 2019, Well-Read Students Learn Better"),
    "bert_base": (93.5, "Devlin et al. 2018, BERT, Table 1"),
    "bert_large": (94.9, "Devlin et al. 2018, BERT, Table 1"),
}


# Fine-tuning a pretrained encoder: BERT's recipe (Devlin et al. 2018: AdamW, linear warm-up
# over 10% of the steps and linear decay, batch 32, 3 epochs) at a rate per preset. Smaller
# encoders take larger rates: Turc et al. 2019 picked each compact model's from {3e-4, 1e-4,
# 5e-5, 3e-5} (google-research/bert README); Devlin et al. chose 2e-5..5e-5 for base and large.
_PRETRAINED_RATES = {"bert_tiny": 3e-4, "bert_mini": 1e-4, "bert_small": 5e-5,
                     "bert_medium": 5e-5, "bert_base": 2e-5, "bert_large": 2e-5}  # fmt: skip
# Training from random initialisation (no --init-from) needs a rate about ten times larger: at
# 5e-5 bert_tiny stays at the majority class on real reviews (docs/models/bert.md, measured).
# The compact presets were measured; base and large take BERT's pretraining rate, 1e-4.
_FROM_SCRATCH_RATES = {"bert_tiny": 5e-4, "bert_mini": 5e-4, "bert_small": 5e-4,
                       "bert_medium": 5e-4, "bert_base": 1e-4, "bert_large": 1e-4}  # fmt: skip


def _recipe(learning_rate):
    return TrainingRecipe(
        epochs=3, batch_size=32, optimizer="adamw", learning_rate=learning_rate,
        weight_decay=0.01, schedule="onecycle", warmup_fraction=0.1, augment=False,
    )  # fmt: skip


def _register_presets():
    for preset, config in BERT_PRESETS.items():
        value, source = _SST2[preset]
        register_model_path(
            preset,
            "zoo.models.bert:build_bert",
            task="text_encoder",
            input_shape=(None,),
            parameter_count=config.parameter_count(),
            reference=ReferenceResult("GLUE SST-2", "accuracy (fine-tuned)", value, source),
            recipe=_recipe(_PRETRAINED_RATES[preset]),
            recipes={"from_scratch": _recipe(_FROM_SCRATCH_RATES[preset])},
            description=(
                f"BERT encoder, {config.num_layers} layers / {config.hidden_dim} hidden / "
                f"{config.num_heads} heads."
            ),
            preset=preset,
        )


_register_presets()
