"""The streamed pretraining corpus: the same rows as the in-memory packer, splits and shards
that are disjoint and cover the corpus, samples and estimates, errors, bounded memory."""

import collections
import gzip
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.helpers import REPO_ROOT
from zoo.data import corpus_sample
from zoo.data.bert_inputs import pack_documents
from zoo.data.corpus_files import read_lines
from zoo.data.corpus_stream import PASSAGE_LINES, CorpusStream, read_errors
from zoo.data.packing import RowPacker
from zoo.data.text_files import read_corpus
from zoo.data.tokenizer import SPECIAL_TOKENS, WordPieceTokenizer
from zoo.errors import ConfigError, DataSourceError

WORDS = [f"w{i}" for i in range(40)]


def _write_corpus(folder, files=3, documents=12, seed=0):
    """Files of documents (blank lines between them) of lines of 1-30 words."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(files):
        documents_text = []
        for _ in range(documents):
            lines = [" ".join(rng.choice(WORDS, rng.integers(1, 31)))
                     for _ in range(rng.integers(1, 40))]  # fmt: skip
            documents_text.append("\n".join(lines))
        path = folder / f"part-{index}.txt"
        path.write_text("\n\n".join(documents_text) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def tokenizer():
    return WordPieceTokenizer([*SPECIAL_TOKENS, *WORDS])


def _rows(dataset):
    return [tuple(row) for row in dataset.as_numpy_iterator()]


def _tokens(rows, tokenizer):
    """The multiset of the rows' word tokens (specials and padding left out)."""
    specials = set(tokenizer.special_ids.values())
    return collections.Counter(int(t) for row in rows for t in row if t not in specials)


def test_packer_fills_rows_and_never_joins_documents():
    packer = RowPacker(sequence_length=6, cls_id=2, sep_id=3, pad_id=0)
    assert [r.tolist() for r in packer.add([7, 8])] == []
    assert [r.tolist() for r in packer.add([9, 10, 11])] == [[2, 7, 8, 9, 10, 3]]
    assert [r.tolist() for r in packer.end_document()] == [[2, 11, 3, 0, 0, 0]]
    assert packer.end_document() == []
    with pytest.raises(ConfigError, match="sequence_length=2 leaves no room"):
        RowPacker(2, 2, 3, 0)


def test_streamed_rows_equal_the_in_memory_packing(corpus, tokenizer):
    streamed = _rows(CorpusStream.open(corpus).rows(tokenizer, 12, validation_fraction=0))
    packed = pack_documents(read_corpus(corpus), tokenizer, 12)
    assert len(packed) > 100
    assert sorted(streamed) == sorted(map(tuple, packed))


def test_folder_glob_and_gzip_sources(corpus, tokenizer, tmp_path):
    folder = corpus[0].parent
    assert CorpusStream.open(folder).files == tuple(corpus)
    assert CorpusStream.open(str(folder / "part-*.txt")).files == tuple(corpus)
    zipped = tmp_path / "part-0.txt.gz"
    zipped.write_bytes(gzip.compress(corpus[0].read_bytes()))
    plain = CorpusStream.open(corpus[0]).rows(tokenizer, 12, validation_fraction=0)
    packed = CorpusStream.open(tmp_path).rows(tokenizer, 12, validation_fraction=0)
    assert _rows(packed) == _rows(plain)


def test_validation_split_is_disjoint_covers_the_corpus_and_follows_the_seed(corpus, tokenizer):
    stream = CorpusStream.open(corpus)
    every = _tokens(_rows(stream.rows(tokenizer, 12, validation_fraction=0)), tokenizer)
    splits = {split: _rows(stream.rows(tokenizer, 12, split=split, validation_fraction=0.2))
              for split in ("train", "validation")}  # fmt: skip
    assert _tokens(splits["train"], tokenizer) + _tokens(splits["validation"], tokenizer) == every
    share = len(splits["validation"]) / (len(splits["train"]) + len(splits["validation"]))
    assert 0.08 < share < 0.35, share
    again = _rows(stream.rows(tokenizer, 12, split="validation", validation_fraction=0.2))
    other = _rows(stream.rows(tokenizer, 12, split="validation", validation_fraction=0.2, seed=1))
    assert again == splits["validation"] and other != splits["validation"]
    assert stream.has_rows(tokenizer, 12, split="validation", validation_fraction=0.2)


@pytest.mark.parametrize("workers", [2, 3])
def test_worker_shards_are_disjoint_and_cover_the_split(corpus, tokenizer, workers):
    stream = CorpusStream.open(corpus)
    whole = _tokens(_rows(stream.rows(tokenizer, 12)), tokenizer)
    shards = [_rows(stream.rows(tokenizer, 12, num_workers=workers, worker_index=index))
              for index in range(workers)]  # fmt: skip
    assert sum((_tokens(shard, tokenizer) for shard in shards), collections.Counter()) == whole
    assert all(len(shard) > 20 for shard in shards)


def test_shuffled_stream_holds_the_same_rows_in_another_order(corpus, tokenizer):
    stream = CorpusStream.open(corpus)
    ordered = _rows(stream.rows(tokenizer, 12))
    shuffled = _rows(stream.rows(tokenizer, 12, shuffle_rows=64, files_in_flight=2))
    assert sorted(shuffled) == sorted(ordered) and shuffled != ordered


def test_sample_reads_evenly_spaced_windows_and_small_files_once(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_sample, "WINDOW_BYTES", 4096)  # many windows of a small file
    paths = _write_corpus(tmp_path / "big", files=2, documents=400)
    size = sum(p.stat().st_size for p in paths)
    sample = CorpusStream.open(paths).sample(size // 4)
    assert sample.corpus_bytes == size
    assert 0.2 * size < sample.sample_bytes < 0.3 * size
    sampled = set(sample.lines)
    for path in paths:
        lines = [line for line in read_corpus([path]) if line and len(line.split()) > 12]
        thirds = (lines[: len(lines) // 3], lines[len(lines) // 3 : -len(lines) // 3],
                  lines[-len(lines) // 3 :])  # fmt: skip
        assert all(sampled & set(third) for third in thirds)  # head, middle and tail
    whole = CorpusStream.open(paths[0]).sample(10 * size)  # more than the file: read once
    assert [line for line in whole.lines if line] == [line for line in read_corpus(paths[:1])
                                                       if line]  # fmt: skip


def test_estimate_and_gzip_size(tmp_path, tokenizer):
    paths = _write_corpus(tmp_path / "big", files=2, documents=400)
    stream = CorpusStream.open(paths)
    actual = len(_rows(stream.rows(tokenizer, 12, validation_fraction=0)))
    estimate = stream.estimate_rows(tokenizer, 12, stream.sample(200_000))
    assert abs(estimate - actual) < 0.1 * actual, (estimate, actual)
    zipped = tmp_path / "zipped" / "part.txt.gz"
    zipped.parent.mkdir()
    zipped.write_bytes(gzip.compress(paths[0].read_bytes()))
    size = paths[0].stat().st_size
    head = CorpusStream.open(zipped).sample(size // 4)  # the head: size from its ratio
    assert abs(head.corpus_bytes - size) < 0.1 * size, (head.corpus_bytes, size)
    assert CorpusStream.open(zipped).sample(2 * size).corpus_bytes == size  # read to the end
    broken = tmp_path / "broken" / "part.txt.gz"
    broken.parent.mkdir()
    broken.write_bytes(b"\x1f\x8b\x08\x00" + b"not deflate data" * 10)
    with pytest.raises(DataSourceError, match="part.txt.gz is not a readable gzip file"):
        CorpusStream.open(broken).sample(1000)


def test_passages_split_long_documents(tmp_path, tokenizer):
    path = tmp_path / "one.txt"
    lines = [f"w{i % 40} w{i // 40}" for i in range(PASSAGE_LINES * 10)]  # distinct passages
    path.write_text("\n".join(lines) + "\n")
    stream = CorpusStream.open(path)
    splits = [_rows(stream.rows(tokenizer, 12, split=split, validation_fraction=0.5))
              for split in ("train", "validation")]  # fmt: skip
    assert splits[0] and splits[1]  # one document, held out by the passage
    assert sum(_tokens(splits[0] + splits[1], tokenizer).values()) == 2 * len(lines)


def test_many_small_files_spread_evenly_over_workers(tmp_path, tokenizer):
    for index in range(12):  # a passage (one row) a file
        (tmp_path / f"doc-{index:02d}.txt").write_text(f"w{index} w1 w2\nw3 w4\n")
    stream = CorpusStream.open(tmp_path)
    counts = [len(_rows(stream.rows(tokenizer, 12, validation_fraction=0, num_workers=3,
                                    worker_index=worker)))
              for worker in range(3)]  # fmt: skip
    assert counts == [4, 4, 4]


def test_a_bad_byte_met_on_tf_data_threads_is_one_line(tmp_path, tokenizer):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"w1 w2\nw3 caf\xe9\n")
    rows = CorpusStream.open(bad).rows(tokenizer, 12, validation_fraction=0)
    with pytest.raises(DataSourceError, match=r"^\S*bad.txt, line 2: byte b'\\xe9' is not valid"):
        with read_errors():
            list(rows.as_numpy_iterator())


def test_sources_and_bad_text_are_reported(tmp_path, tokenizer):
    with pytest.raises(DataSourceError, match="no.txt does not exist"):
        CorpusStream.open(tmp_path / "no.txt")
    with pytest.raises(DataSourceError, match="holds no .txt or .txt.gz files"):
        CorpusStream.open(tmp_path)
    with pytest.raises(DataSourceError, match="No corpus file matches"):
        CorpusStream.open(str(tmp_path / "*.txt"))
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\n  \n")
    with pytest.raises(DataSourceError, match="holds no text"):
        CorpusStream.open(blank).sample(1000)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"w1 w2\nw3 caf\xe9\n")
    with pytest.raises(DataSourceError, match=r"bad.txt, line 2: byte b'\\xe9' is not valid"):
        list(read_lines(bad))
    assert list(read_lines(bad, "latin-1")) == ["w1 w2", "w3 café"]
    with pytest.raises(DataSourceError, match=r"bad.txt, line 2: byte b'\\xe9' is not valid"):
        CorpusStream.open(bad).sample(1000)  # before any training: the sample is decoded
    assert CorpusStream.open(bad, "latin-1").sample(1000).texts() == ["w1 w2", "w3 café"]
    with pytest.raises(ConfigError, match="split='test'"):
        CorpusStream.open(blank).rows(tokenizer, 12, split="test")
    with pytest.raises(ConfigError, match="worker_index=2 is not in"):
        CorpusStream.open(blank).rows(tokenizer, 12, num_workers=2, worker_index=2)


_PEAK_GROWTH = """
import os, sys
from zoo.data.corpus_stream import CorpusStream
from zoo.data.bert_inputs import pack_documents
from zoo.data.text_files import read_corpus
from zoo.data.tokenizer import SPECIAL_TOKENS, WordPieceTokenizer


def peak_mb():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024


folder, mode = sys.argv[1], sys.argv[2]
tokenizer = WordPieceTokenizer([*SPECIAL_TOKENS, *[f"w{i}" for i in range(40)]])
stream = CorpusStream.open(folder)
rows = stream.rows(tokenizer, 64, validation_fraction=0, shuffle_rows=1000).batch(256)
next(iter(rows))  # TensorFlow, its threads and the tokenizer loaded first
before = peak_mb()
if mode == "stream":
    count = sum(int(batch.shape[0]) for batch in rows)
else:
    count = len(pack_documents(read_corpus(stream.files), tokenizer, 64))
print("rows", count, "peak growth MB", peak_mb() - before, flush=True)
os._exit(0)  # tf.data's reader threads need not be joined
"""


@pytest.mark.slow  # a 16 MB corpus read and tokenized in two processes: about 30 seconds
@pytest.mark.tf_only  # tf.data and the tokenizer: the same on every backend
def test_memory_stays_bounded_where_the_in_memory_reader_grows(tmp_path):
    """The peak resident memory a whole pass adds: a few MB streamed, several times the
    corpus's size in memory."""
    _write_corpus(tmp_path, files=4, documents=3500, seed=3)
    size_mb = sum(p.stat().st_size for p in tmp_path.glob("*.txt")) / 2**20
    assert size_mb > 14
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
    growth = {}
    for mode in ("stream", "in_memory"):
        result = subprocess.run([sys.executable, "-c", textwrap.dedent(_PEAK_GROWTH),
                                 str(tmp_path), mode], cwd=REPO_ROOT, env=env,
                                capture_output=True, text=True, timeout=600)  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        words = result.stdout.split()
        growth[mode] = (int(words[1]), int(words[-1]))
    assert growth["stream"][0] == growth["in_memory"][0] > 70_000, growth
    assert growth["stream"][1] < 40, growth  # the shuffle buffer and a passage a file
    assert growth["in_memory"][1] > 3 * size_mb, growth
