"""The streaming Criteo reader: same rows as the in-memory reader, sharding, splits, errors."""

from pathlib import Path

import numpy as np
import pytest

from benchmarks.make_criteo_like import write_criteo_like
from tests.data.fake_files import write_criteo
from tests.data.stream_batches import collect, positions
from zoo.data.streaming import CriteoStream
from zoo.data.tabular_files import CRITEO_COLUMNS, read_criteo
from zoo.errors import ConfigError, DataSourceError

# tf.data and NumPy only: the same under every Keras backend (test_streaming_encode.py trains
# from the stream on each).
pytestmark = pytest.mark.backend_independent




@pytest.fixture(scope="module")
def log(tmp_path_factory):
    """A generated Criteo-format log of 1,500 rows, plain and gzip."""
    folder = tmp_path_factory.mktemp("criteo")
    plain = write_criteo_like(folder / "day_0.txt", 1500, seed=3, chunk=1024)
    packed = write_criteo_like(folder / "gz" / "day_0.txt.gz", 1500, seed=3, chunk=1024)
    return plain, packed


@pytest.mark.parametrize("writer", ["fake_files", "generated"])
def test_streamed_rows_equal_read_criteo(tmp_path, log, writer):
    path = write_criteo(tmp_path / "train.txt", rows=257) if writer == "fake_files" else log[0]
    reference = read_criteo(path)
    columns, labels = collect(CriteoStream.open(path).dataset(100, block_rows=64))
    assert labels.dtype == np.float32 and np.array_equal(labels, reference["label"])
    for name in CRITEO_COLUMNS[1:14]:
        assert columns[name].dtype == np.float64
        assert np.array_equal(columns[name], reference[name], equal_nan=True), name
    for name in CRITEO_COLUMNS[14:]:
        assert (columns[name].astype(str) == reference[name]).all(), name
    assert sorted(columns) == sorted(CRITEO_COLUMNS[1:])


def test_batches_have_the_asked_size_across_files(log):
    stream = CriteoStream.open([log[0], log[1]])
    sizes = [len(label) for _, label in stream.dataset(256, block_rows=100)]
    assert sizes[:-1] == [256] * (len(sizes) - 1) and sum(sizes) == 3000
    sizes = [len(label) for _, label in stream.dataset(256, drop_remainder=True)]
    assert set(sizes) == {256} and len(sizes) == 3000 // 256


def test_gzip_equals_plain(log):
    plain, _ = collect(CriteoStream.open(log[0]).dataset(512))
    packed, labels = collect(CriteoStream.open(log[1]).dataset(512))
    assert len(labels) == 1500
    for name in plain:
        assert np.array_equal(plain[name], packed[name], equal_nan=name.startswith("I")), name


def test_generated_log_is_deterministic_prefix_and_click_rate(tmp_path, log):
    again = write_criteo_like(tmp_path / "again.txt", 1500, seed=3, chunk=1024)
    assert again.read_bytes() == log[0].read_bytes()
    shorter = write_criteo_like(tmp_path / "short.txt", 700, seed=3, chunk=1024)
    assert log[0].read_bytes().startswith(shorter.read_bytes())
    other = write_criteo_like(tmp_path / "other.txt", 1500, seed=4, chunk=1024)
    assert other.read_bytes() != log[0].read_bytes()
    columns = read_criteo(log[0])
    assert 0.18 < columns["label"].mean() < 0.32
    assert np.isnan(columns["I12"]).mean() > 0.6 and not np.isnan(columns["I2"]).any()
    assert len(set(columns["C9"]) - {""}) <= 3 < len(set(columns["C3"]))


@pytest.mark.parametrize("shard_by", ["rows", "files"])
def test_shards_are_disjoint_and_cover_every_row(tmp_path, shard_by):
    paths = [write_criteo_like(tmp_path / f"day_{i}.txt", 300 + 50 * i, seed=i, chunk=512)
             for i in range(3)]  # fmt: skip
    stream = CriteoStream.open(tmp_path)
    assert stream.files == tuple(str(p) for p in paths)
    whole = positions(stream.dataset(128, positions=True))
    assert len(whole) == 300 + 350 + 400
    workers = 2 if shard_by == "files" else 3
    shards = [positions(stream.dataset(128, num_workers=workers, worker_index=i,
                                        shard_by=shard_by, positions=True))
              for i in range(workers)]  # fmt: skip
    assert all(shards) and set().union(*shards) == whole
    assert sum(len(s) for s in shards) == len(whole)  # disjoint
    if shard_by == "rows":  # even: within one row per file
        assert max(len(s) for s in shards) - min(len(s) for s in shards) <= 3


def test_splits_are_disjoint_cover_the_file_and_follow_the_seed(log):
    stream = CriteoStream.open(log[0])

    def split(name, seed, batch=200):
        return positions(stream.dataset(batch, split=name, seed=seed, fractions=(0.2, 0.1),
                                         positions=True))  # fmt: skip

    parts = {name: split(name, 7) for name in ("train", "validation", "test")}
    assert set().union(*parts.values()) == {(0, line) for line in range(1, 1501)}
    assert sum(len(p) for p in parts.values()) == 1500
    assert 0.15 < len(parts["validation"]) / 1500 < 0.25 and 0.06 < len(parts["test"]) / 1500 < 0.14
    assert split("validation", 7, batch=77) == parts["validation"]  # batching does not matter
    assert split("validation", 8) != parts["validation"]
    # By row content: the same rows in reverse order (other line numbers) split alike.
    lines = log[0].read_text().splitlines(keepends=True)
    reverse = log[0].parent / "reverse" / "day_0.txt"
    reverse.parent.mkdir(exist_ok=True)
    reverse.write_text("".join(reversed(lines)))
    test = CriteoStream.open(reverse).dataset(64, split="test", seed=7, fractions=(0.2, 0.1),
                                              positions=True)  # fmt: skip
    assert {(0, 1501 - line) for _, line in positions(test)} == parts["test"]


@pytest.mark.parametrize("max_rows", [1, 99, 100, 101, 1550, 5000])
def test_max_rows_reads_the_first_rows_before_splitting(log, max_rows):
    stream = CriteoStream.open([log[0], log[1]])  # 1,500 rows each, read one after the other
    first = {(i // 1500, i % 1500 + 1) for i in range(min(max_rows, 3000))}
    assert positions(stream.dataset(100, positions=True, max_rows=max_rows)) == first
    assert positions(stream.dataset(64, positions=True, max_rows=max_rows,
                                     shuffle_buffer=50)) == first  # fmt: skip
    parts = [positions(stream.dataset(64, split=name, positions=True, max_rows=max_rows))
             for name in ("train", "validation", "test")]  # fmt: skip
    assert set().union(*parts) == first and sum(len(p) for p in parts) == len(first)


def test_shuffled_stream_holds_the_same_rows(log):
    stream = CriteoStream.open([log[0], log[1]])
    columns, _ = collect(stream.dataset(100, shuffle_buffer=500, seed=1, positions=True))
    order = list(zip(columns["file"].tolist(), columns["line"].tolist(), strict=True))
    assert sorted(order) == sorted(positions(stream.dataset(100, positions=True)))
    assert order != sorted(order)


def test_shuffled_batches_draw_their_rows_from_many_blocks(log):
    """Blocks of 100 rows, a buffer of 1,000 rows: a batch mixes rows of the buffer's blocks
    (the mixing permutes windows of blocks; it never passes rows one at a time)."""
    stream = CriteoStream.open(log[0])
    data = stream.dataset(100, shuffle_buffer=1000, seed=1, positions=True)
    columns, _ = next(data.as_numpy_iterator())
    assert len({(line - 1) // 100 for line in columns["line"].tolist()}) >= 5


def test_sources_and_arguments_are_checked(tmp_path, log):
    with pytest.raises(DataSourceError, match="holds no train.txt, day_0 ... file, nor any"):
        CriteoStream.open(tmp_path)
    with pytest.raises(DataSourceError, match="no such file, folder or pattern"):
        CriteoStream.open(tmp_path / "missing*.txt")
    assert CriteoStream.open(str(log[0].parent / "*.txt")).files == (str(log[0]),)
    for name in ("readme.txt", "test.txt", "train.txt"):  # Kaggle's folder: train.txt only
        (tmp_path / "kaggle" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "kaggle" / name).write_text("")
    assert CriteoStream.open(tmp_path / "kaggle").files == (str(tmp_path / "kaggle/train.txt"),)
    for name in ("day_10.gz", "day_2.gz", "day_0", "notes.txt"):  # the 1TB release, in day order
        (tmp_path / "days" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "days" / name).write_text("")
    days = CriteoStream.open(tmp_path / "days").files
    assert [Path(f).name for f in days] == ["day_0", "day_2.gz", "day_10.gz"]
    stream = CriteoStream.open(log[0])
    with pytest.raises(ConfigError, match="shard_by='files' needs at least one file per worker"):
        stream.dataset(8, num_workers=2, shard_by="files")
    with pytest.raises(ConfigError, match="worker_index=2 must be in 0..1"):
        stream.dataset(8, num_workers=2, worker_index=2)
    with pytest.raises(ConfigError, match="split='dev' is not supported"):
        stream.dataset(8, split="dev")
    with pytest.raises(ConfigError, match="leave no training rows"):
        stream.dataset(8, split="train", fractions=(0.5, 0.5))


def test_bad_row_is_found_and_named(tmp_path):
    path = write_criteo(tmp_path / "train.txt", rows=30)
    lines = path.read_text().splitlines()
    assert CriteoStream.open(path).bad_row() is None
    lines[11] = "\t".join(["2", *lines[11].split("\t")[1:]])
    path.write_text("\n".join(lines) + "\n")
    assert CriteoStream.open(path).bad_row() == (
        f"Criteo: {path}, line 12 has label '2', not 0 or 1; fix or drop the row."
    )
    lines[4] = "1\t2\t3"
    path.write_text("\n".join(lines) + "\n")
    assert "line 5 has 3 tab-separated fields, not 40" in CriteoStream.open(path).bad_row()


def test_a_split_by_files_takes_whole_files_in_their_order(tmp_path):
    for day in range(5):
        write_criteo_like(tmp_path / "days" / f"day_{day}.gz", 40 + day, seed=day)
    stream = CriteoStream.open(tmp_path / "days")
    assert {k: v.tolist() for k, v in stream.file_splits((0.2, 0.2)).items()} == {
        "train": [0, 1, 2], "validation": [3], "test": [4]}
    for name, files in (("train", [0, 1, 2]), ("validation", [3]), ("test", [4])):
        rows = positions(stream.dataset(16, split=name, split_by="files", fractions=(0.2, 0.2),
                                         positions=True))  # fmt: skip
        assert rows == {(f, line) for f in files for line in range(1, 41 + f)}, name
    # sharded by rows within the split's files; no test share: every later file trains
    shard = positions(stream.dataset(16, split="train", split_by="files", fractions=(0.2, 0),
                                      num_workers=2, worker_index=1, positions=True))
    assert {f for f, _ in shard} == {0, 1, 2, 3} and all(line % 2 == 0 for _, line in shard)
    assert stream.file_splits((0.01, 0.01))["test"].tolist() == [4]  # at least one file
    with pytest.raises(ConfigError, match="needs a training file beside 1 validation and 1 test"):
        CriteoStream.open([stream.files[0], stream.files[1]]).file_splits((0.1, 0.1))


def test_a_truncated_gzip_file_is_refused_not_read_short(log, tmp_path):
    """TensorFlow's gzip reader stops without an error at a cut: the counting pass's own
    check names the file, whether the cut falls between rows or inside one."""
    import zlib

    from zoo.data.gzip_check import gzip_problem
    from zoo.data.streaming_stats import fit_streaming
    from zoo.data.tabular import criteo_specs

    lines = log[0].read_bytes().splitlines(keepends=True)
    packer = zlib.compressobj(wbits=31)
    between_rows = tmp_path / "day_1.gz"  # 1,000 whole rows, then no end of stream
    between_rows.write_bytes(packer.compress(b"".join(lines[:1000]))
                             + packer.flush(zlib.Z_FULL_FLUSH))  # fmt: skip
    whole = log[1].read_bytes()
    inside_a_row = tmp_path / "day_2.gz"
    inside_a_row.write_bytes(whole[: len(whole) * 2 // 3])
    assert gzip_problem(log[1]) is None
    _, labels = collect(CriteoStream.open(between_rows).dataset(512))
    assert len(labels) == 1000  # what tf.data alone makes of it: fewer rows, no error
    for cut in (between_rows, inside_a_row):
        assert "truncated" in gzip_problem(cut)
        stream = CriteoStream.open([log[1], cut])
        with pytest.raises(DataSourceError, match=rf"{cut.name} is truncated: .* re-copy"):
            fit_streaming(criteo_specs(), stream.dataset(512), stream=stream)
