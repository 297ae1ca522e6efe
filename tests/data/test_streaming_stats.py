"""The streaming vocabulary and statistics pass: the in-memory encoder's result, bounded memory."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from benchmarks.make_criteo_like import write_criteo_like
from tests.data.fake_files import write_criteo
from zoo.data.streaming import CriteoStream
from zoo.data.streaming_stats import StreamingFit, fit_streaming
from zoo.data.tabular import criteo_specs
from zoo.data.tabular_encoding import ColumnSpec, TabularEncoder
from zoo.data.tabular_files import read_criteo
from zoo.errors import ConfigError, DataSourceError

# tf.data and NumPy only: the same under every Keras backend.
pytestmark = pytest.mark.backend_independent

ROOT = Path(__file__).resolve().parents[2]


def _assert_same_encoder(streamed, reference):
    assert [s.name for s in streamed.specs] == [s.name for s in reference.specs]
    for spec in reference.specs:
        got, want = streamed.state[spec.name], reference.state[spec.name]
        if spec.kind == "dense":
            for key in ("mean", "std"):
                assert np.allclose(got[key], want[key], rtol=1e-10, equal_nan=True), spec.name
        else:
            assert got == want, spec.name
    assert [f.vocabulary_size for f in streamed.features if hasattr(f, "vocabulary_size")] == [
        f.vocabulary_size for f in reference.features if hasattr(f, "vocabulary_size")
    ]


def _specs(min_frequency):
    specs = criteo_specs(embedding_dim=4, min_frequency=min_frequency)
    specs[1] = ColumnSpec("I2", "dense")  # standardised, with I2's negative values
    specs[-1] = ColumnSpec("C26", "sparse", 4, hash_buckets=64)
    return specs


@pytest.mark.parametrize("min_frequency", [1, 3])
def test_vocabularies_and_statistics_equal_the_in_memory_encoder(tmp_path, min_frequency):
    path = write_criteo_like(tmp_path / "day_0.txt", 3000, seed=5, chunk=1024)
    columns = read_criteo(path)
    labels = columns.pop("label")
    reference = TabularEncoder.fit(_specs(min_frequency), columns)
    stream = CriteoStream.open(path)
    fit = fit_streaming(_specs(min_frequency), stream.dataset(512, block_rows=300))
    _assert_same_encoder(fit.encoder, reference)
    assert fit.rows == 3000 and fit.positives == int(labels.sum())
    assert len(reference.state["C3"]["vocabulary"]) > 20  # the comparison saw long tails


def test_training_split_vocabulary_equals_fitting_on_its_rows(tmp_path):
    path = write_criteo(tmp_path / "train.txt", rows=400, seed=2)
    stream = CriteoStream.open(path)
    train = stream.dataset(64, split="train", seed=3, positions=True)
    lines = np.concatenate([batch["line"] for batch, _ in train.as_numpy_iterator()])
    columns = read_criteo(path)
    rows = {k: v[lines - 1] for k, v in columns.items() if k != "label"}
    reference = TabularEncoder.fit(_specs(2), rows)
    fit = fit_streaming(_specs(2), stream.dataset(64, split="train", seed=3))
    _assert_same_encoder(fit.encoder, reference)
    assert fit.rows == len(lines) < 400


def test_streamed_encoder_saves_and_encodes_like_the_fitted_one(tmp_path):
    path = write_criteo(tmp_path / "train.txt", rows=200, seed=1)
    fit = fit_streaming(_specs(2), CriteoStream.open(path).dataset(50))
    fit.encoder.save(tmp_path / "run")
    loaded = TabularEncoder.load(tmp_path / "run")
    assert loaded.state == fit.encoder.state
    columns = read_criteo(path)
    labels = columns.pop("label")
    batch, _ = next(iter(loaded.dataset(columns, labels, batch_size=200)))
    assert int(batch["C1"].numpy().max()) == loaded.features[13].vocabulary_size - 1
    fit.save(tmp_path / "resumed")  # the counts with the encoder, as a run folder keeps them
    again = StreamingFit.load(tmp_path / "resumed")
    assert (again.rows, again.positives) == (fit.rows, fit.positives) == (200, fit.positives)
    assert again.encoder.state == fit.encoder.state
    with pytest.raises(DataSourceError, match="no streaming_counts.json"):
        StreamingFit.load(tmp_path / "run")


def test_bad_rows_become_one_error_naming_the_line(tmp_path):
    path = write_criteo(tmp_path / "train.txt", rows=30)
    lines = path.read_text().splitlines()
    fields = lines[6].split("\t")
    lines[6] = "\t".join(["1", "x", *fields[2:]])
    path.write_text("\n".join(lines) + "\n")
    stream = CriteoStream.open(path)
    with pytest.raises(DataSourceError, match=r"line 7 column 'I1' holds 'x', not a number"):
        fit_streaming(_specs(1), stream.dataset(8), stream=stream)
    with pytest.raises(DataSourceError, match=r"\(Field 1 in record 6 is not a valid double: x\)"):
        fit_streaming(_specs(1), stream.dataset(8))  # without the stream: tf's words
    lines[6] = "\t".join(["3", *fields[1:]])
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataSourceError, match=r"line 7 has label '3', not 0 or 1"):
        fit_streaming(_specs(1), stream.dataset(8), stream=stream)
    with pytest.raises(DataSourceError, match="line 7 has a label that is not 0 or 1"):
        fit_streaming(_specs(1), stream.dataset(8))  # without the stream: tf's message


def test_max_distinct_refuses_a_column_to_hash(tmp_path):
    path = write_criteo_like(tmp_path / "day_0.txt", 500, seed=1, chunk=512)
    with pytest.raises(DataSourceError, match="No column named 'user'; the streamed columns"):
        fit_streaming([ColumnSpec("user", "sparse")], CriteoStream.open(path).dataset(100))
    specs = [ColumnSpec("C9", "sparse"), ColumnSpec("C3", "sparse")]  # 3 and ~10^6 values
    with pytest.raises(ConfigError, match="column 'C3' has more than max_distinct=50"):
        fit_streaming(specs, CriteoStream.open(path).dataset(100), max_distinct=50)
    fit = fit_streaming(specs[:1], CriteoStream.open(path).dataset(100), max_distinct=50)
    assert len(fit.encoder.state["C9"]["vocabulary"]) == 3


_BOUNDED = """
import os, resource, sys
from zoo.data.streaming import CriteoStream
from zoo.data.streaming_stats import fit_streaming
from zoo.data.tabular import criteo_specs
from zoo.data.tabular_files import read_criteo

path, warm, mode, budget = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
specs = criteo_specs(min_frequency=2)
fit_streaming(specs, CriteoStream.open(warm).dataset(1024))  # threads and tracing first
size = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (size + budget, resource.RLIM_INFINITY))
if mode == "stream":
    fit = fit_streaming(specs, CriteoStream.open(path).dataset(1024))
    print("rows", fit.rows, len(fit.encoder.state["C3"]["vocabulary"]))
else:
    print("rows", len(read_criteo(path)["label"]))
"""


@pytest.fixture(scope="module")
def big_log(tmp_path_factory):
    """A ~60 MB generated log (250,000 rows) and a tiny one to warm up on."""
    folder = tmp_path_factory.mktemp("big")
    return (write_criteo_like(folder / "day_0.txt", 250_000, seed=0),
            write_criteo_like(folder / "warm" / "day_0.txt", 2000, seed=1))  # fmt: skip


@pytest.mark.slow  # a 60 MB file read twice in processes: half a minute
@pytest.mark.parametrize("mode", ["stream", "in_memory"])
def test_memory_stays_bounded_where_the_in_memory_reader_fails(big_log, mode):
    path, warm = big_log
    assert path.stat().st_size > 55e6
    budget = 300 << 20  # address space the process may add after warming up
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_BOUNDED), str(path), str(warm), mode,
         str(budget)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if mode == "stream":
        assert result.returncode == 0, result.stderr[-2000:]
        assert "rows 250000" in result.stdout
    else:
        assert result.returncode != 0 and "MemoryError" in result.stderr, result.stdout
