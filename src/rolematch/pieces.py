"""spaCy's tokens of a posting as arrays, assembled from cached pieces without building a ``Doc``.

What rolematch reads from a tokenized posting is five numbers per token
(``LOWER``, ``ORTH``, ``IDX``, ``LENGTH``, ``IS_ALPHA``). spaCy's tokenizer
splits a text into pieces, runs of non-space characters and the whitespace
runs it keeps as tokens, and tokenizes each piece on its own; only its last
step, the special-case matcher, looks across pieces. :class:`PieceTokenizer`
keeps each piece's rows (from spaCy, the first time the piece is seen), finds
the pieces of a text with a few vectorised passes and gathers their rows. A
document where a special case could act across a piece boundary (see
:meth:`PieceTokenizer._crossing`; about 1 posting in 400) is left to spaCy
itself, so the arrays are always the ones ``Doc.to_array`` gives. Batches of
postings (``classify_many``, ``rolematch score``) are tokenized this way:
about 0.15 ms less per posting than building the ``Doc`` and reading it.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:
    from spacy.vocab import Vocab

#: str.isspace() of every code point up to U+3000 (the last whitespace one), then one False for all above
_WS = np.array([chr(i).isspace() for i in range(0x3001)] + [False])
_NO_WS = np.uint32(0x3001)
_LONGEST_CACHED = 256  # characters: a longer piece (a URL, a pasted blob) is not worth keeping


def _attrs() -> list[int]:
    from spacy.attrs import IDX, IS_ALPHA, LENGTH, LOWER, ORTH

    return [LOWER, ORTH, IDX, LENGTH, IS_ALPHA]


class TokenArrays:
    """A tokenized posting as arrays: what rolematch's matchers and features read from a ``Doc``.

    ``to_array`` takes a list of attribute ids among ``LOWER``, ``ORTH``,
    ``IDX``, ``LENGTH`` and ``IS_ALPHA`` and returns the same uint64 array as
    ``Doc.to_array``; ``vocab`` is the pipeline's vocabulary.
    """

    __slots__ = ("rows", "vocab", "text", "_columns")

    def __init__(self, rows: np.ndarray, vocab: "Vocab", text: str, columns: dict[int, int]) -> None:
        self.rows, self.vocab, self.text, self._columns = rows, vocab, text, columns

    def __len__(self) -> int:
        return len(self.rows)

    def to_array(self, attrs: Sequence[int]) -> np.ndarray:
        return self.rows[:, [self._columns[a] for a in attrs]]


class PieceTokenizer:
    """Token arrays of texts, identical to ``tokenizer(text).to_array(...)``, from a cache of pieces."""

    def __init__(self, tokenizer: Any, max_pieces: int = 100_000) -> None:
        self.tokenizer = tokenizer  # spaCy's Tokenizer (its cache is not ours: pieces are kept here)
        self.vocab = tokenizer.vocab
        self.max_pieces = max_pieces
        self._attrs = _attrs()  # LOWER, ORTH, IDX, LENGTH, IS_ALPHA: the row layout
        self._columns = {a: i for i, a in enumerate(self._attrs)}
        self._pairs, self._replaced = _special_boundaries(tokenizer)
        self._pair_left = frozenset(a for a, _ in self._pairs)
        self._pair_right = frozenset(b for _, b in self._pairs)
        # those special cases by their last / first two characters (a piece's edge picks the candidates)
        self._by_end: dict[str, list[str]] = {}
        self._by_start: dict[str, list[str]] = {}
        for sp in self._replaced:
            self._by_end.setdefault(sp[-2:], []).append(sp)
            self._by_start.setdefault(sp[:2], []).append(sp)
        self._reset()

    def _reset(self) -> None:
        self._index: dict[str, int] = {}
        self._rows = np.zeros((4096, len(self._attrs)), dtype=np.uint64)
        self._n_rows = 0
        self._start = np.zeros(1024, dtype=np.int64)  # per piece: its first row, its number of rows
        self._count = np.zeros(1024, dtype=np.int64)
        # per piece: it ends / starts with a special case whose replacement changes tokens; a token the
        # matcher may have seen at its end can start a pattern pair / one at its start can end one
        self._flags = np.zeros((1024, 4), dtype=bool)
        # for those pieces: the tokens the special-case matcher may have seen at its end / start
        self._edges: dict[int, tuple[set[int], set[int]]] = {}
        self._n_pieces = 0

    def __call__(self, text: str) -> TokenArrays | None:
        """The posting's token arrays, or None when only spaCy itself can tell (see the module doc)."""
        n = len(text)
        if n == 0:
            return TokenArrays(self._rows[:0].copy(), self.vocab, text, self._columns)
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ws = _WS[np.minimum(cp, _NO_WS)]
        cuts = np.flatnonzero(ws[1:] != ws[:-1]) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [n]))
        is_ws = ws[starts]
        # spaCy drops the one space after a word (its "whitespace" flag); other whitespace runs are tokens
        starts = starts + (is_ws & (starts > 0) & (cp[starts] == 32))
        keep = starts < ends
        starts, ends, is_ws = starts[keep], ends[keep], is_ws[keep]
        words = text.split()  # the non-space pieces, in order
        ws_at = np.flatnonzero(is_ws)
        spaces = [text[a:b] for a, b in zip(starts[ws_at].tolist(), ends[ws_at].tolist())]
        ids = np.empty(len(starts), dtype=np.int64)
        try:
            self._lookup(ids, ~is_ws, words, ws_at, spaces)
        except KeyError:  # new pieces: tokenize them with spaCy first
            if len(self._index) + len(words) + len(spaces) > self.max_pieces or self._n_rows > 4 * self.max_pieces:
                self._reset()
            new = list(set(words).union(spaces).difference(self._index))
            self._add(new)
            self._lookup(ids, ~is_ws, words, ws_at, spaces)
            for p in new:
                if len(p) > _LONGEST_CACHED:
                    del self._index[p]  # not kept: its rows stay until the next reset
        if len(ids) > 1 and self._crossing(ids):
            return None
        first, count = self._start[ids], self._count[ids]
        total = int(count.sum())
        row_of = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(total)
        rows = self._rows[row_of]
        rows[:, 2] += np.repeat(starts.astype(np.uint64), count)  # IDX: offsets within the piece -> in the text
        return TokenArrays(rows, self.vocab, text, self._columns)

    def _lookup(self, ids: np.ndarray, at_words: np.ndarray, words: list[str], at_spaces: np.ndarray,
                spaces: list[str]) -> None:
        """Fill ``ids`` with the pieces' ids (KeyError for a piece not seen yet)."""
        index = self._index
        ids[at_words] = itemgetter(*words)(index) if len(words) > 1 else [index[w] for w in words]
        if spaces:
            ids[at_spaces] = itemgetter(*spaces)(index) if len(spaces) > 1 else [index[s] for s in spaces]

    def _crossing(self, ids: np.ndarray) -> bool:
        """Could a special case change tokens across a boundary between these consecutive pieces?

        A special-case match across a boundary (the tokens there being
        consecutive in a pattern) never applies itself (its text has a space),
        but it can crowd out an overlapping match inside a piece, which then
        keeps the tokens the matcher saw. So tokens can differ only where a
        replacement inside a piece may reach its boundary token (the piece ends
        or starts with such a special case) and the tokens the matcher may have
        seen on both sides form a pattern pair.
        """
        before, after = self._flags[ids[:-1]], self._flags[ids[1:]]
        near = np.flatnonzero((before[:, 0] | after[:, 1]) & before[:, 2] & after[:, 3])
        if not len(near):
            return False
        pairs = self._pairs
        for k in near.tolist():
            ends, starts = self._edge(int(ids[k]))[0], self._edge(int(ids[k + 1]))[1]
            if any((a, b) in pairs for a in ends for b in starts):
                return True
        return False

    def _edge(self, i: int) -> tuple[set[int], set[int]]:
        """The tokens the matcher may have seen at piece ``i``'s end and start."""
        got = self._edges.get(i)
        if got is not None:
            return got
        first = int(self._start[i])
        return {int(self._rows[first + self._count[i] - 1, 1])}, {int(self._rows[first, 1])}  # ORTH

    def _add(self, pieces: list[str]) -> None:
        """Tokenize new pieces (each as spaCy would inside a text) and keep their rows.

        Pieces with no special case at either edge cannot be affected by one
        across a boundary (see :meth:`_crossing`), so they are tokenized together
        in one doc and split back by offsets; the others one doc each.
        """
        edges = [self._edge_specials(p) for p in pieces]
        together = [p for p, e in zip(pieces, edges) if e is None and not p[0].isspace()]
        alone = [(p, e) for p, e in zip(pieces, edges) if e is not None or p[0].isspace()]
        parts, counts = [], []
        if together:
            lengths = np.array([len(p) for p in together], dtype=np.uint64)
            offsets = np.cumsum(lengths + 1) - lengths - 1  # where each piece starts in the joined text
            joined = self.tokenizer(" ".join(together)).to_array(self._attrs)
            owner = np.searchsorted(offsets, joined[:, 2], side="right") - 1
            joined[:, 2] -= offsets[owner]
            parts.append(joined)
            counts.append(np.bincount(owner, minlength=len(together)))
        for p, _ in alone:
            parts.append(self.tokenizer(p).to_array(self._attrs))
            counts.append(np.array([len(parts[-1])]))
        self._append(together + [p for p, _ in alone], np.concatenate(parts), np.concatenate(counts),
                     [None] * len(together) + [e for _, e in alone])

    def _edge_specials(self, piece: str) -> tuple[set[int], set[int]] | None:
        """The first / last pattern tokens of the replacing special cases ``piece`` ends / starts with, if any."""
        by_end, by_start = self._by_end, self._by_start
        end_cands = (by_end.get(piece[-2:]) or []) + (by_end.get(piece[-1:]) or [])
        start_cands = (by_start.get(piece[:2]) or []) + (by_start.get(piece[:1]) or [])
        if not end_cands and not start_cands:
            return None
        ends = {self._replaced[sp][1] for sp in end_cands if piece.endswith(sp)}
        starts = {self._replaced[sp][0] for sp in start_cands if piece.startswith(sp)}
        return (ends, starts) if ends or starts else None

    def _append(self, pieces: list[str], rows: np.ndarray, counts: np.ndarray, edges: list[Any]) -> None:
        n, i = self._n_rows, self._n_pieces
        m = len(pieces)
        while n + len(rows) > len(self._rows):
            self._rows = np.concatenate([self._rows, np.zeros_like(self._rows)])
        while i + m > len(self._start):
            self._start, self._count, self._flags = (
                np.concatenate([a, np.zeros_like(a)]) for a in (self._start, self._count, self._flags))
        self._rows[n:n + len(rows)] = rows
        first = np.cumsum(counts) - counts
        self._start[i:i + m], self._count[i:i + m] = first + n, counts
        last_orth, first_orth = rows[first + counts - 1, 1], rows[first, 1]  # ORTH
        flags = self._flags[i:i + m]
        flags[:] = False
        left, right = self._pair_left, self._pair_right
        flags[:, 2] = [h in left for h in last_orth.tolist()]
        flags[:, 3] = [h in right for h in first_orth.tolist()]
        for k, edge in enumerate(edges):
            if edge is not None:  # the tokens the matcher may have seen at its edges include the patterns'
                ends, starts = edge[0] | {int(last_orth[k])}, edge[1] | {int(first_orth[k])}
                self._edges[i + k] = (ends, starts)
                flags[k] = (bool(edge[0]), bool(edge[1]), not ends.isdisjoint(self._pair_left),
                            not starts.isdisjoint(self._pair_right))
        self._n_rows += len(rows)
        self._n_pieces += m
        self._index.update(zip(pieces, range(i, i + m)))


def _special_boundaries(tokenizer: Any) -> tuple[frozenset[tuple[int, int]], dict[str, tuple[int, int]]]:
    """What decides whether a special case could act across a piece boundary.

    spaCy's special-case matcher looks for each special case with affixes as
    the tokens the affix rules alone make of it (``e.g.`` -> ``e.g`` ``.``) and
    replaces them with the special case's own tokens (``e.g.``). Returns the
    pairs of consecutive tokens in those patterns (ORTH hashes), and, for each
    special case whose replacement changes the tokens, its pattern's first and
    last token.
    """
    from spacy.attrs import ORTH
    from spacy.tokenizer import Tokenizer

    strings = tokenizer.vocab.strings
    bare = Tokenizer(tokenizer.vocab, rules={}, prefix_search=tokenizer.prefix_search,
                     suffix_search=tokenizer.suffix_search, infix_finditer=tokenizer.infix_finditer,
                     token_match=tokenizer.token_match, url_match=tokenizer.url_match)
    pairs: set[tuple[int, int]] = set()
    replaced: dict[str, tuple[int, int]] = {}
    for special, substrings in tokenizer.rules.items():
        matched = (not tokenizer.faster_heuristics or " " in special or tokenizer.find_prefix(special)
                   or tokenizer.find_infix(special) or tokenizer.find_suffix(special))
        if not matched:
            continue
        pattern = [t.orth for t in bare(special)]
        pairs.update(zip(pattern[:-1], pattern[1:]))
        tokens = [strings.add(s[ORTH] if ORTH in s else s["ORTH"]) for s in substrings]
        if tokens != pattern:
            replaced[special] = (pattern[0], pattern[-1])
    return frozenset(pairs), replaced
