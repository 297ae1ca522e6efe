"""Readers of text data sets in their usual on-disk layouts.

* A delimited file (TSV or CSV, by extension) with a header naming a text column (`text`
  or `sentence`, as in GLUE's SST-2 `train.tsv`) and a `label` column.
* A folder per class (`train/<class>/*.txt`, `test/<class>/*.txt`), as in IMDB's `aclImdb`
  (`pos`, `neg`; the unlabelled `unsup` folder is skipped).
* Plain-text corpora for pretraining: one sentence or paragraph a line, blank lines between
  documents.

Example:
>>> texts, labels, names = read_delimited("SST-2/train.tsv")  # doctest: +SKIP
"""

from pathlib import Path

import numpy as np

from zoo.data._reading import DEFAULT_ENCODING, is_missing, read_csv_rows, read_text
from zoo.errors import DataSourceError

TEXT_COLUMNS = ("text", "sentence", "review")
UNLABELLED_FOLDERS = ("unsup",)


def read_delimited(path, class_names=None, encoding=DEFAULT_ENCODING):
    """(texts, int32 labels, class names) from a TSV/CSV file with text and label columns.

    Labels may be integers or names; names are numbered in sorted order unless
    `class_names` gives the order. A row without a label (too few fields, an empty or `NaN`
    label cell) is refused with its line number rather than becoming a class of its own.
    """
    table = read_csv_rows(path, encoding=encoding)
    path, header = table.path, table.header
    text_column = next((c for c in TEXT_COLUMNS if c in header), None)
    if text_column is None or "label" not in header:
        raise DataSourceError(
            f"{path}: the header {header} needs a text column ({' or '.join(TEXT_COLUMNS)}) "
            "and a label column."
        )
    table.check_width()
    text_index, label_index = header.index(text_column), header.index("label")
    texts = [row[text_index] for row in table.rows]
    raw = [row[label_index].strip() for row in table.rows]
    if not texts:
        raise DataSourceError(f"{path} holds no examples.")
    _check_labels_present(path, raw, table.lines)
    if class_names is None:
        if all(label.lstrip("-").isdigit() for label in raw):
            values = sorted({int(label) for label in raw})
            if values != list(range(len(values))):
                raise DataSourceError(f"{path}: integer labels must be 0..n-1, found {values}.")
            return texts, np.array([int(v) for v in raw], np.int32), [str(v) for v in values]
        class_names = sorted(set(raw))
    index = {name: i for i, name in enumerate(class_names)}
    unknown = sorted(set(raw) - set(index))
    if unknown:
        raise DataSourceError(f"{path}: labels {unknown[:5]} are not among {class_names}.")
    return texts, np.array([index[label] for label in raw], np.int32), list(class_names)


def _check_labels_present(path, labels, lines):
    """Refuse the first empty or `NaN`-like label cell, naming its line."""
    for label, line in zip(labels, lines, strict=True):
        if is_missing(label):
            raise DataSourceError(
                f"{path}, line {line}: the label cell is {label!r}, a missing value; give "
                "every row its label or drop the unlabelled rows."
            )


def read_class_folders(folder, class_names=None, encoding=DEFAULT_ENCODING):
    """(texts, labels, class names) from `folder/<class>/*.txt`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataSourceError(f"No such folder: {folder}.")
    if class_names is None:
        class_names = sorted(
            p.name for p in folder.iterdir() if p.is_dir() and p.name not in UNLABELLED_FOLDERS
        )
    if len(class_names) < 2:
        raise DataSourceError(f"{folder} needs at least two class sub-folders of .txt files.")
    texts, labels = [], []
    for index, name in enumerate(class_names):
        files = sorted((folder / name).glob("*.txt"))
        texts += [read_text(f, encoding) for f in files]
        labels += [index] * len(files)
    if not texts:
        raise DataSourceError(f"{folder}: no .txt files in its class folders.")
    return texts, np.array(labels, np.int32), list(class_names)


def read_corpus(paths, encoding=DEFAULT_ENCODING):
    """The non-empty lines of plain-text files, with `None` marking document boundaries."""
    lines = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise DataSourceError(f"Corpus file {path} does not exist.")
        for line in read_text(path, encoding).splitlines():
            line = line.strip()
            if line:
                lines.append(line)
            elif lines and lines[-1] is not None:
                lines.append(None)
        if lines and lines[-1] is not None:
            lines.append(None)
    if not any(line is not None for line in lines):
        raise DataSourceError(f"The corpus {[str(p) for p in paths]} holds no text.")
    return lines
