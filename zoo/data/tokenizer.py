"""WordPiece tokenization for BERT: a standard `vocab.txt`, or one trained on a local corpus.

Built on Hugging Face's `tokenizers` (the Rust implementation of BERT's tokenizer: text
cleaning, accent stripping and lower-casing for uncased vocabularies, punctuation and CJK
splitting, greedy longest-match WordPiece). Tokenization happens on the host, before the
`tf.data` pipeline, so the token ids are the same on every Keras backend.

Example:
>>> tokenizer = WordPieceTokenizer.train(["corpus.txt"], vocabulary_size=8000)  # doctest: +SKIP
>>> batch = tokenizer.encode(["a short sentence"], sequence_length=16)          # doctest: +SKIP
>>> sorted(batch)                                                               # doctest: +SKIP
['padding_mask', 'segment_ids', 'token_ids']
"""

import json
from pathlib import Path

import numpy as np

from zoo._utils import atomic_path, check_positive_int
from zoo.data._reading import read_lines
from zoo.errors import ConfigError, DataSourceError

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
VOCABULARY_FILE = "vocab.txt"
SETTINGS_FILE = "tokenizer.json"


def _read_vocabulary(vocabulary):
    if isinstance(vocabulary, (list, tuple)):
        return list(vocabulary)
    path = Path(vocabulary)
    if path.is_dir():
        path = path / VOCABULARY_FILE
    if not path.is_file():
        raise DataSourceError(f"No vocabulary file at {path} (a BERT vocab.txt, one token a line).")
    return read_lines(path, advice="a BERT vocab.txt is UTF-8 text: re-save it as UTF-8.")


def _canonical(learned):
    """A learned vocabulary's tokens in one order: the special tokens, then the rest sorted.
    The trainer orders single characters as a hash map lists them, which differs between
    processes; a worker of a multi-process run must give every token the same id."""
    return [*SPECIAL_TOKENS, *sorted(set(learned) - set(SPECIAL_TOKENS))]


class WordPieceTokenizer:
    """BERT's WordPiece tokenizer over `vocabulary` (a `vocab.txt` path, a folder holding
    one, or a list of tokens). `lowercase=True` for uncased vocabularies (which also strips
    accents), `False` for cased ones.
    """

    def __init__(self, vocabulary, lowercase=True):
        from tokenizers import BertWordPieceTokenizer

        tokens = _read_vocabulary(vocabulary)
        missing = [token for token in SPECIAL_TOKENS if token not in tokens]
        if missing:
            raise ConfigError(f"The vocabulary lacks the special tokens {missing}.")
        self.vocabulary = tokens
        self.lowercase = bool(lowercase)
        self._index = {token: i for i, token in enumerate(tokens)}
        self._tokenizer = BertWordPieceTokenizer(
            dict(self._index), lowercase=self.lowercase, strip_accents=self.lowercase
        )

    @classmethod
    def train(cls, files, vocabulary_size=8000, lowercase=True, min_frequency=2):
        """Learn a WordPiece vocabulary of at most `vocabulary_size` tokens from text files."""
        from tokenizers import BertWordPieceTokenizer

        check_positive_int("vocabulary_size", vocabulary_size)
        paths = [str(f) for f in files]
        for path in paths:
            if not Path(path).is_file():
                raise DataSourceError(f"Corpus file {path} does not exist.")
        trainer = BertWordPieceTokenizer(lowercase=lowercase, strip_accents=lowercase)
        trainer.train(paths, vocab_size=vocabulary_size, min_frequency=min_frequency,
                      special_tokens=list(SPECIAL_TOKENS), show_progress=False)  # fmt: skip
        return cls(_canonical(trainer.get_vocab()), lowercase=lowercase)

    @classmethod
    def from_texts(cls, texts, vocabulary_size=8000, lowercase=True, min_frequency=2):
        """Learn a WordPiece vocabulary from an iterable of strings (see `train`)."""
        from tokenizers import BertWordPieceTokenizer

        check_positive_int("vocabulary_size", vocabulary_size)
        trainer = BertWordPieceTokenizer(lowercase=lowercase, strip_accents=lowercase)
        trainer.train_from_iterator(
            (str(t) for t in texts), vocab_size=vocabulary_size, min_frequency=min_frequency,
            special_tokens=list(SPECIAL_TOKENS), show_progress=False,
        )  # fmt: skip
        return cls(_canonical(trainer.get_vocab()), lowercase=lowercase)

    @classmethod
    def load(cls, directory):
        """A tokenizer saved by `save` (a folder with vocab.txt and tokenizer.json)."""
        directory = Path(directory)
        settings_file = directory / SETTINGS_FILE
        settings = json.loads(settings_file.read_text()) if settings_file.is_file() else {}
        return cls(directory / VOCABULARY_FILE, lowercase=settings.get("lowercase", True))

    def save(self, directory):
        """Write `vocab.txt` and `tokenizer.json` into `directory` (atomically)."""
        directory = Path(directory)
        with atomic_path(directory / VOCABULARY_FILE) as tmp:
            Path(tmp).write_text("\n".join(self.vocabulary) + "\n", encoding="utf-8")
        with atomic_path(directory / SETTINGS_FILE) as tmp:
            Path(tmp).write_text(json.dumps({"lowercase": self.lowercase}))
        return directory / VOCABULARY_FILE

    def copy(self):
        """An independent tokenizer with the same vocabulary and settings (one per thread:
        the Rust encoder's settings are shared state)."""
        return type(self)(self.vocabulary, lowercase=self.lowercase)

    @property
    def vocabulary_size(self):
        return len(self.vocabulary)

    def token_id(self, token):
        return self._index[token]

    @property
    def special_ids(self):
        return {token: self._index[token] for token in SPECIAL_TOKENS}

    def tokenize(self, text):
        """The WordPiece tokens of `text` (no [CLS] / [SEP])."""
        return self._tokenizer.encode(text, add_special_tokens=False).tokens

    def encode(self, texts, pairs=None, sequence_length=128):
        """`[CLS] text [SEP] (pair [SEP])`, truncated (longest first) and padded.

        Returns int32 arrays `token_ids`, `segment_ids` and `padding_mask`, each of shape
        (len(texts), sequence_length): the inputs of a zoo BERT model.
        """
        check_positive_int("sequence_length", sequence_length)
        if sequence_length < (5 if pairs is not None else 3):
            raise ConfigError(f"sequence_length={sequence_length} leaves no room for tokens.")
        texts = [str(t) for t in texts]
        tokenizer = self._tokenizer
        tokenizer.enable_truncation(max_length=sequence_length, strategy="longest_first")
        tokenizer.enable_padding(length=sequence_length, pad_id=self._index["[PAD]"],
                                 pad_token="[PAD]")  # fmt: skip
        if pairs is None:
            encodings = tokenizer.encode_batch(texts)
        else:
            encodings = tokenizer.encode_batch(list(zip(texts, [str(p) for p in pairs],
                                                         strict=True)))  # fmt: skip
        return {
            "token_ids": np.array([e.ids for e in encodings], np.int32).reshape(
                -1, sequence_length
            ),
            "segment_ids": np.array([e.type_ids for e in encodings], np.int32).reshape(
                -1, sequence_length
            ),
            "padding_mask": np.array([e.attention_mask for e in encodings], np.int32).reshape(
                -1, sequence_length
            ),
        }

    def encode_ids(self, texts):
        """The token ids of each text, without special tokens or padding (for pretraining)."""
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        return [e.ids for e in self._tokenizer.encode_batch([str(t) for t in texts],
                                                            add_special_tokens=False)]  # fmt: skip

    def decode(self, token_ids):
        return self._tokenizer.decode([int(i) for i in token_ids])
