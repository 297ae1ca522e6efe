"""zoo.apps.bert_data: the run's tokenizer and the pretraining corpus's pipelines."""

import types

import pytest

from zoo.apps.bert_data import run_tokenizer
from zoo.data.tokenizer import SPECIAL_TOKENS, WordPieceTokenizer
from zoo.errors import ConfigError
from zoo.train.strategy import Distribution


def _run(tmp_path, processes):
    distribution = Distribution("multi_worker_mirrored" if processes > 1 else "none",
                                processes=processes)  # fmt: skip
    return types.SimpleNamespace(run_dir=tmp_path, resuming=False, distribution=distribution)


def test_a_vocabulary_is_learned_on_one_process_only(tmp_path):
    """Workers that each learned a vocabulary could give a token different ids: refused."""
    args = types.SimpleNamespace(vocabulary=None, cased=False)
    learned = WordPieceTokenizer([*SPECIAL_TOKENS, "a", "b"])
    with pytest.raises(ConfigError, match="over 2 processes learns a vocabulary in each.*"
                                          "Pass --vocabulary"):
        run_tokenizer(args, _run(tmp_path / "two", 2), lambda: learned)
    assert run_tokenizer(args, _run(tmp_path / "one", 1), lambda: learned) is learned
    assert (tmp_path / "one" / "tokenizer" / "vocab.txt").is_file()
    vocabulary = tmp_path / "one" / "tokenizer" / "vocab.txt"
    given = types.SimpleNamespace(vocabulary=str(vocabulary), cased=False)
    shared = run_tokenizer(given, _run(tmp_path / "two", 2), lambda: None)
    assert shared.vocabulary == learned.vocabulary
