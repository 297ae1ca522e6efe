"""The model registry: every builder is registered under a name, timm-style.

A `ModelSpec` records what a user needs to pick and train a model without building it: its
task, default input shape, parameter count, the published result it should reach and the
training recipe that reaches it.

Example:
>>> from zoo import create_model, list_models, get_model_spec
>>> list_models("resnet2*")
['resnet20']
>>> get_model_spec("resnet20").reference.value
91.25
>>> model = create_model("resnet20", num_classes=100)  # doctest: +SKIP
"""

import dataclasses
import difflib
import fnmatch
import importlib
import re
from collections.abc import Callable
from typing import Any

from zoo.errors import ConfigError, UnknownModelError


@dataclasses.dataclass(frozen=True)
class ReferenceResult:
    """A published result: `value` `unit` of `metric` on `dataset`, from `source`."""

    dataset: str
    metric: str
    value: float
    source: str
    unit: str = "%"

    def __str__(self):
        return f"{self.value:g}{self.unit} {self.metric} on {self.dataset} ({self.source})"


@dataclasses.dataclass(frozen=True)
class MeasuredResult:
    """A result zoo measured itself: `value` `unit` of `metric` on `dataset` after `epochs`
    on `backend` (on `date`, with `command`), beside a plain `baseline` of the same network
    trained in the same run (`baseline_value`, same metric), from the quality benchmark.
    """

    dataset: str
    metric: str
    value: float
    epochs: int
    backend: str
    date: str
    command: str
    baseline: str = ""
    baseline_value: float | None = None
    unit: str = "%"
    higher_is_better: bool = True

    def __str__(self):
        text = (f"{self.value:g}{self.unit} {self.metric} on {self.dataset} "
                f"({self.epochs} epoch{'s' * (self.epochs != 1)}, {self.backend}, {self.date})")
        if self.baseline_value is not None:
            text += f"; {self.baseline} in the same run: {self.baseline_value:g}{self.unit}"
        return text


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """What the registry knows of one named model.

    `builder_path` names the builder (`"zoo.models.resnet:build_resnet"`): reading a spec
    imports no backend, `builder` and `build` import it. `parameter_count` is the count of the
    model built with `defaults` (tests check it against the built model, so it cannot drift).
    `fixed_input_size` is True where the input size cannot change after building (a flattened
    feature map or a window-wide dense layer); the others are built at the data's own size.
    `recipe` is a `zoo.train.TrainingRecipe` that the applications use as their defaults;
    `recipes` names recipes for other start points (a BERT encoder fine-tuned from pretrained
    weights or trained from scratch).
    """

    name: str
    builder_path: str
    task: str
    input_shape: tuple
    parameter_count: int
    defaults: dict = dataclasses.field(default_factory=dict)
    reference: ReferenceResult | None = None
    recipe: Any = None
    description: str = ""
    recipes: dict = dataclasses.field(default_factory=dict)
    fixed_input_size: bool = False
    _builder: Callable[..., Any] | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    @property
    def builder(self):
        """The builder function (imported on first use)."""
        if self._builder is None:
            module, _, function = self.builder_path.partition(":")
            try:
                builder = getattr(importlib.import_module(module), function)
            except (ImportError, AttributeError) as error:
                raise ConfigError(
                    f"Model {self.name!r} is registered with builder {self.builder_path!r}, "
                    f"which cannot be imported ({error}); register 'package.module:function'."
                ) from error
            object.__setattr__(self, "_builder", builder)
        return self._builder

    @property
    def input_size_note(self):
        """How the input shape may change, in words (for `zoo info` and the model cards).

        Example:
        >>> get_model_spec("resnet20").input_size_note
        "the default; built at the data set's own size"
        """
        if self.fixed_input_size:
            return "fixed once built: pass input_shape= to build it for other data"
        return "the default; built at the data set's own size"

    def recipe_for(self, start):
        """The recipe for start point `start` (e.g. `"from_scratch"` for an encoder trained
        without pretrained weights), else the registered `recipe`.

        Example:
        >>> get_model_spec("bert_tiny").recipe_for("from_scratch").learning_rate
        0.0005
        """
        return self.recipes.get(start, self.recipe)

    def build(self, /, **overrides):
        """Build the model with the registered defaults updated by `overrides`."""
        return self.builder(**{**self.defaults, **overrides})

    @property
    def measured(self):
        """What zoo's quality benchmark measured for this model, as `MeasuredResult`s (one
        per data set; empty until the benchmark has run it): `zoo._measured`, written from
        `benchmarks/results/quality.csv`."""
        from zoo._measured import MEASURED

        return tuple(MeasuredResult(**entry) for entry in MEASURED.get(self.name, ()))


_REGISTRY: dict[str, ModelSpec] = {}


_builtin_models_loaded = False


def _registry():
    """The registry, with zoo's own models in it (registered on first use, without importing
    a backend: `zoo.models.register_builtin_models`)."""
    global _builtin_models_loaded
    if not _builtin_models_loaded:
        _builtin_models_loaded = True
        from zoo.models import register_builtin_models

        register_builtin_models()
    return _REGISTRY


def _add_spec(name, builder_path, builder, *, task, input_shape, parameter_count,
              description, recipes, **fields):  # fmt: skip
    if name in _registry():
        raise ConfigError(f"A model named {name!r} is already registered.")
    _REGISTRY[name] = ModelSpec(
        name=name,
        builder_path=builder_path,
        task=task,
        input_shape=tuple(input_shape),
        parameter_count=parameter_count,
        description=description,
        recipes=dict(recipes or {}),
        _builder=builder,
        **fields,
    )


def register_model(
    name,
    /,
    *,
    task,
    input_shape,
    parameter_count,
    reference=None,
    recipe=None,
    description=None,
    recipes=None,
    fixed_input_size=False,
    **defaults,
):
    """Decorator registering `builder` under `name`; `defaults` are its keyword arguments
    (`name=` among them, to name the Keras model after the registered name). `recipes` holds
    recipes for other start points than `recipe`'s, by name (see `ModelSpec.recipe_for`).

    Example:
    >>> @register_model("tiny_mlp", task="tabular", input_shape=(4,), parameter_count=10)
    ... def build_tiny_mlp(input_shape=(4,), **kwargs): ...  # doctest: +SKIP
    """

    def decorator(builder):
        summary = description
        if summary is None:
            summary = ((builder.__doc__ or "").strip().splitlines() or [""])[0]
        _add_spec(name, f"{builder.__module__}:{builder.__qualname__}", builder, task=task,
                  input_shape=input_shape, parameter_count=parameter_count,
                  description=summary, recipes=recipes, reference=reference, recipe=recipe,
                  fixed_input_size=fixed_input_size, defaults=dict(defaults))  # fmt: skip
        return builder

    return decorator


def register_model_path(
    name,
    builder_path,
    /,
    *,
    task,
    input_shape,
    parameter_count,
    description,
    reference=None,
    recipe=None,
    recipes=None,
    fixed_input_size=False,
    **defaults,
):
    """Register the builder at `builder_path` (`"package.module:function"`) under `name`
    without importing it: `register_model` for modules that must not import a backend (zoo's
    own `*_presets.py`). The builder is imported when the model is first built.

    Example:
    >>> register_model_path("my_cnn", "my_package.models:build_my_cnn",
    ...                     task="image_classification", input_shape=(28, 28, 1),
    ...                     parameter_count=1234, description="A small CNN.")  # doctest: +SKIP
    """
    _add_spec(name, builder_path, None, task=task, input_shape=input_shape,
              parameter_count=parameter_count, description=description, recipes=recipes,
              reference=reference, recipe=recipe, fixed_input_size=fixed_input_size,
              defaults=dict(defaults))  # fmt: skip


def get_model_spec(name):
    """Return the `ModelSpec` registered as `name`; unknown names list the closest ones."""
    try:
        return _registry()[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "see `zoo list`."
        raise UnknownModelError(f"Unknown model {name!r}; {hint}") from None


def create_model(name, /, **overrides):
    """Build the registered model `name`, overriding any of its builder's arguments
    (`name=` among them: it names the Keras model).

    Example:
    >>> model = create_model("cnn", input_shape=(28, 28, 1))  # doctest: +SKIP
    """
    return get_model_spec(name).build(**overrides)


def natural_key(name):
    """Sort key that orders the numbers inside names by value: resnet20 before resnet110."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def list_models(pattern="*", task=None):
    """Names matching the shell-style `pattern` (optionally only those of `task`), in natural
    order (`resnet20` before `resnet110`, as timm lists them).

    Example:
    >>> print(*list_models("resnet*")[:3])
    resnet9 resnet20 resnet32
    """
    return sorted(
        (name for name, spec in _registry().items()
         if fnmatch.fnmatchcase(name, pattern) and (task is None or spec.task == task)),
        key=natural_key,
    )  # fmt: skip


def list_tasks():
    """The tasks that at least one registered model performs."""
    return sorted({spec.task for spec in _registry().values()})
