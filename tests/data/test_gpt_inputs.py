"""Causal-LM windows over a token stream and last-token classification batches."""

import numpy as np
import pytest

from zoo.data.gpt_inputs import (
    causal_lm_dataset,
    encode_right_padded,
    last_token_classification_dataset,
    read_documents,
    split_stream,
    token_stream,
    window_count,
)
from zoo.data.gpt_tokenizer import CharacterTokenizer
from zoo.errors import ConfigError, DataSourceError


def _batches(dataset):
    return [(inputs["token_ids"].numpy(), inputs["padding_mask"].numpy(), labels.numpy())
            for inputs, labels in dataset]  # fmt: skip


def test_labels_are_the_inputs_shifted_by_one():
    stream = np.arange(200, dtype="int32")
    for training in (True, False):
        batches = _batches(causal_lm_dataset(stream, sequence_length=8, batch_size=4,
                                             training=training, seed=1))  # fmt: skip
        for token_ids, mask, labels in batches:
            np.testing.assert_array_equal(labels, token_ids + 1)
            assert mask.min() == 1 and token_ids.shape[1] == 8


def test_training_epochs_start_at_new_offsets_and_keep_their_length():
    stream = np.arange(1000, dtype="int32")
    dataset = causal_lm_dataset(stream, sequence_length=10, batch_size=4, training=True, seed=3)
    assert int(dataset.cardinality()) == window_count(stream, 10) // 4  # known: no warning
    starts = [np.concatenate([ids[:, 0] % 10 for ids, _, _ in _batches(dataset)]).tolist()
              for _ in range(4)]
    offsets = {values[0] for values in starts}
    assert all(len(set(values)) == 1 for values in starts)  # one offset a pass
    assert len(offsets) > 1  # ... a new one for the next pass


def test_validation_reads_every_window_once_in_order():
    stream = np.arange(105, dtype="int32")
    batches = _batches(causal_lm_dataset(stream, sequence_length=10, batch_size=4,
                                         training=False))  # fmt: skip
    firsts = np.concatenate([ids[:, 0] for ids, _, _ in batches])
    np.testing.assert_array_equal(firsts, np.arange(0, 90, 10))


def test_split_holds_out_the_end_and_small_text_is_refused():
    train, validation = split_stream(np.arange(100), 0.2)
    assert train[-1] == 79 and validation[0] == 80 and len(validation) == 20
    with pytest.raises(ConfigError, match="fewer than --batch-size 64"):
        causal_lm_dataset(np.arange(300), sequence_length=32, batch_size=64, training=True)


def test_documents_keep_their_lines_and_end_tokens_separate_them(tmp_path):
    (tmp_path / "a.txt").write_text("first line\n\nsecond\n")
    (tmp_path / "b.txt").write_text("   \n")
    (tmp_path / "c.txt").write_text("xyz")
    documents = read_documents([tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"])
    assert documents == ["first line\n\nsecond\n", "xyz"]
    tokenizer = CharacterTokenizer.from_texts(documents)
    stream = token_stream(documents, tokenizer)
    assert tokenizer.decode(stream) == "first line\n\nsecond\nxyz"  # no end token for characters
    with pytest.raises(DataSourceError, match="holds no text"):
        read_documents([tmp_path / "b.txt"])


def test_classification_inputs_are_right_padded():
    tokenizer = CharacterTokenizer.from_texts(["abcdef"])
    features = encode_right_padded(["abc", "abcdef"], tokenizer, sequence_length=4)
    np.testing.assert_array_equal(features["padding_mask"], [[1, 1, 1, 0], [1, 1, 1, 1]])
    assert tokenizer.decode(features["token_ids"][0, :3]) == "abc"
    dataset = last_token_classification_dataset(["abc", "abcdef"] * 4, [0, 1] * 4, tokenizer,
                                                sequence_length=4, batch_size=3, training=True)
    assert [len(labels) for _, labels in dataset] == [3, 3]


def test_characters_the_tokenizer_lacks_are_left_out_with_a_note(capsys):
    tokenizer = CharacterTokenizer.from_texts(["abc"])
    with pytest.raises(ConfigError, match="'!' is not in the tokenizer's 3 characters"):
        tokenizer.encode("ab!")
    features = encode_right_padded(["ab!c"], tokenizer, sequence_length=4)
    assert tokenizer.decode(features["token_ids"][0, :3]) == "abc"
    assert "1 characters of the text are not in the tokenizer's 3" in capsys.readouterr().out
