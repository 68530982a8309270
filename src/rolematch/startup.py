"""Cold-start help for rolematch's own processes: defer what spaCy imports but rolematch never uses.

``import spacy`` imports spaCy's own command line (``spacy.cli``: typer, weasel,
jinja2, httpx, requests...), a good part of its import time and memory, only to
expose ``spacy.info``. The ``rolematch`` command and its batch workers never run
spaCy's CLI, so before spaCy is first imported they install an import hook that
answers ``spacy.cli`` and ``spacy.cli.info`` with stand-ins; the first time
anything touches a stand-in, the real modules are imported and used from then
on. ``import rolematch`` in someone else's program leaves spaCy alone.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any, Sequence

_DEFERRED = ("spacy.cli", "spacy.cli.info")


class _Deferred(types.ModuleType):
    """A stand-in module: any (non-dunder) attribute access imports the real module and answers from it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_load_real(self.__name__), name)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import hook that hands out the stand-ins until the real modules are needed."""

    def __init__(self, cli_path: Sequence[str]) -> None:
        self.cli_path = list(cli_path)

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _DEFERRED:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=fullname == "spacy.cli")
        if fullname == "spacy.cli":
            spec.submodule_search_locations = self.cli_path  # its real submodules stay importable
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _Deferred(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        if module.__name__ == "spacy.cli.info":
            module.info = _info  # type: ignore[attr-defined]


def _load_real(name: str) -> types.ModuleType:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]
    for n in _DEFERRED:
        if isinstance(sys.modules.get(n), _Deferred):
            del sys.modules[n]
    module = importlib.import_module(name)
    spacy = sys.modules.get("spacy")
    if spacy is not None:
        spacy.cli = sys.modules["spacy.cli"]  # type: ignore[attr-defined]
    return module


def _info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``, imported on first call."""
    return _load_real("spacy.cli.info").info(*args, **kwargs)


def defer_spacy_cli() -> None:
    """Install the import hook, unless spaCy is already imported (then there is nothing to save)."""
    if "spacy" in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return
    cli_path = [f"{p}/cli" for p in spec.submodule_search_locations]
    sys.meta_path.insert(0, _Finder(cli_path))
