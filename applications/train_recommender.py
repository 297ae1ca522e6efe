"""Train a click-through-rate recommender (DeepFM, Wide&Deep); report test AUC and logloss.

    python applications/train_recommender.py --model deepfm --dataset movielens_100k
    python applications/train_recommender.py --backend jax --dataset movielens_1m \\
        --data-dir ~/data/ml-1m --split time
    python applications/train_recommender.py --dataset criteo --data-dir ~/data/criteo \\
        --max-rows 2000000 --hash-buckets 100000
    python applications/train_recommender.py --model wide_deep --dataset csv --csv clicks.csv \\
        --label clicked --features user:sparse item:sparse tags:sequence:max_length=5 price:dense \\
        --crosses user:item

This recipe is `zoo train recommender` (the same code, installed with keras-zoo): what the run
writes and how it resumes is told in `zoo.apps.recommender` and `zoo train recommender --help`.
"""

from zoo.apps.launch import launch

if __name__ == "__main__":
    launch("recommender", prog="train_recommender.py")
