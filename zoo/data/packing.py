"""Packing token ids into fixed-length rows: BERT's `[CLS] tokens [SEP] [PAD]...`
(`RowPacker`), and a causal LM's windows over a running token stream (`WindowPacker`).

A document's lines are packed densely, one row after another (the masked-LM-only recipe of
RoBERTa, without next-sentence prediction); a line longer than a row is split over rows, and
a document's last, partial row is padded: documents never share a row. The packer holds at
most one row of ids, so a corpus of any size streams through it.

Example:
>>> packer = RowPacker(sequence_length=6, cls_id=2, sep_id=3, pad_id=0)
>>> [row.tolist() for row in packer.add([7, 8, 9, 10, 11])]
[[2, 7, 8, 9, 10, 3]]
>>> [row.tolist() for row in packer.end_document()]
[[2, 11, 3, 0, 0, 0]]
"""

import numpy as np

from zoo.errors import ConfigError


class RowPacker:
    """Rows of `sequence_length` int32 ids from the token ids of a document's lines."""

    def __init__(self, sequence_length, cls_id, sep_id, pad_id):
        if sequence_length < 3:
            raise ConfigError(f"sequence_length={sequence_length} leaves no room for tokens "
                              "between [CLS] and [SEP]; use at least 3.")  # fmt: skip
        self.sequence_length = sequence_length
        self.ids = (cls_id, sep_id, pad_id)
        self._budget = sequence_length - 2
        self._current = []

    @classmethod
    def for_tokenizer(cls, tokenizer, sequence_length):
        """A packer with `tokenizer`'s [CLS], [SEP] and [PAD] ids."""
        return cls(sequence_length, *(tokenizer.token_id(t) for t in ("[CLS]", "[SEP]", "[PAD]")))

    def _row(self, ids):
        cls_id, sep_id, pad_id = self.ids
        row = np.full(self.sequence_length, pad_id, np.int32)
        row[0], row[1 : len(ids) + 1], row[len(ids) + 1] = cls_id, ids, sep_id
        return row

    def add(self, ids):
        """Append one line's ids to the current document; the rows it fills."""
        self._current.extend(ids)
        rows = []
        while len(self._current) >= self._budget:
            rows.append(self._row(self._current[: self._budget]))
            del self._current[: self._budget]
        return rows

    def end_document(self):
        """Close the current document: its last, partial row (none if it is empty)."""
        if not self._current:
            return []
        row, self._current = self._row(self._current), []
        return [row]


class WindowPacker:
    """Windows of `sequence_length + 1` int32 ids cut from a running stream of token ids:
    a causal LM's inputs and, shifted by one, its next-token labels. Consecutive windows
    overlap by one token (the last label of one is the first input of the next), as
    `zoo.data.gpt_inputs.causal_lm_dataset` cuts an in-memory stream; the packer holds less
    than one window.

    Example:
    >>> packer = WindowPacker(sequence_length=3)
    >>> windows = packer.add([1, 2, 3, 4, 5, 6])
    >>> print(len(windows), "window:", *windows[0])
    1 window: 1 2 3 4
    >>> print(*packer.add([7, 8])[0])
    4 5 6 7
    >>> packer.drop()  # text left out: no window spans it
    >>> packer.add([9, 10, 11])
    []
    """

    def __init__(self, sequence_length):
        if sequence_length < 1:
            raise ConfigError(f"sequence_length={sequence_length} must be at least 1.")
        self.sequence_length = sequence_length
        self._current = []

    def add(self, ids):
        """Append `ids` to the stream; the windows it completes."""
        self._current.extend(ids)
        width, windows = self.sequence_length + 1, []
        while len(self._current) >= width:
            windows.append(np.asarray(self._current[:width], np.int32))
            del self._current[: self.sequence_length]
        return windows

    def drop(self):
        """Forget the ids not yet in a window, so the next window starts afresh."""
        self._current = []
