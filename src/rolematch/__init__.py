"""rolematch: which role does a job posting really describe?

ML engineer, ML scientist or data scientist (or ``other``), with calibrated
probabilities, evidence, and the skills/responsibilities the posting asks for.
"""

from __future__ import annotations

__version__ = "0.1.0"

from rolematch.api import RoleModel, classify, extract_skills, load_model, score_frame  # noqa: E402
from rolematch.errors import (  # noqa: E402
    InputError,
    ModelError,
    RolematchError,
    RulesError,
    TrainingError,
    UnsupportedLanguageError,
)
from rolematch.extract import Extractor  # noqa: E402
from rolematch.model import RoleClassifier  # noqa: E402
from rolematch.results import LABELS, Contribution, RoleResult, SkillMatch, SkillReport  # noqa: E402

__all__ = [
    "LABELS",
    "Contribution",
    "Extractor",
    "InputError",
    "ModelError",
    "RoleClassifier",
    "RoleModel",
    "RoleResult",
    "RolematchError",
    "RulesError",
    "SkillMatch",
    "SkillReport",
    "TrainingError",
    "UnsupportedLanguageError",
    "__version__",
    "classify",
    "extract_skills",
    "load_model",
    "score_frame",
]
