"""What a streamed table's batches hold, for the stream tests (Criteo, CSV, Parquet)."""

import numpy as np


def collect(data):
    """All batches of a stream as ({column: numpy array}, labels (n,))."""
    columns, labels = {}, []
    for batch, label in data.as_numpy_iterator():
        for name, values in batch.items():
            columns.setdefault(name, []).append(values)
        labels.append(label[:, 0])
    return {k: np.concatenate(v) for k, v in columns.items()}, np.concatenate(labels)


def positions(data):
    """The {(file index, line)} rows of a stream made with `positions=True`."""
    rows = set()
    for batch, _ in data.as_numpy_iterator():  # a split of a few rows may have no batch
        rows |= set(zip(batch["file"].tolist(), batch["line"].tolist(), strict=True))
    return rows
