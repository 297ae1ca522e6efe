"""The registry of benchmark suites: what each measures, how to run it at full and at smoke
(`--quick`) size, the CSV it writes, the docs page it feeds and how its rows become ratios.

Example:
>>> SUITES["train_throughput"].csv
'train_throughput.csv'
>>> [suite.name for suite in SUITES.values() if suite.needs_accelerator]
['gpu_bert_mfu']
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import _gpt_ratios, _ratios

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Suite:
    """One benchmark suite, run as `python benchmarks/<script> <args>`.

    `csv` is the results file it writes in --results-dir (None: it writes none), `docs_page`
    the page (under docs/) whose table it rewrites, `minutes` its full-size time on the 2-core
    machine (measured 2026-12-01, rounded), `ratios` its CSV rows -> ratio rows,
    `training_log` the Keras CSV log it keeps beside its results (plotted as training curves),
    `title` its heading in the report.
    """

    name: str
    script: str
    measures: str
    csv: str | None
    docs_page: str | None
    minutes: float
    quick_args: tuple[str, ...]
    full_args: tuple[str, ...] = ()
    ratios: Callable[[list[dict]], list[dict]] | None = None
    training_log: str | None = None
    needs_accelerator: bool = False
    only_when_named: bool = False  # hours long: `run` without --suites leaves it out
    title: str = ""

    @property
    def script_path(self):
        return HERE / self.script

    def arguments(self, quick):
        return self.quick_args if quick else self.full_args


FEWEST_STEPS = ("--steps", "2", "--warmup-steps", "1")
SUITE_LIST = [
    Suite("train_throughput", "train_throughput.py",
          "cnn and resnet20 training images/s on each backend beside plain PyTorch",
          "train_throughput.csv", "benchmarks.md", 3,
          ("--models", "cnn", *FEWEST_STEPS),
          ratios=_ratios.versus_reference("images_per_second", "images/s", "plain PyTorch"),
          title="Image classifiers: training throughput"),
    Suite("bert_throughput", "bert_throughput.py",
          "bert_mini and bert_small fine-tuning sequences/s beside keras-hub and Hugging Face, "
          "and achieved GFLOP/s against the matmul roof",
          "bert_throughput.csv", "models/bert.md", 6,
          ("--models", "bert_mini", *FEWEST_STEPS), ratios=_ratios.bert_ratios,
          title="BERT: fine-tuning throughput"),
    Suite("gpt_throughput", "gpt_throughput.py",
          "gpt_mini (6 layers x 384, context 256) training tokens/s on each backend beside a "
          "nanoGPT-style PyTorch model and transformers' GPT2LMHeadModel",
          "gpt_throughput.csv", None, 5,
          ("--models", "gpt_nano", "--sequence-length", "32", "--batch-size", "2",
           *FEWEST_STEPS),
          ratios=_gpt_ratios.throughput_ratios, title="GPT: training throughput"),
    Suite("gpt_generation", "gpt_generation.py",
          "gpt_mini greedy generation tokens/s with the key/value cache and without one on "
          "each backend, beside transformers' generate",
          "gpt_generation.csv", None, 8,
          ("--models", "gpt_nano", "--new-tokens", "4", "--batch-sizes", "1"),
          ratios=_gpt_ratios.generation_ratios, title="GPT: generation throughput"),
    Suite("lstm_throughput", "lstm_throughput.py",
          "LSTM and BiLSTM text classifiers' training sequences/s beside plain PyTorch",
          "lstm_throughput.csv", "models/sequence.md", 3,
          ("--models", "lstm_text", *FEWEST_STEPS),
          ratios=_ratios.versus_reference("sequences_per_second", "sequences/s",
                                          "plain PyTorch, padded"),
          title="LSTM text classifiers: training throughput"),
    Suite("recommender_throughput", "recommender_throughput.py",
          "DeepFM training samples/s on Criteo-shaped data beside plain PyTorch",
          "recommender_throughput.csv", "models/recommenders.md", 5, FEWEST_STEPS,
          ratios=_ratios.versus_reference("samples_per_second", "samples/s", "plain PyTorch"),
          title="DeepFM: training throughput"),
    Suite("criteo_streaming", "criteo_streaming.py",
          "the streamed Criteo path on a generated 20M-row log: vocabulary pass, input "
          "pipeline and one DeepFM epoch (rows/s, peak memory) beside the in-memory reader",
          "criteo_streaming.csv", "models/recommenders.md", 20,
          ("--rows", "20000", "--in-memory-rows", "20000"), ratios=_ratios.streaming_ratios,
          only_when_named=True, title="Criteo streaming at scale"),
    Suite("table_formats", "table_formats.py",
          "one generated Criteo-format log as TSV, CSV and Parquet, each through the streamed "
          "vocabulary pass (rows/s, peak memory, size on disk)",
          "table_formats.csv", "models/recommenders.md", 4, ("--rows", "20000"),
          ratios=_ratios.table_format_ratios, only_when_named=True,
          title="Streamed table formats"),
    Suite("corpus_streaming", "corpus_streaming.py",
          "masked-LM pretraining streamed from a generated 2 GB corpus: tokenizer sample, "
          "input pipeline, time to the first step and training (rows/s, peak memory) beside "
          "the in-memory reader",
          "corpus_streaming.csv", "models/bert.md", 12,
          ("--gigabytes", "0.05", "--steps", "5", "--in-memory-files", "1"),
          ratios=_ratios.corpus_streaming_ratios, only_when_named=True,
          title="Corpus streaming at scale"),
    Suite("gpt_corpus_streaming", "corpus_streaming.py",
          "causal-LM (GPT) pretraining streamed from the same 2 GB corpus: tokenizer sample, "
          "windows, time to the first step and training (rows/s, peak memory) beside the "
          "in-memory reader",
          "gpt_corpus_streaming.csv", "models/gpt.md", 5,
          ("--family", "gpt", "--gigabytes", "0.05", "--steps", "5", "--in-memory-files", "1"),
          ("--family", "gpt", "--in-memory-files", "2"),
          ratios=_ratios.corpus_streaming_ratios, only_when_named=True,
          title="GPT corpus streaming at scale"),
    Suite("precision_xla", "scaling.py",
          "resnet20 and bert_small examples/s under mixed_bfloat16 and XLA against float32",
          "precision_xla.csv", "guides/scaling.md", 6,
          ("--suites", "precision_xla", "--models", "resnet20", *FEWEST_STEPS),
          full_args=("--suites", "precision_xla"), ratios=_ratios.precision_xla_ratios,
          title="Mixed precision and XLA"),
    Suite("data_parallel", "scaling.py",
          "data-parallel strategies on 2 simulated CPU devices against ideal 2x scaling",
          "data_parallel_scaling.csv", "guides/scaling.md", 5,
          ("--suites", "data_parallel", "--models", "resnet20", *FEWEST_STEPS),
          full_args=("--suites", "data_parallel"), ratios=_ratios.data_parallel_ratios,
          title="Data parallelism"),
    Suite("compression", "compression.py",
          "Fashion-MNIST test accuracy and weight bytes under pruning, int8 and distillation",
          "compression_fashion_mnist.csv", "guides/compression.md", 5,
          ("--epochs", "1", "--train-examples", "2000", "--teacher-epochs", "1"),
          ratios=_ratios.compression_ratios, training_log="compression_history.csv",
          title="Compression on Fashion-MNIST"),
    Suite("export_inference", "export_inference.py",
          "ONNX Runtime and SavedModel latency and throughput against Keras predict",
          "export_inference.csv", "guides/export.md", 5,
          ("--models", "resnet20", "--repeats", "2"), ratios=_ratios.export_ratios,
          title="Exported artifacts: inference"),
    Suite("sequence_learning", "sequence_learning.py",
          "what the LSTM applications learn: forecast error against naive forecasts, text "
          "accuracy against chance", "sequence_learning.csv", "models/sequence.md", 2,
          ("--backends", "jax", "--epochs", "1"), ratios=_ratios.sequence_ratios,
          title="LSTM applications: what they learn"),
    Suite("evaluation_gallery", "evaluation_gallery.py",
          "the pictures and numbers of the evaluation guide (zoo evaluate / zoo explain)",
          None, "guides/evaluation.md", 4, ("--epochs", "1"),
          title="Evaluation gallery"),
    Suite("quality", "quality.py",
          "each family's registered recipe trained on real data (Fashion-MNIST, real text, "
          "ratings and time series) beside a plain baseline of the same network and the "
          "published reference", "quality.csv", "quality.md", 300, ("--quick",),
          ratios=_ratios.quality_ratios, only_when_named=True,
          title="Model quality on real data"),
    Suite("gpu_bert_mfu", "gpu_bert_mfu.py",
          "bert_base sequences/s and model FLOPs utilisation on a GPU (bf16 and float32, XLA)",
          "gpu_bert_mfu.csv", "guides/scaling.md", 5,
          ("--model", "bert_tiny", "--backends", "jax", *FEWEST_STEPS),
          ratios=_ratios.gpu_mfu_ratios, needs_accelerator=True,
          title="BERT on a GPU: model FLOPs utilisation"),
]  # fmt: skip
SUITES = {suite.name: suite for suite in SUITE_LIST}
