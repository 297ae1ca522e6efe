"""The GPT application's corpus, two ways: read whole into memory, or streamed.

* In memory (`--in-memory`; the default for a corpus of up to `STREAM_ABOVE_BYTES` on disk):
  each file is a document, the corpus one token stream whose last `--validation-split` is
  held out whole (nanoGPT's split); training windows start at a new random offset every
  epoch (`zoo.data.gpt_inputs`).
* Streamed (`--stream`; the default above that size): the files are read as a stream of
  windows (`zoo.data.corpus_windows`), never whole in memory. A learned tokenizer comes from
  a sample spread over the files (`--tokenizer-sample-mb`), an epoch's steps from the tokens
  a 16 MB sample gives, scaled to the corpus's size; both are saved in the run folder, so a
  resumed run neither re-learns nor re-estimates. Validation is one pass over the passages
  held out by a hash of their text (or its first `--validation-windows`). Over several
  processes (TensorFlow's `multi_worker_mirrored`, multi-process JAX) each reads its own
  passages.

Example:
>>> corpus = GptCorpus.open(args)                                      # doctest: +SKIP
>>> data = corpus.datasets(args, run, tokenizer, 256, batch_size=64)   # doctest: +SKIP
>>> run.fit(model, data.train, validation=data.validation, epochs=5,
...         steps_per_epoch=data.fit_steps)                            # doctest: +SKIP
"""

import dataclasses
import warnings

from zoo.data.corpus_sample import ESTIMATE_FILE, CorpusEstimate
from zoo.data.corpus_stream import PASSAGE_LINES, CorpusStream
from zoo.data.corpus_windows import (
    causal_lm_windows,
    estimate_windows,
    has_passages,
    tokenizer_texts,
)
from zoo.data.gpt_inputs import (
    causal_lm_batches,
    causal_lm_dataset,
    read_documents,
    split_stream,
    token_stream,
    window_count,
)
from zoo.data.run_encoder import load_or_fit
from zoo.errors import ConfigError
from zoo.train.worker_input import check_streamable, worker_input

STREAM_ABOVE_BYTES = 256 << 20  # a larger corpus is streamed unless --in-memory
SHUFFLE_WINDOWS = 10_000  # the training stream's shuffle buffer (windows)
ESTIMATE_BYTES = 16 << 20  # the sample an epoch's length is estimated from


@dataclasses.dataclass(frozen=True)
class CorpusData:
    """The pipelines, the schedule's steps per epoch, the steps `fit` takes per epoch (None:
    until the data ends), the tokens validation reads, and what metrics.json records."""

    train: object
    validation: object
    steps_per_epoch: int
    fit_steps: int | None
    validation_tokens: int
    description: dict


def _bounded(validation, args, batch_size, windows):
    """The validation batches (the first --validation-windows only, when set) and the
    windows they hold."""
    if validation is None or not args.validation_windows:
        return validation, windows
    return (validation.take(-(-args.validation_windows // batch_size)),
            min(windows, args.validation_windows))  # fmt: skip


def _streams(args, paths):
    """Whether to stream the corpus at `paths`: --stream / --in-memory, else by its size."""
    if args.stream or args.in_memory:
        return bool(args.stream)
    return sum(path.stat().st_size for path in paths) > STREAM_ABOVE_BYTES


@dataclasses.dataclass
class GptCorpus:
    """The --corpus files, read whole (`documents`) or as a `stream`."""

    stream: CorpusStream | None = None
    documents: list | None = None

    @classmethod
    def open(cls, args):
        stream = CorpusStream.open(args.corpus, args.encoding)  # the files, listed once
        if _streams(args, stream.files):
            return cls(stream=stream)
        return cls(documents=read_documents(stream.files, args.encoding))

    def tokenizer_texts(self, args):
        """The texts a tokenizer is learned from: the documents, or a streamed corpus's
        sample of --tokenizer-sample-mb."""
        if self.stream is None:
            return self.documents
        return tokenizer_texts(self.stream.sample(args.tokenizer_sample_mb << 20, strip=False))

    def datasets(self, args, run, tokenizer, sequence_length, batch_size):
        """The `CorpusData` of this corpus (see the module docstring)."""
        if self.stream is None:
            return _in_memory(args, self.documents, tokenizer, sequence_length, batch_size)
        return _streamed(args, run, self.stream, tokenizer, sequence_length, batch_size)


def _in_memory(args, documents, tokenizer, sequence_length, batch_size):
    stream = token_stream(documents, tokenizer)
    train_stream, validation_stream = split_stream(stream, args.validation_split)
    train = causal_lm_dataset(train_stream, sequence_length=sequence_length,
                              batch_size=batch_size, training=True, seed=args.seed)  # fmt: skip
    validation = None
    if args.validation_split:
        validation = causal_lm_dataset(validation_stream, sequence_length=sequence_length,
                                       batch_size=batch_size, training=False)  # fmt: skip
    validation, validation_windows = _bounded(
        validation, args, batch_size, window_count(validation_stream, sequence_length))
    description = {
        "streamed": False, "tokens": int(len(stream)), "train_tokens": int(len(train_stream)),
        "validation_tokens": int(len(validation_stream)),
        "validation_windows": validation_windows,
    }  # fmt: skip
    steps = window_count(train_stream, sequence_length) // batch_size
    if args.steps_per_epoch:  # epochs of a fixed length over the repeated windows
        train, steps = train.repeat(), args.steps_per_epoch
    return CorpusData(train, validation, steps, args.steps_per_epoch,
                      validation_windows * sequence_length, description)  # fmt: skip


def _streamed(args, run, stream, tokenizer, sequence_length, batch_size):
    distribution = run.distribution
    check_streamable(distribution, "a corpus")
    fraction = args.validation_split
    if not fraction:
        raise ConfigError("--validation-split 0 with a streamed corpus: its validation loss is "
                          "measured on held-out passages; keep a share such as 0.1, or add "
                          "--in-memory.")  # fmt: skip
    # Keras learns a stream's length when it ends, and warns "Your input ran out of data"
    # at each end (every validation pass): that is how a stream ends, not a fault.
    warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)

    def estimate():
        sample = stream.sample(ESTIMATE_BYTES, strip=False)
        windows = estimate_windows(tokenizer, sequence_length, sample)
        return CorpusEstimate(windows, sample.corpus_bytes, sample.sample_bytes)

    size = load_or_fit(run, ESTIMATE_FILE, load=CorpusEstimate.load, fit=estimate)
    train_windows = round(size.count * (1 - fraction))
    if train_windows < batch_size:
        raise ConfigError(
            f"The corpus gives about {train_windows} training windows of --sequence-length "
            f"{sequence_length}, fewer than --batch-size {batch_size}; use more text, a "
            "shorter --sequence-length or a smaller --batch-size."
        )
    if not has_passages(stream, validation_fraction=fraction, seed=args.seed):
        raise ConfigError(
            f"--validation-split {fraction} holds out none of this corpus's passages of "
            f"{PASSAGE_LINES} lines; raise it, or add --in-memory to hold out its last part."
        )

    def windows(split, **sharding):
        return causal_lm_windows(stream, tokenizer, sequence_length, split=split, seed=args.seed,
                                 validation_fraction=fraction, **sharding)  # fmt: skip

    def training_batches(batch, num_workers, worker_index):
        shard = windows("train", shuffle_windows=SHUFFLE_WINDOWS, num_workers=num_workers,
                        worker_index=worker_index)  # fmt: skip
        return causal_lm_batches(shard.repeat(), batch_size=batch, training=True)

    shards = worker_input(distribution, training_batches, batch_size)
    validation = causal_lm_batches(windows("validation"), batch_size=batch_size, training=False)
    steps = args.steps_per_epoch or max(1, train_windows // batch_size)
    validation, validation_windows = _bounded(validation, args, batch_size,
                                              size.count - train_windows)  # fmt: skip
    description = {
        "streamed": True, "files": len(stream.files), "corpus_bytes": size.corpus_bytes,
        "estimated_train_windows": train_windows, "estimated_from_bytes": size.sample_bytes,
        "validation_windows": validation_windows, "split": "hash of each passage",
        **shards.describe(),
    }  # fmt: skip
    return CorpusData(shards.dataset, validation, steps, steps,
                      validation_windows * sequence_length, description)  # fmt: skip
