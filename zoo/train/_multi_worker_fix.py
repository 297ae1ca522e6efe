"""Make Keras 3's TensorFlow `fit` work under `tf.distribute.MultiWorkerMirroredStrategy`.

Keras 3.15's TensorFlow trainer has two bugs that only show with more than one worker
(`MirroredStrategy` on one process takes other code paths):

1. `_maybe_symbolic_build` reduces the first *data batch* with `strategy.reduce("MEAN", ...)`
   to get example shapes; across workers that is a collective on a tuple of `PerReplica`
   values and raises `ValueError: Attempt to convert a value (PerReplica...)`.
2. `reduce_per_replica` averages each step's scalar logs across workers with
   `strategy.reduce("MEAN", v, axis=0)`, which fails on a 0-d tensor ("Invalid reduction
   dimension 0").

The fix does what the single-worker path does: build from this replica's local batch (only
its shapes matter), and average scalar logs over all replicas with `axis=None`. Both patches
act only when the strategy spans several workers and leave every other path untouched.
`install()` is idempotent; `zoo.train.strategy` calls it when it creates the strategy.
"""

import tensorflow as tf
from keras import tree

from zoo._keras_internals import tensorflow_trainer

tf_trainer = tensorflow_trainer()

_original_reduce_per_replica = tf_trainer.reduce_per_replica
_original_symbolic_build = tf_trainer.TensorFlowTrainer._maybe_symbolic_build


def _is_multi_worker(strategy):
    return tf_trainer._collective_all_reduce_multi_worker(strategy)


def _local_value(strategy, value):
    if isinstance(value, tf.distribute.DistributedValues):
        return strategy.experimental_local_results(value)[0]
    return value


def _maybe_symbolic_build(self, iterator=None, data_batch=None):
    strategy = self._distribute_strategy
    if strategy is None or not _is_multi_worker(strategy) or iterator is None:
        return _original_symbolic_build(self, iterator=iterator, data_batch=data_batch)
    for _, _, batches in iterator:
        batch = next(batches)
        data_batch = tree.map_structure(lambda value: _local_value(strategy, value), batch)
        break
    with strategy.scope():
        self._symbolic_build(data_batch=data_batch)


def _reduce_per_replica(values, strategy, reduction):
    if _is_multi_worker(strategy) and reduction in ("auto", "mean"):
        return tree.map_structure(lambda value: strategy.reduce("MEAN", value, axis=None), values)
    return _original_reduce_per_replica(values, strategy, reduction)


def install():
    """Patch Keras's TensorFlow trainer (multi-worker paths only); safe to call twice."""
    tf_trainer.reduce_per_replica = _reduce_per_replica
    tf_trainer.TensorFlowTrainer._maybe_symbolic_build = _maybe_symbolic_build
