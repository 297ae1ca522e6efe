"""The BERT application's data: the run's tokenizer, and the pretraining corpus two ways.

* `streamed_corpus` (the default): the corpus's files are read as a stream
  (`zoo.data.corpus_stream.CorpusStream`), never whole in memory. The tokenizer is learned
  from a sample spread over the files (`--tokenizer-sample-mb`, 100 MB by default: the whole
  corpus when it is smaller), and an epoch's steps from the rows a 16 MB sample packs into,
  scaled to the corpus's size; both are saved in the run folder, so a resumed run neither
  re-learns nor re-estimates. Training reads the stream over and over (an epoch is the
  estimated steps, or `--steps-per-epoch`, so the learning-rate schedule ends where it
  should); validation is one pass over the held-out passages (or their first
  `--validation-sequences`), masked the same way every epoch. Over several processes
  (TensorFlow's `multi_worker_mirrored`, multi-process JAX) each reads its own passages
  (`zoo.train.worker_input`).
* `in_memory_corpus` (`--in-memory`): the lines are read into memory, packed, and split by
  a seeded permutation of the rows; an epoch is one exact pass (or `--steps-per-epoch`).

Example:
>>> data = streamed_corpus(args, run, recipe)   # doctest: +SKIP
>>> run.fit(model, data.train, validation=data.validation, epochs=recipe.epochs,
...         steps_per_epoch=data.fit_steps)     # doctest: +SKIP
"""

import dataclasses
import warnings

import numpy as np

from zoo.data._reading import check_encoding
from zoo.data.bert_inputs import masked_lm_batches, masked_lm_dataset, pack_documents
from zoo.data.corpus_sample import ESTIMATE_FILE, CorpusEstimate
from zoo.data.corpus_stream import PASSAGE_LINES, CorpusStream
from zoo.data.masking import MaskingConfig
from zoo.data.run_encoder import load_or_fit
from zoo.data.text_files import read_corpus
from zoo.data.tokenizer import WordPieceTokenizer
from zoo.errors import ConfigError
from zoo.train.worker_input import check_streamable, worker_input

TOKENIZER_VOCABULARY = "tokenizer/vocab.txt"  # in the run folder, beside model.keras
SHUFFLE_ROWS = 10_000  # the training stream's shuffle buffer (rows)
ESTIMATE_BYTES = 16 << 20  # the sample an epoch's length is estimated from


def run_tokenizer(args, run, learn):
    """The run's tokenizer (saved in its `tokenizer/` folder): a resumed run's, --vocabulary,
    or `learn()` (called only when neither exists; refused over several processes)."""

    def fit():
        if args.vocabulary:
            return WordPieceTokenizer(args.vocabulary, lowercase=not args.cased)
        processes = run.distribution.processes
        if processes > 1:
            raise ConfigError(
                f"--strategy {run.distribution.name} over {processes} processes learns a "
                "vocabulary in each, and the WordPiece trainer breaks ties in a per-process "
                "order: the workers' token ids would differ. Pass --vocabulary (e.g. the "
                "tokenizer/vocab.txt of a one-process run)."
            )
        return learn()

    return load_or_fit(run, TOKENIZER_VOCABULARY, load=WordPieceTokenizer.load, fit=fit)


@dataclasses.dataclass(frozen=True)
class CorpusData:
    """The tokenizer, the masked-LM pipelines, the schedule's steps per epoch, the steps
    `fit` takes per epoch (None: until the data ends) and what metrics.json records."""

    tokenizer: WordPieceTokenizer
    train: object
    validation: object
    steps_per_epoch: int
    fit_steps: int
    description: dict


def _too_few(rows, batch_size):
    return ConfigError(
        f"The corpus packs into {rows} training sequences, fewer than batch_size={batch_size}; "
        "lower --batch-size or add text."
    )


def _bounded(validation, args, batch_size):
    """The streamed validation batches, the first --validation-sequences only when set."""
    if not args.validation_sequences:
        return validation
    return validation.take(-(-args.validation_sequences // batch_size))


def streamed_corpus(args, run, recipe):
    """The corpus as a stream (see the module docstring)."""
    distribution = run.distribution
    check_streamable(distribution, "a corpus")
    if not args.validation_split:
        raise ConfigError("--validation-split 0: pretraining measures its masked-LM accuracy on "
                          "held-out passages; keep a share such as 0.05.")  # fmt: skip
    stream = CorpusStream.open(args.corpus, args.encoding)
    # Keras learns a stream's length when it ends, and warns "Your input ran out of data"
    # at each end (every validation pass): that is how a stream ends, not a fault.
    warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)
    sample_bytes = args.tokenizer_sample_mb << 20
    tokenizer = run_tokenizer(args, run, lambda: WordPieceTokenizer.from_texts(
        stream.sample(sample_bytes).texts(), args.vocabulary_size, not args.cased))  # fmt: skip

    def estimate():
        sample = stream.sample(ESTIMATE_BYTES)
        rows = stream.estimate_rows(tokenizer, args.sequence_length, sample)
        return CorpusEstimate(rows, sample.corpus_bytes, sample.sample_bytes)

    size = load_or_fit(run, ESTIMATE_FILE, load=CorpusEstimate.load, fit=estimate)
    batch, fraction = recipe.batch_size, args.validation_split
    train_rows = round(size.count * (1 - fraction))
    if train_rows < batch:
        raise _too_few(train_rows, batch)
    masking = MaskingConfig.for_tokenizer(tokenizer, args.sequence_length)

    def rows(split, **sharding):
        return stream.rows(tokenizer, args.sequence_length, split=split, seed=args.seed,
                           validation_fraction=fraction, **sharding)  # fmt: skip

    def training_batches(batch_size, num_workers, worker_index):
        shard = rows("train", shuffle_rows=SHUFFLE_ROWS, num_workers=num_workers,
                     worker_index=worker_index)  # fmt: skip
        return masked_lm_batches(shard.repeat(), tokenizer, masking, batch_size=batch_size,
                                 training=True, seed=args.seed)  # fmt: skip

    shards = worker_input(distribution, training_batches, batch)
    if not stream.has_rows(tokenizer, args.sequence_length, split="validation",
                           validation_fraction=fraction, seed=args.seed):  # fmt: skip
        raise ConfigError(
            f"--validation-split {fraction} holds out none of this corpus's passages of "
            f"{PASSAGE_LINES} lines; raise it, or add --in-memory to hold out packed rows."
        )
    validation = masked_lm_batches(rows("validation"), tokenizer, masking, batch_size=batch,
                                   training=False, seed=args.seed)  # fmt: skip
    steps = args.steps_per_epoch or max(1, train_rows // batch)
    description = {
        "streamed": True, "files": len(stream.files), "corpus_bytes": size.corpus_bytes,
        "estimated_train_sequences": train_rows, "estimated_from_bytes": size.sample_bytes,
        "tokenizer_sample_bytes": None if args.vocabulary else sample_bytes,
        "split": "hash of each passage", **shards.describe(),
    }  # fmt: skip
    return CorpusData(tokenizer, shards.dataset, _bounded(validation, args, batch), steps,
                      steps, description)  # fmt: skip


def in_memory_corpus(args, run, recipe):
    """The corpus read whole, packed and split in memory (see the module docstring)."""
    lines = read_corpus(args.corpus, encoding=args.encoding)
    # The tokenizer trainer reads UTF-8 files itself; text in another encoding is passed decoded.
    utf8 = check_encoding(args.encoding) == "utf-8"
    lowercase = not args.cased

    def learn():
        if utf8:
            return WordPieceTokenizer.train(args.corpus, args.vocabulary_size, lowercase)
        texts = [line for line in lines if line is not None]
        return WordPieceTokenizer.from_texts(texts, args.vocabulary_size, lowercase)

    tokenizer = run_tokenizer(args, run, learn)
    rows = pack_documents(lines, tokenizer, args.sequence_length)
    order = np.random.default_rng(args.seed).permutation(len(rows))
    held_out = max(1, int(round(len(rows) * args.validation_split)))
    train_rows, validation_rows = rows[order[held_out:]], rows[order[:held_out]]
    validation_rows = validation_rows[: args.validation_sequences]  # all when None
    train, validation = (  # masked_lm_dataset refuses fewer training rows than a batch
        masked_lm_dataset(part, tokenizer, batch_size=recipe.batch_size, training=training,
                          seed=args.seed)
        for part, training in ((train_rows, True), (validation_rows, False))
    )  # fmt: skip
    description = {"streamed": False, "num_train_sequences": int(len(train_rows)),
                   "num_validation_sequences": int(len(validation_rows))}  # fmt: skip
    steps = args.steps_per_epoch
    if steps:  # epochs of a fixed length over the repeated rows
        train = train.repeat()
    return CorpusData(tokenizer, train, validation, steps or len(train_rows) // recipe.batch_size,
                      steps, description)  # fmt: skip
