"""Plain-text corpora streamed for causal-LM (GPT) training: windows of token ids, never the
whole corpus in memory.

`causal_lm_windows(stream, tokenizer, 256)` reads a `CorpusStream`'s files and gives a
`tf.data.Dataset` of int32 windows of 257 token ids (a window's inputs and, shifted by one,
its next-token labels: `zoo.data.gpt_inputs.causal_lm_batches`).

* Text as it is: lines are read unstripped (indentation and blank lines are text a causal LM
  learns), in passages of `PASSAGE_LINES` lines; a passage is tokenized as its lines, each
  ending with a line break, one tokenizer call per `GROUP_PASSAGES` passages.
* Lanes: the files are dealt round-robin into `lanes` lanes (in a new seeded order every
  pass when shuffled). A lane reads its files one after another as one stream of tokens,
  the tokenizer's end-of-text id between files (byte-pair tokenizers; characters have none),
  cut into windows by a `WindowPacker`; lanes are read in parallel (tf.data `interleave`).
  At most one partial window a lane is left unread each pass, so a corpus of many files
  shorter than a window still trains.
* Splits and shards: as `CorpusStream`'s rows (`PassageFilter`): a passage is held out for
  validation by a seeded hash of its text, and a worker keeps its runs of passages; a window
  never spans a passage its split or worker leaves out.
* Size without a pass: `estimate_windows` tokenizes a sample (`stream.sample`) and scales
  its tokens per byte to the corpus's size; `tokenizer_texts(sample)` is what a tokenizer
  is learned from (both from a sample read with `strip=False`, as the windows read text).

Example:
>>> stream = CorpusStream.open(["~/corpora/books"])                        # doctest: +SKIP
>>> texts = tokenizer_texts(stream.sample(100 << 20, strip=False))          # doctest: +SKIP
>>> tokenizer = CharacterTokenizer.from_texts(texts)                        # doctest: +SKIP
>>> windows = causal_lm_windows(stream, tokenizer, 256, shuffle_windows=10_000)  # doctest: +SKIP
>>> next(iter(windows)).shape                                               # doctest: +SKIP
TensorShape([257])
"""

import dataclasses
import math
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo._utils import check_positive_int
from zoo.data.corpus_files import read_lines
from zoo.data.corpus_stream import GROUP_PASSAGES, PASSAGE_LINES, PassageFilter
from zoo.data.packing import WindowPacker

LANES = 4  # files read at once, each lane one running token stream


def _passages(lines):
    """The file's lines in passages of at most PASSAGE_LINES lines (blank ones included)."""
    passage = []
    for line in lines:
        passage.append(line)
        if len(passage) == PASSAGE_LINES:
            yield passage
            passage = []
    if passage:
        yield passage


def _text(passage):
    return "".join(line + "\n" for line in passage)


def tokenizer_texts(sample):
    """The texts a causal LM's tokenizer is learned from: `sample`'s documents (a
    `CorpusSample`), each line ending with a line break."""
    return [_text(document) for document in sample.documents()]


def estimate_windows(tokenizer, sequence_length, sample):
    """About how many windows of `sequence_length` the whole corpus gives: `sample`'s tokens
    per byte times the corpus's bytes, over `sequence_length` (at least 1)."""
    tokens = sum(len(ids) for ids in tokenizer.encode_batch(tokenizer_texts(sample),
                                                            skip_unknown=True))  # fmt: skip
    corpus_tokens = tokens * sample.corpus_bytes / max(1, sample.sample_bytes)
    return max(1, math.floor(corpus_tokens / sequence_length))


@dataclasses.dataclass(frozen=True)
class _LaneReader:
    """The generator of one lane's windows, as arrays of windows (one Python call per
    group of passages, not per window)."""

    files: tuple
    encoding: str
    tokenizer: object
    sequence_length: int
    keep: PassageFilter
    lanes: int
    shuffle: bool
    seed: int

    def _groups(self, path, file_index):
        """Lists of (passage, kept), GROUP_PASSAGES passages each."""
        group = []
        lines = read_lines(path, self.encoding, strip=False)
        for number, passage in enumerate(_passages(lines)):
            group.append((passage, self.keep(passage, number, file_index)))
            if len(group) == GROUP_PASSAGES:
                yield group
                group = []
        yield group

    def _order(self, pass_seed):
        if not self.shuffle:
            return np.arange(len(self.files))
        return np.random.default_rng([self.seed, int(pass_seed)]).permutation(len(self.files))

    def __call__(self, lane, pass_seed=0):
        packer = WindowPacker(self.sequence_length)
        end = self.tokenizer.end_token_id
        for file_index in self._order(pass_seed)[int(lane) :: self.lanes]:
            for group in self._groups(Path(self.files[file_index]), int(file_index)):
                texts = [_text(passage) for passage, kept in group if kept]
                ids = iter(self.tokenizer.encode_batch(texts, skip_unknown=True))
                windows = []
                for _, kept in group:
                    if kept:
                        windows += packer.add(next(ids))
                    else:  # no window spans text this split or worker leaves out
                        packer.drop()
                if windows:
                    yield np.stack(windows)
            if end is not None:
                windows = packer.add([end])
                if windows:
                    yield np.stack(windows)


def _check(sequence_length, lanes):
    for name, value in (("sequence_length", sequence_length), ("lanes", lanes)):
        check_positive_int(name, value)


def has_passages(stream, *, split="validation", validation_fraction=0.1, seed=0):
    """Whether `split` keeps any passage of `stream`: reads (in Python) up to the first it
    keeps, the whole corpus if it keeps none."""
    keep = PassageFilter(split, validation_fraction, seed, 1, 0)
    return any(keep(passage, number, index)
               for index, path in enumerate(stream.files)
               for number, passage in enumerate(_passages(read_lines(path, stream.encoding,
                                                                     strip=False))))  # fmt: skip


def causal_lm_windows(stream, tokenizer, sequence_length, *, split="train",
                      validation_fraction=0.1, seed=0, shuffle_windows=0, num_workers=1,
                      worker_index=0, lanes=LANES):  # fmt: skip
    """A `tf.data.Dataset` of this split's windows, (sequence_length + 1,) int32, one pass.

    `shuffle_windows` > 0 mixes the windows in a buffer of that many and deals the files
    into lanes in a new order every pass (seeded); 0 reads them in order."""
    _check(sequence_length, lanes)
    keep = PassageFilter(split, validation_fraction, seed, num_workers, worker_index)
    lanes = min(lanes, len(stream.files))
    shuffle = bool(shuffle_windows)
    reader = _LaneReader(tuple(str(f) for f in stream.files), stream.encoding, tokenizer,
                         sequence_length, keep, lanes, shuffle, seed)  # fmt: skip
    if shuffle:  # one seed a pass: a new file order every time the dataset is iterated
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
        starts = seeds.flat_map(
            lambda s: tf.data.Dataset.range(lanes).map(lambda lane: (lane, s % 2**31)))
    else:
        starts = tf.data.Dataset.range(lanes).map(lambda lane: (lane, tf.constant(0, tf.int64)))
    signature = tf.TensorSpec((None, sequence_length + 1), tf.int32)
    windows = starts.interleave(
        lambda lane, pass_seed: tf.data.Dataset.from_generator(
            reader, args=(lane, pass_seed), output_signature=signature),
        cycle_length=lanes, block_length=1, num_parallel_calls=lanes,
        deterministic=not shuffle,
    ).unbatch()  # fmt: skip
    if shuffle:
        windows = windows.shuffle(shuffle_windows, seed=seed, reshuffle_each_iteration=True)
    return windows
