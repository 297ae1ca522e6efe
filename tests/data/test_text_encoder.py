import numpy as np
import pytest

from zoo.data.text_encoder import ENCODER_FILE, TextEncoder
from zoo.errors import DataSourceError

TEXTS = ["A fine film, a FINE cast.", "A dull film<br />dull plot", "fine"]


def test_vocabulary_by_frequency_with_padding_and_unknown_first():
    encoder = TextEncoder.adapt(TEXTS, vocabulary_size=6, sequence_length=5)
    assert encoder.vocabulary[:2] == ["", "[UNK]"]
    assert encoder.vocabulary[2:4] == ["fine", "a"]  # 3 and 3 occurrences, before "film" (2)
    assert encoder.vocabulary_size == 6


def test_encoding_pads_cuts_and_strips_html_line_breaks():
    encoder = TextEncoder.adapt(TEXTS, vocabulary_size=20, sequence_length=6)
    ids = encoder.encode(["fine film", "dull<br />plot zebra", "a a a a a a a a"])
    word = {token: i for i, token in enumerate(encoder.vocabulary)}
    assert ids.dtype == np.int32 and ids.shape == (3, 6)
    assert ids[0].tolist() == [word["fine"], word["film"], 0, 0, 0, 0]
    assert ids[1].tolist() == [word["dull"], word["plot"], 1, 0, 0, 0]  # zebra is unknown
    assert ids[2].tolist() == [word["a"]] * 6  # cut to the sequence length
    assert "br" not in encoder.vocabulary


def test_saved_encoder_encodes_identically(tmp_path):
    encoder = TextEncoder.adapt(TEXTS, vocabulary_size=20, sequence_length=8)
    encoder.save(tmp_path)
    assert (tmp_path / ENCODER_FILE).is_file()
    loaded = TextEncoder.load(tmp_path)
    assert loaded.vocabulary == encoder.vocabulary and loaded.sequence_length == 8
    np.testing.assert_array_equal(loaded.encode(TEXTS), encoder.encode(TEXTS))


def test_dataset_batches_token_ids_and_labels():
    encoder = TextEncoder.adapt(TEXTS, vocabulary_size=20, sequence_length=4)
    batches = list(encoder.dataset(TEXTS, [1, 0, 1], batch_size=2).as_numpy_iterator())
    assert [ids.shape for ids, _ in batches] == [(2, 4), (1, 4)]
    np.testing.assert_array_equal(batches[0][0], encoder.encode(TEXTS[:2]))
    assert batches[0][0].dtype == np.int32 and batches[0][1].tolist() == [1, 0]
    shuffled = encoder.dataset(TEXTS, [1, 0, 1], batch_size=3, training=True, seed=1)
    ids, labels = next(iter(shuffled.as_numpy_iterator()))
    assert sorted(map(tuple, ids)) == sorted(map(tuple, encoder.encode(TEXTS)))


def test_errors():
    with pytest.raises(DataSourceError, match="no training texts"):
        TextEncoder.adapt([], vocabulary_size=10, sequence_length=4)
    with pytest.raises(DataSourceError, match="holds no text_encoder.json"):
        TextEncoder.load("/tmp/definitely/not/here")
