"""Tokenizers for GPT: GPT-2's byte-level BPE and nanoGPT-style characters.

`BytePairTokenizer` is GPT-2's byte-level byte-pair encoding, built on Hugging Face's
`tokenizers` (the same vocabulary and merges give the same ids as `GPT2TokenizerFast`): a
GPT-2 `vocab.json` and `merges.txt`, or one learned from a local corpus. Every string round
trips, `decode(encode(text)) == text`. `CharacterTokenizer` gives each character of a corpus
one id (sorted, as nanoGPT's `shakespeare_char`). Both share `encode`, `encode_batch`,
`decode`, `vocabulary_size`, `end_token_id`, `save` and `load`; `load_gpt_tokenizer` opens a
saved tokenizer, a Hugging Face GPT-2 folder or a keras-hub GPT2 preset.

Example:
>>> tokenizer = CharacterTokenizer.from_texts(["hello world"])
>>> tokenizer.encode("hold")
[3, 5, 4, 1]
>>> tokenizer.decode([3, 2, 4, 4, 5])
'hello'
>>> bpe = BytePairTokenizer.train(["corpus.txt"], vocabulary_size=8000)  # doctest: +SKIP
>>> bpe.save("runs/gpt/tokenizer")                                       # doctest: +SKIP
>>> load_gpt_tokenizer("runs/gpt/tokenizer").encode("Hello")             # doctest: +SKIP
"""

import json
from pathlib import Path

import numpy as np

from zoo._utils import atomic_path, check_positive_int
from zoo.data._reading import check_encoding, open_text
from zoo.errors import ConfigError, DataSourceError

END_TOKEN = "<|endoftext|>"
SETTINGS_FILE = "tokenizer.json"
VOCABULARY_FILE = "vocab.json"
MERGES_FILE = "merges.txt"
MERGES_HEADER = "#version: 0.2"
BYTE_ALPHABET_SIZE = 256


def _corpus_lines(files, encoding):
    """Every line of every file (read with `encoding`), for training; missing files and an
    unknown encoding are reported before any is read."""
    paths = [Path(f) for f in files]
    for path in paths:
        if not path.is_file():
            raise DataSourceError(f"Corpus file {path} does not exist.")
    check_encoding(encoding)

    def lines():
        for path in paths:
            with open_text(path, encoding, newline="") as handle:
                yield from handle

    return lines()


def _ids(token_ids, vocabulary_size):
    """`token_ids` (a list or an array) as ints; `ConfigError` for one outside the vocabulary."""
    ids = [int(i) for i in np.asarray(token_ids, dtype=np.int64).reshape(-1)]
    bad = [i for i in ids if not 0 <= i < vocabulary_size]
    if bad:
        raise ConfigError(
            f"Token id {bad[0]} is outside the tokenizer's vocabulary of {vocabulary_size} "
            f"(ids 0..{vocabulary_size - 1}); decode ids of the same tokenizer."
        )
    return ids


def _write_settings(directory, settings):
    with atomic_path(Path(directory) / SETTINGS_FILE) as tmp:
        Path(tmp).write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")


def _read_vocabulary(vocabulary):
    if isinstance(vocabulary, dict):
        return {str(token): int(i) for token, i in vocabulary.items()}
    path = Path(vocabulary)
    if not path.is_file():
        raise DataSourceError(f"No vocabulary file at {path} (a GPT-2 vocab.json).")
    try:
        return {str(t): int(i) for t, i in json.loads(path.read_text("utf-8")).items()}
    except (ValueError, AttributeError):
        raise DataSourceError(
            f"{path} is not a GPT-2 vocab.json (a JSON object of token -> id)."
        ) from None


def _merge_pair(merge, where):
    pair = tuple(merge) if isinstance(merge, (list, tuple)) else tuple(str(merge).split(" "))
    if len(pair) != 2:
        raise ConfigError(f"{where}: merge {merge!r} is not two tokens separated by one space.")
    return pair


def _read_merges(merges):
    if isinstance(merges, (str, Path)):
        path = Path(merges)
        if not path.is_file():
            raise DataSourceError(f"No merges file at {path} (a GPT-2 merges.txt).")
        lines = path.read_text("utf-8").splitlines()
        if lines and lines[0].startswith("#version"):
            lines = lines[1:]
        merges = [line for line in lines if line]
        where = str(path)
    else:
        where = "merges"
    return [_merge_pair(merge, where) for merge in merges]


class BytePairTokenizer:
    """GPT-2's byte-level BPE over `vocabulary` (a `vocab.json` path or a token -> id dict)
    and `merges` (a `merges.txt` path or a list of `"a b"` strings). No prefix space is
    added, as in GPT-2; `<|endoftext|>` in a text encodes to its id when it is in the
    vocabulary.
    """

    kind = "byte_pair"

    def __init__(self, vocabulary, merges):
        from tokenizers import ByteLevelBPETokenizer

        self.vocabulary = _read_vocabulary(vocabulary)
        self.merges = _read_merges(merges)
        self._tokenizer = ByteLevelBPETokenizer(dict(self.vocabulary), list(self.merges),
                                                add_prefix_space=False)  # fmt: skip
        if END_TOKEN in self.vocabulary:
            self._tokenizer.add_special_tokens([END_TOKEN])

    @classmethod
    def from_texts(cls, texts, vocabulary_size=8000, min_frequency=2):
        """Learn a byte-level BPE of at most `vocabulary_size` tokens (the 256 bytes,
        `<|endoftext|>` and merges) from an iterable of strings."""
        from tokenizers import ByteLevelBPETokenizer

        check_positive_int("vocabulary_size", vocabulary_size)
        if vocabulary_size <= BYTE_ALPHABET_SIZE:
            raise ConfigError(
                f"vocabulary_size={vocabulary_size} is too small for a byte-level BPE; use at "
                f"least {BYTE_ALPHABET_SIZE + 1} (256 bytes and {END_TOKEN})."
            )
        trainer = ByteLevelBPETokenizer(add_prefix_space=False)
        trainer.train_from_iterator(
            (str(t) for t in texts), vocab_size=vocabulary_size, min_frequency=min_frequency,
            special_tokens=[END_TOKEN], show_progress=False,
        )  # fmt: skip
        model = json.loads(trainer.to_str())["model"]
        return cls(model["vocab"], model["merges"])

    @classmethod
    def train(cls, files, vocabulary_size=8000, min_frequency=2, encoding="utf-8"):
        """Learn a byte-level BPE from text files (see `from_texts`)."""
        return cls.from_texts(_corpus_lines(files, encoding), vocabulary_size, min_frequency)

    @property
    def vocabulary_size(self):
        """The number of ids (one more than the largest): the rows a model's embedding needs."""
        return max(self.vocabulary.values(), default=-1) + 1

    @property
    def end_token_id(self):
        """The id of `<|endoftext|>`, or None if the vocabulary lacks it."""
        return self.vocabulary.get(END_TOKEN)

    def encode(self, text, skip_unknown=False):
        """The ids of `text` (byte-level: every text has them; `skip_unknown` is for the
        interface shared with `CharacterTokenizer`)."""
        return self._tokenizer.encode(str(text)).ids

    def encode_batch(self, texts, skip_unknown=False):
        return [e.ids for e in self._tokenizer.encode_batch([str(t) for t in texts])]

    def decode(self, token_ids):
        ids = _ids(token_ids, self.vocabulary_size)
        return self._tokenizer.decode(ids, skip_special_tokens=False)

    def save(self, directory):
        """Write `vocab.json`, `merges.txt` (GPT-2's formats) and `tokenizer.json`."""
        directory = Path(directory)
        with atomic_path(directory / VOCABULARY_FILE) as tmp:
            Path(tmp).write_text(json.dumps(self.vocabulary, ensure_ascii=False), "utf-8")
        with atomic_path(directory / MERGES_FILE) as tmp:
            lines = [MERGES_HEADER, *(" ".join(pair) for pair in self.merges)]
            Path(tmp).write_text("\n".join(lines) + "\n", encoding="utf-8")
        _write_settings(directory, {"kind": self.kind})
        return directory

    @classmethod
    def load(cls, directory):
        """A tokenizer saved by `save` (or any folder with vocab.json and merges.txt)."""
        directory = Path(directory)
        return cls(directory / VOCABULARY_FILE, directory / MERGES_FILE)


class CharacterTokenizer:
    """One id per character of `characters` (a string or list; ids follow sorted order).

    A text with a character outside the vocabulary raises `ConfigError` naming it (or
    loses it, with `encode(text, skip_unknown=True)`).
    """

    kind = "characters"
    end_token_id = None

    def __init__(self, characters):
        chars = sorted(set(characters))
        if not chars or any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise ConfigError(
                f"characters={characters!r} must be a non-empty string or list of single "
                "characters."
            )
        self.characters = chars
        self._index = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_texts(cls, texts):
        """Every character that occurs in an iterable of strings."""
        seen = set()
        for text in texts:
            seen.update(str(text))
        if not seen:
            raise ConfigError("The texts are empty: a character vocabulary needs some text.")
        return cls(seen)

    @classmethod
    def train(cls, files, encoding="utf-8"):
        """Every character that occurs in text files."""
        return cls.from_texts(_corpus_lines(files, encoding))

    @property
    def vocabulary_size(self):
        return len(self.characters)

    def encode(self, text, skip_unknown=False):
        """The ids of `text`'s characters; one outside the vocabulary raises `ConfigError`,
        or is left out with `skip_unknown`."""
        index = self._index
        if skip_unknown:
            return [index[c] for c in str(text) if c in index]
        try:
            return [index[c] for c in str(text)]
        except KeyError as error:
            raise ConfigError(
                f"Character {error.args[0]!r} is not in the tokenizer's {len(index)} "
                "characters; rebuild the vocabulary from a corpus that contains it."
            ) from None

    def encode_batch(self, texts, skip_unknown=False):
        return [self.encode(text, skip_unknown) for text in texts]

    def decode(self, token_ids):
        return "".join(self.characters[i] for i in _ids(token_ids, self.vocabulary_size))

    def save(self, directory):
        """Write `tokenizer.json` (the kind and the characters)."""
        _write_settings(directory, {"kind": self.kind, "characters": self.characters})
        return Path(directory)

    @classmethod
    def load(cls, directory):
        """A tokenizer saved by `save`."""
        settings = _settings(Path(directory)) or {}
        if settings.get("kind") != cls.kind:
            raise DataSourceError(
                f"{directory}: no character tokenizer (a tokenizer.json with "
                f'"kind": "characters", as CharacterTokenizer.save writes it).'
            )
        return cls(settings["characters"])


TOKENIZERS = {kind.kind: kind for kind in (BytePairTokenizer, CharacterTokenizer)}


def _settings(directory):
    """The JSON of `directory/tokenizer.json` (zoo's, Hugging Face's or keras-hub's), or None."""
    path = directory / SETTINGS_FILE
    if not path.is_file():
        return None
    try:
        settings = json.loads(path.read_text("utf-8"))
    except ValueError:
        raise DataSourceError(f"{path} is not valid JSON; re-save the tokenizer.") from None
    return settings if isinstance(settings, dict) else None


def find_gpt_tokenizer(directory):
    """The tokenizer in `directory` (see `load_gpt_tokenizer`), or None if it holds none."""
    directory = Path(directory)
    settings = _settings(directory) or {}
    if settings.get("kind") in TOKENIZERS:
        return TOKENIZERS[settings["kind"]].load(directory)
    if (directory / VOCABULARY_FILE).is_file() and (directory / MERGES_FILE).is_file():
        return BytePairTokenizer(directory / VOCABULARY_FILE, directory / MERGES_FILE)
    assets = directory / "assets" / "tokenizer"
    if (assets / "vocabulary.json").is_file() and (assets / MERGES_FILE).is_file():
        return BytePairTokenizer(assets / "vocabulary.json", assets / MERGES_FILE)
    model = settings.get("model")
    if isinstance(model, dict) and model.get("type") == "BPE":  # transformers 5 writes only this
        return BytePairTokenizer(model["vocab"], model["merges"])
    return None


def load_gpt_tokenizer(directory):
    """The tokenizer in `directory`: one saved by a zoo tokenizer's `save`, a Hugging Face
    GPT-2 folder (`vocab.json` + `merges.txt`, or the `tokenizer.json` of a BPE), or a
    keras-hub GPT2 preset (`assets/tokenizer/vocabulary.json` + `merges.txt`).

    Example:
    >>> tokenizer = load_gpt_tokenizer("path/to/gpt2")  # doctest: +SKIP
    """
    tokenizer = find_gpt_tokenizer(directory)
    if tokenizer is None:
        raise DataSourceError(
            f"{directory} holds no GPT tokenizer: expected a zoo tokenizer.json, a Hugging "
            "Face vocab.json + merges.txt, or a keras-hub assets/tokenizer/vocabulary.json + "
            "merges.txt."
        )
    return tokenizer
