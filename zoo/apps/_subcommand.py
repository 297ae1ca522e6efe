"""The shared flags of an application with sub-commands (`zoo train bert pretrain ...`).

Example:
>>> backend_after_command(["--backend", "jax", "pretrain", "--epochs", "1"], ("pretrain",))
['pretrain', '--epochs', '1', '--backend', 'jax']
"""

import sys


def backend_after_command(argv, commands):
    """`argv` with a `--backend NAME` given before the sub-command (one of `commands`) moved
    after it: the flag belongs to each sub-command, yet `zoo train bert --backend jax
    finetune` (and the launcher's `script.py --backend jax finetune`) work too."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(argv):
        if arg in commands:
            return argv
        if arg == "--backend" or arg.startswith("--backend="):
            moved = argv[i:i + 1 + (arg == "--backend")]
            rest = argv[:i] + argv[i + len(moved):]
            return backend_after_command(rest, commands) + moved
    return argv
