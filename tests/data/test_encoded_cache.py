"""The encoded-row cache of a streamed log: the same rows as the stream, mixed anew each
pass, written once (a resumed run reads it), nothing half-written ever read, room checked."""

import numpy as np
import pytest
import tensorflow as tf

from tests.data.fake_files import write_criteo
from zoo.data.encoded_cache import (
    PARTIAL,
    cached_training_rows,
    check_space,
    remove,
    write_once,
)
from zoo.data.streaming import CriteoStream
from zoo.data.streaming_encode import encode_stream
from zoo.data.streaming_stats import fit_streaming
from zoo.data.tabular import criteo_specs
from zoo.errors import ConfigError

# tf.data only: the same under every Keras backend.
pytestmark = pytest.mark.backend_independent


@pytest.fixture(scope="module")
def encoded(tmp_path_factory):
    """A 1,200-row Criteo log's encoded blocks of 64 rows."""
    log = write_criteo(tmp_path_factory.mktemp("log") / "train.txt", rows=1200)
    stream = CriteoStream.open(log)
    fit = fit_streaming(criteo_specs(min_frequency=2), stream.dataset(512), stream=stream)
    return encode_stream(fit.encoder, stream.dataset(64))


def _rows(dataset):
    """Each row as a tuple (label, then every feature), in the dataset's order."""
    rows = []
    for features, label in dataset.as_numpy_iterator():
        columns = [label.reshape(len(label), -1)]
        columns += [np.reshape(features[n], (len(label), -1)) for n in sorted(features)]
        rows += [tuple(r) for r in np.concatenate(columns, axis=1).tolist()]
    return rows


def test_passes_hold_the_stream_s_rows_mixed_anew(encoded, tmp_path):
    folder = tmp_path / "cache"
    cached = cached_training_rows(encoded, folder, batch_size=100, shuffle_rows=400,
                                  block_rows=64, seed=1)  # fmt: skip
    first, second = _rows(cached), _rows(cached)
    expected = _rows(encoded)
    assert sorted(first) == sorted(second) == sorted(expected) and len(expected) == 1200
    assert first != second and first != expected
    assert [len(b) for _, b in cached.as_numpy_iterator()][:-1] == [100] * 11


def test_written_once_and_read_by_a_resumed_run(encoded, tmp_path):
    folder = tmp_path / "cache"
    assert write_once(encoded, folder) > 0 and folder.is_dir()
    written = sorted(p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file())
    assert write_once(encoded, folder) == 0.0  # a resumed run reads what is there
    again = cached_training_rows(encoded, folder, batch_size=64, shuffle_rows=128,
                                 block_rows=64)  # fmt: skip
    assert len(_rows(again)) == 1200
    assert sorted(p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()) == written
    remove(folder)
    assert not folder.exists()


def test_a_pass_that_fails_leaves_nothing_read_and_is_cleared(encoded, tmp_path):
    folder = tmp_path / "cache"

    def failing():
        yield 1
        raise OSError("No space left on device")

    broken = tf.data.Dataset.from_generator(failing, output_signature=tf.TensorSpec((), tf.int32))
    with pytest.raises(Exception, match="No space left"):
        write_once(broken, folder)
    assert not folder.exists() and not list(tmp_path.glob(f"cache{PARTIAL}*"))
    killed = tmp_path / f"cache{PARTIAL}12345"  # what a killed pass leaves
    killed.mkdir()
    (killed / "shard-00.tfrecord").write_bytes(b"half")
    write_once(encoded, folder)
    assert folder.is_dir() and not killed.exists()


def test_a_cache_the_disk_cannot_hold_is_refused(tmp_path):
    check_space(tmp_path / "cache", rows=1000, bytes_per_row=160)
    with pytest.raises(ConfigError, match=r"--cache-encoded keeps about .* GB free; free some"):
        check_space(tmp_path / "cache", rows=10**15, bytes_per_row=160)
