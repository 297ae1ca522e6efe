"""Pretrain a GPT language model on a text corpus, or fine-tune one (more text, or classify).

    python applications/train_gpt.py pretrain --model gpt_nano --corpus shakespeare.txt
    python applications/train_gpt.py pretrain --model gpt2 --corpus books/*.txt \\
        --tokenizer byte_pair --sequence-length 256 --epochs 1
    python applications/train_gpt.py finetune --init-from runs/gpt_nano_pretrain_jax \\
        --corpus more.txt
    python applications/train_gpt.py finetune --init-from ~/models/gpt2 --dataset sst2 \\
        --data-dir ~/data/SST-2

This recipe is `zoo train gpt` (the same code, installed with keras-zoo): what the run
writes and how it resumes is told in `zoo.apps.gpt` and `zoo train gpt --help`.
"""

from zoo.apps.launch import launch

if __name__ == "__main__":
    launch("gpt", prog="train_gpt.py")
