"""Time GPT language-model training steps in plain PyTorch: a compact nanoGPT-style model
(written here) or Hugging Face `transformers.GPT2LMHeadModel`, in the shape of a zoo preset.

Both train with `torch.optim.AdamW` in the plain loop (zero_grad, loss, backward, step) on
the same random character-level batches as `_gpt_keras_worker.py`. Prints one JSON line
(run by gpt_throughput.py).

Example:
>>> from zoo.models.gpt_presets import GPT_PRESETS
>>> model = NanoGPT(GPT_PRESETS["gpt_nano"])  # doctest: +SKIP
"""

import argparse
import json
import math

import torch
from torch import nn
from torch.nn import functional as F


class CausalSelfAttention(nn.Module):
    """nanoGPT's attention: one fused QKV projection, SDPA with `is_causal=True`."""

    def __init__(self, config):
        super().__init__()
        self.num_heads, self.dropout = config.num_heads, config.dropout
        self.c_attn = nn.Linear(config.hidden_dim, 3 * config.hidden_dim)
        self.c_proj = nn.Linear(config.hidden_dim, config.hidden_dim)
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.num_heads, c // self.num_heads).transpose(1, 2)
                   for z in (q, k, v))  # fmt: skip
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c)))


class Block(nn.Module):
    """Pre-LayerNorm: x + attention(LN(x)), then x + MLP(LN(x)) (tanh GELU)."""

    def __init__(self, config):
        super().__init__()
        h, eps = config.hidden_dim, config.layer_norm_epsilon
        self.ln_1, self.ln_2 = nn.LayerNorm(h, eps=eps), nn.LayerNorm(h, eps=eps)
        self.attn = CausalSelfAttention(config)
        self.mlp = nn.Sequential(nn.Linear(h, config.intermediate_dim), nn.GELU("tanh"),
                                 nn.Linear(config.intermediate_dim, h),
                                 nn.Dropout(config.dropout))  # fmt: skip

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class NanoGPT(nn.Module):
    """Token + position embeddings, pre-LN blocks, final LayerNorm, head tied to the token
    embedding: the same parameters as zoo's `build_gpt_lm` of `config` (a `GPTConfig`)."""

    def __init__(self, config):
        super().__init__()
        self.wte = nn.Embedding(config.vocabulary_size, config.hidden_dim)
        self.wpe = nn.Embedding(config.max_sequence_length, config.hidden_dim)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.num_layers))
        self.ln_f = nn.LayerNorm(config.hidden_dim, eps=config.layer_norm_epsilon)
        for name, parameter in self.named_parameters():
            if name.endswith("weight") and parameter.dim() == 2:
                std = config.initializer_range
                if name.endswith("c_proj.weight") or name.endswith("mlp.2.weight"):
                    std /= math.sqrt(2 * config.num_layers)
                nn.init.normal_(parameter, std=std)

    def forward(self, token_ids, targets=None):
        positions = torch.arange(token_ids.shape[1], device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.T
        if targets is None:
            return logits
        return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


def hf_gpt2(config, attention="sdpa"):
    """`transformers.GPT2LMHeadModel` of `config`'s shape (tanh GELU, tied head)."""
    import transformers

    hf_config = transformers.GPT2Config(
        vocab_size=config.vocabulary_size, n_positions=config.max_sequence_length,
        n_embd=config.hidden_dim, n_layer=config.num_layers, n_head=config.num_heads,
        n_inner=config.intermediate_dim, activation_function="gelu_new",
        resid_pdrop=config.dropout, embd_pdrop=config.dropout, attn_pdrop=config.dropout,
        layer_norm_epsilon=config.layer_norm_epsilon, initializer_range=config.initializer_range,
        bos_token_id=None, eos_token_id=None, pad_token_id=0, attn_implementation=attention,
    )  # fmt: skip
    return transformers.GPT2LMHeadModel(hf_config)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--implementation", choices=["nanogpt", "transformers"], required=True)
    parser.add_argument("--model", default="gpt_mini")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--sequence-length", type=int, default=256)
    parser.add_argument("--dropout", type=float, default=None, help="default: the preset's")
    parser.add_argument("--warmup-steps", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--compile", action="store_true",
                        help="torch.compile the model (nanoGPT's train.py default)")
    args = parser.parse_args()

    from _harness import time_torch_training

    from zoo.models.gpt_presets import GPT_PRESETS

    torch.manual_seed(0)
    preset = GPT_PRESETS[args.model]
    config = preset.replace(dropout=args.dropout,
                            max_sequence_length=max(args.sequence_length,
                                                    preset.max_sequence_length))  # fmt: skip
    model = (NanoGPT(config) if args.implementation == "nanogpt" else hf_gpt2(config)).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    if args.compile:  # compiled in the warm-up steps, which are not timed
        model = torch.compile(model)
    total = args.warmup_steps + args.steps
    text = torch.randint(0, config.vocabulary_size,
                         (total, args.batch_size, args.sequence_length + 1))  # fmt: skip

    def loss_of_step(step):
        if args.implementation == "nanogpt":
            return model(text[step, :, :-1], text[step, :, 1:])
        # transformers shifts the labels itself: position t predicts token t + 1.
        return model(input_ids=text[step, :, :-1], labels=text[step, :, :-1]).loss

    result = time_torch_training(model, optimizer, loss_of_step, batch_size=args.batch_size,
                                 warmup_steps=args.warmup_steps, steps=args.steps)  # fmt: skip
    result["jit_compile"] = args.compile
    print(json.dumps(result))


if __name__ == "__main__":
    main()
