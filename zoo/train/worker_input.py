"""Training input that each worker reads from its own shard of the files.

On one process, `worker_input(distribution, make, global_batch)` is `make(global_batch, 1, 0)`.
Under TensorFlow's `multi_worker_mirrored` each worker reads only its own rows and the global
batch stays `global_batch`: `strategy.distribute_datasets_from_function` calls
`make(global_batch / replicas, input pipelines, this pipeline's id)` on each worker and takes
the batches as they come (no second sharding or rebatching).

Shards need not hold the same number of rows, so a sharded training stream repeats and the
caller fixes the epoch's steps (`InputShards.steps_per_epoch`): every worker takes the same
number of steps. Other distributions (`mirrored`, TPU, JAX's) read one stream that the
strategy splits; `reads_own_shard` says which case a run is in.

Example:
>>> def make(batch_size, num_workers, worker_index):               # doctest: +SKIP
...     return stream.dataset(batch_size, split="train", num_workers=num_workers,
...                           worker_index=worker_index)
>>> shards = worker_input(run.distribution, make, 4096)            # doctest: +SKIP
>>> model.fit(shards.dataset, steps_per_epoch=shards.steps_per_epoch(rows, 4096))  # doctest: +SKIP
"""

import dataclasses

from zoo.errors import ConfigError


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
    its own shard: TensorFlow's `multi_worker_mirrored` over several workers."""
    return distribution.processes > 1 and distribution.name == "multi_worker_mirrored"


def check_streamable(distribution, data):
    """Refuse a multi-process run that cannot shard a stream of `data` (e.g. "a Criteo
    log"): only TensorFlow's `multi_worker_mirrored` reads its own shard per worker; the
    way out is `--in-memory`, which every process reads whole."""
    if distribution.processes > 1 and not reads_own_shard(distribution):
        raise ConfigError(
            f"--strategy {distribution.name} over {distribution.processes} processes: "
            f"{data} streamed is sharded over workers by TensorFlow's multi_worker_mirrored "
            "(--backend tensorflow); on JAX add --in-memory to read it whole in each process."
        )


def worker_input(distribution, make, global_batch):
    """`InputShards` of `make(batch_size, num_workers, worker_index)` (a `tf.data.Dataset`
    that repeats when `num_workers` > 1) for `distribution`; see the module docstring."""
    if not reads_own_shard(distribution):
        return InputShards(make(global_batch, 1, 0))

    def per_worker(context):
        return make(context.get_per_replica_batch_size(global_batch),
                    context.num_input_pipelines, context.input_pipeline_id)  # fmt: skip

    return InputShards(distribution.strategy.distribute_datasets_from_function(per_worker),
                       distribution.processes, distribution.process_index)  # fmt: skip
