"""The `zoo` command: `zoo list [PATTERN] [--task TASK]`, `zoo info NAME`,
`zoo export MODEL.keras --format saved_model|onnx`, `zoo evaluate RUN_DIR_OR_MODEL`,
`zoo explain MODEL --input FILE`, `zoo bench run|report|list` (in a keras-zoo checkout).
`zoo --help`, `zoo list` and `zoo info` import no backend: they start in a fraction of a second.

Example:
    $ zoo list 'resnet*'
    $ zoo info resnet20
    $ zoo export runs/resnet20_cifar10/model.keras --format onnx
    $ zoo evaluate runs/resnet20_cifar10 --compare fog=~/data/cifar10-fog
    $ zoo explain runs/resnet20_cifar10 --input cat.png
    $ zoo bench run --suites train_throughput --quick
"""

import argparse
import dataclasses
import importlib
import json
import os
import sys
from pathlib import Path

from zoo._cli import OneLineArgumentParser, exit_on_user_error, positive_int
from zoo.errors import ConfigError
from zoo.registry import get_model_spec, list_models, list_tasks


def _format_table(rows, header):
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def command_list(args):
    names = list_models(args.pattern, task=args.task)
    if not names:
        print(
            f"no model matches {args.pattern!r}"
            + (f" with task {args.task!r}" if args.task else "")
        )
        return
    rows = []
    for name in names:
        spec = get_model_spec(name)
        reference = spec.reference
        rows.append(
            [
                name,
                spec.task,
                f"{spec.parameter_count:,}",
                "x".join(str(d) for d in spec.input_shape)
                + (" (fixed)" if spec.fixed_input_size else ""),
                f"{reference.value:g}{reference.unit} {reference.dataset}" if reference else "-",
            ]
        )
    print(_format_table(rows, ["model", "task", "parameters", "input", "reference"]))


def _json_ready(value):
    """`value` with dataclasses (feature specs, configs) as dicts and tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"class": type(value).__name__, **_json_ready(dataclasses.asdict(value))}
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    return value


def spec_summary(spec):
    """A JSON-ready description of a registered model."""
    return {
        "name": spec.name,
        "description": spec.description,
        "task": spec.task,
        "input_shape": list(spec.input_shape),
        "parameters": spec.parameter_count,
        "builder": spec.builder_path.replace(":", "."),
        "fixed_input_size": spec.fixed_input_size,
        "defaults": _json_ready(spec.defaults),
        "reference": None
        if spec.reference is None
        else {
            "dataset": spec.reference.dataset,
            "metric": spec.reference.metric,
            "value": spec.reference.value,
            "unit": spec.reference.unit,
            "source": spec.reference.source,
        },
        "recipe": spec.recipe.to_dict() if spec.recipe else None,
        "measured": [dataclasses.asdict(result) for result in spec.measured],
    }


def _short_repr(value, limit=80):
    text = repr(value)
    if len(text) <= limit or not isinstance(value, (list, tuple)) or not value:
        return text
    kinds = sorted({type(v).__name__ for v in value})
    return f"<{len(value)} {'/'.join(kinds)}>"


def _kwargs(values):
    return ", ".join(f"{key}={_short_repr(value)}" for key, value in values.items())


def command_info(args):
    spec = get_model_spec(args.name)
    summary = spec_summary(spec)
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{spec.name}: {spec.description}")
    print(f"  task          {spec.task}")
    print(f"  input shape   {tuple(spec.input_shape)} ({spec.input_size_note})")
    print(f"  parameters    {spec.parameter_count:,}")
    print(f"  builder       {summary['builder']}({_kwargs(spec.defaults)})")
    if spec.reference:
        print(f"  reference     {spec.reference}")
    for result in spec.measured:
        print(f"  zoo measured  {result}")
        print(f"                with: {result.command}")
    if spec.recipe:
        recipe = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in spec.recipe.to_dict().items())  # fmt: skip
        print(f"  recipe        {recipe}")


def default_export_path(model_path, format):
    """Where `zoo export` writes without --output: beside the model, named after it."""
    model_path = Path(model_path)
    if format == "onnx":
        return model_path.with_suffix(".onnx")
    return model_path.with_name(f"{model_path.stem}_saved_model")


def command_export(args):
    from zoo.export import export
    from zoo.export.options import describe

    output = args.output or default_export_path(args.model, args.format)
    report = export(args.model, output, format=args.format, opset=args.opset,
                    verify=args.verify, overwrite=args.overwrite,
                    precision=args.precision)  # fmt: skip
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(f"wrote {report.path}: {describe(report)}")


def add_export_arguments(export):
    """The arguments of the `zoo export` sub-command (its parser is `export`)."""
    from zoo.export import ARTIFACT_PRECISIONS, FORMATS

    export.add_argument("model", help="the .keras file (e.g. a run's model.keras)")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("-o", "--output",
                        help="artifact path (default: beside the model, MODEL.onnx or "
                             "MODEL_saved_model/)")  # fmt: skip
    export.add_argument("--opset", type=positive_int, help="ONNX opset, 14-18 (default 17)")
    export.add_argument("--precision", choices=ARTIFACT_PRECISIONS, default="float32",
                        help="int8: ONNX Runtime's dynamic quantization (ONNX only)")  # fmt: skip
    export.add_argument("--verify", action=argparse.BooleanOptionalAction, default=True,
                        help="compare the artifact with Keras on random inputs")  # fmt: skip
    export.add_argument("--overwrite", action="store_true", help="replace an existing artifact")
    export.add_argument("--json", action="store_true", help="print the report as JSON")
    export.set_defaults(handler=command_export)


def add_list_arguments(listing):
    """The arguments of `zoo list`."""
    listing.add_argument(
        "pattern", nargs="?", default="*", help="shell-style pattern, e.g. 'resnet*'"
    )
    listing.add_argument("--task", choices=list_tasks())
    listing.set_defaults(handler=command_list)


def add_info_arguments(info):
    """The arguments of `zoo info`."""
    info.add_argument("name")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(handler=command_info)


# Each sub-command: its one-line help and the function adding its arguments. Only the chosen
# command's arguments are built (`build_parser(command)`), so `zoo --help`, `zoo list` and
# `zoo info` import neither the heavy modules of the others nor a backend.
COMMANDS = {
    "list": ("list registered models", add_list_arguments),
    "info": ("describe one model", add_info_arguments),
    "export": ("write a SavedModel or ONNX file from a .keras model (any backend)",
               add_export_arguments),
    "evaluate": ("evaluation report of a run folder or .keras model (metrics, plots)",
                 "zoo.evaluate.command:add_evaluate_arguments"),
    "explain": ("explanation pictures (Grad-CAM, integrated gradients, attention) of a "
                "model's predictions for the examples in a file",
                "zoo.explain.command:add_explain_arguments"),
    "generate": ("continue text with a GPT language model (a zoo run, Hugging Face or "
                 "keras-hub folder)", "zoo.generate_command:add_generate_arguments"),
    "bench": ("run the benchmark suites of a keras-zoo source checkout and render their "
              "report (zoo bench list | run [--quick] [--suites ...] | report)",
              "zoo.bench_command:add_bench_arguments"),
    "train": ("train a model: zoo train {image,text,bert,gpt,timeseries,recommender} "
              "[ARGS...]",
              "zoo.apps.command:add_train_arguments"),
}  # fmt: skip
# Commands that start no backend here: list and info need none, and train reads its own
# --backend before anything imports Keras (zoo.apps.launch). The others start TensorFlow quietly.
LIGHT_COMMANDS = ("list", "info", "train")


def _adder(adder):
    if callable(adder):
        return adder
    module, _, function = adder.partition(":")
    return getattr(importlib.import_module(module), function)


def build_parser(only=None):
    """The `zoo` parser with every sub-command's arguments, or only those of the commands in
    `only` (the others are listed with their help line)."""
    parser = OneLineArgumentParser(
        prog="zoo",
        description="keras-zoo: list, inspect, evaluate, explain and export models; benchmark.",
    )
    parser.add_argument("--verbose", action="store_true",
                        help="keep TensorFlow's start-up log lines")  # fmt: skip
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=OneLineArgumentParser
    )
    for name, (summary, adder) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        if only is None or name in only:
            _adder(adder)(sub)
    return parser


def chosen_command(argv):
    """The sub-command named in `argv` (its first word that is not an option), if any."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


@exit_on_user_error
def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    command = chosen_command(argv)
    if command in COMMANDS and command not in LIGHT_COMMANDS:
        from zoo._keras_backend import missing_backend_message
        from zoo._quiet import quiet_start

        missing = missing_backend_message(os.environ.get("KERAS_BACKEND", "tensorflow"))
        if missing:
            raise ConfigError(f"KERAS_BACKEND: {missing}")
        quiet_start(verbose="--verbose" in argv)
    args = build_parser(only=[command]).parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
