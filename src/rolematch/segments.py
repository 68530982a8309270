"""Segments of a posting: its sentences, lines and bullet items.

The sentence expert (see :class:`rolematch.model.RoleClassifier`) scores each
segment on its own and averages their log-probabilities, so a posting is read
as many small pieces of evidence rather than one bag of words. Segments are
cut at line breaks, bullets and sentence ends; segments with fewer than
:data:`MIN_SEGMENT_WORDS` words (headings, "Python", "Paris, France") are left
out, unless nothing else is left.
"""

from __future__ import annotations

import re

import numpy as np

#: Segments with fewer alphabetic tokens than this are not scored on their own.
MIN_SEGMENT_WORDS = 3

#: Bullet glyphs: each starts a segment, even inline ("Python ➢ SQL ➢ Spark").
BULLETS = "•‣⁃▪●◦➢➣➤➔→►▶▸■□◆◇❖✓✔★☐○◾◼▫⦁∙"
_BREAK = re.compile(r"[.!?;:]\s+|\n\s*|[" + BULLETS + "]")  # a segment starts at a match's end


def segment_starts(text: str) -> np.ndarray:
    """Start offsets of the text's segments, the first being 0 (sorted)."""
    return np.array([0] + [m.end() for m in _BREAK.finditer(text)], dtype=np.int64)


def token_segments(text: str, token_starts: np.ndarray) -> np.ndarray:
    """Segment number of each token (by its start offset), numbered from 0; -1 for tokens left out.

    Segments with fewer than :data:`MIN_SEGMENT_WORDS` tokens are left out; when
    that would leave none, all the tokens form one segment.
    """
    if not len(token_starts):
        return np.zeros(0, dtype=np.int64)
    seg = np.searchsorted(segment_starts(text), token_starts, side="right") - 1
    _, inverse, counts = np.unique(seg, return_inverse=True, return_counts=True)
    keep = counts >= MIN_SEGMENT_WORDS
    if not keep.any():
        return np.zeros(len(token_starts), dtype=np.int64)
    number = np.where(keep, np.cumsum(keep) - 1, -1)
    return number[inverse.ravel()]
