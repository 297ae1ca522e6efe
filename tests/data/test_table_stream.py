"""CSV/TSV tables streamed (`zoo.data.streaming.TableStream`): the rows `read_table` reads,
header and delimiter handling, shards and splits over several files, errors in one line."""

import gzip
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tests.data.stream_batches import collect, positions
from zoo.data.streaming import TableStream
from zoo.data.streaming_stats import fit_streaming
from zoo.data.tabular_encoding import ColumnSpec
from zoo.data.tabular_files import read_table
from zoo.errors import DataSourceError

pytestmark = pytest.mark.backend_independent

HEADER = "clicked,price,city,tags"


def _rows(count, seed, delimiter=","):
    """Lines of a 0/1 label, a number (missing every 7th row: "", NA or null), a city (in
    CSV some quoted,
    with a comma inside) and "|"-joined tags."""
    rng = np.random.default_rng(seed)
    cities = ["Oslo", "Paris, FR", "Lima", "Rome, IT", ""]
    lines = []
    for i in range(count):
        price = ("", "NA", "null")[i % 3] if i % 7 == 0 else f"{rng.normal(50, 20):.3f}"
        tags = "|".join(rng.choice(["a", "b", "c"], size=rng.integers(1, 3)))
        city = str(rng.choice(cities))
        city = f'"{city}"' if "," in city and delimiter == "," else city
        lines.append(delimiter.join([str(int(rng.random() < 0.3)), price, city, tags]))
    return lines


def _write(path, lines, header=HEADER):
    text = "\n".join([header, *lines]) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path




def test_streamed_rows_equal_read_table(tmp_path):
    path = _write(tmp_path / "clicks.csv", _rows(300, seed=0))
    reference = read_table(path, numeric=("clicked", "price"))
    stream = TableStream.open(path, label="clicked", numeric=["price"])
    columns, labels = collect(stream.dataset(64, block_rows=50))
    assert labels.dtype == np.float32 and np.array_equal(labels, reference["clicked"])
    assert columns["price"].dtype == np.float64
    assert np.array_equal(columns["price"], reference["price"], equal_nan=True)
    assert np.isnan(columns["price"]).sum() == 43  # every 7th row's is missing
    for name in ("city", "tags"):
        assert (columns[name].astype(str) == reference[name]).all(), name
    assert "Paris, FR" in set(columns["city"].astype(str))  # quoted commas stay in the field
    assert sorted(columns) == ["city", "price", "tags"]


def test_tsv_gzip_and_several_files(tmp_path):
    tsv = _rows(120, seed=1, delimiter="\t")
    header = HEADER.replace(",", "\t")
    files = [_write(tmp_path / "tsv" / "a.tsv", tsv[:50], header),
             _write(tmp_path / "tsv" / "b.tsv.gz", tsv[50:], header)]  # fmt: skip
    stream = TableStream.open(tmp_path / "tsv", label="clicked")
    assert stream.files == tuple(str(f) for f in files) and stream.format.delimiter == "\t"
    columns, labels = collect(stream.dataset(32, positions=True))
    assert len(labels) == 120 and columns["price"].dtype == object  # not named numeric
    # line numbers count the header: each file's rows are its lines 2, 3, ...
    assert positions(stream.dataset(32, positions=True)) == (
        {(0, line) for line in range(2, 52)} | {(1, line) for line in range(2, 72)})
    # a tab-separated header in a .txt file is recognised by its tabs
    txt = _write(tmp_path / "clicks.txt.tsv", tsv[:10], header)
    assert TableStream.open(txt, label="clicked").format.delimiter == "\t"


def test_shards_and_splits_are_disjoint_and_cover_every_row(tmp_path):
    for name, seed in (("a.csv", 2), ("b.csv.gz", 3)):
        _write(tmp_path / "log" / name, _rows(333, seed))
    stream = TableStream.open(tmp_path / "log", label="clicked", numeric=["price"])
    whole = positions(stream.dataset(100, positions=True))
    assert len(whole) == 666
    shards = [positions(stream.dataset(50, num_workers=2, worker_index=i, positions=True))
              for i in range(2)]  # fmt: skip
    assert not shards[0] & shards[1] and shards[0] | shards[1] == whole
    assert abs(len(shards[0]) - len(shards[1])) <= 2
    parts = [positions(stream.dataset(50, split=name, seed=4, positions=True))
             for name in ("train", "validation", "test")]  # fmt: skip
    assert set().union(*parts) == whole and sum(len(p) for p in parts) == 666


def test_streamed_vocabulary_equals_the_in_memory_encoders(tmp_path):
    from zoo.data.tabular_encoding import TabularEncoder

    path = _write(tmp_path / "clicks.csv", _rows(400, seed=5))
    specs = [ColumnSpec("city", "sparse", min_frequency=2),
             ColumnSpec("tags", "sequence", min_frequency=2),
             ColumnSpec("price", "dense")]  # fmt: skip
    stream = TableStream.open(path, label="clicked", numeric=["price"])
    fit = fit_streaming(specs, stream.dataset(64), stream=stream)
    table = read_table(path, numeric=("clicked", "price"))
    expected = TabularEncoder.fit(specs, table)
    assert fit.rows == 400
    for name in ("city", "tags"):
        assert fit.encoder.state[name] == expected.state[name], name
    for key in ("mean", "std"):
        assert fit.encoder.state["price"][key] == pytest.approx(expected.state["price"][key])


def test_headers_and_columns_are_checked(tmp_path):
    good = _write(tmp_path / "a.csv", _rows(5, seed=6))
    other = _write(tmp_path / "b.csv", _rows(5, seed=6), header="clicked,price,town,tags")
    with pytest.raises(DataSourceError, match="b.csv's header differs from .*a.csv's"):
        TableStream.open([good, other], label="clicked")
    with pytest.raises(DataSourceError, match="has no column 'click'; its columns are "
                                              r"\['clicked', 'price', 'city', 'tags'\]"):
        TableStream.open(good, label="click")
    with pytest.raises(DataSourceError, match="no such file, folder or pattern"):
        TableStream.open(tmp_path / "missing*.csv", label="clicked")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataSourceError, match="holds no .csv, .tsv"):
        TableStream.open(tmp_path / "empty", label="clicked")
    doubled = _write(tmp_path / "doubled.csv", [], header="a,a,b")
    with pytest.raises(DataSourceError, match="needs a header line of distinct column names"):
        TableStream.open(doubled, label="a")


def test_a_bad_row_is_one_error_naming_file_line_and_field(tmp_path):
    lines = _rows(40, seed=7)
    lines[9] = "2,1.5,Oslo,a"  # the file's line 11 (after the header)
    path = _write(tmp_path / "bad.csv", lines)
    stream = TableStream.open(path, label="clicked", numeric=["price"])
    expected = f"CSV: {path}, line 11 has label '2', not 0 or 1; fix or drop the row."
    assert stream.bad_row() == expected
    with pytest.raises(DataSourceError) as error:
        fit_streaming([ColumnSpec("city", "sparse")], stream.dataset(16), stream=stream)
    assert str(error.value) == expected
    lines[9] = "1,cheap,Oslo,a"
    path = _write(tmp_path / "bad.csv", lines)
    assert "line 11 column 'price' holds 'cheap', not a number" in stream.bad_row()
    with pytest.raises(DataSourceError, match="line 11 column 'price' holds 'cheap'"):
        fit_streaming([ColumnSpec("city", "sparse")], stream.dataset(16), stream=stream)
    lines[9] = '1,2.0,"Oslo, NO",a,extra'
    path = _write(tmp_path / "bad.csv", lines)
    assert "line 11 has 5 ','-separated fields, not 4 (clicked, price, city, tags)" in (
        stream.bad_row())
    with pytest.raises(tf.errors.InvalidArgumentError):
        list(stream.dataset(16).as_numpy_iterator())


def test_what_the_in_memory_reader_accepts_streams_alike(tmp_path):
    """Blank lines, spaces around header names, quotes inside a TSV field: read as
    `read_table` reads them."""
    csv_path = tmp_path / "spaced.csv"
    csv_path.write_text("clicked, price , city\n1,2.5,Oslo\n\n0,,Lima\n\n")
    stream = TableStream.open(csv_path, label="clicked", numeric=["price"])
    columns, labels = collect(stream.dataset(8, positions=True))
    assert labels.tolist() == [1, 0] and columns["line"].tolist() == [2, 4]
    assert stream.bad_row() is None
    tsv_path = tmp_path / "quoted.tsv"
    tsv_path.write_text('clicked\tsaid\n1\tHe said "hi"\n0\t5" tall\n')
    columns, _ = collect(TableStream.open(tsv_path, label="clicked").dataset(8))
    reference = read_table(tsv_path)
    assert columns["said"].astype(str).tolist() == reference["said"].tolist()
    # (a TSV field quoted whole keeps its quotes when streamed: tabs are never quoted)


def test_an_infinite_number_is_one_error_naming_its_line(tmp_path):
    path = _write(tmp_path / "inf.csv", ["1,2.0,Oslo,a", "0,inf,Lima,b", "1,3.0,Oslo,c"])
    stream = TableStream.open(path, label="clicked", numeric=["price"])
    expected = (f"CSV: {path}, line 3 column 'price' holds 'inf', not a finite number; fix or "
                "drop the row.")  # fmt: skip
    assert stream.bad_row() == expected
    with pytest.raises(DataSourceError) as error:
        fit_streaming([ColumnSpec("price", "dense")], stream.dataset(8), stream=stream)
    assert str(error.value) == expected


def test_files_are_taken_in_the_order_of_the_numbers_in_their_names(tmp_path):
    for day in (0, 1, 2, 10, 11):
        _write(tmp_path / "days" / f"day_{day}.csv", _rows(3, seed=day))
    names = [Path(f).name for f in TableStream.open(tmp_path / "days", label="clicked").files]
    assert names == ["day_0.csv", "day_1.csv", "day_2.csv", "day_10.csv", "day_11.csv"]
    pattern = TableStream.open(str(tmp_path / "days" / "day_*.csv"), label="clicked")
    assert [Path(f).name for f in pattern.files] == names
