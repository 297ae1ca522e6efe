"""Parquet tables streamed (`zoo.data.parquet_stream.ParquetStream`): the rows pyarrow holds,
nulls and list columns, only the asked columns, shards and splits, errors in one line."""

import numpy as np
import pytest

from tests.data.stream_batches import collect, positions
from zoo.data.parquet_stream import ParquetStream, is_parquet
from zoo.data.streaming_stats import fit_streaming
from zoo.data.tabular_encoding import ColumnSpec
from zoo.errors import DataSourceError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

pytestmark = pytest.mark.backend_independent


def _table(count, seed, label=None):
    rng = np.random.default_rng(seed)
    price = rng.normal(50, 20, count)
    return pa.table({
        "clicked": pa.array(label if label is not None else (rng.random(count) < 0.3),
                            pa.bool_() if label is None else pa.int64()),
        "user": pa.array(rng.integers(0, 40, count), pa.int64()),
        "price": pa.array(price, mask=np.arange(count) % 7 == 0),  # null every 7th row
        "tags": pa.array([list(rng.choice(["a", "b", "c"], rng.integers(0, 3)))
                          for _ in range(count)], pa.list_(pa.string())),
        "unused": pa.array(["x" * 50] * count),
    })  # fmt: skip


def _write(path, table, row_group_size=64):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=row_group_size)
    return path




def test_streamed_rows_equal_the_table(tmp_path):
    table = _table(300, seed=0)
    path = _write(tmp_path / "clicks.parquet", table)
    assert is_parquet(path) and is_parquet(tmp_path) and not is_parquet(tmp_path / "a.csv")
    stream = ParquetStream.open(path, label="clicked", numeric=["price"],
                                columns=["user", "price", "tags"])  # fmt: skip
    assert stream.columns == ("clicked", "user", "price", "tags")  # "unused" never read
    columns, labels = collect(stream.dataset(50, block_rows=40))
    assert labels.dtype == np.float32
    assert np.array_equal(labels, table["clicked"].to_numpy(zero_copy_only=False))
    price = table["price"].to_numpy(zero_copy_only=False).astype(np.float64)
    assert np.array_equal(columns["price"], price, equal_nan=True)
    assert np.isnan(columns["price"]).sum() == 43
    assert columns["user"].astype(str).tolist() == [str(u) for u in table["user"].to_pylist()]
    assert columns["tags"].astype(str).tolist() == ["|".join(t) for t in table["tags"].to_pylist()]
    assert sorted(columns) == ["price", "tags", "user"]


def test_a_partitioned_folder_shards_and_splits_cover_every_row(tmp_path):
    for day, seed in (("day=1", 1), ("day=2", 2)):
        _write(tmp_path / "log" / day / "part-0.parquet", _table(333, seed))
    (tmp_path / "log" / "_SUCCESS").write_text("")
    stream = ParquetStream.open(tmp_path / "log", label="clicked", numeric=["price"])
    assert len(stream.files) == 2
    whole = positions(stream.dataset(100, positions=True))
    assert whole == {(f, line) for f in range(2) for line in range(1, 334)}
    shards = [positions(stream.dataset(50, num_workers=2, worker_index=i, positions=True))
              for i in range(2)]  # fmt: skip
    assert not shards[0] & shards[1] and shards[0] | shards[1] == whole
    parts = [positions(stream.dataset(50, split=name, seed=4, positions=True))
             for name in ("train", "validation", "test")]  # fmt: skip
    assert set().union(*parts) == whole and sum(len(p) for p in parts) == 666
    assert 0.05 < len(parts[2]) / 666 < 0.15
    # the split follows each row's values, not its place: the same rows in another order
    # (another file layout) land in the same splits
    mixed = pa.concat_tables([pq.read_table(f) for f in stream.files])
    again = ParquetStream.open(_write(tmp_path / "one.parquet", mixed.take(
        np.arange(665, -1, -1)), row_group_size=100), label="clicked", numeric=["price"])
    test = collect(again.dataset(100, split="test", seed=4))[0]
    original = collect(stream.dataset(100, split="test", seed=4))[0]
    assert sorted(test["user"].tolist()) == sorted(original["user"].tolist())


def test_streamed_statistics_and_vocabularies(tmp_path):
    table = _table(400, seed=5)
    path = _write(tmp_path / "clicks.parquet", table)
    stream = ParquetStream.open(path, label="clicked", numeric=["price"])
    specs = [ColumnSpec("user", "sparse", min_frequency=12), ColumnSpec("price", "dense",
                                                                       transform="standardize")]
    fit = fit_streaming(specs, stream.dataset(64), stream=stream)
    price = table["price"].to_numpy(zero_copy_only=False).astype(np.float64)
    assert fit.rows == 400
    assert fit.encoder.state["price"]["mean"] == pytest.approx([np.nanmean(price)])
    counts = {str(u): n for u, n in zip(*np.unique(table["user"].to_numpy(), return_counts=True),
                                        strict=True)}  # fmt: skip
    assert set(fit.encoder.state["user"]["vocabulary"]) == {u for u, n in counts.items()
                                                             if n >= 12}  # fmt: skip


def test_errors_are_one_line(tmp_path):
    path = _write(tmp_path / "a.parquet", _table(20, seed=6))
    with pytest.raises(DataSourceError, match="has no column 'click'; its columns are"):
        ParquetStream.open(path, label="click")
    with pytest.raises(DataSourceError, match="column 'tags' .* holds list<.*, not numbers"):
        ParquetStream.open(path, label="clicked", numeric=["tags"])
    with pytest.raises(DataSourceError, match="no such file, folder or pattern"):
        ParquetStream.open(tmp_path / "missing*.parquet", label="clicked")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DataSourceError, match="broken.parquet cannot be read"):
        ParquetStream.open(tmp_path / "broken.parquet", label="clicked")
    bad = _write(tmp_path / "bad.parquet", _table(20, seed=7, label=[0] * 11 + [3] + [1] * 8))
    stream = ParquetStream.open(bad, label="clicked")
    with pytest.raises(DataSourceError, match=f"Parquet: {bad}, line 12 has a label that is "
                                              "not 0 or 1; fix or drop the row."):  # fmt: skip
        fit_streaming([ColumnSpec("user", "sparse")], stream.dataset(8), stream=stream)


def test_rows_are_numbered_where_pyarrow_cuts_batches_short(tmp_path):
    """A dictionary column (pandas' category) makes pyarrow end a batch at each row group's
    end: row numbers still count every row of the file."""
    table = pa.table({"clicked": pa.array([i % 2 for i in range(25)], pa.int64()),
                      "site": pa.array([f"s{i}" for i in range(25)]).dictionary_encode()})
    path = _write(tmp_path / "dictionary.parquet", table, row_group_size=7)
    stream = ParquetStream.open(path, label="clicked")
    columns, _ = collect(stream.dataset(5, positions=True))
    assert columns["line"].tolist() == list(range(1, 26))
    assert columns["site"].astype(str).tolist() == [f"s{i}" for i in range(25)]


def test_null_items_infinities_and_lists(tmp_path):
    table = pa.table({"clicked": pa.array([0, 1, 0, 1], pa.int64()),
                      "tags": pa.array([["a", None], None, [], ["b"]], pa.list_(pa.string())),
                      "price": pa.array([1.0, 2.0, float("inf"), 3.0])})  # fmt: skip
    path = _write(tmp_path / "odd.parquet", table)
    tags = ParquetStream.open(path, label="clicked", columns=["tags"])  # price not read
    columns, _ = collect(tags.dataset(4))
    assert columns["tags"].astype(str).tolist() == ["a|", "", "", "b"]  # a null item: empty
    stream = ParquetStream.open(path, label="clicked", numeric=["price"], columns=["tags"])
    with pytest.raises(DataSourceError, match=f"Parquet: {path}, line 3 column 'price' holds "
                                              "inf, not a finite number; fix or drop the row."):
        fit_streaming([ColumnSpec("tags", "sequence")], stream.dataset(4), stream=stream)
