"""The recommender application's data: encoded train/validation/test pipelines, two ways.

* `streamed` (Criteo and Parquet by default, CSV files with `--stream`): the files are read
  as a stream (`zoo.data.streaming.CriteoStream`, `TableStream`,
  `zoo.data.parquet_stream.ParquetStream`), split by a seeded hash of each row, the
  vocabularies and statistics counted in one streaming pass (`fit_streaming`) and saved in
  the run folder with the row counts; memory stays bounded whatever the size of the files.
  `--split time` splits by whole files in their order instead (Criteo's `day_0` ...
  `day_23`: the last days for test). `--max-rows` bounds the rows read, as it bounds the
  in-memory reader (with `--split time`, those of each split's files). Over several processes
  (TensorFlow's `multi_worker_mirrored`, multi-process JAX) each trains on its own rows
  (`zoo.train.worker_input`); every worker counts the whole training split, so all hold the
  same vocabularies without exchanging them.
* `in_memory` (MovieLens, a CSV without `--stream`, synthetic rows, and Criteo with
  `--in-memory`): the table is read into NumPy, split, and the encoder fitted on the
  training rows.

Both give `PreparedData`: the fitted encoder, the three pipelines of encoded batches, the
training steps per epoch and the description that metrics.json records.

Example:
>>> data = streamed(args, run, recipe)   # doctest: +SKIP
>>> model.fit(data.train, validation_data=data.validation, epochs=1)   # doctest: +SKIP
"""

import dataclasses
import warnings

from zoo.data import encoded_cache
from zoo.data._reading import check_encoding
from zoo.data.parquet_stream import ParquetStream, is_parquet
from zoo.data.run_encoder import load_or_fit
from zoo.data.streaming import CriteoStream, TableStream
from zoo.data.streaming_encode import encode_stream
from zoo.data.streaming_stats import StreamingFit, fit_streaming
from zoo.data.tabular import criteo_specs, load_tabular, read_spec_file
from zoo.data.tabular_encoding import ENCODER_FILE, ColumnSpec, TabularEncoder
from zoo.errors import ConfigError
from zoo.train.worker_input import check_streamable, reads_own_shard, worker_input

SHUFFLE_ROWS = 100_000  # the training stream's shuffle buffer (rows)
STATISTICS_BATCH = 65_536  # rows a batch of the counting pass
CACHE_FOLDER = "encoded_cache"  # --cache-encoded: the encoded training rows, in the run folder
CACHE_BLOCK = 4096  # rows a cached block


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
    cache: object = None  # the folder of --cache-encoded, removed when training ends


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


def _open_stream(args):
    """(the `TableStream` of a Criteo log or of --csv files, its column specs)."""
    label, _, specs = _specs(args)
    if args.dataset == "criteo":
        source = args.csv or args.data_dir
        if not source:
            raise ConfigError("The criteo data set is read from its files: pass --data-dir "
                              "(a folder with train.txt, or day_0, day_1, ...) or --csv FILE.")
        return CriteoStream.open(source), specs or criteo_specs(
            args.embedding_dim or 10, args.min_frequency, args.hash_buckets)
    if not args.csv or not label or not specs:
        raise ConfigError("The csv data set needs --csv FILE (or folder, or pattern), --label "
                          "COLUMN and --features (or --spec FILE.json).")  # fmt: skip
    dense = [spec.name for spec in specs if spec.kind == "dense"]
    if is_parquet(args.csv):
        return ParquetStream.open(args.csv, label=label, numeric=dense,
                                  columns=[spec.name for spec in specs]), specs  # fmt: skip
    if check_encoding(args.encoding) != "utf-8":
        raise ConfigError(f"--encoding {args.encoding}: --stream reads UTF-8 files; convert "
                          "them (e.g. iconv -t utf-8) or drop --stream.")  # fmt: skip
    return TableStream.open(args.csv, label=label, numeric=dense), specs


def _cache_folder(args, run):
    """The folder of --cache-encoded (None without it); refused over several processes."""
    if not args.cache_encoded:
        return None
    if run.distribution.processes > 1:
        raise ConfigError(f"--cache-encoded keeps one process's rows; over "
                          f"{run.distribution.processes} processes each would need its own "
                          "cache, which zoo does not write yet: drop --cache-encoded.")  # fmt: skip
    return run.run_dir / CACHE_FOLDER


def streamed(args, run, recipe):
    """A Criteo-format log, or CSV files, streamed (see the module docstring)."""
    distribution = run.distribution
    check_streamable(distribution, f"a {args.dataset} table")
    stream, specs = _open_stream(args)
    # Keras learns a stream's length when it ends, and warns "Your input ran out of data"
    # at each end (every epoch and evaluation): that is how a stream ends, not a fault.
    warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)
    fractions = (args.validation_split, args.test_split)
    # --split time: whole files in their order (day_0 ... day_23), the last ones for test
    split_by = "files" if args.split == "time" else "hash"
    time_column = _specs(args)[1]
    if split_by == "files":
        if time_column:
            raise ConfigError(f"time column {time_column!r} (--time-column or the spec "
                              "file): a streamed table is split by time over its files, in "
                              "their order; drop it, or read the table into memory (a CSV "
                              "without --stream) to order its rows by it.")  # fmt: skip
        stream.file_splits(fractions)  # one clear error when the files are too few

    def rows(split, batch_size, **options):
        return stream.dataset(batch_size, split=split, fractions=fractions, seed=args.seed,
                              split_by=split_by, max_rows=args.max_rows, **options)  # fmt: skip

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

    cache = _cache_folder(args, run)

    def training_rows(batch_size, num_workers, worker_index):
        sharded = num_workers > 1  # then repeated in full batches (see worker_input)
        if cache is not None:
            blocks = encode_stream(fit.encoder, rows("train", CACHE_BLOCK))
            return encoded_cache.cached_training_rows(
                blocks, cache, rows=fit.rows, batch_size=batch_size, shuffle_rows=SHUFFLE_ROWS,
                block_rows=CACHE_BLOCK, seed=args.seed)  # fmt: skip
        own = rows("train", batch_size, shuffle_buffer=SHUFFLE_ROWS, num_workers=num_workers,
                   worker_index=worker_index, shard_by=args.shard_by,
                   drop_remainder=sharded)  # fmt: skip
        encoded = encode_stream(fit.encoder, own)
        return encoded.repeat() if sharded else encoded

    if reads_own_shard(distribution) and fit.rows < 2 * batch:
        raise ConfigError(
            f"{fit.rows:,} training rows over {distribution.processes} workers leave a worker "
            f"less than one batch of its share of --batch-size {batch}; lower --batch-size or "
            "read more rows."
        )
    shards = worker_input(distribution, training_rows, batch)
    description = {
        "dataset": args.dataset, "data_source": "files", "synthetic": False, "streamed": True,
        "files": list(stream.files), "max_rows": args.max_rows, "num_train": fit.rows,
        "positive_rate": round(fit.positives / fit.rows, 4),
        "split": "files in order" if split_by == "files" else "hash of each row",
        "shard_by": args.shard_by, "cache_encoded": cache is not None,
        "validation_fraction": fractions[0],
        "test_fraction": fractions[1], **shards.describe(),
    }  # fmt: skip
    return PreparedData(fit.encoder, shards.dataset, evaluated["validation"], evaluated["test"],
                        max(1, fit.rows // batch), description,
                        fit_steps=shards.steps_per_epoch(fit.rows, batch),
                        cache=cache)  # fmt: skip
