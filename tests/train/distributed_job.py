"""Train a small BERT classifier a few steps under a strategy, then under none; save both.

    python tests/train/distributed_job.py STRATEGY OUT_DIR [--logical-cpus N]

Run by tests/train/test_distribution.py in fresh processes (simulated devices must be set
before the backend starts; several processes for multi-worker runs). Writes
OUT_DIR/<process index>.npz with, for the distributed run and the single-device run
(prefixes `dist_` and `single_`): the training losses per epoch, evaluation loss and
accuracy on a test set with a partial last batch, the predictions, the weights and how many
of them are sharded over devices.
Dropout is 0, so the two runs differ only in how the arithmetic is spread.
"""

import argparse
import sys
from pathlib import Path

import numpy as np


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("strategy")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--logical-cpus", type=int, default=0)
    return parser.parse_args()


def data(seed=0, rows=40, test_rows=22, length=8, vocabulary=64):
    rng = np.random.default_rng(seed)

    def split(n):
        tokens = rng.integers(1, vocabulary, size=(n, length)).astype("int32")
        inputs = {"token_ids": tokens, "segment_ids": np.zeros_like(tokens),
                  "padding_mask": np.ones_like(tokens)}  # fmt: skip
        return inputs, (tokens[:, 0] % 2).astype("int32")

    return split(rows), split(test_rows)


def train(strategy, run_dir):
    import tensorflow as tf

    from zoo.models.bert import BertConfig, build_bert_classifier
    from zoo.train import TrainingRecipe, TrainingRun

    recipe = TrainingRecipe(epochs=2, batch_size=8, optimizer="adam", learning_rate=1e-2,
                            weight_decay=0.0, schedule="constant", augment=False)  # fmt: skip
    run = TrainingRun(run_dir, seed=0, strategy=strategy)  # before any TensorFlow op
    (x, y), (test_x, test_y) = data()
    train_data = tf.data.Dataset.from_tensor_slices((x, y)).batch(8, drop_remainder=True)
    test_data = tf.data.Dataset.from_tensor_slices((test_x, test_y)).batch(8)
    config = BertConfig(num_layers=2, hidden_dim=32, num_heads=2, intermediate_dim=64,
                        vocabulary_size=64, max_sequence_length=8, dropout=0.0)  # fmt: skip
    with run.scope():
        model = build_bert_classifier(config, num_classes=2, dropout=0.0)
        run.compile(model, recipe, steps_per_epoch=5, from_logits=True)
    history = run.fit(model, train_data, epochs=recipe.epochs, verbose=0)
    evaluation = run.evaluate(model, test_data)
    predictions = run.predict(model, test_data)
    return run.distribution, {
        "losses": np.array(history.history["loss"]),
        "test_loss": np.array(evaluation["loss"]),
        "test_accuracy": np.array(evaluation["accuracy"]),
        "predictions": np.asarray(predictions),
        "weights": np.concatenate([np.asarray(w).ravel() for w in model.get_weights()]),
        "replicas": np.array(run.distribution.replicas),
        "sharded_weights": np.array(sum(_is_sharded(w) for w in model.weights)),
    }


def _is_sharded(variable):
    sharding = getattr(variable.value, "sharding", None)  # JAX arrays only
    return sharding is not None and not sharding.is_fully_replicated


def main():
    args = parse_args()
    if args.logical_cpus:
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * args.logical_cpus
        )
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    distribution, distributed = train(args.strategy, args.out_dir / "dist")
    _, single = train("none", args.out_dir / f"single{distribution.process_index}")
    results = {f"dist_{k}": v for k, v in distributed.items()}
    results.update({f"single_{k}": v for k, v in single.items()})
    np.savez(args.out_dir / f"{distribution.process_index}.npz", **results)


if __name__ == "__main__":
    main()
