"""Load and validate pattern files (JSONL), ours and the user's.

One pattern per line::

    {"id": "model_deployment", "kind": "responsibility", "category": "deployment",
     "roles": ["ml_engineer"], "lang": "en", "origin": "seed:000",
     "pattern": [{"LEMMA": "deploy"}, {"OP": "?"}, {"LEMMA": "model"}]}

``pattern`` is a phrase (string, matched case-insensitively on the language's
tokens) or a spaCy token pattern. ``LEMMA`` values are lower-case lemmas from
spacy-lookups-data's lookup tables (see :mod:`rolematch.lemmas`). ``lang`` is
``en``, ``fr`` or ``any``; ``origin`` is ``seed:NNN`` (the seed document the
pattern was built from) or ``extension`` / ``user``.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, Union

from rolematch.errors import RulesError, caller_stacklevel
from rolematch.resources import rules_dir

LABELS = ("ml_engineer", "ml_scientist", "data_scientist")
KINDS = ("skill", "responsibility", "tool")
LANGS = ("en", "fr", "any")
REQUIRED_KEYS = ("id", "kind", "category", "roles", "lang", "origin", "pattern")
OPTIONAL_KEYS = ("comment",)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ORIGIN = re.compile(r"^(seed:\d{3}(\|\d{3})*|extension|user)$")

PathLike = Union[str, Path]


@dataclass(frozen=True)
class Rule:
    """One validated pattern and where it came from."""

    id: str
    kind: str
    category: str
    roles: tuple[str, ...]
    lang: str
    origin: str
    pattern: Union[str, list[dict[str, Any]]]
    file: str
    line: int

    @property
    def name(self) -> str:
        """``file:line`` of the rule, as reported in match evidence."""
        return f"{self.file}:{self.line}"

    def applies_to(self, lang: str) -> bool:
        return self.lang in (lang, "any")


@dataclass(frozen=True)
class Taxonomy:
    """The core ids with their kind, category and role affinity (rules/taxonomy.csv)."""

    entries: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: PathLike | None = None) -> "Taxonomy":
        p = Path(path) if path else rules_dir() / "taxonomy.csv"
        with open(p, encoding="utf-8", newline="") as fh:
            rows = {r["id"]: r | {"roles": tuple(r["roles"].split("|"))} for r in csv.DictReader(fh)}
        return cls(rows)


def _rule_files(directory: Path) -> list[Path]:
    """The ``.jsonl`` files under ``directory`` (any case), skipping hidden files and folders
    (``.ipynb_checkpoints`` copies, ``.git``), as ``train`` reads a folder."""
    return sorted(p for p in directory.rglob("*") if p.suffix.lower() == ".jsonl" and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(directory).parts))


def _display(folder: Path, f: Path) -> str:
    """How a rule file is named in messages and matches: ``rules/...`` for ours, else the path as given
    (absolute where it would read like one of ours)."""
    rel = f.relative_to(folder).as_posix()
    if folder == rules_dir():
        return f"rules/{rel}"
    shown = (folder / rel).as_posix()
    return str(f.resolve()) if shown.startswith("rules/") else shown


def rule_files(paths: Iterable[PathLike]) -> tuple[list[tuple[Path, str]], list[str]]:
    """The rule files ``paths`` name (folders are searched) with their display names, and the problems
    (missing paths, empty folders)."""
    problems: list[str] = []
    files: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = _rule_files(p)
            if not found:
                problems.append(f"{p}: no *.jsonl rule files in this directory")
            files.extend((f, _display(p, f)) for f in found)
        elif p.is_file():
            files.append((p, str(p.resolve()) if p.as_posix().startswith("rules/") else str(p)))
        else:
            problems.append(f"{p}: no such file or directory")
    seen: set[str] = set()  # a file reached twice (a folder given twice, or inside another one given) is read once
    unique = []
    for f, display in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append((f, display))
    return unique, problems


def rules_stamp(paths: Iterable[PathLike]) -> tuple[tuple[str, int, int], ...]:
    """Each rule file under ``paths`` with its mtime and size: edited rules make a cached extractor stale."""
    out = []
    for f, _ in rule_files(paths)[0]:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((str(f.resolve()), st.st_mtime_ns, st.st_size))
    return tuple(out)


def rules_digest(paths: Iterable[PathLike]) -> str:
    """sha256 over the rule files under ``paths`` (names and bytes): a model records its rules' content."""
    import hashlib

    h = hashlib.sha256()
    for f, display in rule_files(paths)[0]:
        h.update(display.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


_OPTIONAL_OP = re.compile(r"^(?:\?|\*|\{0?,\d*\}|\{0\})$")  # may match no token at all
_UNBOUNDED_OP = re.compile(r"^(?:\*|\+|\{\d*,\})$")  # no upper bound: "*", "+", "{0,}", "{2,}"


def _check_token_pattern(pattern: list[Any], where: str, problems: list[str]) -> None:
    from spacy.schemas import validate_token_pattern

    if not pattern or not all(isinstance(t, dict) for t in pattern):
        problems.append(f"{where}: token pattern must be a non-empty list of objects")
        return
    errors = validate_token_pattern(pattern)
    if errors:
        reason = "; ".join(" ".join(str(e).split()) for e in errors)
        problems.append(f"{where}: invalid token pattern: {reason[:300]}")
        return
    for regex in _regexes(pattern):  # spaCy's schema checks only that a REGEX is a string
        try:
            re.compile(regex)
        except re.error as exc:
            problems.append(f"{where}: invalid token pattern: bad REGEX {regex!r}: {exc}")
    anchored = [t for t in pattern if not _OPTIONAL_OP.match(str(t.get("OP", ""))) and t.get("OP") != "!"
                and set(t) - {"OP"}]
    if not anchored:  # every token optional, negated or matching any token: it matches (nearly) everywhere
        problems.append(f"{where}: the pattern matches any text (every token is optional, negated (\"!\") or a "
                        "wildcard); give at least one required token with a word, lemma or shape")
    for tok in pattern:
        lemma = tok.get("LEMMA")
        values = lemma.get("IN", []) if isinstance(lemma, dict) else [lemma] if lemma is not None else []
        if isinstance(lemma, dict) and set(lemma) - {"IN"}:
            problems.append(f"{where}: LEMMA supports a string or {{\"IN\": [...]}} only")
        for v in values:
            if not isinstance(v, str) or v != v.lower():
                problems.append(f"{where}: LEMMA values must be lower-case strings, got {v!r}")


def _regexes(value: Any) -> Iterator[Any]:
    """Every ``REGEX`` value inside a token pattern (any attribute, any nesting)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "REGEX":
                yield v
            else:
                yield from _regexes(v)
    elif isinstance(value, list):
        for v in value:
            yield from _regexes(v)


def _parse_line(raw: str, where: str, problems: list[str], file: str, lineno: int) -> Rule | None:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        problems.append(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})")
        return None
    except RecursionError:
        problems.append(f"{where}: invalid JSON: nested too deeply")
        return None
    if not isinstance(obj, dict):
        problems.append(f"{where}: a rule must be a JSON object")
        return None
    before = len(problems)
    unknown = set(obj) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    missing = [k for k in REQUIRED_KEYS if k not in obj]
    if missing:
        problems.append(f"{where}: missing key(s): {', '.join(missing)}")
        return None
    if not isinstance(obj["id"], str) or not _ID.match(obj["id"]):
        problems.append(f"{where}: id must be snake_case, got {obj['id']!r}")
    if obj["kind"] not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, got {obj['kind']!r}")
    if not isinstance(obj["category"], str) or not obj["category"]:
        problems.append(f"{where}: category must be a non-empty string")
    roles = obj["roles"]
    if not isinstance(roles, list) or any(r not in LABELS for r in roles):
        problems.append(f"{where}: roles must be a list drawn from {', '.join(LABELS)}, got {roles!r}")
    if obj["lang"] not in LANGS:
        problems.append(f"{where}: lang must be one of {', '.join(LANGS)}, got {obj['lang']!r}")
    if not isinstance(obj["origin"], str) or not _ORIGIN.match(obj["origin"]):
        problems.append(f"{where}: origin must be 'seed:NNN', 'extension' or 'user', got {obj['origin']!r}")
    pattern = obj["pattern"]
    if isinstance(pattern, str):
        if not pattern.strip():
            problems.append(f"{where}: empty phrase pattern")
    elif isinstance(pattern, list):
        _check_token_pattern(pattern, where, problems)
    else:
        problems.append(f"{where}: pattern must be a string or a list of token objects")
    if len(problems) > before:
        return None
    return Rule(obj["id"], obj["kind"], obj["category"], tuple(roles), obj["lang"], obj["origin"],
                pattern, file, lineno)


def _check_consistency(rules: Sequence[Rule], taxonomy: Taxonomy | None, problems: list[str]) -> None:
    first: dict[str, Rule] = {}
    for r in rules:
        meta = (r.kind, r.category, tuple(sorted(r.roles)))
        if taxonomy is not None and r.id in taxonomy.entries:
            t = taxonomy.entries[r.id]
            expected = (t["kind"], t["category"], tuple(sorted(t["roles"])))
            if meta != expected:
                problems.append(f"{r.name}: id {r.id!r} is a core id; kind/category/roles must be {expected}, got {meta}")
                continue
        seen = first.setdefault(r.id, r)
        if seen is not r and (seen.kind, seen.category, tuple(sorted(seen.roles))) != meta:
            problems.append(f"{r.name}: id {r.id!r} has kind/category/roles {meta}, but {seen.name} says "
                            f"{(seen.kind, seen.category, tuple(sorted(seen.roles)))}")


def load_rule_files(paths: Iterable[PathLike], taxonomy: Taxonomy | None = None) -> list[Rule]:
    """Load and validate rule files or directories; raise :class:`RulesError` listing every problem."""
    rules, problems = check_rule_files(paths, taxonomy)
    if problems:
        raise RulesError(problems)
    return rules


def check_rule_files(paths: Iterable[PathLike], taxonomy: Taxonomy | None = None) -> tuple[list[Rule], list[str]]:
    """The rules that parse in ``paths`` and every problem found (``file:line: reason``)."""
    rules: list[Rule] = []
    files, problems = rule_files(paths)
    for f, display in files:
        try:
            # utf-8-sig: a file saved with a byte-order mark; split on line feeds only, as JSON Lines are
            # (str.splitlines would also cut at U+2028 inside a JSON string)
            lines = f.read_text(encoding="utf-8-sig").split("\n")
        except UnicodeDecodeError as exc:
            line = exc.object[:exc.start].count(b"\n") + 1
            problems.append(f"{display}:{line}: not UTF-8 (byte 0x{exc.object[exc.start]:02x}); save the file as UTF-8")
            continue
        except OSError as exc:
            problems.append(f"{display}: cannot read: {exc.strerror or exc}")
            continue
        for lineno, raw in enumerate(lines, 1):
            if not raw.strip() or raw.lstrip().startswith("//"):
                continue
            rule = _parse_line(raw, f"{display}:{lineno}", problems, display, lineno)
            if rule is not None:
                rules.append(rule)
    _check_consistency(rules, taxonomy, problems)
    return rules, problems


def rule_paths(extra: Sequence[PathLike] | PathLike) -> list[PathLike]:
    """``rules`` as a list of paths: one path (a string or ``Path``) is one folder, not a path per character."""
    if isinstance(extra, (str, os.PathLike)):
        return [extra]
    if isinstance(extra, bytes):
        raise TypeError("rules must be a path or a list of paths, not bytes")
    return list(extra)


def slow_patterns(rules: Iterable[Rule]) -> list[str]:
    """``file:line`` problems for patterns with an unbounded ``*`` / ``+`` / ``{n,}`` (spaCy then tries every
    span: minutes on a long posting)."""
    return [f"{r.name}: an unbounded OP ('*', '+', '{{n,}}') can make matching very slow on long postings; bound it, "
            'e.g. "OP": "{0,3}"' for r in rules
            if isinstance(r.pattern, list) and any(_UNBOUNDED_OP.match(str(t.get("OP", ""))) for t in r.pattern)]


def load_rules(extra: Sequence[PathLike] | PathLike = ()) -> list[Rule]:
    """Our shipped rules plus the user's extra directories/files, validated together.

    A user pattern whose ``LEMMA`` matches no word would never match, one with an unbounded
    ``*``/``+`` can be very slow: each gets a warning (``rolematch rules check`` reports them as problems).
    """
    rules = load_rule_files([rules_dir(), *rule_paths(extra)], Taxonomy.load())
    if extra:
        import warnings

        from rolematch.lemmas import lemma_problems

        for r in rules:
            if r.file.startswith("rules/"):
                continue
            for problem in [f"{p}; it never matches" for p in lemma_problems([r])] + slow_patterns([r]):
                key = (os.path.abspath(r.file), r.line, problem.split(": ", 1)[-1])
                if key not in _WARNED:  # once per process, however often (and by whichever path) it is loaded
                    _WARNED.add(key)
                    warnings.warn(problem, stacklevel=caller_stacklevel())
    return rules


_WARNED: set[tuple[str, int, str]] = set()


def model_rule_paths(manifest: dict[str, Any]) -> list[str]:
    """The rule paths a model was trained with, as its manifest records them."""
    params = manifest.get("params")
    return [str(p) for p in rule_paths(params.get("rules") or ())] if isinstance(params, dict) else []


def check_model_rules(directory: PathLike, manifest: dict[str, Any]) -> list[str]:
    """The rule paths a model was trained with (from its manifest), checked: a missing one is a
    :class:`ModelError`; rules whose files changed since training get a warning.

    Here, not in :mod:`rolematch.api`: ``score``'s reader process calls it and stays free of numpy
    (importing the API costs it 13 MiB).
    """
    import warnings

    from rolematch.errors import ModelError

    paths = model_rule_paths(manifest)
    for p in paths:
        if not os.path.exists(p):
            raise ModelError(f"{directory}: trained with the rules in {p}, which is missing; put them back "
                             "or retrain the model")
    recorded = manifest.get("rules")
    if paths and isinstance(recorded, dict) and recorded.get("sha256") != rules_digest(paths):
        warnings.warn(f"{directory}: the rules it was trained with ({', '.join(paths)}) changed since; "
                      "results may differ, retrain with `rolematch train`", stacklevel=caller_stacklevel())
    return paths
