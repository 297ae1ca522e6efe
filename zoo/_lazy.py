"""Package attributes imported on first use (PEP 562), so that importing a package does not
import Keras and a backend until a name that needs them is used.

`zoo list` and `zoo info` read the registry's metadata only; with lazy packages they start
without TensorFlow, JAX or torch (timm's `list_models` is instant for the same reason).

Example:
>>> __getattr__, __dir__ = lazy_attributes("zoo.models", {"build_cnn": "zoo.models.cnn"})
>>> callable(__getattr__("build_cnn"))  # doctest: +SKIP
True
"""

import importlib


def lazy_attributes(package, sources):
    """`(__getattr__, __dir__)` for `package` whose public name `n` is the attribute `n` of
    module `sources[n]`, imported when `n` is first read (then cached on the package)."""

    def __getattr__(name):
        module = sources.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(importlib.import_module(package), name, value)
        return value

    def __dir__():
        return sorted({*sources, *vars(importlib.import_module(package))})

    return __getattr__, __dir__
