"""Cues and mentions tried only where their heads start words: the same matches as searching the text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from rolematch.boilerplate import CUE_HEADS, boilerplate_spans
from rolematch.extract import Extractor
from rolematch.heads import Heads, literal_head, scan
from rolematch.mentions import MENTION_HEADS, find_mentions
from rolematch.pieces import PieceIndex, TokenArrays


@pytest.mark.parametrize("alternative, head", [
    ("tickets? restaurants?", "ticket"),
    (r"401\s?\(?k\)?", "401"),
    ("[ée]galit[ée] des chances", "[ée]galit[ée]"),
    ("race, colou?r", "race,"),
    ("drug[- ]free", "drug"),
    ("x[ée]?y", "x"),
    ("e-verify", "e-verify"),
])
def test_literal_head_is_what_every_match_starts_with(alternative, head):
    assert literal_head(alternative) == head


@pytest.mark.parametrize("alternative", [r"\bx", "(?:a|b)c", "a?b", ".x"])
def test_an_alternative_without_a_literal_start_is_refused(alternative):
    with pytest.raises(ValueError):
        literal_head(alternative)


@pytest.mark.parametrize("head", ["a b", r"a\sb", "a.b", "-ab", "[ -]ab", "a|b"])
def test_heads_that_could_cross_whitespace_or_start_mid_word_are_refused(head):
    with pytest.raises(ValueError):
        Heads([head])


def test_scan_tries_only_the_given_starts_and_keeps_finditers_order_and_overlaps():
    pattern = re.compile(r"\b(?:ab|abab|ba)")
    low = "abab ba ab"
    want = [m.span() for m in pattern.finditer(low)]
    assert [m.span() for m in scan(pattern, low, [0, 2, 5, 8])] == want
    assert [m.span() for m in scan(pattern, low, [5])] == [(5, 7)]  # a start left out is never tried


_INDEX = PieceIndex(heads=(CUE_HEADS, MENTION_HEADS))


def _both_ways(text: str) -> bool:
    """Mentions and boilerplate found from the pieces' head starts equal those from searching the text."""
    starts = _INDEX.head_starts(_INDEX.cut(text))
    if starts is None:  # lower-casing moves characters: searched in full
        return False
    assert find_mentions(text, starts[MENTION_HEADS]) == find_mentions(text)
    assert boilerplate_spans(text, starts=starts[CUE_HEADS]) == boilerplate_spans(text)
    return True


def test_real_postings_give_the_same_mentions_and_boilerplate(training_rows):
    tried = found = words = 0
    for row in training_rows[::3]:
        assert _both_ways(row["text"]), row["id"]
        starts = _INDEX.head_starts(_INDEX.cut(row["text"]))
        tried += len(starts[MENTION_HEADS]) + len(starts[CUE_HEADS])
        found += len(find_mentions(row["text"]))
        words += len(row["text"].split())
    assert found > 1000
    assert tried < words / 10  # about one word in 17 is tried, not every word


FRAGMENTS = ["data", "Data", "DATA", "scientist", "science", "Machine", "learning", "ML", "engineer", "ingénieur",
             "Ingénieure", "research", "équipe", "equal", "opportunity", "Equal", "401", "(k)", "401(k)", "e-verify",
             "E-Verify", "dental", "medical,", "race,", "color", "tickets", "restaurant", "égalité", "des", "chances",
             "prise", "en", "charge", "transport", "PTO", "pto2", "_data", "xdata", "data_", "data-science", "(data",
             "/ml", "ml/ai", "AI", "IA", "Σ", "İ", "ß", "é", "’", "'", ",", ".", ";", ":", "-", "(", ")", "/", "#", "2"]
SEPARATORS = [" ", " ", "", "\n", "\n\n", "\t", "\u00a0", "\u3000", " - ", ": "]


@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=40))
def test_any_text_gives_the_same_mentions_and_boilerplate(parts):
    _both_ways("".join(f + s for f, s in parts))


def test_a_dotted_capital_i_falls_back_to_searching_the_text():
    text = "İstanbul office: as a Data Scientist you will..."
    assert len(text.lower()) != len(text)
    assert _INDEX.head_starts(_INDEX.cut(text)) is None
    assert [m.role for m in find_mentions(text)] == ["data_scientist"]


def test_heads_compare_by_value_so_a_copy_finds_the_same_starts():
    import pickle

    copy = pickle.loads(pickle.dumps(MENTION_HEADS))
    assert copy is not MENTION_HEADS and copy == MENTION_HEADS and hash(copy) == hash(MENTION_HEADS)
    assert copy != CUE_HEADS
    starts = _INDEX.head_starts(_INDEX.cut("As a Data Scientist you will..."))
    assert starts is not None and starts[copy] == starts[MENTION_HEADS] == [5, 10]


def test_batched_token_arrays_carry_the_head_starts():
    ex = Extractor()
    text = "As a Data Scientist you will build models.\nBenefits\nDental and vision insurance, 401(k)."
    (tokens, prepared, _lang), = ex.analyse_chunk([text])
    assert isinstance(tokens, TokenArrays)
    low = prepared.text.lower()
    assert [low[i:i + 4] for i in tokens.starts[MENTION_HEADS]] == ["data", "scie"]  # data..., scien...
    assert [low[i:i + 3] for i in tokens.starts[CUE_HEADS]] == ["den", "vis", "401"]
