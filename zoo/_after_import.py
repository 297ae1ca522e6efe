"""Run a function right after a module is first imported (a post-import hook).

`import zoo` does not import Keras (the backend must be chosen first, and `zoo list` needs no
backend at all), yet a `.keras` file with zoo's layers must load with
`keras.saving.load_model` once zoo is imported. `call_after_import("keras", register)` makes
both true: zoo's layers are registered the moment anything imports Keras, or at once if Keras
is already imported.

Example:
>>> seen = []
>>> call_after_import("json", lambda: seen.append("json"))  # already imported: runs now
>>> seen
['json']
"""

import importlib.abc
import importlib.util
import sys


def call_after_import(module, callback):
    """Call `callback()` once `module` has been imported: now if it already is, else right
    after its first import finishes (an import that fails does not call it)."""
    if module in sys.modules:
        callback()
        return
    sys.meta_path.insert(0, _AfterImportFinder(module, callback))


class _AfterImportFinder(importlib.abc.MetaPathFinder):
    """Finds `module` with the other finders and wraps its loader to call `callback`.

    It stays on `sys.meta_path` until the module is really loaded: a bare
    `importlib.util.find_spec("keras")` (TensorFlow asks it before importing Keras) reaches
    it too, and leaving then would miss the import that follows."""

    def __init__(self, module, callback):
        self.module = module
        self.callback = callback
        self._searching = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.module or self._searching:
            return None
        self._searching = True  # the real finders locate the module, not this one again
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._searching = False
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _CallingLoader(spec.loader, self._loaded)
        return spec

    def _loaded(self):
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        self.callback()


class _CallingLoader(importlib.abc.Loader):
    def __init__(self, loader, callback):
        self.loader = loader
        self.callback = callback

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.callback()

    def __getattr__(self, name):  # get_resource_reader, is_package, ... of the real loader
        return getattr(self.loader, name)
