"""GPT shapes (`GPTConfig`, `GPT_PRESETS`: the four GPT-2 sizes of Radford et al. 2019 and
two CPU-sized ones). Importing this module imports no backend.

The presets are not in the registry yet: `register_model_path` needs a training recipe and
application for the task, and the causal-LM application comes with the next part of issue 22
(tokenizers, weight import, `zoo train gpt`, export, benchmarks). Until then they are built
with `build_gpt` / `build_gpt_lm` by name.
"""

import dataclasses

from zoo._utils import check_fraction, check_positive_int
from zoo.errors import ConfigError

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
