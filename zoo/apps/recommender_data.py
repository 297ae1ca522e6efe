"""The recommender application's data: encoded train/validation/test pipelines, two ways.

* `streamed` (Criteo, the default): the log's files are read as a stream
  (`zoo.data.streaming.CriteoStream`), split by a seeded hash of each row, the vocabularies
  and statistics counted in one streaming pass (`fit_streaming`) and saved in the run folder
  with the row counts; memory stays bounded whatever the size of the files. `--max-rows`
  bounds the rows read, as it bounds the in-memory reader. Under TensorFlow's
  `multi_worker_mirrored` each worker trains on its own rows (`zoo.train.worker_input`);
  every worker counts the whole training split, so all hold the same vocabularies without
  exchanging them. Multi-process JAX is refused here (`--in-memory` reads the log whole).
* `in_memory` (MovieLens, a CSV, synthetic rows, and Criteo with `--in-memory`): the table
  is read into NumPy, split, and the encoder fitted on the training rows.

Both give `PreparedData`: the fitted encoder, the three pipelines of encoded batches, the
training steps per epoch and the description that metrics.json records.

Example:
>>> data = streamed(args, run, recipe)   # doctest: +SKIP
>>> model.fit(data.train, validation_data=data.validation, epochs=1)   # doctest: +SKIP
"""

import dataclasses
import warnings

from zoo.data.run_encoder import load_or_fit
from zoo.data.streaming import CriteoStream
from zoo.data.streaming_encode import encode_stream
from zoo.data.streaming_stats import StreamingFit, fit_streaming
from zoo.data.tabular import criteo_specs, load_tabular, read_spec_file
from zoo.data.tabular_encoding import ENCODER_FILE, ColumnSpec, TabularEncoder
from zoo.errors import ConfigError
from zoo.train.worker_input import check_streamable, worker_input

SHUFFLE_ROWS = 100_000  # the training stream's shuffle buffer (rows)
STATISTICS_BATCH = 65_536  # rows a batch of the counting pass


@dataclasses.dataclass(frozen=True)
class PreparedData:
    encoder: TabularEncoder
    train: object
    validation: object  # None without validation rows
    test: object  # None without test rows
    steps_per_epoch: int
    description: dict
    synthetic: bool = False
    fit_steps: int = None  # fixed training steps per epoch (sharded input), None: all


def _specs(args):
    """(label, time column, column specs) from --spec / --label / --features."""
    label, time_column, specs = args.label, args.time_column, args.features
    if args.spec:
        label, spec_time, specs = read_spec_file(args.spec)
        time_column = time_column or spec_time
    if specs and args.embedding_dim:
        specs = [ColumnSpec(**{**s.__dict__, "embedding_dim": args.embedding_dim}) for s in specs]
    return label, time_column, specs


def in_memory(args, run, recipe):
    """The table read into memory, split and encoded (every data set)."""
    label, time_column, specs = _specs(args)
    data = load_tabular(
        args.dataset, data_dir=args.data_dir, csv_path=args.csv, label=label, specs=specs,
        time_column=time_column, split=args.split, seed=args.seed, max_rows=args.max_rows,
        fractions=(args.validation_split, args.test_split),
        embedding_dim=args.embedding_dim, min_frequency=args.min_frequency,
        hash_buckets=args.hash_buckets, encoding=args.encoding,
    )  # fmt: skip
    encoder = load_or_fit(run, ENCODER_FILE, load=TabularEncoder.load,
                          fit=lambda: TabularEncoder.fit(data.specs, data.train))  # fmt: skip
    datasets = {split: encoder.dataset(getattr(data, split), getattr(data, f"{split}_labels"),
                                       batch_size=recipe.batch_size,
                                       training=split == "train", seed=args.seed)
                if len(getattr(data, f"{split}_labels")) else None
                for split in ("train", "validation", "test")}  # fmt: skip
    return PreparedData(encoder, datasets["train"], datasets["validation"], datasets["test"],
                        max(1, len(data.train_labels) // recipe.batch_size), data.describe(),
                        data.synthetic)  # fmt: skip


def streamed(args, run, recipe):
    """A Criteo-format log streamed from its files (see the module docstring)."""
    if args.split != "random":
        raise ConfigError(f"--split {args.split}: a streamed Criteo log is split by a hash of "
                          "each row (its rows carry no time); leave --split at random.")
    source = args.csv or args.data_dir
    if not source:
        raise ConfigError("The criteo data set is read from its files: pass --data-dir "
                          "(a folder with train.txt, or day_0, day_1, ...) or --csv FILE.")
    distribution = run.distribution
    check_streamable(distribution, "a Criteo log")
    stream = CriteoStream.open(source)
    # Keras learns a stream's length when it ends, and warns "Your input ran out of data"
    # at each end (every epoch and evaluation): that is how a stream ends, not a fault.
    warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)
    _, _, specs = _specs(args)
    specs = specs or criteo_specs(args.embedding_dim or 10, args.min_frequency,
                                  args.hash_buckets)  # fmt: skip
    fractions = (args.validation_split, args.test_split)

    def rows(split, batch_size, shuffle=0, num_workers=1, worker_index=0):
        return stream.dataset(batch_size, split=split, fractions=fractions, seed=args.seed,
                              shuffle_buffer=shuffle, max_rows=args.max_rows,
                              num_workers=num_workers, worker_index=worker_index)  # fmt: skip

    def count():
        fit = fit_streaming(specs, rows("train", STATISTICS_BATCH), stream=stream)
        print(f"Counted {fit.rows:,} training rows in {fit.seconds:.1f} s "
              f"({fit.rows_per_second:,.0f} rows/s)")  # fmt: skip
        return fit

    fit = load_or_fit(run, ENCODER_FILE, load=StreamingFit.load, fit=count)
    batch = recipe.batch_size
    shares = {"validation": fractions[0], "test": fractions[1]}
    evaluated = {split: encode_stream(fit.encoder, rows(split, batch)) if share else None
                 for split, share in shares.items()}  # fmt: skip

    def training_rows(batch_size, num_workers, worker_index):
        encoded = encode_stream(fit.encoder, rows("train", batch_size, SHUFFLE_ROWS,
                                                  num_workers, worker_index))  # fmt: skip
        return encoded.repeat() if num_workers > 1 else encoded

    shards = worker_input(distribution, training_rows, batch)
    description = {
        "dataset": "criteo", "data_source": "files", "synthetic": False, "streamed": True,
        "files": list(stream.files), "max_rows": args.max_rows, "num_train": fit.rows,
        "positive_rate": round(fit.positives / fit.rows, 4),
        "split": "hash of each row", "validation_fraction": fractions[0],
        "test_fraction": fractions[1], **shards.describe(),
    }  # fmt: skip
    return PreparedData(fit.encoder, shards.dataset, evaluated["validation"], evaluated["test"],
                        max(1, fit.rows // batch), description,
                        fit_steps=shards.steps_per_epoch(fit.rows, batch))  # fmt: skip
