"""Train an LSTM text classifier (IMDB, SST-2 or your own files) and report test accuracy.

    python applications/train_text.py --model bilstm_text --dataset imdb --epochs 2
    python applications/train_text.py --backend jax --dataset folder --data-dir ~/data/aclImdb
    python applications/train_text.py --dataset csv --data-dir my_task/   # train.csv + test.csv

This recipe is `zoo train text` (the same code, installed with keras-zoo): what the run
writes and how it resumes is told in `zoo.apps.text` and `zoo train text --help`.
"""

from zoo.apps.launch import launch

if __name__ == "__main__":
    launch("text", prog="train_text.py")
