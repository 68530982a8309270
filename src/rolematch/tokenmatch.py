"""A fast matcher for the token patterns rolematch's rules use.

spaCy's ``Matcher`` checks every pattern at every token (about 30 us per
pattern per posting here), which is too slow for a thousand patterns. Rules
patterns are simple: a sequence of token constraints (``LOWER`` / ``ORTH``
values, boolean flags) with quantifiers (``?``, ``*``, ``+``, ``{n,m}``). This
matcher indexes patterns by their first token's values, finds candidate
positions with one dict lookup per token, and matches each candidate by
backtracking, returning the longest match from each start. Patterns outside
this subset are left to spaCy's ``Matcher`` (see :func:`supported`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:
    from spacy.strings import StringStore
    from spacy.tokens import Doc

FLAGS = ("IS_ALPHA", "IS_PUNCT", "IS_DIGIT", "LIKE_NUM", "IS_SPACE", "IS_UPPER", "IS_LOWER", "IS_TITLE")
_ATTRS = ("LOWER", "ORTH", *FLAGS)
_QUANT = re.compile(r"^\{(\d*),?(\d*)\}$")
_UNBOUNDED = 1 << 30


def _quantifier(op: str | None) -> tuple[int, int] | None:
    if op is None:
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, _UNBOUNDED
    if op == "+":
        return 1, _UNBOUNDED
    m = _QUANT.match(op)
    if m:
        lo, hi = m.group(1), m.group(2)
        if "," not in op:
            return int(lo), int(lo)
        return int(lo or 0), int(hi) if hi else _UNBOUNDED
    return None


def accepted_values(v: Any) -> list[str] | None:
    """The values a ``str`` / ``{"IN": [str, ...]}`` token constraint accepts, else None."""
    if isinstance(v, str):
        return [v]
    if isinstance(v, dict) and set(v) == {"IN"} and all(isinstance(x, str) for x in v["IN"]):
        return list(v["IN"])
    return None


def _excluded(v: Any) -> list[str] | None:
    if isinstance(v, dict) and set(v) == {"NOT_IN"} and all(isinstance(x, str) for x in v["NOT_IN"]):
        return list(v["NOT_IN"])
    return None


def supported(pattern: Sequence[dict[str, Any]]) -> bool:
    """True when :class:`TokenMatcher` implements every constraint of ``pattern``."""
    for i, tok in enumerate(pattern):
        for k, v in tok.items():
            if k == "OP":
                if _quantifier(v) is None:
                    return False
            elif k in FLAGS:
                if not isinstance(v, bool):
                    return False
            elif k in ("LOWER", "ORTH"):
                if accepted_values(v) is None and (k != "LOWER" or _excluded(v) is None):
                    return False
            else:
                return False
        if i == 0:
            q = _quantifier(tok.get("OP"))
            keyed = accepted_values(tok.get("LOWER")) is not None or accepted_values(tok.get("ORTH")) is not None
            if q is None or q[0] < 1 or not keyed:
                return False
    return True


@dataclass(frozen=True)
class _Tok:
    lower: frozenset[int] | None
    not_lower: frozenset[int] | None
    orth: frozenset[int] | None
    flags: tuple[tuple[int, bool], ...]
    lo: int
    hi: int


class TokenMatcher:
    """Match compiled token patterns (see :func:`supported`) against docs."""

    def __init__(self, strings: "StringStore") -> None:
        self._strings = strings
        self._patterns: list[tuple[int, tuple[_Tok, ...]]] = []
        # per pattern: the value sets of its later tokens that must occur (lower, orth)
        self._required: list[tuple[tuple[frozenset[int], ...], tuple[frozenset[int], ...]]] = []
        self._span: list[int] = []  # longest match in tokens (0: unbounded)
        self._second: list[frozenset[int] | None] = []  # required values of an exact second token
        self._by_lower: dict[int, list[int]] = {}
        self._by_orth: dict[int, list[int]] = {}
        self._filters: dict[str, tuple[int, KeyFilter]] = {}
        self._flags: dict[int, tuple[bool, ...]] = {}  # word type -> lexical flags, shared across docs

    def __len__(self) -> int:
        return len(self._patterns)

    def add(self, key: int, pattern: Sequence[dict[str, Any]]) -> None:
        if not supported(pattern):
            raise ValueError(f"unsupported token pattern: {pattern!r}")
        toks = []
        for tok in pattern:
            lower = accepted_values(tok.get("LOWER")) if "LOWER" in tok else None
            not_lower = _excluded(tok.get("LOWER")) if "LOWER" in tok else None
            orth = accepted_values(tok.get("ORTH")) if "ORTH" in tok else None
            lo, hi = _quantifier(tok.get("OP"))  # type: ignore[misc]
            toks.append(_Tok(
                frozenset(self._strings.add(v.lower()) for v in lower) if lower is not None else None,
                frozenset(self._strings.add(v.lower()) for v in not_lower) if not_lower is not None else None,
                frozenset(self._strings.add(v) for v in orth) if orth is not None else None,
                tuple((FLAGS.index(k), bool(v)) for k, v in tok.items() if k in FLAGS), lo, hi))
        idx = len(self._patterns)
        self._patterns.append((key, tuple(toks)))
        later = [t for t in toks[1:] if t.lo >= 1]
        span = sum(t.hi for t in toks)
        self._span.append(span if span < _UNBOUNDED else 0)
        exact_second = len(toks) > 1 and toks[0].lo == toks[0].hi == 1 and toks[1].lo >= 1
        self._second.append(toks[1].lower if exact_second else None)
        self._required.append((tuple(t.lower for t in later if t.lower is not None),
                               tuple(t.orth for t in later if t.orth is not None)))
        first = toks[0]
        if first.lower is not None:
            for h in first.lower:
                self._by_lower.setdefault(h, []).append(idx)
        else:
            assert first.orth is not None
            for h in first.orth:
                self._by_orth.setdefault(h, []).append(idx)

    def __call__(self, doc: "Doc") -> list[tuple[int, int, int]]:
        """(key, start, end) token spans: the longest match of each pattern from each start."""
        if not self._patterns or not len(doc):
            return []
        from spacy.attrs import LOWER, ORTH

        return self.match_array(doc.to_array([LOWER, ORTH]), doc.vocab)

    def match_array(self, arr: np.ndarray, vocab: Any, texts: Callable[[int], str] | None = None
                    ) -> list[tuple[int, int, int]]:
        """:meth:`__call__` on a doc's ``[LOWER, ORTH]`` array (``doc.to_array``) and its vocab.

        ``texts(i)``: token ``i``'s text, when the vocabulary may not know it
        (token arrays: see :meth:`rolematch.pieces.TokenArrays.token_text`).
        """
        if not self._patterns or not len(arr):
            return []
        starts = np.flatnonzero(self._first_filter("lower").mask(arr[:, 0]) | self._first_filter("orth").mask(arr[:, 1]))
        if not len(starts):
            return []
        lower: list[int] = arr[:, 0].tolist()
        orth: list[int] = arr[:, 1].tolist()
        by_lower, by_orth = self._by_lower, self._by_orth
        seconds, spans, required, patterns = self._second, self._span, self._required, self._patterns
        n = len(lower)
        out = []
        view = _DocView(lower, orth, vocab, self._flags, texts)
        present_lower: set[int] | None = None
        present_orth: set[int] | None = None
        possible: dict[int, bool] = {}
        for i in starts.tolist():
            cands = by_lower.get(lower[i])
            if orth[i] in by_orth:
                cands = [*(cands or ()), *by_orth[orth[i]]]
            if not cands:
                continue
            for idx in cands:
                second = seconds[idx]
                if second is not None and (i + 1 >= n or lower[i + 1] not in second):
                    continue  # cheapest rejection: the token right after must be one of these
                req_lower, req_orth = required[idx]
                ok = possible.get(idx)
                if ok is None:  # can it match at all? every required later word must occur in the doc
                    if present_lower is None:
                        present_lower = set(lower)
                    if req_orth and present_orth is None:
                        present_orth = set(orth)
                    ok = possible[idx] = _meets(req_lower, present_lower) and _meets(req_orth, present_orth)
                if not ok:
                    continue
                span = spans[idx]
                if span and req_lower and not _meets(req_lower, lower[i + 1:i + span]):
                    continue  # the required later words must occur within reach of this start
                key, toks = patterns[idx]
                end = _match(toks, 0, i, view)
                if end > i:
                    out.append((key, i, end))
        return out

    def _first_filter(self, attr: str) -> KeyFilter:
        """First-token hashes of the patterns indexed by ``attr`` (rebuilt after ``add``)."""
        index = self._by_lower if attr == "lower" else self._by_orth
        got = self._filters.get(attr)
        if got is None or got[0] != len(index):
            got = self._filters[attr] = (len(index), KeyFilter(index))
        return got[1]


def _meets(required: tuple[frozenset[int], ...], words: Any) -> bool:
    """True when every set in ``required`` shares a value with ``words``."""
    for r in required:
        if r.isdisjoint(words):
            return False
    return True


class KeyFilter:
    """Positions of a hash array whose value may be one of ``keys``: one table lookup per value.

    The table marks the low 16 bits of every key, so a position it returns can
    be a false positive (the caller looks the value up exactly) but a key is
    never missed. Several times quicker than a binary search over sorted keys.
    """

    _MASK = np.uint64(0xFFFF)

    def __init__(self, keys: Iterable[int]) -> None:
        hashes = np.fromiter(keys, dtype=np.uint64)
        self.table = np.zeros(1 << 16, dtype=bool)
        self.table[(hashes & self._MASK).astype(np.intp)] = True

    def mask(self, values: np.ndarray) -> np.ndarray:
        return self.table[(values & self._MASK).astype(np.intp)]

    def positions(self, values: np.ndarray) -> np.ndarray:
        return np.flatnonzero(self.mask(values))


class _DocView:
    """Token attributes of one doc for the matcher (flags looked up per word type, cached)."""

    __slots__ = ("lower", "orth", "vocab", "cache", "n", "texts")

    def __init__(self, lower: list[int], orth: list[int], vocab: Any, cache: dict[int, tuple[bool, ...]],
                 texts: Callable[[int], str] | None = None) -> None:
        self.lower, self.orth, self.vocab, self.cache, self.n = lower, orth, vocab, cache, len(lower)
        self.texts = texts

    def flags(self, i: int) -> tuple[bool, ...]:
        h = self.orth[i]
        got = self.cache.get(h)
        if got is None:
            got = lexical_flags(self.vocab, h, self.texts(i) if self.texts is not None else None)
            if len(self.cache) > 100_000:
                self.cache.clear()
            self.cache[h] = got
        return got


def lexical_flags(vocab: Any, orth: int, text: str | None = None) -> tuple[bool, ...]:
    """The :data:`FLAGS` of the word ``orth`` (whose text is ``text``, else looked up), as its lexeme has them.

    They are what the vocabulary's attribute getters say of the word's text,
    so they are computed from the text: making the lexeme (23 getters, kept
    for good) would cost more and grow the vocabulary. A vocabulary without
    those getters is asked for the lexeme.
    """
    from spacy import attrs

    getters = vocab.lex_attr_getters or {}
    ids = [getattr(attrs, name) for name in FLAGS]
    if all(a in getters for a in ids):
        word = text if text is not None else vocab.strings[orth]
        return tuple(bool(getters[a](word)) for a in ids)
    if text is not None:
        orth = vocab.strings.add(text)
    lex = vocab[orth]
    return tuple(bool(getattr(lex, name.lower())) for name in FLAGS)


def _sat(tok: _Tok, view: _DocView, i: int) -> bool:
    if tok.lower is not None and view.lower[i] not in tok.lower:
        return False
    if tok.not_lower is not None and view.lower[i] in tok.not_lower:
        return False
    if tok.orth is not None and view.orth[i] not in tok.orth:
        return False
    if tok.flags:
        flags = view.flags(i)
        for col, want in tok.flags:
            if flags[col] != want:
                return False
    return True


def _match(toks: tuple[_Tok, ...], pi: int, ti: int, view: _DocView) -> int:
    """Longest end reachable matching ``toks[pi:]`` from token ``ti`` (-1 if none)."""
    if pi == len(toks):
        return ti
    tok = toks[pi]
    k = 0
    while k < tok.hi and ti + k < view.n and _sat(tok, view, ti + k):
        k += 1
    best = -1
    for c in range(k, tok.lo - 1, -1):
        r = _match(toks, pi + 1, ti + c, view)
        if r > best:
            best = r
    return best
