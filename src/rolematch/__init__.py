"""rolematch: which role does a job posting really describe?

ML engineer, ML scientist or data scientist (or ``other``), with calibrated
probabilities, evidence, and the skills/responsibilities the posting asks for.

The public API is imported lazily (PEP 562), so ``import rolematch`` -- and the
spaCy entry point that registers the ``rolematch`` component -- stay cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "RoleModel": "rolematch.api", "classify": "rolematch.api", "extract_skills": "rolematch.api",
    "load_model": "rolematch.api", "score_frame": "rolematch.api",
    "InputError": "rolematch.errors", "ModelError": "rolematch.errors", "RolematchError": "rolematch.errors",
    "RulesError": "rolematch.errors", "TrainingError": "rolematch.errors",
    "UnsupportedLanguageError": "rolematch.errors",
    "Extractor": "rolematch.extract", "RoleClassifier": "rolematch.model",
    "LABELS": "rolematch.results", "Contribution": "rolematch.results", "RoleResult": "rolematch.results",
    "SkillMatch": "rolematch.results", "SkillReport": "rolematch.results",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from rolematch.api import RoleModel, classify, extract_skills, load_model, score_frame
    from rolematch.errors import (InputError, ModelError, RolematchError, RulesError, TrainingError,
                                  UnsupportedLanguageError)
    from rolematch.extract import Extractor
    from rolematch.model import RoleClassifier
    from rolematch.results import LABELS, Contribution, RoleResult, SkillMatch, SkillReport


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rolematch' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
