"""Plain-PyTorch baselines of zoo's recommenders for the quality suite: DeepFM or Wide&Deep
(`_torch_recommenders`, layer for layer as zoo's, same embedding size and MLP) trained with a
plain PyTorch loop (Adam 1e-3, batch 256, binary cross-entropy on logits, no
regularisation) on exactly the rows and features of a finished zoo run:

* the split is re-made by zoo's own reader (`zoo.data.tabular.load_tabular`, the data set,
  split and seed of the run's `metrics.json`, the same row cap) and checked against that
  file (row counts, positive rate; the network's parameter count too), so a drift in
  either fails loudly instead of comparing different rows or networks;
* the features are encoded by the run's saved encoder (`tabular_encoder.json`: the
  vocabularies and statistics fitted on its training rows).

Only the data reading and the scoring (`zoo.evaluate.binary`: exact AUC, log loss) are
zoo's; the network and the training loop are plain PyTorch. The test figures are the final
model's, as zoo's application reports them.
Prints one JSON line: test AUC (%), test log loss, epochs, rows, seconds.

    python benchmarks/_quality_recommender_baselines.py deepfm --run-dir RUN --data-dir DIR \\
        --epochs 3
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # zoo's reader, when run as a script from a checkout
SPLIT_CHECKS = ("num_train", "num_validation", "num_test", "positive_rate")


def check_same_run(data, parameters, run_metrics):
    """Raise unless the re-made split (row counts, positive rate) and the PyTorch network's
    parameter count are the zoo run's (its `metrics.json`)."""
    here = {**data.describe(), "parameters": parameters}
    differ = [f"{key}: zoo run {run_metrics.get(key)}, baseline {here[key]}"
              for key in (*SPLIT_CHECKS, "parameters")
              if run_metrics.get(key) != here[key]]  # fmt: skip
    if differ:
        raise RuntimeError("the baseline does not match the zoo run: " + "; ".join(differ))


def fields_of(features):
    """zoo feature specs as the `(kind, size)` fields of `_torch_recommenders`, and the
    embedding size they share."""
    from zoo.features import DenseFeature, SparseFeature

    fields = [("dense", f.dimension) if isinstance(f, DenseFeature)
              else ("sparse" if isinstance(f, SparseFeature) else "sequence", f.vocabulary_size)
              for f in features]  # fmt: skip
    (dim,) = {f.embedding_dim for f in features if not isinstance(f, DenseFeature)}
    return fields, dim


def shared_rows(run_dir, data_dir, max_rows=None):
    """(the zoo run's data splits, its encoder, its metrics.json): the rows re-made by zoo's
    reader with the run's data set, split and seed, the encoder the run saved."""
    from zoo.data.tabular import load_tabular
    from zoo.data.tabular_encoding import TabularEncoder

    run_metrics = json.loads((Path(run_dir) / "metrics.json").read_text())
    data = load_tabular(run_metrics["dataset"], data_dir=data_dir, split=run_metrics["split"],
                        seed=run_metrics["seed"], max_rows=max_rows)  # fmt: skip
    return data, TabularEncoder.load(run_dir), run_metrics


def encoded(encoder, columns, labels):
    """([one array per feature, in the encoder's order], labels) through the run's encoder."""
    batches = list(encoder.dataset(columns, labels, batch_size=8192).as_numpy_iterator())
    features = [np.concatenate([batch[spec.name] for batch, _ in batches])
                for spec in encoder.specs]  # fmt: skip
    return features, np.concatenate([label for _, label in batches])


def _tensors(columns, kinds):
    import torch

    return [torch.from_numpy(c.astype(np.float32 if kind == "dense" else np.int64))
            for c, kind in zip(columns, kinds, strict=True)]  # fmt: skip


def build(network, fields, dim, hidden, seed=0):
    import torch

    from benchmarks._torch_recommenders import NETWORKS

    torch.manual_seed(seed)
    return NETWORKS[network](fields, dim, hidden)


def train_and_test(model, kinds, train, test, *, epochs, batch_size=256, learning_rate=1e-3,
                   seed=0):  # fmt: skip
    """Train `model` on `train` ([arrays], labels); its (test AUC, test log loss)."""
    import torch
    from torch.nn import functional as F

    from zoo.evaluate.binary import binary_metrics

    generator = torch.Generator().manual_seed(seed)
    train_x, train_y = _tensors(train[0], kinds), torch.from_numpy(train[1].astype(np.float32))
    test_x = _tensors(test[0], kinds)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(train_y), generator=generator)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            logits = model(*(x[batch] for x in train_x))
            F.binary_cross_entropy_with_logits(logits, train_y[batch]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        probabilities = torch.cat([torch.sigmoid(model(*(x[i : i + 8192] for x in test_x)))
                                   for i in range(0, len(test[1]), 8192)]).numpy()  # fmt: skip
    metrics = binary_metrics(test[1].reshape(-1), probabilities.reshape(-1))
    return metrics["auc"], metrics["logloss"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("network", choices=["deepfm", "wide_deep"])
    parser.add_argument("--run-dir", type=Path, required=True, help="the finished zoo run")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--max-rows", type=int)
    parser.add_argument("--hidden-units", type=int, nargs="*", default=[400, 400, 400])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1: this small network gains little from more, "
                             "and a shared CPU slows several a great deal)")  # fmt: skip
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    data, encoder, run_metrics = shared_rows(args.run_dir, args.data_dir, args.max_rows)
    fields, dim = fields_of(encoder.features)
    model = build(args.network, fields, dim, tuple(args.hidden_units), args.seed)
    check_same_run(data, sum(p.numel() for p in model.parameters()), run_metrics)
    train = encoded(encoder, data.train, data.train_labels)
    test = encoded(encoder, data.test, data.test_labels)
    start = time.perf_counter()
    auc, logloss = train_and_test(model, [kind for kind, _ in fields], train, test,
                                  epochs=args.epochs, seed=args.seed)  # fmt: skip
    print(json.dumps({"test_auc": round(100 * auc, 2), "test_logloss": round(logloss, 4),
                      "epochs": args.epochs, "num_train": len(train[1]), "num_test": len(test[1]),
                      "seconds": round(time.perf_counter() - start, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
