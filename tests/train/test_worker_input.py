"""zoo.train.worker_input: under multi_worker_mirrored and multi-process JAX each worker reads
only its own rows, the global batch unchanged; otherwise the whole stream. Distributions are
stood in for here (the real two-process runs are in
tests/applications/test_recommender_workers.py)."""

import pytest
import tensorflow as tf

from benchmarks.make_criteo_like import write_criteo_like
from zoo.data.streaming import CriteoStream
from zoo.errors import ConfigError
from zoo.train.strategy import Distribution
from zoo.train.worker_input import check_streamable, worker_input

GLOBAL_BATCH = 64

# tf.data and stand-in strategies only: the same under every Keras backend (the real
# two-process runs in tests/applications/test_recommender_workers.py run on their backend).
pytestmark = pytest.mark.backend_independent


class TwoWorkerStrategy:
    """Calls the input function as `MultiWorkerMirroredStrategy` does on worker `index` of
    two workers with one replica each."""

    def __init__(self, index):
        self.index = index

    def distribute_datasets_from_function(self, make):
        return make(tf.distribute.InputContext(num_input_pipelines=2,
                                               input_pipeline_id=self.index,
                                               num_replicas_in_sync=2))  # fmt: skip


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    folder = tmp_path_factory.mktemp("log")
    for day in range(2):
        write_criteo_like(folder / f"day_{day}.txt", 301, seed=day)
    return CriteoStream.open(folder)


def _read(stream, distribution):
    """(batch sizes, {(file, line)} rows) that `distribution`'s process reads in one pass."""
    def make(batch_size, num_workers, worker_index):
        return stream.dataset(batch_size, num_workers=num_workers, worker_index=worker_index,
                              positions=True)  # fmt: skip

    shards = worker_input(distribution, make, GLOBAL_BATCH)
    # JAX's input is a Keras data adapter over this process's dataset
    dataset = getattr(shards.dataset, "get_tf_dataset", lambda: shards.dataset)()
    sizes, rows = [], set()
    for columns, _ in dataset.as_numpy_iterator():
        sizes.append(len(columns["line"]))
        rows |= set(zip(columns["file"].tolist(), columns["line"].tolist(), strict=True))
    return shards, sizes, rows


def _tensorflow_worker(index):
    return Distribution("multi_worker_mirrored", replicas=2, processes=2, process_index=index,
                        strategy=TwoWorkerStrategy(index))  # fmt: skip


def _jax_process(index):
    """Process `index` of 2 processes with 2 devices each."""
    return Distribution("data_parallel", replicas=4, processes=2, process_index=index)


@pytest.mark.parametrize("worker", [_tensorflow_worker, _jax_process])
def test_two_workers_read_disjoint_shards_whose_union_is_every_row(stream, worker):
    _, _, whole = _read(stream, Distribution("none"))
    assert len(whole) == 602
    seen = []
    for index in range(2):
        shards, sizes, rows = _read(stream, worker(index))
        assert (shards.workers, shards.index) == (2, index)
        assert shards.describe() == {"input_shards": 2, "input_shard": index}
        assert max(sizes) == GLOBAL_BATCH // 2  # each worker's share of the global batch
        # every worker takes the same steps, whatever its shard's size: 602 // 64
        assert shards.steps_per_epoch(602, GLOBAL_BATCH) == 9
        seen.append(rows)
    assert seen[0] and seen[1] and not seen[0] & seen[1]
    assert seen[0] | seen[1] == whole


@pytest.mark.parametrize("name, replicas", [("none", 1), ("mirrored", 2), ("data_parallel", 4)])
def test_other_distributions_read_the_whole_stream(stream, name, replicas):
    """One process: one stream that the strategy splits, an epoch ending where the stream
    ends."""
    distribution = Distribution(name, replicas=replicas)
    shards, sizes, rows = _read(stream, distribution)
    assert (shards.workers, max(sizes), len(rows)) == (1, GLOBAL_BATCH, 602)
    assert shards.steps_per_epoch(602, GLOBAL_BATCH) is None
    assert shards.describe() == {"input_shards": 1}


def test_a_stream_is_refused_where_processes_cannot_read_their_own_shards():
    check_streamable(Distribution("none"), "a corpus")
    check_streamable(Distribution("multi_worker_mirrored", processes=2), "a corpus")
    check_streamable(Distribution("data_parallel", replicas=2, processes=2), "a corpus")
    check_streamable(Distribution("model_parallel", replicas=2, processes=2), "a corpus")
    # one replica over two processes: both must be fed the same batch
    with pytest.raises(ConfigError, match="--strategy model_parallel over 2 processes with 1 "
                                          "replica.*: a corpus streamed is sharded .* lower "
                                          "--model-parallel-size .* add --in-memory"):  # fmt: skip
        check_streamable(Distribution("model_parallel", replicas=1, processes=2), "a corpus")
