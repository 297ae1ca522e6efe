"""The compression flags of the training applications, and what they do to a run.

    --prune 0.75 [--prune-schedule polynomial|constant]      magnitude pruning while training
    --distill-from TEACHER.keras [--temperature 4 --alpha 0.1]   learn from a trained teacher
    --quantize int8                                           post-training int8 copy

Example (what zoo train image does):
>>> compression = Compression.from_args(args)  # doctest: +SKIP
>>> with run.scope():
...     model = spec.build(...)
...     trainer = compression.prepare(model, total_steps=steps_per_epoch * epochs)
...     run.compile(trainer, recipe, steps_per_epoch=steps_per_epoch,
...                 from_logits=compression.distilling)
>>> run.fit(trainer, train, epochs=epochs, callbacks=compression.callbacks(),
...         checkpoint_model=model)
>>> model = compression.finish(run, model, steps_per_epoch=steps_per_epoch)
>>> metrics = compression.quantize(run, model, test, run.finish(model, test, record))
"""

from pathlib import Path

import keras

from zoo._cli import existing_file, non_negative_float, positive_float, unit_interval
from zoo._utils import atomic_path
from zoo.compress.distillation import bert_hidden_state_pairs, distill
from zoo.compress.pruning import PruningCallback, prune, sparsity_report, strip_pruning
from zoo.compress.quantization import QUANTIZATION_MODES
from zoo.compress.quantization import quantize as quantize_model
from zoo.compress.schedules import ConstantSparsity, PolynomialDecay
from zoo.errors import ConfigError

PRUNE_SCHEDULES = ("polynomial", "constant")
# The polynomial schedule reaches its sparsity at this fraction of training; the rest
# fine-tunes the surviving weights (Zhu & Gupta 2017).
PRUNE_END_FRACTION = 0.7
PRUNE_UPDATES = 20  # mask updates over a run (tfmot: every 100 steps)


def add_compression_arguments(parser, *, hidden_states=False):
    """Add --prune, --prune-schedule, --distill-from, --temperature, --alpha, --quantize
    (and --hidden-state-weight for BERT)."""
    group = parser.add_argument_group("compression (see the compression guide)")
    group.add_argument("--prune", type=unit_interval, metavar="SPARSITY",
                       help="prune this fraction of the kernels' weights by magnitude while "
                            "training, e.g. 0.75")  # fmt: skip
    group.add_argument("--prune-schedule", choices=PRUNE_SCHEDULES, default="polynomial",
                       help="polynomial: from 0 to SPARSITY over 70%% of training; constant: "
                            "SPARSITY from the first step")  # fmt: skip
    group.add_argument("--distill-from", type=existing_file, metavar="TEACHER.keras",
                       help="a trained classifier (another run's model.keras) to learn from")
    group.add_argument("--temperature", type=positive_float, default=4.0,
                       help="softens both models' logits for distillation")
    group.add_argument("--alpha", type=unit_interval, default=0.1,
                       help="weight of the labels' loss (1 - alpha: the teacher's)")
    if hidden_states:
        group.add_argument("--hidden-state-weight", type=non_negative_float, default=0.0,
                           help="also learn the teacher's hidden states (TinyBERT), with this "
                                "weight against the logits term")  # fmt: skip
    group.add_argument("--quantize", choices=QUANTIZATION_MODES,
                       help="also save model_<mode>.keras quantized after training, and its "
                            "test metrics")  # fmt: skip


class Compression:
    """What the compression flags ask of one run: prune, distill, quantize, or nothing."""

    def __init__(self, *, prune=None, prune_schedule="polynomial", distill_from=None,
                 temperature=4.0, alpha=0.1, hidden_state_weight=0.0, quantize=None):  # fmt: skip
        self.target_sparsity = prune
        self.prune_schedule = prune_schedule
        self.teacher_path = distill_from
        self.temperature, self.alpha = temperature, alpha
        self.hidden_state_weight = hidden_state_weight
        self.quantize_mode = quantize
        self.pruning = None
        self.teacher = None

    @classmethod
    def from_args(cls, args):
        return cls(prune=args.prune, prune_schedule=args.prune_schedule,
                   distill_from=args.distill_from, temperature=args.temperature,
                   alpha=args.alpha, quantize=args.quantize,
                   hidden_state_weight=getattr(args, "hidden_state_weight", 0.0))  # fmt: skip

    @property
    def distilling(self):
        return self.teacher_path is not None

    def schedule(self, total_steps):
        """The pruning schedule of `--prune-schedule` over a run of `total_steps`."""
        frequency = max(1, total_steps // PRUNE_UPDATES)
        if self.prune_schedule == "constant":
            return ConstantSparsity(self.target_sparsity, begin_step=0, frequency=frequency)
        end = max(1, int(total_steps * PRUNE_END_FRACTION))
        return PolynomialDecay(0.0, self.target_sparsity, begin_step=0, end_step=end,
                               frequency=frequency)  # fmt: skip

    def prepare(self, model, *, total_steps, distribution=None):
        """Set pruning up on `model` and return what to compile and fit: `model`, or a
        distiller training it. Call inside the run's scope."""
        if self.target_sparsity and distribution is not None and (
            distribution.name == "model_parallel"
        ):
            raise ConfigError("--prune needs replicated weights; use --strategy data_parallel "
                              "(model_parallel shards the kernels).")  # fmt: skip
        if self.target_sparsity:
            self.pruning = prune(model, self.schedule(total_steps))
        if not self.distilling:
            return model
        self.teacher = keras.saving.load_model(self.teacher_path)
        if not isinstance(model.input, dict) and (
            tuple(self.teacher.input_shape[1:]) != tuple(model.input_shape[1:])
        ):
            raise ConfigError(
                f"--distill-from {self.teacher_path}: the teacher takes inputs of shape "
                f"{self.teacher.input_shape[1:]}, the student {model.input_shape[1:]}; train "
                "the teacher on the same data (and --image-size)."
            )
        pairs = []
        if self.hidden_state_weight:
            pairs = bert_hidden_state_pairs(self.teacher, model)
        return distill(self.teacher, model, temperature=self.temperature, alpha=self.alpha,
                       hidden_states=pairs,
                       hidden_state_weight=self.hidden_state_weight)  # fmt: skip

    def callbacks(self):
        return [PruningCallback(self.pruning)] if self.pruning else []

    def finish(self, run, model, *, steps_per_epoch, **compile_kwargs):
        """The trained model to evaluate and save: pruning stripped off, compiled on its own
        (a distilled student was compiled only inside its distiller)."""
        if not (self.pruning or self.distilling):
            return model
        with run.scope():
            final = strip_pruning(model) if self.pruning else model
            run.compile(final, run.recipe, steps_per_epoch=steps_per_epoch, **compile_kwargs)
        return final

    @staticmethod
    def summary(metrics):
        """A short line of what compression achieved, for the application's last line."""
        parts = []
        if "pruning" in metrics:
            parts.append(f"sparsity {metrics['pruning']['sparsity']:.2f}")
        if "distillation" in metrics:
            parts.append(f"distilled from {Path(metrics['distillation']['teacher']).name}")
        if "quantization" in metrics:
            q = metrics["quantization"]
            ratio = q["bytes_before"] / max(q["bytes_after"], 1)
            accuracy = q.get("test_accuracy", float("nan"))
            parts.append(f"{q['mode']} accuracy {accuracy:.4f}, {ratio:.1f}x smaller")
        return "".join(f" | {part}" for part in parts)

    def describe(self, model):
        """What `metrics.json` records of the compression (empty without any)."""
        record = {}
        if self.target_sparsity:
            report = sparsity_report(model)
            record["pruning"] = {
                "target_sparsity": self.target_sparsity,
                "sparsity": report["sparsity"],
                "schedule": self.pruning.schedule.to_dict(),
                "prunable_parameters": report["prunable_parameters"],
                "zeros": report["zeros"],
                "bytes": report["bytes"],
                "compressed_bytes": report["compressed_bytes"],
            }
        if self.distilling:
            record["distillation"] = {
                "teacher": str(self.teacher_path),
                "teacher_parameters": int(self.teacher.count_params()),
                "temperature": self.temperature,
                "alpha": self.alpha,
                "hidden_state_weight": self.hidden_state_weight,
            }
        return record

    def quantize(self, run, model, test, metrics):
        """With --quantize: quantize `model`, evaluate it on `test`, save
        `model_<mode>.keras`, and record both in `metrics`; return `metrics`."""
        if not self.quantize_mode:
            return metrics
        with run.scope():
            report = quantize_model(model, self.quantize_mode)
        results = run.evaluate(model, test)
        path = Path(run.run_dir) / f"model_{self.quantize_mode}.keras"
        with atomic_path(path) as tmp:
            model.save(tmp)
        metrics["quantization"] = {
            **{key: value for key, value in report.items() if key != "quantized_layers"},
            "quantized_layers": len(report["quantized_layers"]),
            "model": path.name,
            **{f"test_{name}": float(value) for name, value in results.items()},
        }
        run.write_metrics(metrics)
        return metrics
