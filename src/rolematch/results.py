"""Typed results returned by the Python API (each has ``to_dict()`` for JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LABELS = ("ml_engineer", "ml_scientist", "data_scientist", "other")
ROLES = LABELS[:3]


@dataclass(frozen=True)
class SkillMatch:
    """One skill/responsibility/tool found in a posting.

    ``start``/``end`` are character offsets into the input text (see :mod:`rolematch.text`).
    """

    id: str
    kind: str
    category: str
    roles: tuple[str, ...]
    text: str
    start: int
    end: int
    lang: str
    rule: str

    def __init__(self, id: str, kind: str, category: str, roles: tuple[str, ...], text: str, start: int, end: int,
                 lang: str, rule: str) -> None:
        # the same as the generated one, without a frozen __setattr__ per field: a posting has dozens
        d = self.__dict__
        d["id"], d["kind"], d["category"], d["roles"], d["text"] = id, kind, category, roles, text
        d["start"], d["end"], d["lang"], d["rule"] = start, end, lang, rule

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["roles"] = list(self.roles)
        return d


@dataclass(frozen=True)
class SkillReport:
    """Everything the extractor found in one posting."""

    lang: str
    matches: tuple[SkillMatch, ...]
    source: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Matches per id, most frequent first."""
        out: dict[str, int] = {}
        for m in self.matches:
            out[m.id] = out.get(m.id, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def ids(self) -> list[str]:
        """Distinct ids in order of first appearance."""
        return list(dict.fromkeys(m.id for m in self.matches))

    def by_kind(self) -> dict[str, list[SkillMatch]]:
        out: dict[str, list[SkillMatch]] = {}
        for m in self.matches:
            out.setdefault(m.kind, []).append(m)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "lang": self.lang,
            "counts": self.counts,
            "matches": [m.to_dict() for m in self.matches],
        }


@dataclass(frozen=True)
class Contribution:
    """A term or rule that pushed the prediction toward a class."""

    feature: str
    weight: float
    kind: str  # "term", "title", "rule", "mention" or "sentence"
    spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "weight": round(self.weight, 4), "kind": self.kind,
                "spans": [list(s) for s in self.spans]}


@dataclass(frozen=True)
class RoleResult:
    """A classified posting: label, calibrated probabilities, evidence and skills.

    Hashable (sets, dict keys): the hash leaves out the two dicts, which equality still compares.
    """

    label: str
    confidence: float
    probabilities: dict[str, float] = field(hash=False)
    in_scope: bool
    lang: str
    skills: SkillReport
    evidence: dict[str, list[Contribution]] = field(default_factory=dict, hash=False)
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "in_scope": self.in_scope,
            "lang": self.lang,
            "evidence": {k: [c.to_dict() for c in v] for k, v in self.evidence.items()},
            "skills": self.skills.to_dict()["matches"],
            "skill_counts": self.skills.counts,
        }
