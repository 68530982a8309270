"""Phrase matching on token hashes: what spaCy's ``PhraseMatcher`` finds, built without ``Doc`` objects.

A ``PhraseMatcher`` takes each phrase as a ``Doc``; building the ~3,000 phrase
docs of a language's rules (and a vocabulary entry with all its lexical
attributes for every new word in them) was most of the 50-80 ms it took to
build a language's matcher, paid at every cold start. Here a phrase is the
tuple of its words' string hashes, indexed by its first word. Matching a doc
reads its ``LOWER`` and ``ORTH`` columns once, finds the positions whose word
may start some phrase with a table lookup, and compares the following words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from rolematch.tokenmatch import KeyFilter

if TYPE_CHECKING:
    from spacy.strings import StringStore
    from spacy.tokens import Doc

_ATTRS = ("LOWER", "ORTH")
_Entry = tuple[dict[int, None], dict[int, dict[tuple[int, ...], dict[int, None]]]]


class PhraseIndex:
    """Exact phrases over ``LOWER`` or ``ORTH``; calling it on a doc gives ``(key, start, end)`` like a ``PhraseMatcher``.

    Every occurrence of every phrase is reported (overlapping ones too), once per
    key, in order of start, then attribute (``LOWER`` first), then insertion order.
    """

    def __init__(self, strings: "StringStore") -> None:
        self._strings = strings
        # per attribute: first word hash -> (keys of the one-word phrases,
        #                                   {second word hash -> {later word hashes -> keys}});
        # keys are kept in the order they were added
        self._index: dict[str, dict[int, _Entry]] = {a: {} for a in _ATTRS}
        self._filters: dict[str, KeyFilter] = {}
        self._n = 0
        self.longest = 0  # words in the longest phrase
        # per attribute: every two words that follow each other in some phrase
        self.pairs: dict[str, set[tuple[int, int]]] = {a: set() for a in _ATTRS}

    def __len__(self) -> int:
        """The number of phrases added."""
        return self._n

    def add(self, key: int, phrases: Iterable[Sequence[str]], attr: str = "LOWER") -> None:
        """Add word sequences under ``key``; with ``LOWER`` the words are compared lower-cased."""
        if attr not in _ATTRS:
            raise ValueError(f"attr must be one of {_ATTRS}, not {attr!r}")
        index = self._index[attr]
        add = self._strings.add
        for words in phrases:
            if not words:
                continue
            hashes = [add(w.lower() if attr == "LOWER" else w) for w in words]
            self.longest = max(self.longest, len(hashes))
            self.pairs[attr].update(zip(hashes, hashes[1:]))
            single, by_second = index.setdefault(hashes[0], ({}, {}))
            if len(hashes) == 1:
                single[key] = None
            else:
                by_second.setdefault(hashes[1], {}).setdefault(tuple(hashes[2:]), {})[key] = None
            self._n += 1
        self._filters.pop(attr, None)

    def __call__(self, doc: "Doc") -> list[tuple[int, int, int]]:
        if not self._n or not len(doc):
            return []
        from spacy.attrs import LOWER, ORTH

        return self.match_array(doc.to_array([LOWER, ORTH]))

    def match_array(self, arr: np.ndarray) -> list[tuple[int, int, int]]:
        """:meth:`__call__` on a doc's ``[LOWER, ORTH]`` array (``doc.to_array``)."""
        n = len(arr)
        if not self._n or not n:
            return []
        out: list[tuple[int, int, int, int]] = []
        ranks = 0
        for rank, attr in enumerate(_ATTRS):
            index = self._index[attr]
            if not index:
                continue
            column = arr[:, rank]
            found = self._filter(attr).positions(column)
            if not len(found):
                continue
            ranks += 1
            words: list[int] = column.tolist()
            for i in found.tolist():
                entry = index.get(words[i])
                if entry is None:  # the filter's false positive
                    continue
                single, by_second = entry
                for key in single:
                    out.append((i, rank, key, i + 1))
                if by_second and i + 1 < n:
                    following = by_second.get(words[i + 1])
                    if following:
                        for rest, keys in following.items():
                            end = i + 2 + len(rest)
                            if not rest or tuple(words[i + 2:end]) == rest:
                                for key in keys:
                                    out.append((i, rank, key, end))
        if ranks > 1:
            out.sort(key=lambda m: (m[0], m[1]))  # stable: keeps insertion order within a start
        return [(key, start, end) for start, _, key, end in out]

    def _filter(self, attr: str) -> KeyFilter:
        got = self._filters.get(attr)
        if got is None:
            got = self._filters[attr] = KeyFilter(self._index[attr])
        return got
