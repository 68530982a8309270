"""Hashed features from an analysed posting: words, character n-grams, title, rule evidence.

No vocabulary is stored (hashing), so models stay small and load fast. Word
hashes come straight from spaCy's ``LOWER`` attribute; character n-grams
(inside word boundaries, like scikit-learn's ``char_wb``) are computed once
per word type and cached. Boilerplate lines are left out of the text blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import numpy as np
from murmurhash.mrmr import hash as _mhash

from rolematch.boilerplate import CUE_HEADS, boilerplate_spans
from rolematch.csr import CSR
from rolematch.mentions import Mention, mention_keys
from rolematch.pieces import starts_in
from rolematch.segments import token_segments

if TYPE_CHECKING:
    from rolematch.extract import Tokens
    from rolematch.results import SkillMatch

_BIGRAM_MUL = np.uint64(0x9E3779B97F4A7C15)
_TITLE_SALT = np.uint64(0xA5A5A5A5DEADBEEF)
_CACHE_LIMIT = 50_000


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

    doc: "Tokens"
    text: str
    matches: Sequence["SkillMatch"]
    title: str | None
    title_doc: "Tokens | None"
    lang: str
    mentions: Sequence["Mention"] = ()
    #: the boilerplate spans, once computed (:meth:`Featurizer.skipped_spans`)
    boilerplate: list[tuple[int, int]] | None = field(default=None, repr=False, compare=False)


def _token_arrays(doc: "Tokens") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``LOWER`` hashes, character offsets and lengths of the alphabetic tokens."""
    from spacy.attrs import IDX, IS_ALPHA, LENGTH, LOWER

    if len(doc) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    arr = doc.to_array([LOWER, IDX, LENGTH, IS_ALPHA])
    keep = arr[:, 3].astype(bool)
    return arr[keep, 0].astype(np.uint64), arr[keep, 1].astype(np.int64), arr[keep, 2].astype(np.int64)


def lower_words(text: str, lowers: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> dict[int, str]:
    """Each ``LOWER`` hash's string, read off its first token in ``text``.

    A token's text is its slice of the text (spaCy never lets a special case
    change it) and its ``LOWER`` is that text lower-cased, so no vocabulary
    has to keep the strings of the words a batch has seen.
    """
    out: dict[int, str] = {}
    for h, a, n in zip(lowers.tolist(), starts.tolist(), lengths.tolist()):
        if h not in out:
            out[h] = text[a:a + n].lower()
    return out


def _outside(positions: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """Boolean mask: position not inside any span."""
    if not spans:
        return np.ones(len(positions), dtype=bool)
    starts = np.array([s for s, _ in spans])
    ends = np.array([e for _, e in spans])
    k = np.searchsorted(starts, positions, side="right") - 1
    inside = (k >= 0) & (positions < ends[np.maximum(k, 0)])
    return ~inside


class _GramTable:
    """Character n-gram ids of word types, keyed by their LOWER hash, looked up for many words at once.

    One flat array holds every known word's n-gram ids; sorted word hashes map
    to each word's slice. Looking up a batch's words is one binary search over
    arrays, not a dict lookup and an array per word.
    """

    def __init__(self, limit: int, bits: int = 31) -> None:
        self.limit = limit
        self.dtype = np.int32 if bits <= 31 else np.int64  # n-gram ids are below 2**bits
        self._reset()

    def _reset(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint64)  # known word hashes, sorted
        self.slot_of = np.zeros(0, dtype=np.int64)  # each one's slot
        self.start = np.zeros(1024, dtype=np.int64)  # per slot: its first n-gram in ``flat``, how many
        self.count = np.zeros(1024, dtype=np.int64)
        self.flat = np.zeros(1 << 16, dtype=self.dtype)
        self.n_slots = self.n_flat = 0

    def slots(self, words: np.ndarray, make: Callable[[np.ndarray], list[np.ndarray]]) -> np.ndarray:
        """Slots of the sorted, unique ``words``; ``make(indices)`` gives the n-gram ids of unknown ones."""
        pos = np.searchsorted(self.keys, words)
        found = pos < len(self.keys)
        found[found] = self.keys[pos[found]] == words[found]
        if not found.all():
            missing = np.flatnonzero(~found)
            if len(self.keys) and len(self.keys) + len(missing) > self.limit:  # full: start afresh
                self._reset()
                return self.slots(words, make)
            grams = make(missing)
            counts = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
            new = np.arange(self.n_slots, self.n_slots + len(missing))
            self._grow(int(new[-1]) + 1, self.n_flat + int(counts.sum()))
            self.start[new] = self.n_flat + np.cumsum(counts) - counts
            self.count[new] = counts
            if grams:
                self.flat[self.n_flat:self.n_flat + int(counts.sum())] = np.concatenate(grams)
            self.n_slots, self.n_flat = int(new[-1]) + 1, self.n_flat + int(counts.sum())
            self.keys = np.insert(self.keys, pos[missing], words[missing])
            self.slot_of = np.insert(self.slot_of, pos[missing], new)
            pos = np.searchsorted(self.keys, words)
        return self.slot_of[pos]

    def _grow(self, slots: int, grams: int) -> None:
        while slots > len(self.start):
            self.start, self.count = (np.concatenate([a, np.zeros_like(a)]) for a in (self.start, self.count))
        while grams > len(self.flat):
            self.flat = np.concatenate([self.flat, np.zeros_like(self.flat)])


class Featurizer:
    """Turns analysed postings into a sparse count matrix (one row each)."""

    def __init__(self, space: FeatureSpace, boilerplate: bool = True) -> None:
        self.space = space
        self.boilerplate = boilerplate
        self._grams = _GramTable(_CACHE_LIMIT, space.char_bits)
        self._sizes = space.sizes
        self._offsets = space.offsets
        self._key_cols: dict[tuple[int, str], int] = {}
        self._rule_cols: dict[tuple[str, str, str, tuple[str, ...]], list[int]] = {}  # per match signature

    def _char_ids(self, word: str) -> np.ndarray:
        """Character n-gram ids of ``word`` (padded with a space each side), within the char block."""
        lo, hi = self.space.char_ngrams
        w = f" {word} "
        grams = [w[i:i + n] for n in range(lo, hi + 1) for i in range(len(w) - n + 1)]
        mask = (1 << self.space.char_bits) - 1
        return np.fromiter((_mhash(g) & mask for g in grams), dtype=np.int64, count=len(grams))

    def kept_tokens(self, doc: "Tokens", spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """LOWER hashes, offsets and lengths of the alphabetic tokens outside ``spans`` (boilerplate)."""
        lowers, idx, lengths = _token_arrays(doc)
        if spans and len(lowers):
            keep = _outside(idx, spans)
            lowers, idx, lengths = lowers[keep], idx[keep], lengths[keep]
        return lowers, idx, lengths

    def skipped_spans(self, item: Analysed) -> list[tuple[int, int]]:
        """Boilerplate spans of the posting (empty when boilerplate filtering is off)."""
        if not self.boilerplate:
            return []
        if item.boilerplate is None:  # the posting model, the sentence expert and the evidence all ask
            item.boilerplate = boilerplate_spans(item.text, starts=starts_in(item.doc, CUE_HEADS, item.text))
        return item.boilerplate

    def title_hashes(self, item: Analysed) -> np.ndarray:
        """Hashes of title unigrams and bigrams (salted apart from the body's)."""
        if item.title_doc is None:
            return np.zeros(0, dtype=np.uint64)
        tl = _token_arrays(item.title_doc)[0]
        if len(tl) > 1:
            tl = np.concatenate([tl, tl[:-1] * _BIGRAM_MUL + tl[1:]])
        return tl ^ _TITLE_SALT

    def _small_row(self, item: Analysed, spans: list[tuple[int, int]]) -> list[int]:
        """Columns of the title, rule and mention features of one posting (duplicates allowed)."""
        sp_title = self.space.sizes[2]
        off_title = self.space.offsets[2]
        cols: list[int] = []
        t = self.title_hashes(item)
        if len(t):
            cols.extend(((t % np.uint64(sp_title)).astype(np.int64) + off_title).tolist())
        rule_cols = self._rule_cols
        for m in item.matches:
            if spans and in_spans(m.start, spans):
                continue
            sig = (m.id, m.category, m.kind, m.roles)
            got = rule_cols.get(sig)
            if got is None:
                got = rule_cols[sig] = [self.rule_column(k) for k in rule_feature_names([m])]
            cols.extend(got)
        mentions = [m for m in item.mentions if not in_spans(m.start, spans)]
        cols.extend(self.mention_column(k) for k in mention_keys(mentions, len(item.text)))
        return cols

    def _keyed_column(self, block: int, key: str) -> int:
        col = self._key_cols.get((block, key))
        if col is None:
            col = self._key_cols[(block, key)] = (_mhash(key) & (self._sizes[block] - 1)) + self._offsets[block]
        return col

    def rule_column(self, key: str) -> int:
        """Column of a rule feature key."""
        return self._keyed_column(3, key)

    def mention_column(self, key: str) -> int:
        """Column of a role-mention feature key."""
        return self._keyed_column(4, key)

    def char_columns(self, keys: np.ndarray, words: Sequence[str]) -> list[np.ndarray]:
        """Columns of the character n-grams of ``words``, whose LOWER hashes are ``keys`` (sorted, unique)."""
        table = self._grams
        slots = table.slots(keys, lambda missing: [self._char_ids(words[i]) for i in missing.tolist()])
        off = self.space.offsets[1]
        return [table.flat[s:s + c].astype(np.int64) + off
                for s, c in zip(table.start[slots].tolist(), table.count[slots].tolist())]

    def transform(self, items: Iterable[Analysed]) -> CSR:
        """Count matrix, one row per posting.

        Vectorised over the batch: word and word-pair columns come from the
        token hashes of all postings at once; character n-grams are expanded
        once per (posting, word type) from the per-word cache, weighted by how
        often the word occurs; then equal (posting, column) entries are summed.
        """
        return self._transform(items, posts=True, segments=False)[0]

    def transform_both(self, items: Iterable[Analysed]) -> tuple[CSR, CSR, np.ndarray]:
        """:meth:`transform` and :meth:`transform_segments` of the same postings, in one pass."""
        counts, seg_counts, seg_doc = self._transform(items, posts=True, segments=True)
        assert seg_counts is not None and seg_doc is not None
        return counts, seg_counts, seg_doc

    def transform_segments(self, items: Iterable[Analysed]) -> tuple[CSR, np.ndarray]:
        """Word and word-pair counts per segment (:mod:`rolematch.segments`) of each posting.

        Returns the count matrix (one row per segment; only the word block is
        filled) and each row's posting. Boilerplate is left out as in
        :meth:`transform`; a posting with no words has no segment.
        """
        _, seg_counts, seg_doc = self._transform(items, posts=False, segments=True)
        assert seg_counts is not None and seg_doc is not None
        return seg_counts, seg_doc

    def _transform(self, items: Iterable[Analysed], posts: bool, segments: bool
                   ) -> tuple[CSR, CSR | None, np.ndarray | None]:
        """Posting rows (an empty matrix unless ``posts``) and, with ``segments``, segment rows and their postings."""
        lowers: list[np.ndarray] = []
        starts: list[np.ndarray] = []
        lengths_: list[np.ndarray] = []
        small_rows: list[int] = []
        small_cols: list[int] = []
        segs: list[np.ndarray] = []  # each kept token's segment row (-1: in a segment left out)
        seg_doc: list[np.ndarray] = []
        texts = []  # the tokenized texts, where a new word's string is read (see lower_words)
        n = n_seg = 0
        for n, item in enumerate(items, 1):
            spans = self.skipped_spans(item)
            lw, ix, ln = self.kept_tokens(item.doc, spans)
            lowers.append(lw)
            starts.append(ix)
            lengths_.append(ln)
            if posts:
                cols = self._small_row(item, spans)
                small_cols.extend(cols)
                small_rows.extend([n - 1] * len(cols))
            texts.append(item.text)  # the text the tokens index (cheaper than a spaCy Doc's .text)
            if segments:
                seg = token_segments(item.text, ix)
                k = int(seg.max()) + 1 if len(seg) else 0
                segs.append(np.where(seg >= 0, seg + n_seg, -1))
                seg_doc.append(np.full(k, n - 1, dtype=np.int64))
                n_seg += k
        width = self.space.n_features
        if n == 0:
            return CSR.empty((0, width)), CSR.empty((0, width)), np.zeros(0, dtype=np.int64)
        lengths = np.fromiter((len(x) for x in lowers), dtype=np.int64, count=n)
        doc = np.repeat(np.arange(n), lengths)
        L = np.concatenate(lowers) if len(doc) else np.zeros(0, dtype=np.uint64)
        counts = CSR.empty((0, width))
        if posts:
            rows, cols_, values = self._word_entries(L, doc)
            rows.append(np.asarray(small_rows, dtype=np.int64))
            cols_.append(np.asarray(small_cols, dtype=np.int64))
            values.append(np.ones(len(small_rows)))
            if len(L):
                self._char_entries(L, doc, starts, lengths_, texts, rows, cols_, values)
            counts = CSR.from_entries(np.concatenate(rows), np.concatenate(cols_), np.concatenate(values), (n, width))
        if not segments:
            return counts, None, None
        row = np.concatenate(segs) if len(L) else np.zeros(0, dtype=np.int64)
        keep = row >= 0
        rows, cols_, values = self._word_entries(L[keep], row[keep])
        seg_counts = CSR.from_entries(np.concatenate(rows), np.concatenate(cols_), np.concatenate(values),
                                      (n_seg, width))
        return counts, seg_counts, np.concatenate(seg_doc)

    def _word_entries(self, L: np.ndarray, row: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """(rows, columns, values) of the word and word-pair counts of tokens ``L`` in rows ``row`` (pairs stay in a row)."""
        sp_word = np.uint64(self.space.sizes[0])
        off_word = self.space.offsets[0]
        rows: list[np.ndarray] = [row]
        cols_: list[np.ndarray] = [(L % sp_word).astype(np.int64) + off_word]
        if len(L) > 1:
            same = row[:-1] == row[1:]
            pairs = (L[:-1] * _BIGRAM_MUL + L[1:])[same]
            rows.append(row[:-1][same])
            cols_.append((pairs % sp_word).astype(np.int64) + off_word)
        return rows, cols_, [np.ones(sum(len(r) for r in rows))]

    def _char_entries(self, L: np.ndarray, doc: np.ndarray, starts: list[np.ndarray], lengths_: list[np.ndarray],
                      texts: list[str], rows: list[np.ndarray], cols_: list[np.ndarray],
                      values: list[np.ndarray]) -> None:
        """Append the character n-gram entries of tokens ``L`` (posting ``doc``) to rows/cols_/values."""
        off_char = self.space.offsets[1]
        uniq, inv = np.unique(L, return_inverse=True)
        inv = inv.ravel()

        def unknown(missing: np.ndarray) -> list[np.ndarray]:
            first = np.empty(len(uniq), dtype=np.int64)
            first[inv[::-1]] = np.arange(len(L))[::-1]  # each word type's first token (see lower_words)
            at = first[missing]
            S, N = np.concatenate(starts)[at].tolist(), np.concatenate(lengths_)[at].tolist()
            return [self._char_ids(texts[d][a:a + k].lower()) for d, a, k in zip(doc[at].tolist(), S, N)]

        table = self._grams
        slots = table.slots(uniq, unknown)
        n_grams, word_start = table.count[slots], table.start[slots]
        # (posting, word type) pairs with their counts, each expanded to the word's n-gram columns
        pair, count = np.unique(doc * len(uniq) + inv, return_counts=True)
        pair_doc, pair_word = pair // len(uniq), pair % len(uniq)
        reps = n_grams[pair_word]
        which = np.repeat(np.arange(len(pair)), reps)
        offset = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        rows.append(pair_doc[which])
        cols_.append(table.flat[word_start[pair_word][which] + offset].astype(np.int64) + off_char)
        values.append(count[which].astype(np.float64))


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
