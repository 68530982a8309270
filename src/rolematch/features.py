"""Hashed features from an analysed posting: words, character n-grams, title, rule evidence.

No vocabulary is stored (hashing), so models stay small and load fast. Word
hashes come straight from spaCy's ``LOWER`` attribute; character n-grams
(inside word boundaries, like scikit-learn's ``char_wb``) are computed once
per word type and cached. Boilerplate lines are left out of the text blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from murmurhash.mrmr import hash as _mhash

from rolematch.boilerplate import boilerplate_spans
from rolematch.mentions import Mention, mention_keys

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from rolematch.results import SkillMatch

#: Feature blocks, in column order.
BLOCKS = ("word", "char", "title", "rule", "mention")
_BIGRAM_MUL = np.uint64(0x9E3779B97F4A7C15)
_TITLE_SALT = np.uint64(0xA5A5A5A5DEADBEEF)
_CACHE_LIMIT = 400_000


@dataclass(frozen=True)
class FeatureSpace:
    """Sizes of the hashed blocks."""

    word_bits: int = 18
    char_bits: int = 18
    title_bits: int = 14
    rule_bits: int = 12
    mention_bits: int = 8
    char_ngrams: tuple[int, int] = (3, 5)

    @property
    def sizes(self) -> tuple[int, int, int, int, int]:
        return (1 << self.word_bits, 1 << self.char_bits, 1 << self.title_bits, 1 << self.rule_bits,
                1 << self.mention_bits)

    @property
    def offsets(self) -> tuple[int, ...]:
        out, acc = [], 0
        for s in self.sizes:
            out.append(acc)
            acc += s
        return tuple(out)

    @property
    def n_features(self) -> int:
        return sum(self.sizes)


@dataclass
class Analysed:
    """What the featurizer needs from one posting."""

    doc: "Doc"
    text: str
    matches: Sequence["SkillMatch"]
    title: str | None
    title_doc: "Doc | None"
    lang: str
    mentions: Sequence["Mention"] = ()


def _token_arrays(doc: "Doc") -> tuple[np.ndarray, np.ndarray]:
    from spacy.attrs import IDX, IS_ALPHA, LOWER

    if len(doc) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    arr = doc.to_array([LOWER, IDX, IS_ALPHA])
    keep = arr[:, 2].astype(bool)
    return arr[keep, 0].astype(np.uint64), arr[keep, 1].astype(np.int64)


def _outside(positions: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """Boolean mask: position not inside any span."""
    if not spans:
        return np.ones(len(positions), dtype=bool)
    starts = np.array([s for s, _ in spans])
    ends = np.array([e for _, e in spans])
    k = np.searchsorted(starts, positions, side="right") - 1
    inside = (k >= 0) & (positions < ends[np.maximum(k, 0)])
    return ~inside


class Featurizer:
    """Turns analysed postings into a sparse count matrix (one row each)."""

    def __init__(self, space: FeatureSpace, boilerplate: bool = True) -> None:
        self.space = space
        self.boilerplate = boilerplate
        self._char_cache: dict[int, np.ndarray] = {}

    def _char_ids(self, key: int, word: str) -> np.ndarray:
        got = self._char_cache.get(key)
        if got is None:
            lo, hi = self.space.char_ngrams
            w = f" {word} "
            grams = [w[i:i + n] for n in range(lo, hi + 1) for i in range(len(w) - n + 1)]
            mask = (1 << self.space.char_bits) - 1
            got = np.fromiter((_mhash(g) & mask for g in grams), dtype=np.int64, count=len(grams))
            if len(self._char_cache) > _CACHE_LIMIT:
                self._char_cache.clear()
            self._char_cache[key] = got
        return got

    def text_tokens(self, doc: "Doc", spans: list[tuple[int, int]]) -> np.ndarray:
        """LOWER hashes of the alphabetic tokens outside ``spans`` (boilerplate)."""
        lowers, idx = _token_arrays(doc)
        if spans and len(lowers):
            lowers = lowers[_outside(idx, spans)]
        return lowers

    def skipped_spans(self, item: Analysed) -> list[tuple[int, int]]:
        """Boilerplate spans of the posting (empty when boilerplate filtering is off)."""
        return boilerplate_spans(item.text) if self.boilerplate else []

    def title_hashes(self, item: Analysed) -> np.ndarray:
        """Hashes of title unigrams and bigrams (salted apart from the body's)."""
        if item.title_doc is None:
            return np.zeros(0, dtype=np.uint64)
        tl, _ = _token_arrays(item.title_doc)
        if len(tl) > 1:
            tl = np.concatenate([tl, tl[:-1] * _BIGRAM_MUL + tl[1:]])
        return tl ^ _TITLE_SALT

    def row(self, item: Analysed) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and counts of one posting (duplicates allowed)."""
        sp_word, sp_char, sp_title, sp_rule, _ = self.space.sizes
        off_word, off_char, off_title, off_rule, _ = self.space.offsets
        spans = self.skipped_spans(item)
        lowers = self.text_tokens(item.doc, spans)
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        if len(lowers):
            words = lowers
            if len(lowers) > 1:
                words = np.concatenate([lowers, lowers[:-1] * _BIGRAM_MUL + lowers[1:]])
            cols.append((words % np.uint64(sp_word)).astype(np.int64) + off_word)
            vals.append(np.ones(len(words)))
            strings = item.doc.vocab.strings
            uniq, counts = np.unique(lowers, return_counts=True)
            char_cols = [self._char_ids(int(k), strings[int(k)]) for k in uniq]
            lens = np.fromiter((len(c) for c in char_cols), dtype=np.int64, count=len(char_cols))
            cols.append(np.concatenate(char_cols) + off_char)
            vals.append(np.repeat(counts.astype(np.float64), lens))
        t = self.title_hashes(item)
        if len(t):
            cols.append((t % np.uint64(sp_title)).astype(np.int64) + off_title)
            vals.append(np.ones(len(t)))
        rule_keys = rule_feature_names(item.matches, spans)
        if rule_keys:
            cols.append(np.fromiter(((_mhash(k) & (sp_rule - 1)) + off_rule for k in rule_keys), dtype=np.int64))
            vals.append(np.ones(len(rule_keys)))
        mkeys = mention_keys([m for m in item.mentions if not in_spans(m.start, spans)], len(item.text))
        if mkeys:
            cols.append(np.fromiter((self.mention_column(k) for k in mkeys), dtype=np.int64))
            vals.append(np.ones(len(mkeys)))
        if not cols:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(cols), np.concatenate(vals)

    def rule_column(self, key: str) -> int:
        """Column of a rule feature key."""
        return (_mhash(key) & (self.space.sizes[3] - 1)) + self.space.offsets[3]

    def mention_column(self, key: str) -> int:
        """Column of a role-mention feature key."""
        return (_mhash(key) & (self.space.sizes[4] - 1)) + self.space.offsets[4]

    def char_columns(self, key: int, word: str) -> np.ndarray:
        return self._char_ids(key, word) + self.space.offsets[1]

    def transform(self, items: Iterable[Analysed]) -> sp.csr_matrix:
        """Count matrix, one row per posting."""
        indptr = [0]
        all_cols: list[np.ndarray] = []
        all_vals: list[np.ndarray] = []
        for item in items:
            c, v = self.row(item)
            all_cols.append(c)
            all_vals.append(v)
            indptr.append(indptr[-1] + len(c))
        cols = np.concatenate(all_cols) if all_cols else np.zeros(0, dtype=np.int64)
        vals = np.concatenate(all_vals) if all_vals else np.zeros(0)
        m = sp.csr_matrix((vals, cols, np.array(indptr)), shape=(len(indptr) - 1, self.space.n_features))
        m.sum_duplicates()
        return m


def rule_feature_names(matches: Sequence["SkillMatch"], skip: list[tuple[int, int]] | None = None) -> list[str]:
    """Rule evidence as feature keys: the id, its kind/category and each role it points to."""
    out: list[str] = []
    for m in matches:
        if skip and in_spans(m.start, skip):
            continue
        out.append(f"id:{m.id}")
        out.append(f"cat:{m.category}")
        for r in m.roles:
            out.append(f"role:{r}")
            out.append(f"role-kind:{r}:{m.kind}")
    return out


def in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    """True when ``pos`` falls inside one of the sorted ``spans``."""
    return any(a <= pos < b for a, b in spans)
