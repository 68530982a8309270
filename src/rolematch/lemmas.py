"""Lemma-based patterns without a per-token lemmatizer.

spaCy's lookup lemmatizer (spacy-lookups-data) maps a word form to its lemma.
Instead of lemmatizing every token at run time, rolematch inverts the table
once: a pattern token ``{"LEMMA": "deploy"}`` becomes
``{"LOWER": {"IN": ["deploy", "deployed", "deploying", "deploys"]}}`` -- the same
matches as lemmatizing each lower-cased token with the lookup table, at the
cost of plain matching. The inverted forms for the shipped rules are prepared
at build time (``rules/_lemma_forms.json``, ``rolematch rules compile``), so
the large tables are only read for user rules with new lemmas.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from rolematch.resources import rules_dir

CACHE_NAME = "_lemma_forms.json"


#: Lemmas the lookup tables get wrong, per language: every form the table gives the wrong lemma is
#: read as the right one's ("developed" and "developing" are under "develope" in spacy-lookups-data,
#: so a pattern on the lemma "develop" missed them).
LOOKUP_FIXES: dict[str, dict[str, str]] = {"en": {"develope": "develop"}}


@lru_cache(maxsize=4)
def _inverted_table(lang: str) -> dict[str, tuple[str, ...]]:
    """lemma -> word forms (lower case) from spacy-lookups-data's ``lemma_lookup``."""
    import gzip
    import json

    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        table: dict[str, Any] = json.load(fh)
    lower: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, list):  # French tables list candidates; spaCy takes the first
            value = value[0] if value else key
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        k = key.lower()
        if key == k or k not in lower:
            lower[k] = value.lower()
    fixes = LOOKUP_FIXES.get(lang, {})
    inverted: dict[str, set[str]] = {}
    for form, lemma in lower.items():
        inverted.setdefault(fixes.get(lemma, lemma), set()).add(form)
    return {lemma: tuple(sorted(forms)) for lemma, forms in inverted.items()}


def forms_from_tables(lang: str, lemma: str) -> tuple[str, ...]:
    """Every lower-case form whose lookup lemma is ``lemma`` (including ``lemma`` itself when it maps to itself)."""
    table = _inverted_table(lang)
    forms = set(table.get(lemma, ()))
    # a form absent from the table is its own lemma
    if lemma not in _lemma_of(lang) or _lemma_of(lang)[lemma] == lemma:
        forms.add(lemma)
    return tuple(sorted(forms))


@lru_cache(maxsize=4)
def _lemma_of(lang: str) -> dict[str, str]:
    return {form: lemma for lemma, forms in _inverted_table(lang).items() for form in forms}


def _load_cache(path: Path) -> dict[str, dict[str, list[str]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


class LemmaForms:
    """Resolves lemmas to word forms, from the prepared cache or the lookup tables."""

    def __init__(self, cache_path: Path | None = None) -> None:
        self.cache_path = cache_path or rules_dir() / CACHE_NAME
        self._cache = _load_cache(self.cache_path)

    def forms(self, lang: str, lemma: str) -> tuple[str, ...]:
        cached = self._cache.get(lang, {}).get(lemma)
        if cached is not None:
            return tuple(cached)
        return forms_from_tables(lang, lemma)


def pattern_lemmas(pattern: list[dict[str, Any]]) -> set[str]:
    """The lemma values a token pattern uses."""
    out: set[str] = set()
    for tok in pattern:
        lemma = tok.get("LEMMA")
        if isinstance(lemma, str):
            out.add(lemma)
        elif isinstance(lemma, dict):
            out.update(v for v in lemma.get("IN", []) if isinstance(v, str))
    return out


def compile_token_pattern(pattern: list[dict[str, Any]], lang: str, resolver: LemmaForms) -> list[dict[str, Any]]:
    """Replace ``LEMMA`` constraints with the equivalent ``LOWER IN`` constraint."""
    out: list[dict[str, Any]] = []
    for tok in pattern:
        lemma = tok.get("LEMMA")
        if lemma is None:
            out.append(tok)
            continue
        values = [lemma] if isinstance(lemma, str) else list(lemma.get("IN", []))
        forms: set[str] = set()
        for v in values:
            forms.update(resolver.forms(lang, v))
        new = {k: v for k, v in tok.items() if k != "LEMMA"}
        new["LOWER"] = {"IN": sorted(forms)}
        out.append(new)
    return out


def build_cache(rules: Iterable[Any], path: Path) -> dict[str, int]:
    """Write the lemma-forms cache for ``rules`` (prepared at build time). Returns lemmas per language."""
    needed: dict[str, set[str]] = {"en": set(), "fr": set()}
    for r in rules:
        if isinstance(r.pattern, list):
            for lang in (("en", "fr") if r.lang == "any" else (r.lang,)):
                needed[lang].update(pattern_lemmas(r.pattern))
    data = {lang: {lem: list(forms_from_tables(lang, lem)) for lem in sorted(lems)} for lang, lems in needed.items()}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")
    tmp.replace(path)
    return {lang: len(v) for lang, v in data.items()}


def lemma_problems(rules: Iterable[Any]) -> list[str]:
    """``file:line`` problems for LEMMA values that match no word (e.g. a form instead of its lemma)."""
    resolver = LemmaForms()
    problems = []
    for r in rules:
        if not isinstance(r.pattern, list):
            continue
        for lang in (("en", "fr") if r.lang == "any" else (r.lang,)):
            for lemma in sorted(pattern_lemmas(r.pattern)):
                if not resolver.forms(lang, lemma):
                    target = _lemma_of(lang).get(lemma)
                    hint = f"; the {lang} lookup table lemmatizes it to {target!r}" if target else ""
                    problems.append(f"{r.name}: LEMMA {lemma!r} matches no {lang} word{hint}")
    return problems
