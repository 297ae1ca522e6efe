"""`zoo generate MODEL --prompt TEXT`: continue text with a GPT language model.

    zoo generate runs/gpt_nano_pretrain_jax --prompt "ROMEO:" --max-new-tokens 200
    zoo generate ~/models/gpt2 --prompt "The zoo" --prompt "A model" --top-k 40 --seed 1
    zoo generate runs/gpt_nano_pretrain_jax --prompt "Hello" --greedy --stop "."

MODEL is a `zoo train gpt` run folder, a Hugging Face GPT-2 folder or a keras-hub GPT-2
preset folder (the model and its tokenizer). Several prompts decode together in one batch
(left-padded). Sampling with `--seed` is reproducible. The backend is `KERAS_BACKEND`.
"""

from zoo._cli import existing_dir, fraction, positive_float, positive_int
from zoo.errors import ConfigError


def add_generate_arguments(parser):
    """The arguments of `zoo generate` (its parser is `parser`)."""
    parser.add_argument("model", type=existing_dir,
                        help="a zoo GPT run, Hugging Face GPT-2 or keras-hub preset folder")
    parser.add_argument("--prompt", action="append", required=True,
                        help="text to continue (repeat for a batch of prompts)")  # fmt: skip
    parser.add_argument("--max-new-tokens", type=positive_int, default=100)
    parser.add_argument("--greedy", action="store_true", help="the most likely token each step")
    parser.add_argument("--temperature", type=positive_float, default=1.0)
    parser.add_argument("--top-k", type=positive_int, help="sample among the k most likely")
    parser.add_argument("--top-p", type=fraction, help="sample from the nucleus of mass p")
    parser.add_argument("--stop", action="append", default=[],
                        help="stop a prompt's continuation at this token (repeatable); the "
                             "tokenizer's end-of-text token always stops")  # fmt: skip
    parser.add_argument("--seed", type=int, help="seed of the sampling (reproducible)")
    parser.set_defaults(handler=command_generate)


def _stop_ids(tokenizer, stops):
    ids = [] if tokenizer.end_token_id is None else [tokenizer.end_token_id]
    for text in stops:
        encoded = tokenizer.encode(text)
        if len(encoded) != 1:
            raise ConfigError(
                f"--stop {text!r} is {len(encoded)} tokens for this tokenizer; give text that "
                "is one token (a character for a character tokenizer)."
            )
        ids.extend(encoded)
    return ids


def command_generate(args):
    from zoo.convert import load_gpt
    from zoo.generation import generate

    lm, tokenizer = load_gpt(args.model, tokenizer_needed_for="generation")
    prompts = [tokenizer.encode(text) for text in args.prompt]
    empty = [text for text, ids in zip(args.prompt, prompts, strict=True) if not ids]
    if empty:
        raise ConfigError(f"--prompt {empty[0]!r} has no tokens; give some text to continue.")
    continuations = generate(
        lm, prompts, args.max_new_tokens, temperature=args.temperature, top_k=args.top_k,
        top_p=args.top_p, greedy=args.greedy, stop_token_ids=_stop_ids(tokenizer, args.stop),
        seed=args.seed,
    )  # fmt: skip
    for i, (text, new) in enumerate(zip(args.prompt, continuations, strict=True)):
        if i:
            print("-" * 40)
        print(text + tokenizer.decode(new))
