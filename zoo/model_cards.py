"""Model cards from the registry: one Markdown page per registered model, and their index.

The documentation site builds its "Model cards" section from these at build time
(`docs/hooks/model_cards.py`), so a newly registered model gets its card without hand edits.
A card says what the model is, its input and parameter count, the published result it should
reach, the registered training recipe and the command that trains it.

Example:
>>> print(model_card("resnet20").splitlines()[0])
# resnet20
>>> "271,098" in model_card("resnet20")
True
"""

from zoo.registry import get_model_spec, list_models

# The guide of each task's family (a page of the documentation site) and how to train one.
FAMILY_PAGES = {
    "image_classification": ("Image classifiers", "models/images.md"),
    "text_classification": ("Sequence models (LSTM)", "models/sequence.md"),
    "time_series_forecasting": ("Sequence models (LSTM)", "models/sequence.md"),
    "text_encoder": ("BERT", "models/bert.md"),
    "causal_lm": ("Language models (GPT)", "models/gpt.md"),
    "click_through_rate": ("Recommenders", "models/recommenders.md"),
}

# The `--dataset` of `zoo train image` for a reference's data set; ImageNet is no data set of
# the image application: it trains from the images in train/<class>/ and test/<class>/ folders.
_DATASETS = {"Fashion-MNIST": "fashion_mnist", "CIFAR-10": "cifar10", "CIFAR-100": "cifar100",
             "MNIST": "mnist", "ImageNet": "folder --data-dir ~/data/imagenet"}  # fmt: skip


def training_commands(name):
    """The shell commands that train registered model `name` with its application."""
    spec = get_model_spec(name)
    if spec.task == "image_classification":
        dataset = _DATASETS.get(spec.reference.dataset if spec.reference else "", "cifar10")
        return [f"zoo train image --model {name} --dataset {dataset}"]
    if spec.task == "text_classification":
        return [f"zoo train text --model {name} --dataset imdb"]
    if spec.task == "time_series_forecasting":
        return [f"zoo train timeseries --model {name} --csv series.csv "
                "--target load --window 48 --horizon 24"]  # fmt: skip
    if spec.task == "text_encoder":
        return [f"zoo train bert pretrain --model {name} --corpus corpus.txt "
                f"--output-dir runs/{name}_pretrain",
                f"zoo train bert finetune --model {name} --dataset sst2 "
                f"--init-from runs/{name}_pretrain"]  # fmt: skip
    if spec.task == "causal_lm":
        tokenizer = " --tokenizer byte_pair" if "gpt2" in name else ""
        return [f"zoo train gpt pretrain --model {name} --corpus corpus.txt{tokenizer} "
                f"--output-dir runs/{name}_pretrain"]  # fmt: skip
    if spec.task == "click_through_rate":
        return [f"zoo train recommender --model {name} --dataset criteo "
                "--data-dir ~/data/criteo"]  # fmt: skip
    raise ValueError(f"model_cards: no application trains task {spec.task!r} ({name}).")


def _recipe(spec):
    if spec.recipe is None:
        return "none registered"
    recipe = spec.recipe.to_dict()
    epochs = recipe["epochs"]
    parts = [f"{recipe['optimizer']} at {recipe['learning_rate']:g}",
             f"{recipe['schedule']} schedule", f"{epochs} epoch{'s' * (epochs != 1)}",
             f"batch {recipe['batch_size']}"]  # fmt: skip
    if recipe.get("weight_decay"):
        parts.append(f"weight decay {recipe['weight_decay']:g}")
    if recipe.get("label_smoothing"):
        parts.append(f"label smoothing {recipe['label_smoothing']:g}")
    return ", ".join(parts)


def _input(spec):
    shape = " x ".join("length" if size is None else str(size) for size in spec.input_shape)
    if spec.task == "click_through_rate":
        return f"{spec.input_shape[0]} named feature inputs (a dict by feature name)"
    if spec.task == "text_encoder":
        return "`token_ids`, `segment_ids`, `padding_mask` (batch x length)"
    if spec.task == "causal_lm":
        return "`token_ids`, `padding_mask` (batch x length); next-token logits out"
    return f"{shape} ({spec.input_size_note})"


def _measured(spec):
    """The card's section on what zoo measured, beside the published reference."""
    if not spec.measured:
        return ("Not yet measured by zoo's quality benchmark "
                "([model quality on real data](../../quality.md)).")
    lines = ["| data set | zoo measured | plain baseline, same run | published reference |",
             "|---|---|---|---|"]
    for result in spec.measured:
        reference = (f"{spec.reference.value:g}{spec.reference.unit}"
                     if spec.reference and spec.reference.dataset == result.dataset else "—")
        baseline = ("—" if result.baseline_value is None
                    else f"{result.baseline_value:g}{result.unit} ({result.baseline})")
        lines.append(f"| {result.dataset} | {result.value:g}{result.unit} {result.metric}, "
                     f"{result.epochs} epochs, {result.backend}, {result.date} | {baseline} "
                     f"| {reference} |")
    commands = "\n".join(dict.fromkeys(result.command for result in spec.measured))
    return ("\n".join(lines) + "\n\nMeasured with (the registered recipe, nothing tuned "
            f"per run; [how](../../quality.md)):\n\n```bash\n{commands}\n```")


def model_card(name):
    """The Markdown model card of registered model `name`."""
    spec = get_model_spec(name)
    family, page = FAMILY_PAGES.get(spec.task, ("Models", "index.md"))
    reference = str(spec.reference) if spec.reference else "none published for this preset"
    commands = "\n".join(training_commands(name))
    if spec.task == "causal_lm":
        commands += f'\nzoo generate runs/{name}_pretrain --prompt "Once upon a time"'
    return f"""# {name}

{spec.description}

| | |
|---|---|
| task | `{spec.task}` |
| input | {_input(spec)} |
| parameters | {spec.parameter_count:,} |
| reference result | {reference} |
| registered recipe{" (fine-tuning)" if spec.task == "text_encoder" else ""} | {_recipe(spec)} |

## Use it

```python
from zoo import create_model

model = create_model("{name}")   # any backend: tensorflow, jax or torch
```

## What zoo measured

{_measured(spec)}

## Train it

```bash
{commands}
```

`--evaluate` adds the evaluation report, `--export saved_model,onnx` the serving artifacts.
More on the family: [{family}](../../{page}).
"""


def cards_index():
    """The Markdown index of every model card: name, task, parameters, reference."""
    rows = ["| model | task | parameters | reference result |", "|---|---|---:|---|"]
    for name in list_models():
        spec = get_model_spec(name)
        reference = str(spec.reference) if spec.reference else "—"
        rows.append(f"| [`{name}`]({name}.md) | `{spec.task}` | {spec.parameter_count:,} "
                    f"| {reference} |")  # fmt: skip
    return ("# Model cards\n\nOne card per registered model, generated from the registry "
            "(`zoo.model_cards`) when the site is built.\n\n" + "\n".join(rows) + "\n")
