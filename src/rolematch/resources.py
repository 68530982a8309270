"""Where the shipped data lives: ``rules/`` and the default model.

In an installed wheel they sit inside the package (``rolematch/_data``); in a
source checkout (editable install, tests) they are the top-level folders.
Never relative to the current directory.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent
_REPO = _PKG.parent.parent


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.exists():
            return c
    return candidates[0]


def rules_dir() -> Path:
    """The rules shipped with rolematch."""
    return _first_existing(_PKG / "_data" / "rules", _REPO / "rules")


def default_model_dir() -> Path:
    """The default model shipped with rolematch."""
    return _first_existing(_PKG / "_data" / "models" / "default", _REPO / "models" / "default")
