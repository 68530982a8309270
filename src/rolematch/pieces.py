"""spaCy's tokens of a posting as arrays, assembled from cached pieces without building a ``Doc``.

What rolematch reads from a tokenized posting is five numbers per token
(``LOWER``, ``ORTH``, ``IDX``, ``LENGTH``, ``IS_ALPHA``). spaCy's tokenizer
splits a text into pieces, runs of non-space characters and the whitespace
runs it keeps as tokens, and tokenizes each piece on its own; only its last
step, the special-case matcher, looks across pieces. A :class:`PieceIndex`
cuts a text into pieces with a few vectorised passes and gives each piece an
id (and keeps its function-word counts, from which the language is told);
a :class:`PieceTokenizer` per language keeps each piece's rows (from spaCy,
the first time the piece is seen) and gathers a text's rows. A
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

from rolematch.heads import Heads
from rolematch.lang import LANGUAGES, NO_HITS, function_word_hits
from rolematch.pipelines import _LONGEST_CACHED  # a longer piece (a URL, a pasted blob) is not worth keeping

if TYPE_CHECKING:
    from spacy.vocab import Vocab

#: str.isspace() of every code point up to U+3000 (the last whitespace one), then one False for all above
_WS = np.array([chr(i).isspace() for i in range(0x3001)] + [False])
_NO_WS = np.uint32(0x3001)
_MAX_CHARS = 20_000_000  # characters kept in one index (its pieces' strings) before it starts afresh


def _attrs() -> list[int]:
    from spacy.attrs import IDX, IS_ALPHA, LENGTH, LOWER, ORTH

    return [LOWER, ORTH, IDX, LENGTH, IS_ALPHA]


class TokenArrays:
    """A tokenized posting as arrays: what rolematch's matchers and features read from a ``Doc``.

    ``to_array`` takes a list of attribute ids among ``LOWER``, ``ORTH``,
    ``IDX``, ``LENGTH`` and ``IS_ALPHA`` and returns the same uint64 array as
    ``Doc.to_array``; ``vocab`` is the pipeline's vocabulary.
    """

    __slots__ = ("rows", "vocab", "text", "_columns", "starts", "_offsets")

    def __init__(self, rows: np.ndarray, vocab: "Vocab", text: str, columns: dict[int, int],
                 starts: dict[Heads, list[int]] | None = None) -> None:
        self.rows, self.vocab, self.text, self._columns = rows, vocab, text, columns
        #: where head sets start words in ``text`` (:meth:`PieceIndex.head_starts`), when known
        self.starts = starts
        self._offsets: list[list[int]] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def token_text(self, i: int) -> str:
        """Token ``i``'s text (its ``ORTH`` string: the vocabulary does not keep a batch's new words)."""
        if self._offsets is None:
            from spacy.attrs import IDX, LENGTH

            self._offsets = self.to_array([IDX, LENGTH]).tolist()
        start, length = self._offsets[i]
        return self.text[start:start + length]

    def to_array(self, attrs: Sequence[int]) -> np.ndarray:
        return self.rows[:, [self._columns[a] for a in attrs]]


def starts_in(doc: Any, heads: Heads, text: str) -> list[int] | None:
    """Where ``heads`` start words in ``text``, when ``doc`` is its token arrays and knows (else None)."""
    if isinstance(doc, TokenArrays) and doc.starts is not None and (doc.text is text or doc.text == text):
        return doc.starts.get(heads)
    return None


class Pieces:
    """A text cut into spaCy's pieces: where each starts and ends, which are whitespace, their ids."""

    __slots__ = ("text", "starts", "ends", "is_ws", "ids", "generation")

    def __init__(self, text: str, starts: np.ndarray, ends: np.ndarray, is_ws: np.ndarray, ids: np.ndarray,
                 generation: int) -> None:
        self.text, self.starts, self.ends, self.is_ws, self.ids = text, starts, ends, is_ws, ids
        self.generation = generation  # of the index that gave the ids


class PieceIndex:
    """Ids for the pieces seen so far, shared by the languages' tokenizers, their function-word hits and heads.

    Language detection counts function words in the first 3,000 characters;
    words never span whitespace, so that count is the sum of the pieces' own
    counts (kept per piece), plus the count of a piece cut at the limit.
    Likewise each piece keeps where the ``heads`` (:class:`rolematch.heads.Heads`)
    start words in it, so a text's candidate positions are gathered, not searched.
    """

    def __init__(self, max_pieces: int = 100_000, heads: Sequence[Heads] = ()) -> None:
        self.max_pieces = max_pieces
        self.heads = tuple(heads)
        self._any_head = Heads.union(self.heads) if self.heads else None
        self.generation = 0
        self._reset()

    def _reset(self) -> None:
        self.generation += 1
        self._index: dict[str, int] = {}
        self._strings: list[str] = []
        self._chars = 0
        self._hits = np.zeros(1024, dtype=np.int32)  # per piece: the row of its hit counts in _vectors
        self._vector_row: dict[tuple[int, ...], int] = {}
        self._vectors = np.zeros((0, len(LANGUAGES)), dtype=np.int64)
        # per piece with some: where the head sets start words in it, as (head set, offset) pairs, or None
        # when lower-casing changes its length (its positions would not be the lower-cased text's)
        self._head_at: dict[int, tuple[tuple[int, int], ...] | None] = {}
        self._has_head = np.zeros(1024, dtype=bool)

    def __len__(self) -> int:
        return len(self._strings)

    def piece(self, i: int) -> str:
        return self._strings[i]

    def cut(self, text: str) -> Pieces:
        """``text`` cut into pieces (runs of non-space, and the whitespace runs spaCy keeps as tokens)."""
        n = len(text)
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return Pieces(text, empty, empty, np.zeros(0, dtype=bool), empty, self.generation)
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
        except KeyError:  # new pieces
            if len(self) + len(words) + len(spaces) > self.max_pieces or self._chars > _MAX_CHARS:
                self._reset()
            new = list(set(words).union(spaces).difference(self._index))
            self._add(new)
            self._lookup(ids, ~is_ws, words, ws_at, spaces)
            for p in new:
                if len(p) > _LONGEST_CACHED:
                    del self._index[p]  # not looked up again: its id stays valid until the next reset
        return Pieces(text, starts, ends, is_ws, ids, self.generation)

    def _lookup(self, ids: np.ndarray, at_words: np.ndarray, words: list[str], at_spaces: np.ndarray,
                spaces: list[str]) -> None:
        """Fill ``ids`` with the pieces' ids (KeyError for a piece not seen yet)."""
        index = self._index
        ids[at_words] = itemgetter(*words)(index) if len(words) > 1 else [index[w] for w in words]
        if spaces:
            ids[at_spaces] = itemgetter(*spaces)(index) if len(spaces) > 1 else [index[s] for s in spaces]

    def _add(self, pieces: list[str]) -> None:
        i = len(self._strings)
        while i + len(pieces) > len(self._hits):
            self._hits, self._has_head = (np.concatenate([a, np.zeros_like(a)]) for a in (self._hits, self._has_head))
        if self.heads:
            self._add_heads(pieces, i)
        rows = self._vector_row
        hit_rows = []
        for p in pieces:
            vector = function_word_hits(p) if not p[0].isspace() else NO_HITS
            row = rows.get(vector)
            if row is None:
                row = rows[vector] = len(rows)
                self._vectors = np.vstack([self._vectors, np.array(vector, dtype=np.int64)])
            hit_rows.append(row)
        self._hits[i:i + len(pieces)] = hit_rows
        self._chars += sum(map(len, pieces))
        self._strings.extend(pieces)
        self._index.update(zip(pieces, range(i, i + len(pieces))))

    def _add_heads(self, pieces: list[str], first: int) -> None:
        assert self._any_head is not None
        any_head = self._any_head.search
        for k, p in enumerate(pieces, first):
            if p[0].isspace():
                continue
            low = p.lower()
            at: tuple[tuple[int, int], ...] | None = None
            if len(low) == len(p):
                if any_head(low) is None:  # most pieces
                    continue
                at = tuple((j, o) for j, heads in enumerate(self.heads) for o in heads.local_starts(low))
            self._head_at[k] = at
            self._has_head[k] = True

    def head_starts(self, pieces: Pieces) -> dict[Heads, list[int]] | None:
        """Per head set, where its heads start words in the lower-cased text (sorted positions).

        None when lower-casing a piece changes its length (the lower-cased
        text's positions are not the text's): search the text itself then.
        """
        if pieces.generation != self.generation:
            pieces = self.cut(pieces.text)
        at = np.flatnonzero(self._has_head[pieces.ids])
        lists: list[list[int]] = [[] for _ in self.heads]
        head_at = self._head_at
        for i, start in zip(pieces.ids[at].tolist(), pieces.starts[at].tolist()):
            got = head_at[i]
            if got is None:
                return None
            for j, offset in got:
                lists[j].append(start + offset)
        return dict(zip(self.heads, lists))

    def language_scores(self, pieces: Pieces, max_chars: int = 3000) -> dict[str, int]:
        """:func:`rolematch.lang.language_scores` of the text, from its pieces."""
        if pieces.generation != self.generation:
            pieces = self.cut(pieces.text)
        words = ~pieces.is_ws
        inside = pieces.ids[words & (pieces.ends <= max_chars)]
        totals = np.bincount(self._hits[inside], minlength=len(self._vectors)) @ self._vectors
        cut = np.flatnonzero(words & (pieces.starts < max_chars) & (pieces.ends > max_chars))
        if len(cut):  # the piece the limit cuts: counted on its part before the limit
            start = int(pieces.starts[cut[0]])
            totals = totals + np.array(function_word_hits(pieces.text[start:max_chars]))
        return dict(zip(LANGUAGES, totals.tolist()))


class PieceTokenizer:
    """Token arrays of texts, identical to ``tokenizer(text).to_array(...)``, from a cache of pieces.

    One per language pipeline; the piece ids come from a :class:`PieceIndex`
    that the languages can share.
    """

    def __init__(self, tokenizer: Any, index: PieceIndex | None = None) -> None:
        self.tokenizer = tokenizer  # spaCy's Tokenizer (its cache is not ours: pieces are kept here)
        self.vocab = tokenizer.vocab
        self.index = index if index is not None else PieceIndex()
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
        # the lexical attributes a row reads (the others' getters are skipped for the lexemes made in _add)
        from spacy.attrs import IS_ALPHA, LOWER

        self._row_getters = {a: f for a, f in (self.vocab.lex_attr_getters or {}).items() if a in (LOWER, IS_ALPHA)}
        self._generation = -1
        self._reset()

    def _reset(self) -> None:
        self._rows = np.zeros((4096, len(self._attrs)), dtype=np.uint64)
        self._n_rows = 0
        self._start = np.zeros(1024, dtype=np.int64)  # per piece id: its first row, its number of rows
        self._count = np.full(1024, -1, dtype=np.int64)  # -1: not tokenized in this language yet
        # per piece: it ends / starts with a special case whose replacement changes tokens; a token the
        # matcher may have seen at its end can start a pattern pair / one at its start can end one
        self._flags = np.zeros((1024, 4), dtype=bool)
        # for those pieces: the tokens the special-case matcher may have seen at its end / start
        self._edges: dict[int, tuple[set[int], set[int]]] = {}
        self._generation = self.index.generation

    def __call__(self, text: "str | Pieces") -> TokenArrays | None:
        """The posting's token arrays, or None when only spaCy itself can tell (see the module doc)."""
        pieces = text if isinstance(text, Pieces) else self.index.cut(text)
        if pieces.generation != self.index.generation:  # the index started afresh since: cut again
            pieces = self.index.cut(pieces.text)
        if self._generation != self.index.generation:
            self._reset()
        ids = pieces.ids
        if not len(ids):
            return TokenArrays(self._rows[:0].copy(), self.vocab, pieces.text, self._columns)
        self._grow(len(self.index))
        if (self._count[ids] < 0).any():
            self._add(np.unique(ids[self._count[ids] < 0]))
        if len(ids) > 1 and self._crossing(ids):
            return None
        first, count = self._start[ids], self._count[ids]
        total = int(count.sum())
        row_of = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(total)
        rows = self._rows[row_of]
        rows[:, 2] += np.repeat(pieces.starts.astype(np.uint64), count)  # IDX: within the piece -> in the text
        starts = self.index.head_starts(pieces) if self.index.heads else None
        return TokenArrays(rows, self.vocab, pieces.text, self._columns, starts)

    def _grow(self, n: int) -> None:
        while n > len(self._start):
            grown = len(self._start)
            self._start, self._flags = (np.concatenate([a, np.zeros_like(a)]) for a in (self._start, self._flags))
            self._count = np.concatenate([self._count, np.full(grown, -1, dtype=np.int64)])

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

    def _add(self, ids: np.ndarray) -> None:
        """Tokenize the pieces ``ids`` (each as spaCy would inside a text) and keep their rows.

        Pieces with no special case at either edge cannot be affected by one
        across a boundary (see :meth:`_crossing`), so they are tokenized together
        in one doc and split back by offsets; the others one doc each.
        """
        pieces = [self.index.piece(i) for i in ids.tolist()]
        edges = [self._edge_specials(p) for p in pieces]
        together = [k for k, (p, e) in enumerate(zip(pieces, edges)) if e is None and not p[0].isspace()]
        alone = [k for k, (p, e) in enumerate(zip(pieces, edges)) if e is not None or p[0].isspace()]
        parts: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        vocab = self.vocab
        # the docs and the new words' lexemes and strings are dropped after: only rows are kept (what reads a
        # word's string takes it from the text, see TokenArrays.token_text), so the vocabulary does not grow;
        # and those lexemes need only the attributes the rows hold (a third quicker to make)
        with vocab.memory_zone():
            getters, vocab.lex_attr_getters = vocab.lex_attr_getters, self._row_getters
            try:
                self._tokenize(pieces, together, alone, parts, counts)
            finally:
                vocab.lex_attr_getters = getters
        order = together + alone
        self._append(ids[order], np.concatenate(parts), np.concatenate(counts), [edges[k] for k in order])

    def _tokenize(self, pieces: list[str], together: list[int], alone: list[int], parts: list[np.ndarray],
                  counts: list[np.ndarray]) -> None:
        """Rows of the pieces ``together`` (one doc) then ``alone`` (a doc each), appended to ``parts``."""
        if together:
            lengths = np.array([len(pieces[k]) for k in together], dtype=np.uint64)
            offsets = np.cumsum(lengths + 1) - lengths - 1  # where each piece starts in the joined text
            joined = self.tokenizer(" ".join(pieces[k] for k in together)).to_array(self._attrs)
            owner = np.searchsorted(offsets, joined[:, 2], side="right") - 1
            joined[:, 2] -= offsets[owner]
            parts.append(joined)
            counts.append(np.bincount(owner, minlength=len(together)))
        for k in alone:
            parts.append(self.tokenizer(pieces[k]).to_array(self._attrs))
            counts.append(np.array([len(parts[-1])]))

    def _edge_specials(self, piece: str) -> tuple[set[int], set[int]] | None:
        """For the replacing special cases ``piece`` ends with, their patterns' last tokens; for those it
        starts with, their patterns' first tokens (None when there are neither)."""
        by_end, by_start = self._by_end, self._by_start
        end_cands = (by_end.get(piece[-2:]) or []) + (by_end.get(piece[-1:]) or [])
        start_cands = (by_start.get(piece[:2]) or []) + (by_start.get(piece[:1]) or [])
        if not end_cands and not start_cands:
            return None
        ends = {self._replaced[sp][1] for sp in end_cands if piece.endswith(sp)}
        starts = {self._replaced[sp][0] for sp in start_cands if piece.startswith(sp)}
        return (ends, starts) if ends or starts else None

    def _append(self, ids: np.ndarray, rows: np.ndarray, counts: np.ndarray, edges: list[Any]) -> None:
        n = self._n_rows
        while n + len(rows) > len(self._rows):
            self._rows = np.concatenate([self._rows, np.zeros_like(self._rows)])
        self._rows[n:n + len(rows)] = rows
        first = np.cumsum(counts) - counts
        self._start[ids], self._count[ids] = first + n, counts
        last_orth, first_orth = rows[first + counts - 1, 1], rows[first, 1]  # ORTH
        left, right = self._pair_left, self._pair_right
        flags = np.zeros((len(ids), 4), dtype=bool)
        flags[:, 2] = [h in left for h in last_orth.tolist()]
        flags[:, 3] = [h in right for h in first_orth.tolist()]
        for k, edge in enumerate(edges):
            if edge is not None:  # the tokens the matcher may have seen at its edges include the patterns'
                ends, starts = edge[0] | {int(last_orth[k])}, edge[1] | {int(first_orth[k])}
                self._edges[int(ids[k])] = (ends, starts)
                flags[k] = (bool(edge[0]), bool(edge[1]), not ends.isdisjoint(left), not starts.isdisjoint(right))
        self._flags[ids] = flags
        self._n_rows += len(rows)


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
