"""zoo.train.worker_input: under multi_worker_mirrored each worker reads only its own rows,
the global batch unchanged; otherwise the whole stream. Distributions are stood in for here
(the real two-process run is in tests/applications/test_recommender_workers.py)."""

import pytest
import tensorflow as tf

from benchmarks.make_criteo_like import write_criteo_like
from zoo.data.streaming import CriteoStream
from zoo.errors import ConfigError
from zoo.train.strategy import Distribution
from zoo.train.worker_input import check_streamable, worker_input

GLOBAL_BATCH = 64


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
    sizes, rows = [], set()
    for columns, _ in shards.dataset.as_numpy_iterator():
        sizes.append(len(columns["line"]))
        rows |= set(zip(columns["file"].tolist(), columns["line"].tolist(), strict=True))
    return shards, sizes, rows


def test_two_workers_read_disjoint_shards_whose_union_is_every_row(stream):
    _, _, whole = _read(stream, Distribution("none"))
    assert len(whole) == 602
    seen = []
    for index in range(2):
        distribution = Distribution("multi_worker_mirrored", replicas=2, processes=2,
                                    process_index=index, strategy=TwoWorkerStrategy(index))
        shards, sizes, rows = _read(stream, distribution)
        assert (shards.workers, shards.index) == (2, index)
        assert shards.describe() == {"input_shards": 2, "input_shard": index}
        assert max(sizes) == GLOBAL_BATCH // 2  # each worker's share of the global batch
        # every worker takes the same steps, whatever its shard's size: 602 // 64
        assert shards.steps_per_epoch(602, GLOBAL_BATCH) == 9
        seen.append(rows)
    assert seen[0] and seen[1] and not seen[0] & seen[1]
    assert seen[0] | seen[1] == whole


@pytest.mark.parametrize("name, processes", [("none", 1), ("mirrored", 1),
                                              ("data_parallel", 2)])  # fmt: skip
def test_other_distributions_read_the_whole_stream(stream, name, processes):
    """One process, or JAX's processes: one stream that the strategy splits, an epoch
    ending where the stream ends."""
    distribution = Distribution(name, processes=processes)
    shards, sizes, rows = _read(stream, distribution)
    assert (shards.workers, max(sizes), len(rows)) == (1, GLOBAL_BATCH, 602)
    assert shards.steps_per_epoch(602, GLOBAL_BATCH) is None
    assert shards.describe() == {"input_shards": 1}


def test_a_stream_is_refused_where_processes_cannot_read_their_own_shards():
    check_streamable(Distribution("none"), "a corpus")
    check_streamable(Distribution("multi_worker_mirrored", processes=2), "a corpus")
    with pytest.raises(ConfigError, match="--strategy data_parallel over 2 processes: a corpus "
                                          "streamed is sharded .* add --in-memory"):
        check_streamable(Distribution("data_parallel", processes=2), "a corpus")
