"""Training input that each worker reads from its own shard of the files.

On one process, `worker_input(distribution, make, global_batch)` is `make(global_batch, 1, 0)`.
Over several processes each reads only its own rows and the global batch stays
`global_batch`:

* TensorFlow's `multi_worker_mirrored`: `strategy.distribute_datasets_from_function` calls
  `make(global_batch / replicas, input pipelines, this pipeline's id)` on each worker and
  takes the batches as they come (no second sharding or rebatching).
* Multi-process JAX (`data_parallel`, or `model_parallel` with whole replicas in each
  process): process `i` of `n` reads `make(global_batch / n, n, i)`, and Keras's trainer joins
  the processes' batches into each global batch (`jax.make_array_from_process_local_data`)
  instead of reading the whole stream in every process and keeping every n-th batch.

Shards need not hold the same number of rows, so a sharded training stream repeats (in full
batches: JAX joins batches of one shape) and the caller fixes the epoch's steps
(`InputShards.steps_per_epoch`): every worker takes the same number of steps. Other
distributions (`mirrored`, TPU, JAX's on one process) read one stream that the strategy
splits; `reads_own_shard` says which case a run is in.

Example:
>>> def make(batch_size, num_workers, worker_index):               # doctest: +SKIP
...     return stream.dataset(batch_size, split="train", num_workers=num_workers,
...                           worker_index=worker_index, drop_remainder=num_workers > 1)
>>> shards = worker_input(run.distribution, make, 4096)            # doctest: +SKIP
>>> model.fit(shards.dataset, steps_per_epoch=shards.steps_per_epoch(rows, 4096))  # doctest: +SKIP
"""

import dataclasses

from zoo._keras_internals import process_local_input
from zoo.errors import ConfigError

JAX_STRATEGIES = ("data_parallel", "model_parallel")


@dataclasses.dataclass(frozen=True)
class InputShards:
    """The training input (a `tf.data.Dataset`, or a distributed dataset under
    `multi_worker_mirrored`), read as `workers` disjoint shards, this process reading
    shard `index`."""

    dataset: object
    workers: int = 1
    index: int = 0

    def steps_per_epoch(self, rows, global_batch):
        """The steps of an epoch over `rows` training rows in all: fixed across workers when
        sharded (None on one reader: the stream's own end closes the epoch)."""
        return max(1, rows // global_batch) if self.workers > 1 else None

    def describe(self):
        """What metrics.json records of the reading."""
        if self.workers == 1:
            return {"input_shards": 1}
        return {"input_shards": self.workers, "input_shard": self.index}


def reads_own_shard(distribution):
    """True when each process of `distribution` (a `zoo.train.strategy.Distribution`) reads
    its own shard: TensorFlow's `multi_worker_mirrored` over several workers, or JAX over
    several processes that each hold whole replicas."""
    if distribution.processes <= 1:
        return False
    if distribution.name == "multi_worker_mirrored":
        return True
    return distribution.name in JAX_STRATEGIES and _whole_replicas(distribution)


def _whole_replicas(distribution):
    return distribution.replicas % distribution.processes == 0


def check_streamable(distribution, data):
    """Refuse a multi-process run that cannot shard a stream of `data` (e.g. "a Criteo
    log"): JAX's `model_parallel` with a replica spread over processes feeds every process
    of a replica the same batch; the way out is `--in-memory` (every process reads it
    whole) or a smaller `--model-parallel-size`."""
    if distribution.processes > 1 and not reads_own_shard(distribution):
        raise ConfigError(
            f"--strategy {distribution.name} over {distribution.processes} processes with "
            f"{distribution.replicas} replica(s): {data} streamed is sharded over processes "
            "that each hold whole replicas; lower --model-parallel-size to at most each "
            "process's devices, or add --in-memory to read it whole in each process."
        )


def worker_input(distribution, make, global_batch):
    """`InputShards` of `make(batch_size, num_workers, worker_index)` (a `tf.data.Dataset`
    that repeats in full batches when `num_workers` > 1) for `distribution`; see the module
    docstring."""
    if not reads_own_shard(distribution):
        return InputShards(make(global_batch, 1, 0))
    workers, index = distribution.processes, distribution.process_index
    if distribution.name in JAX_STRATEGIES:
        local = make(global_batch // workers, workers, index)
        return InputShards(process_local_input(local), workers, index)

    def per_worker(context):
        return make(context.get_per_replica_batch_size(global_batch),
                    context.num_input_pipelines, context.input_pipeline_id)  # fmt: skip

    return InputShards(distribution.strategy.distribute_datasets_from_function(per_worker),
                       workers, index)  # fmt: skip
