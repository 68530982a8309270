"""Find a pattern's matches by trying it only where one can start.

A word-start regex such as the boilerplate cues or the role mentions is
scanned by Python's ``re`` one position at a time: 70-110 µs for a
3,500-character posting, a tenth of scoring it. But each of their matches
starts a word with one of a few heads ("equal", "data", "ing[ée]nieur"...),
and heads never cross whitespace. So the places where a head starts can be
found once per piece of text (a run of non-space characters, see
:mod:`rolematch.pieces`) and kept with the piece; a posting is then scanned
by trying the pattern only there.
"""

from __future__ import annotations

import re
from typing import Iterator, Sequence

from rolematch.regexes import by_first_letter

# a head: literal characters and character classes, none of which can match whitespace
_HEAD = re.compile(r"(?:[^\s\\\[\](){}?*+|.^$]|\[[^\]\s\\^]+\])+")
_QUANTIFIER = ("?", "*", "+", "{")


def literal_head(alternative: str) -> str:
    """The start of a regex ``alternative`` that every one of its matches begins with.

    ``"tickets? restaurants?"`` gives ``"ticket"``, ``"401\\s?k"`` gives ``"401"``.
    """
    m = _HEAD.match(alternative)
    head = m.group() if m else ""
    if alternative[len(head):len(head) + 1] in _QUANTIFIER and head:  # its last character is optional
        head = head[:-1] if not head.endswith("]") else head[:head.rindex("[")]
    if not head:
        raise ValueError(f"no literal start in {alternative!r}")
    return head


class Heads:
    """The heads a word-start pattern's matches begin with, and how to find where they start.

    ``heads`` are regex fragments made of literal characters and character
    classes that cannot match whitespace (checked); the pattern they serve
    must only match at a word start (``\\b`` before a word character) where
    one of them matches.
    """

    def __init__(self, heads: Sequence[str]) -> None:
        for h in heads:
            if not (_HEAD.fullmatch(h) and re.match(r"\w|\[\w+\]", h)):
                raise ValueError(f"head {h!r} is not literal, could match whitespace or starts with a non-word "
                                 "character")
        self.heads = tuple(heads)
        self._starts = re.compile(r"\b(?=" + by_first_letter(list(heads)) + ")")
        self._hash = hash(self.heads)

    def __eq__(self, other: object) -> bool:  # by value: a copy (pickled, say) finds the same candidates
        return isinstance(other, Heads) and other.heads == self.heads

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type, tuple[tuple[str, ...]]]:  # rebuilt, not copied: str hashes vary by process
        return Heads, (self.heads,)

    @staticmethod
    def union(sets: Sequence["Heads"]) -> re.Pattern[str]:
        """A regex that finds a word start of any of ``sets``' heads (a quick check before each set's own)."""
        return re.compile(r"\b(?=" + by_first_letter(sorted({h for s in sets for h in s.heads})) + ")")

    def local_starts(self, piece: str) -> tuple[int, ...]:
        """Where a head starts a word in ``piece`` (lower-cased, a run of non-space characters)."""
        return tuple(m.start() for m in self._starts.finditer(piece))


def scan(pattern: re.Pattern[str], low: str, starts: Sequence[int] | None = None) -> Iterator[re.Match[str]]:
    """``pattern.finditer(low)``, trying only the positions ``starts`` (sorted) when given.

    ``starts`` must include every position where ``pattern`` can match, and
    ``pattern`` must not match the empty string; then the matches are the same
    as ``finditer``'s: the first match at or after where the last one ended,
    each as ``pattern.match`` gives it there.
    """
    if starts is None:
        yield from pattern.finditer(low)
        return
    end = 0
    for p in starts:
        if p < end:
            continue
        m = pattern.match(low, p)
        if m is not None:
            yield m
            end = m.end()
