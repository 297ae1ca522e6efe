"""GPT tokenizers: byte-level BPE (ids as transformers' GPT2TokenizerFast) and characters."""

import json

import numpy as np
import pytest

from zoo.data.gpt_tokenizer import (
    BytePairTokenizer,
    CharacterTokenizer,
    find_gpt_tokenizer,
    load_gpt_tokenizer,
)
from zoo.errors import ConfigError, DataSourceError

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Sphinx of black quartz, judge my vow!  Tabs\tand\nnew lines.",
    "Grüße aus Köln — naïve café, 東京 and emoji 🙂🚀.",
] * 20
UNSEEN = "Ünïcödé never seen: 🦜 ∑ x² ‰ \u200b <|endoftext|> and\r\n  spaces   "


@pytest.fixture(scope="module")
def bpe():
    return BytePairTokenizer.from_texts(CORPUS, vocabulary_size=300)


def test_byte_pair_round_trips_any_text(bpe):
    assert 257 < bpe.vocabulary_size <= 300
    for text in [*CORPUS[:3], UNSEEN, "", " leading space"]:
        ids = bpe.encode(text)
        assert bpe.decode(ids) == text
        assert bpe.decode(np.asarray(ids, "int32")) == text
    assert bpe.encode_batch(CORPUS[:2]) == [bpe.encode(t) for t in CORPUS[:2]]
    assert bpe.encode("<|endoftext|>") == [bpe.end_token_id]
    with pytest.raises(ConfigError, match=f"Token id {bpe.vocabulary_size} is outside"):
        bpe.decode([1, bpe.vocabulary_size])
    assert len(bpe.encode("the quick brown fox")) < len("the quick brown fox")  # merges used


def test_ids_equal_transformers_gpt2_tokenizer_fast(bpe, tmp_path):
    transformers = pytest.importorskip("transformers")
    bpe.save(tmp_path)
    (tmp_path / "tokenizer.json").unlink()  # a plain GPT-2 folder: vocab.json + merges.txt
    reference = transformers.GPT2TokenizerFast.from_pretrained(str(tmp_path))
    for text in [*CORPUS[:3], UNSEEN]:
        assert bpe.encode(text) == reference(text)["input_ids"]
    reloaded = load_gpt_tokenizer(tmp_path)
    assert reloaded.encode(UNSEEN) == bpe.encode(UNSEEN)
    reference.save_pretrained(tmp_path / "hf5")  # transformers 5 writes only tokenizer.json
    assert load_gpt_tokenizer(tmp_path / "hf5").encode(UNSEEN) == bpe.encode(UNSEEN)


def test_byte_pair_save_load_and_constructor_forms(bpe, tmp_path):
    bpe.save(tmp_path / "tok")
    assert json.loads((tmp_path / "tok" / "tokenizer.json").read_text()) == {"kind": "byte_pair"}
    assert (tmp_path / "tok" / "merges.txt").read_text().startswith("#version: 0.2\n")
    for loaded in (BytePairTokenizer.load(tmp_path / "tok"), load_gpt_tokenizer(tmp_path / "tok")):
        assert isinstance(loaded, BytePairTokenizer)
        assert loaded.encode(UNSEEN) == bpe.encode(UNSEEN)
        assert loaded.end_token_id == bpe.end_token_id
    merges = [" ".join(pair) for pair in bpe.merges]
    assert BytePairTokenizer(dict(bpe.vocabulary), merges).encode(UNSEEN) == bpe.encode(UNSEEN)
    assert not [p.name for p in (tmp_path / "tok").iterdir() if p.name.startswith(".")]


def test_byte_pair_training_from_files(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(CORPUS), encoding="latin-1", errors="ignore")
    trained = BytePairTokenizer.train([corpus], vocabulary_size=280, encoding="latin-1")
    assert trained.vocabulary_size <= 280 and trained.end_token_id == 0
    assert trained.decode(trained.encode(UNSEEN)) == UNSEEN


def test_keras_hub_preset_layout(bpe, tmp_path):
    assets = tmp_path / "assets" / "tokenizer"
    assets.mkdir(parents=True)
    bpe.save(tmp_path / "saved")
    (assets / "vocabulary.json").write_bytes((tmp_path / "saved" / "vocab.json").read_bytes())
    (assets / "merges.txt").write_bytes((tmp_path / "saved" / "merges.txt").read_bytes())
    (tmp_path / "tokenizer.json").write_text(json.dumps({"class_name": "GPT2Tokenizer"}))
    assert load_gpt_tokenizer(tmp_path).encode(UNSEEN) == bpe.encode(UNSEEN)


def test_characters_round_trip_save_load_and_unknown(tmp_path):
    chars = CharacterTokenizer.from_texts(["hello world", "abc\n"])
    assert chars.vocabulary_size == len(set("hello worldabc\n"))
    assert chars.end_token_id is None
    assert chars.characters == sorted(set("hello worldabc\n"))
    assert chars.decode(chars.encode("hello\nworld")) == "hello\nworld"
    assert chars.encode_batch(["ab", "c"]) == [chars.encode("ab"), chars.encode("c")]
    chars.save(tmp_path)
    for loaded in (CharacterTokenizer.load(tmp_path), load_gpt_tokenizer(tmp_path)):
        assert isinstance(loaded, CharacterTokenizer)
        assert loaded.encode("cold") == chars.encode("cold")
    with pytest.raises(ConfigError, match=r"Character 'z' is not in .* rebuild the vocabulary"):
        chars.encode("lazy")
    with pytest.raises(ConfigError, match="Token id 99"):
        chars.decode([99])
    (tmp_path / "c.txt").write_text("xyz\n", encoding="utf-8")
    assert CharacterTokenizer.train([tmp_path / "c.txt"]).characters == ["\n", "x", "y", "z"]


def test_errors(tmp_path):
    with pytest.raises(DataSourceError, match=f"{tmp_path} holds no GPT tokenizer"):
        load_gpt_tokenizer(tmp_path)
    assert find_gpt_tokenizer(tmp_path) is None
    with pytest.raises(ConfigError, match="vocabulary_size=100 is too small"):
        BytePairTokenizer.from_texts(CORPUS, vocabulary_size=100)
    with pytest.raises(DataSourceError, match="Corpus file .*missing.txt does not exist"):
        BytePairTokenizer.train([tmp_path / "missing.txt"])
    with pytest.raises(DataSourceError, match="No vocabulary file"):
        BytePairTokenizer(tmp_path / "vocab.json", tmp_path / "merges.txt")
    with pytest.raises(ConfigError, match="merge 'a b c' is not two tokens"):
        BytePairTokenizer({"a": 0, "b": 1}, ["a b c"])
    with pytest.raises(ConfigError, match="The texts are empty"):
        CharacterTokenizer.from_texts([""])
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9\n")
    for kind in (CharacterTokenizer, BytePairTokenizer):
        with pytest.raises(DataSourceError, match="bad.txt, line 1"):
            kind.train([tmp_path / "bad.txt"])
