"""GPT shapes (`GPTConfig`, `GPT_PRESETS`: the four GPT-2 sizes of Radford et al. 2019 and
two CPU-sized ones), their published figures and training recipes, and their registry
entries (task `causal_lm`, built by `build_gpt_lm`; trained by `zoo train gpt`). Importing
this module imports no backend.
"""

import dataclasses

from zoo._utils import check_fraction, check_positive_int
from zoo.errors import ConfigError
from zoo.registry import ReferenceResult, register_model_path
from zoo.train.recipe import TrainingRecipe

ACTIVATIONS = ("gelu_approximate", "gelu")


@dataclasses.dataclass(frozen=True)
class GPTConfig:
    """The shape of a GPT-2-style decoder; `intermediate_dim` defaults to 4 x `hidden_dim`.

    `activation` is `"gelu_approximate"` (GPT-2's tanh form, "gelu_new" in Hugging Face) or
    `"gelu"` (exact). The language-model head is the token embedding (tied).
    """

    num_layers: int
    hidden_dim: int
    num_heads: int
    intermediate_dim: int | None = None
    vocabulary_size: int = 50257
    max_sequence_length: int = 1024
    dropout: float = 0.1
    layer_norm_epsilon: float = 1e-5
    initializer_range: float = 0.02
    activation: str = "gelu_approximate"

    def __post_init__(self):
        if self.intermediate_dim is None:
            object.__setattr__(self, "intermediate_dim", 4 * self.hidden_dim)
        for field in ("num_layers", "hidden_dim", "num_heads", "intermediate_dim",
                      "vocabulary_size", "max_sequence_length"):  # fmt: skip
            check_positive_int(f"GPTConfig.{field}", getattr(self, field))
        if self.hidden_dim % self.num_heads:
            raise ConfigError(
                f"GPTConfig: hidden_dim={self.hidden_dim} is not divisible by "
                f"num_heads={self.num_heads}; pick heads that divide it."
            )
        check_fraction("GPTConfig.dropout", self.dropout)
        if self.activation not in ACTIVATIONS:
            raise ConfigError(
                f"GPTConfig: activation={self.activation!r} is not supported; "
                f"use one of {', '.join(ACTIVATIONS)}."
            )

    def replace(self, **changes):
        """A copy with the non-`None` `changes` applied."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def parameter_count(self):
        """Parameters of the backbone, which are also the language model's (the output
        projection is the token embedding), without building it."""
        h, i = self.hidden_dim, self.intermediate_dim
        embeddings = (self.vocabulary_size + self.max_sequence_length) * h
        block = 2 * 2 * h + 4 * (h * h + h) + (h * i + i) + (i * h + h)
        return embeddings + self.num_layers * block + 2 * h  # + the final LayerNorm


GPT_PRESETS = {
    # Radford et al. 2019 (GPT-2), Hugging Face's gpt2 .. gpt2-xl shapes.
    "gpt2": GPTConfig(num_layers=12, hidden_dim=768, num_heads=12),
    "gpt2_medium": GPTConfig(num_layers=24, hidden_dim=1024, num_heads=16),
    "gpt2_large": GPTConfig(num_layers=36, hidden_dim=1280, num_heads=20),
    "gpt2_xl": GPTConfig(num_layers=48, hidden_dim=1600, num_heads=25),
    # CPU-sized, character-level (65 symbols, as nanoGPT's Shakespeare-char): gpt_mini is
    # nanoGPT's "baby GPT" (6 layers x 384, 6 heads, context 256, dropout 0.2); gpt_nano a
    # quarter of its depth-width for tests and quick runs.
    "gpt_nano": GPTConfig(num_layers=3, hidden_dim=128, num_heads=4, vocabulary_size=65,
                          max_sequence_length=128, dropout=0.1),  # fmt: skip
    "gpt_mini": GPTConfig(num_layers=6, hidden_dim=384, num_heads=6, vocabulary_size=65,
                          max_sequence_length=256, dropout=0.2),  # fmt: skip
}


# Radford et al. 2019, Table 3: zero-shot perplexity on WikiText-103 (no fine-tuning).
_WIKITEXT103 = {"gpt2": 37.50, "gpt2_medium": 26.37, "gpt2_large": 22.05, "gpt2_xl": 17.48}
_NANOGPT_SHAKESPEARE_CHAR = ReferenceResult(
    "Shakespeare-char (nanoGPT)", "validation loss (nats/char)", 1.4697,
    "karpathy/nanoGPT README, about 3 min on one A100", unit="",
)  # fmt: skip

# Causal-LM pretraining. gpt_mini: nanoGPT's Shakespeare-char recipe (AdamW 1e-3, weight
# decay 0.1, batch 64 of 256 characters, warm-up then cosine decay; its 5,000 steps are
# about 80 passes over the 1M characters). gpt_nano: the same at batch 32 of 128 for a
# CPU in minutes. GPT-2 sizes: GPT-2's published rate for the small model (2.5e-4) and
# batch 512 are out of reach here; the recipe continues training (fine-tuning) on a corpus.
_RECIPES = {
    "gpt_nano": TrainingRecipe(epochs=5, batch_size=32, optimizer="adamw", learning_rate=1e-3,
                               weight_decay=0.1, schedule="cosine", warmup_fraction=0.05,
                               augment=False),  # fmt: skip
    "gpt_mini": TrainingRecipe(epochs=80, batch_size=64, optimizer="adamw", learning_rate=1e-3,
                               weight_decay=0.1, schedule="cosine", warmup_fraction=0.02,
                               augment=False),  # fmt: skip
}
FINETUNE_RECIPE = TrainingRecipe(epochs=3, batch_size=8, optimizer="adamw", learning_rate=6e-5,
                           weight_decay=0.01, schedule="cosine", warmup_fraction=0.05,
                           augment=False)  # fmt: skip


def _describe(preset, config):
    vocabulary = ("GPT-2's 50,257 byte-pair tokens" if config.vocabulary_size == 50257
                  else f"{config.vocabulary_size} characters")  # fmt: skip
    return (f"GPT decoder (causal LM), {config.num_layers} layers / {config.hidden_dim} "
            f"hidden / {config.num_heads} heads, context {config.max_sequence_length}, "
            f"{vocabulary} (the vocabulary follows the run's tokenizer).")


def _register_presets():
    for preset, config in GPT_PRESETS.items():
        if preset in _WIKITEXT103:
            reference = ReferenceResult("WikiText-103", "perplexity (zero-shot)",
                                        _WIKITEXT103[preset], "Radford et al. 2019, Table 3",
                                        unit="")  # fmt: skip
        else:
            reference = _NANOGPT_SHAKESPEARE_CHAR if preset == "gpt_mini" else None
        register_model_path(
            preset, "zoo.models.gpt:build_gpt_lm", task="causal_lm", input_shape=(None,),
            parameter_count=config.parameter_count(), reference=reference,
            recipe=_RECIPES.get(preset, FINETUNE_RECIPE), description=_describe(preset, config),
            preset_or_config=preset,
        )  # fmt: skip


_register_presets()

