"""Pretrain a BERT encoder with masked-LM on a text corpus, or fine-tune one to classify text.

    python applications/train_bert.py pretrain --model bert_mini --corpus corpus.txt --epochs 10 \\
        --output-dir runs/bert_mini_pretrain
    python applications/train_bert.py finetune --dataset sst2 --model bert_tiny
    python applications/train_bert.py finetune --dataset imdb --data-dir ~/data/aclImdb \\
        --init-from runs/bert_mini_pretrain          # or a keras-hub / Hugging Face folder
    python applications/train_bert.py finetune --dataset sst2 --model bert_tiny \\
        --distill-from runs/bert_small_sst2/model.keras --hidden-state-weight 1 --quantize int8

This recipe is `zoo train bert` (the same code, installed with keras-zoo): what the run
writes and how it resumes is told in `zoo.apps.bert` and `zoo train bert --help`.
"""

from zoo.apps.launch import launch

if __name__ == "__main__":
    launch("bert", prog="train_bert.py")
