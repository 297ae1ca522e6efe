"""The tabular encoder fitted in one streaming pass: vocabularies and statistics, bounded memory.

`fit_streaming(specs, data)` reads a `tf.data.Dataset` of `({column: tensor}, label)` batches
(e.g. `CriteoStream.dataset(split="train")`) once and returns the `TabularEncoder` that
`TabularEncoder.fit` would return for the same rows held in memory: the same vocabularies
(values seen at least `min_frequency` times, most frequent first, ties by value), the same
means and standard deviations of the (log-scaled) numbers; hashed columns need no counting.

How it counts, and what that costs:
* Each batch is summarised inside tf.data, on parallel threads: per categorical column its
  distinct non-empty values, their counts in the batch and a 64-bit fingerprint of each
  (`tf.strings.to_hash_bucket_fast`); per numeric column the count, mean and sum of squared
  deviations of its non-missing values (merged exactly across batches, Chan et al.).
* Python merges the counts into one sorted array of fingerprints and one of counts per
  column: 16 bytes per distinct value, exact (no sketch: a count-min or space-saving bound
  would change which values pass `min_frequency`). A value's text is kept only once its
  count reaches `min_frequency`, so the texts held are those of the vocabulary itself.
  Two values with the same fingerprint would be counted as one: about n^2 / 2^64 for n
  distinct values in a column (5e-6 for 10 million).
* `max_distinct` (per column) bounds that memory: a column with more distinct values
  stops the pass with a `ConfigError` saying to hash it (`hash_buckets`) instead.

Example:
>>> stream = CriteoStream.open("day_0.gz")                                 # doctest: +SKIP
>>> fit = fit_streaming(criteo_specs(), stream.dataset(65536, split="train"),
...                     stream=stream)                                     # doctest: +SKIP
>>> fit.encoder.save(run_dir)  # tabular_encoder.json, as TabularEncoder.fit's  # doctest: +SKIP
>>> steps_per_epoch = fit.rows // 4096                                     # doctest: +SKIP
"""

import dataclasses
import functools
import json
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo._utils import write_json_atomic
from zoo.data.gzip_check import GzipCheck
from zoo.data.row_stream import LABEL_PROBLEM
from zoo.data.tabular_encoding import TabularEncoder
from zoo.errors import ConfigError, DataSourceError, zoo_error_within

COUNTS_FILE = "streaming_counts.json"  # beside the encoder's file in a run folder
_FINGERPRINTS = (1 << 63) - 1
MAX_DISTINCT = 50_000_000


@functools.cache
def _empty_key():
    """The fingerprint of a missing value (computed on first use: a tf op at import time
    would start TensorFlow before `multi_worker_mirrored` configures its collectives)."""
    return int(tf.strings.to_hash_bucket_fast([""], _FINGERPRINTS)[0])


@dataclasses.dataclass(frozen=True)
class StreamingFit:
    """The fitted encoder and what the pass read; `save(folder)` writes both (the encoder's
    `tabular_encoder.json` last, so a folder that has it has the counts too) and `load`
    reads them back: a resumed run needs neither a second pass nor a recount.

    Example:
    >>> fit.save(run_dir)                                                  # doctest: +SKIP
    >>> StreamingFit.load(run_dir).rows == fit.rows                        # doctest: +SKIP
    True
    """

    encoder: TabularEncoder
    rows: int
    positives: int
    seconds: float

    @property
    def rows_per_second(self):
        return self.rows / max(self.seconds, 1e-9)

    def save(self, folder):
        counts = {"rows": self.rows, "positives": self.positives, "seconds": self.seconds}
        write_json_atomic(Path(folder) / COUNTS_FILE, counts)
        self.encoder.save(folder)

    @classmethod
    def load(cls, folder):
        path = Path(folder) / COUNTS_FILE
        if not path.is_file():
            raise DataSourceError(f"{folder} holds no {COUNTS_FILE} (the streaming pass's "
                                  "counts); start the run afresh with --overwrite.")  # fmt: skip
        counts = json.loads(path.read_text())
        return cls(TabularEncoder.load(folder), int(counts["rows"]), int(counts["positives"]),
                   float(counts["seconds"]))  # fmt: skip


class _Counts:
    """Exact value counts of one column: sorted fingerprints, their counts, and the text of
    those counted at least `min_frequency` times."""

    def __init__(self, name, min_frequency, max_distinct):
        self.name, self.min_frequency, self.max_distinct = name, min_frequency, max_distinct
        self.keys = np.zeros(0, np.int64)
        self.counts = np.zeros(0, np.int64)
        self.texts = {}

    def add(self, values, counts, keys):
        """Merge one batch's distinct `values`, their `counts` and fingerprints `keys`
        (sorted by key)."""
        present = keys != _empty_key()
        values, counts, keys = values[present], counts[present], keys[present]
        at = np.searchsorted(self.keys, keys)
        seen = at < len(self.keys)
        seen[seen] = self.keys[at[seen]] == keys[seen]
        totals = counts.copy()
        if seen.any():
            self.counts[at[seen]] += counts[seen]
            totals[seen] = self.counts[at[seen]]
        new = ~seen
        if new.any():
            self.keys = np.insert(self.keys, at[new], keys[new])
            self.counts = np.insert(self.counts, at[new], counts[new])
            if len(self.keys) > self.max_distinct:
                raise ConfigError(
                    f"column {self.name!r} has more than max_distinct={self.max_distinct:,} "
                    "distinct values; hash it (hash_buckets=...) or raise max_distinct."
                )
        crossed = (totals >= self.min_frequency) & (totals - counts < self.min_frequency)
        for key, value in zip(keys[crossed].tolist(), values[crossed].tolist(), strict=True):
            self.texts[key] = value

    def vocabulary(self):
        kept = self.counts >= self.min_frequency
        pairs = [(self.texts[k].decode("utf-8", "replace"), c)
                 for k, c in zip(self.keys[kept].tolist(), self.counts[kept].tolist(),
                                 strict=True)]  # fmt: skip
        return [t for t, _ in sorted(pairs, key=lambda p: (-p[1], p[0]))]


class _Moments:
    """Count, mean and sum of squared deviations, merged batch by batch (Chan et al.)."""

    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, n, mean, m2):
        if n == 0:
            return
        total = self.n + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self.m2 += m2 + delta * delta * self.n * n / total
        self.n = total

    def state(self):
        if self.n == 0:  # as np.nanmean / np.nanstd of no value
            return {"mean": [float("nan")], "std": [1.0]}
        std = float(np.sqrt(self.m2 / self.n))
        return {"mean": [self.mean], "std": [std if std > 0 else 1.0]}


def _summaries(specs):
    """The tf function from a batch to its per-column summaries."""

    def summarise(columns, labels):
        out = {"rows": tf.shape(labels, out_type=tf.int64)[0],
               "positives": tf.reduce_sum(tf.cast(labels > 0.5, tf.int64))}  # fmt: skip
        for spec in specs:
            column = columns[spec.name]
            if spec.kind == "dense":
                x = tf.reshape(tf.cast(column, tf.float64), (-1,))
                if spec.transform == "log":
                    x = tf.math.log1p(tf.maximum(x, 0.0))
                x = tf.boolean_mask(x, tf.logical_not(tf.math.is_nan(x)))
                n = tf.size(x, tf.int64)
                mean = tf.math.divide_no_nan(tf.reduce_sum(x), tf.cast(n, tf.float64))
                out[spec.name] = (n, mean, tf.reduce_sum(tf.square(x - mean)))
            elif not spec.hash_buckets:
                tokens = tf.reshape(column, (-1,))
                if spec.kind == "sequence":
                    tokens = tf.strings.split(tokens, spec.separator).flat_values
                # Unique fingerprints (cheaper than unique strings), each with its first text;
                # the empty value (missing) is dropped in Python.
                hashed = tf.strings.to_hash_bucket_fast(tokens, _FINGERPRINTS)
                keys, index, counts = tf.unique_with_counts(hashed, out_idx=tf.int64)
                first = tf.math.unsorted_segment_min(tf.range(tf.size(index, tf.int64)), index,
                                                     tf.size(keys, tf.int64))  # fmt: skip
                order = tf.argsort(keys)  # sorted here, on tf.data's threads
                out[spec.name] = (tf.gather(tokens, tf.gather(first, order)),
                                  tf.gather(counts, order), tf.gather(keys, order))  # fmt: skip
        return out

    return summarise


def fit_streaming(specs, data, *, max_distinct=MAX_DISTINCT, stream=None):
    """One pass over `data` ({column: tensor}, label) batches -> `StreamingFit`.

    `stream` (the `TableStream` that made `data`) turns a bad row's tf error into one
    `DataSourceError` naming its file and line, and has its `.gz` files checked to their
    end meanwhile (`zoo.data.gzip_check`): a truncated one is refused, not read as fewer rows.
    """
    specs = list(specs)
    counters = {s.name: _Counts(s.name, s.min_frequency, max_distinct) for s in specs
                if s.kind != "dense" and not s.hash_buckets}  # fmt: skip
    moments = {s.name: _Moments() for s in specs if s.kind == "dense"}
    columns = data.element_spec[0]
    for spec in specs:
        if spec.name not in columns:
            raise DataSourceError(f"No column named {spec.name!r}; the streamed columns are "
                                  f"{sorted(columns)}.")  # fmt: skip
        if spec.kind == "dense" and len(columns[spec.name].shape) > 1:
            raise ConfigError(f"column {spec.name!r}: fit_streaming takes one number a row.")
    rows = positives = 0
    started = time.perf_counter()
    gzip_check = GzipCheck(stream.files if stream is not None else ())  # beside the pass
    summaries = data.map(_summaries(specs), num_parallel_calls=tf.data.AUTOTUNE)
    # Counts and sums do not depend on the order of the batches: let tf.data reorder them.
    options = tf.data.Options()
    options.deterministic = False
    options.experimental_optimization.map_fusion = True
    summaries = summaries.with_options(options)
    try:
        for summary in summaries.prefetch(2).as_numpy_iterator():
            rows += int(summary["rows"])
            positives += int(summary["positives"])
            for name, counter in counters.items():
                counter.add(*summary[name])
            for name, moment in moments.items():
                moment.add(*(v.item() for v in summary[name]))
    except tf.errors.OpError as error:
        raised = zoo_error_within(error)  # raised by a reader's own Python code
        if raised:
            raise DataSourceError(raised) from None
        if not isinstance(error, tf.errors.InvalidArgumentError):
            raise
        gzip_check.raise_if_bad()  # a file cut mid-row: its cut is the cause to name
        detail = stream.bad_row() if stream is not None else None
        # tf's first line ends with the op's own words ("Field 1 in record 6 is not ...").
        message = str(error.message).strip().splitlines()[0].rsplit("ParallelMapV2: ", 1)[-1]
        if LABEL_PROBLEM in message:  # the stream's own check, named by file and line
            own = next(part for part in message.split("[")[1:] if LABEL_PROBLEM in part)
            detail = detail or own.split("]", 1)[0] + "; fix or drop the row."
        raise DataSourceError(detail or f"a streamed row could not be read ({message[:300]}); "
                              "fix or drop it.") from None  # fmt: skip
    gzip_check.raise_if_bad()  # a cut .gz ends early without a tf error: not fewer rows
    if rows == 0:
        raise DataSourceError("The streamed data holds no rows (an empty file or split).")
    state = {}
    for spec in specs:
        if spec.kind == "dense":
            state[spec.name] = moments[spec.name].state()
        elif spec.hash_buckets:
            state[spec.name] = {"hash_buckets": spec.hash_buckets}
        else:
            state[spec.name] = {"vocabulary": counters[spec.name].vocabulary()}
    seconds = time.perf_counter() - started
    return StreamingFit(TabularEncoder(specs, state), rows, positives, seconds)
