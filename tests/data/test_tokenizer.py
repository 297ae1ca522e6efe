import numpy as np
import pytest

from zoo.data.tokenizer import SPECIAL_TOKENS, WordPieceTokenizer
from zoo.errors import ConfigError, DataSourceError

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Héllo, Wörld! It's 2026; naïve café—résumé.",
    "中文字符 mixed with English, and UNUSUAL Capitals.",
    "don't stop-believing: e-mail me at a@b.com",
]
PROBES = TEXTS + ["  extra   spaces\tand\ttabs ", "[MASK] stays whole", "unbelievablyunseenword"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_text("\n".join(TEXTS * 40), encoding="utf-8")
    return path


@pytest.mark.parametrize("lowercase", [True, False])
def test_matches_the_reference_bert_tokenizer(corpus, tmp_path, lowercase):
    transformers = pytest.importorskip("transformers")
    tokenizer = WordPieceTokenizer.train([corpus], vocabulary_size=200, lowercase=lowercase,
                                         min_frequency=1)  # fmt: skip
    vocabulary = tokenizer.save(tmp_path)
    reference = transformers.BertTokenizer(str(vocabulary), do_lower_case=lowercase)
    for text in PROBES:
        assert tokenizer.tokenize(text) == reference.tokenize(text), text
    ours = tokenizer.encode(PROBES, sequence_length=12)
    theirs = reference(PROBES, padding="max_length", truncation=True, max_length=12)
    np.testing.assert_array_equal(ours["token_ids"], theirs["input_ids"])
    np.testing.assert_array_equal(ours["padding_mask"], theirs["attention_mask"])
    pairs = tokenizer.encode(PROBES[:3], pairs=PROBES[3:6], sequence_length=16)
    theirs = reference(PROBES[:3], PROBES[3:6], padding="max_length", truncation="longest_first",
                       max_length=16)  # fmt: skip
    np.testing.assert_array_equal(pairs["token_ids"], theirs["input_ids"])
    np.testing.assert_array_equal(pairs["segment_ids"], theirs["token_type_ids"])


def test_uncased_strips_accents_and_case(corpus):
    tokenizer = WordPieceTokenizer.train([corpus], vocabulary_size=200, min_frequency=1)
    assert tokenizer.tokenize("HÉLLO") == tokenizer.tokenize("hello")
    cased = WordPieceTokenizer.train([corpus], vocabulary_size=200, lowercase=False,
                                     min_frequency=1)  # fmt: skip
    assert cased.tokenize("HÉLLO") != cased.tokenize("hello")


def test_encode_layout(corpus):
    tokenizer = WordPieceTokenizer.train([corpus], vocabulary_size=200, min_frequency=1)
    batch = tokenizer.encode(["the quick fox"], sequence_length=8)
    ids = batch["token_ids"][0]
    assert ids[0] == tokenizer.token_id("[CLS]")
    length = int(batch["padding_mask"][0].sum())
    assert ids[length - 1] == tokenizer.token_id("[SEP]")
    assert (ids[length:] == tokenizer.token_id("[PAD]")).all()
    assert {k: v.dtype for k, v in batch.items()} == {k: np.int32 for k in batch}
    assert tokenizer.decode(ids[1 : length - 1]) == "the quick fox"


def test_save_load_and_from_texts(tmp_path):
    tokenizer = WordPieceTokenizer.from_texts(TEXTS * 10, vocabulary_size=150, lowercase=False,
                                              min_frequency=1)  # fmt: skip
    tokenizer.save(tmp_path)
    loaded = WordPieceTokenizer.load(tmp_path)
    assert loaded.vocabulary == tokenizer.vocabulary and loaded.lowercase is False
    assert loaded.tokenize(TEXTS[1]) == tokenizer.tokenize(TEXTS[1])


def test_errors(tmp_path):
    with pytest.raises(DataSourceError, match="No vocabulary file"):
        WordPieceTokenizer(tmp_path / "missing.txt")
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\nhello\n")
    with pytest.raises(ConfigError, match=r"lacks the special tokens \['\[CLS\]'"):
        WordPieceTokenizer(tmp_path / "vocab.txt")
    tokenizer = WordPieceTokenizer([*SPECIAL_TOKENS, "a"])
    with pytest.raises(ConfigError, match="sequence_length=2 leaves no room"):
        tokenizer.encode(["a"], sequence_length=2)


_LEARN = """
import sys
from zoo.data.tokenizer import WordPieceTokenizer
texts = [f"w{i} x{i % 7} caf{i % 13} zebra{i % 5} quokka" for i in range(3000)]
print("\\n".join(WordPieceTokenizer.from_texts(texts, 300).vocabulary))
"""


@pytest.mark.backend_independent  # the Rust tokenizer's trainer, no Keras backend
def test_learned_vocabulary_has_one_order_in_every_process():
    """The trainer lists characters in a per-process hash order; a learned vocabulary gives
    each token one id whichever process learned it (on text without ties in its counts:
    ties can change which tokens are learned, so multi-process runs take --vocabulary)."""
    import subprocess
    import sys

    from tests.helpers import REPO_ROOT

    processes = [subprocess.Popen([sys.executable, "-c", _LEARN], cwd=REPO_ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(3)]  # fmt: skip
    learned = []
    for process in processes:
        output, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors[-2000:]
        learned.append(output)
    assert learned[0] == learned[1] == learned[2]
    tokens = learned[0].split()
    assert tokens[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS) and len(tokens) > 50
