"""The streamed causal-LM corpus: the same windows as the in-memory cut, text kept as it is,
splits and shards that are disjoint and cover the corpus, lanes over many small files,
size estimates and errors."""

import re

import numpy as np
import pytest

from zoo.data.corpus_stream import CorpusStream, read_errors
from zoo.data.corpus_windows import (
    causal_lm_windows,
    estimate_windows,
    has_passages,
    tokenizer_texts,
)
from zoo.data.gpt_inputs import causal_lm_batches
from zoo.data.gpt_tokenizer import BytePairTokenizer, CharacterTokenizer
from zoo.data.packing import WindowPacker
from zoo.errors import ConfigError, DataSourceError

LENGTH = 24
# tf.data and the tokenizers only: the same under every Keras backend.
pytestmark = pytest.mark.backend_independent


def _write_corpus(folder, files=3, lines=200, seed=0):
    """Files of numbered lines ("<file>.<line> words"), some indented, some blank."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        text = []
        for number in range(lines):
            words = " ".join(rng.choice(["ab", "cd", "ef"], rng.integers(1, 6)))
            text.append(f"{'    ' * (number % 3 == 0)}{index}.{number} {words}")
            if number % 17 == 0:
                text.append("")
        (folder / f"part-{index}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    return CorpusStream.open(folder)


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    return _write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def tokenizer(stream):
    return CharacterTokenizer.from_texts(tokenizer_texts(stream.sample(1 << 20, strip=False)))


def _texts(windows, tokenizer):
    return [tokenizer.decode(window) for window in windows.as_numpy_iterator()]


def _line_ids(texts):
    """The "<file>.<line>" numbers of the whole lines in decoded windows."""
    return {match for text in texts for match in re.findall(r"\n *(\d+\.\d+) ", text)}


def test_window_packer_overlaps_by_one_and_drops_on_request():
    packer = WindowPacker(3)
    assert [w.tolist() for w in packer.add(range(1, 8))] == [[1, 2, 3, 4], [4, 5, 6, 7]]
    packer.drop()
    assert packer.add([8, 9, 10]) == [] and len(packer.add([11])) == 1
    with pytest.raises(ConfigError, match="at least 1"):
        WindowPacker(0)


def test_one_file_gives_the_in_memory_windows_with_its_text_as_it_is(stream, tokenizer):
    path = stream.files[0]
    text = path.read_text(encoding="utf-8")
    ids = np.asarray(tokenizer.encode(text), np.int32)
    expected = [ids[i * LENGTH : i * LENGTH + LENGTH + 1]
                for i in range((len(ids) - 1) // LENGTH)]  # fmt: skip
    windows = list(causal_lm_windows(CorpusStream.open(path), tokenizer, LENGTH,
                                     validation_fraction=0).as_numpy_iterator())  # fmt: skip
    assert len(windows) == len(expected) > 100
    assert all(np.array_equal(a, b) for a, b in zip(windows, expected, strict=True))
    assert "\n    0.3 " in "".join(tokenizer.decode(w[:-1]) for w in windows)  # indentation
    assert "\n\n" in "".join(tokenizer.decode(w[:-1]) for w in windows)  # blank lines


def test_batches_shift_labels_by_one(stream, tokenizer):
    windows = causal_lm_windows(stream, tokenizer, LENGTH, validation_fraction=0)
    inputs, labels = next(iter(causal_lm_batches(windows, batch_size=4, training=True)))
    assert inputs["token_ids"].shape == labels.shape == (4, LENGTH)
    np.testing.assert_array_equal(inputs["token_ids"][:, 1:], labels[:, :-1])
    assert np.all(inputs["padding_mask"].numpy() == 1)


def test_validation_split_is_disjoint_follows_the_seed_and_covers_the_corpus(stream, tokenizer):
    def split(name, seed=0):
        return _line_ids(_texts(causal_lm_windows(stream, tokenizer, LENGTH, split=name,
                                                  validation_fraction=0.2, seed=seed),
                                tokenizer))  # fmt: skip

    train, validation = split("train"), split("validation")
    everything = _line_ids(_texts(causal_lm_windows(stream, tokenizer, LENGTH,
                                                    validation_fraction=0), tokenizer))
    assert not train & validation
    assert len(validation) > 0.1 * len(everything) and len(train) > 0.6 * len(everything)
    assert split("validation", seed=1) != validation
    assert has_passages(stream, validation_fraction=0.2)
    assert not has_passages(stream, validation_fraction=0)


@pytest.mark.parametrize("shuffle", [0, 50])
def test_worker_shards_are_disjoint_and_cover_the_corpus(stream, tokenizer, shuffle):
    shards = [_line_ids(_texts(causal_lm_windows(stream, tokenizer, LENGTH,
                                                 validation_fraction=0, num_workers=2,
                                                 worker_index=index, shuffle_windows=shuffle),
                               tokenizer))
              for index in range(2)]  # fmt: skip
    everything = _line_ids(_texts(causal_lm_windows(stream, tokenizer, LENGTH,
                                                    validation_fraction=0), tokenizer))
    assert not shards[0] & shards[1]
    assert len(shards[0] | shards[1]) > 0.85 * len(everything)
    assert min(map(len, shards)) > 0.35 * len(everything)


def test_lanes_join_files_shorter_than_a_window(tmp_path):
    for index in range(12):
        (tmp_path / f"tiny-{index:02}.txt").write_text(f"tiny file {index}\n")
    stream = CorpusStream.open(tmp_path)
    tokenizer = BytePairTokenizer.from_texts(tokenizer_texts(stream.sample(1 << 16)), 300)
    windows = list(causal_lm_windows(stream, tokenizer, 8, validation_fraction=0,
                                     lanes=2).as_numpy_iterator())  # fmt: skip
    assert len(windows) >= 4  # one file alone holds no window of 9 tokens
    assert any(tokenizer.end_token_id in window for window in windows)  # between files


def test_shuffled_passes_differ_and_hold_the_same_text(stream, tokenizer):
    windows = causal_lm_windows(stream, tokenizer, LENGTH, validation_fraction=0,
                                shuffle_windows=100, seed=3).repeat(2)
    texts = _texts(windows, tokenizer)
    first, second = texts[: len(texts) // 2], texts[len(texts) // 2 :]
    assert first != second
    assert _line_ids(first) == _line_ids(second) or len(_line_ids(first) ^ _line_ids(second)) < 10


def test_estimate_is_close_to_the_count(stream, tokenizer):
    count = sum(1 for _ in causal_lm_windows(stream, tokenizer, LENGTH, validation_fraction=0))
    estimate = estimate_windows(tokenizer, LENGTH, stream.sample(1 << 20, strip=False))
    assert abs(estimate - count) <= 0.05 * count, (estimate, count)


def test_bad_text_and_bad_arguments_are_one_line(tmp_path, tokenizer, stream):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ab cd\nef caf\xe9\n")
    windows = causal_lm_windows(CorpusStream.open(bad), tokenizer, 2, validation_fraction=0)
    with pytest.raises(DataSourceError, match=r"bad.txt, line 2: byte b'\\xe9' is not valid"):
        with read_errors():
            list(windows)
    with pytest.raises(ConfigError, match="split='test'"):
        causal_lm_windows(stream, tokenizer, LENGTH, split="test")
    with pytest.raises(ConfigError, match="worker_index=2 is not in"):
        causal_lm_windows(stream, tokenizer, LENGTH, num_workers=2, worker_index=2)
