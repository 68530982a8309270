"""PieceTokenizer: the arrays spaCy's Doc would give, without the Doc."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, strategies as st
from spacy.attrs import IDX, IS_ALPHA, LENGTH, LOWER, ORTH

from rolematch.lang import language_scores
from rolematch.pieces import PieceIndex, PieceTokenizer, TokenArrays
from rolematch.pipelines import blank

ATTRS = [LOWER, ORTH, IDX, LENGTH, IS_ALPHA]
# what rolematch reads: the matchers, the offsets of matches, the features
USED = ([LOWER, ORTH], [IDX, LENGTH], [LOWER, IDX, IS_ALPHA])


@pytest.fixture(scope="module", params=["en", "fr"])
def lang_tok(request):
    tokenizer = blank(request.param).tokenizer.tokenizer  # spaCy's own Tokenizer
    return tokenizer, PieceTokenizer(tokenizer)


def _same_as_spacy(pieces: PieceTokenizer, tokenizer, text: str) -> bool:
    got = pieces(text)
    if got is None:  # left to spaCy: nothing to compare
        return False
    doc = tokenizer(text)
    assert len(got) == len(doc)
    for attrs in USED:
        assert np.array_equal(got.to_array(attrs), doc.to_array(attrs)), (text, attrs)
    return True


def test_real_postings_give_spacys_arrays(lang_tok, training_rows):
    tokenizer, pieces = lang_tok
    lang = tokenizer.vocab.lang
    texts = [r["text"] for r in training_rows if r["lang"] == lang][::4]
    compared = sum(_same_as_spacy(pieces, tokenizer, t) for t in texts + texts[:20])  # cold, then warm
    assert compared >= 0.97 * (len(texts) + 20)  # hardly any posting needs spaCy itself


FRAGMENTS = ["data", "Models", "e.g.", "(e.g.,", "i.e.", "a.", "U.S.", "Ph.D.", "Inc.", "etc.", "don't", "can't", "'s",
             "company's", "’s", ":)", ":-)", "):", ":(", "-:", "x:)", "a:(", ";)", "(", ")", ".", ",", ";", ":", "-",
             "—", "/", "*", "•", "1a.m.", "5p.m.", "10", "3+", "C++", "R&D", "A/B", "and/or", "n°", "aujourd'hui",
             "l'équipe", "d'IA", "c'est", "M.", "Mme.", "http://x.io/a?b=1", "x@y.fr", "#1", "$100k", "100%", "😀", "é",
             "ß", "İ", "x"]
SEPARATORS = [" ", " ", " ", "", "  ", "\n", "\n\n", " \n ", "\t", "\u00a0", "\u3000", "\r\n"]


@st.composite
def texts(draw):
    parts = draw(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=25))
    lead = draw(st.sampled_from(["", " ", "\n", "  "]))
    return lead + "".join(f + s for f, s in parts)


@given(texts())
def test_any_text_gives_spacys_arrays_or_none(text):
    for lang in ("en", "fr"):
        tokenizer, pieces = _TOKENIZERS[lang]
        _same_as_spacy(pieces, tokenizer, text)


LANG_FRAGMENTS = ["the", "The", "and", "of", "le", "Les", "des", "d'IA", "l'équipe", "qu'il", "der", "und", "el",
                  "het", "il", "você", "THE", "ΑΣ", "Σ", "İ", "ß", "data", "x2", "the2", "_the", "2and", "é", "ﬁ"]


@given(st.lists(st.tuples(st.sampled_from(LANG_FRAGMENTS), st.sampled_from([" ", "", "\n", "-", ". "])),
                max_size=60), st.integers(0, 40))
def test_language_scores_from_pieces_equal_the_texts_own(parts, limit):
    text = "".join(f + sep for f, sep in parts)
    index = _LANG_INDEX
    assert index.language_scores(index.cut(text)) == language_scores(text)
    assert index.language_scores(index.cut(text), max_chars=limit) == language_scores(text, max_chars=limit)


_LANG_INDEX = PieceIndex()


def test_language_scores_from_pieces_on_real_postings(training_rows):
    index = PieceIndex()
    for r in training_rows[::10]:
        text = r["text"] * 2  # long enough for the 3,000-character limit to cut a piece
        assert index.language_scores(index.cut(text)) == language_scores(text)


_TOKENIZERS = {lang: (tok, PieceTokenizer(tok)) for lang in ("en", "fr")
               for tok in [blank(lang).tokenizer.tokenizer]}


def test_a_special_case_crowded_out_across_pieces_is_left_to_spacy():
    """In "x:) -:" spaCy's matcher finds ")" "-" ":" across the space, which stops ":)" from being
    merged inside "x:)": the pieces alone would say "x" ":)"; spaCy says "x" ":" ")"."""
    tokenizer = blank("en").tokenizer.tokenizer
    pieces = PieceTokenizer(tokenizer)
    assert [t.text for t in tokenizer("x:)")] == ["x", ":)"]
    assert [t.text for t in tokenizer("x:) -:")][:3] == ["x", ":", ")"]
    assert pieces("x:) -:") is None
    assert _same_as_spacy(pieces, tokenizer, "x:) (")  # no pattern pair at that boundary


def test_the_extractor_tokenizes_batches_into_arrays_and_matches_the_same(extractor):
    texts = ["We deploy models with Docker (e.g. Kubernetes) and run A/B tests.", "x:) -: MLOps"]
    prepared = [extractor.prepare(t, "en") for t in texts]
    out = list(extractor.docs(prepared))
    assert isinstance(out[0][0], TokenArrays) and not isinstance(out[1][0], TokenArrays)  # a Doc for the 2nd
    for (tokens, prep, lang), (p, _) in zip(out, prepared):
        doc = extractor.nlp(lang).make_doc(p.text)
        assert extractor.report(tokens, prep, lang) == extractor.report(doc, prep, lang)


def test_forgets_long_pieces_and_starts_afresh_when_full():
    tokenizer = blank("en").tokenizer.tokenizer
    index = PieceIndex(max_pieces=50)
    pieces = PieceTokenizer(tokenizer, index)
    words = [f"w{i}" for i in range(200)]
    rng = random.Random(0)
    for _ in range(30):
        text = " ".join(rng.sample(words, 20)) + " " + "y" * 300 + " end."
        assert _same_as_spacy(pieces, tokenizer, text)
        assert len(index._index) <= 50 and all(len(p) <= 256 for p in index._index)
    assert index.generation > 3
    stale = index.cut("w1 w2 w3 and the rest")
    index._reset()  # pieces cut before the index started afresh are cut again
    assert _same_as_spacy(pieces, tokenizer, stale.text) and pieces(stale) is not None


def test_shared_index_serves_both_languages():
    index = PieceIndex()
    en, fr = blank("en").tokenizer.tokenizer, blank("fr").tokenizer.tokenizer
    ours = {"en": PieceTokenizer(en, index), "fr": PieceTokenizer(fr, index)}
    text = "L'équipe d'IA (e.g. aujourd'hui) don't stop: l'entreprise's models."
    for lang, tok in (("en", en), ("fr", fr)):
        got = ours[lang](index.cut(text))
        assert got is not None and np.array_equal(got.rows, tok(text).to_array(ATTRS))
    assert not np.array_equal(ours["en"](text).rows, ours["fr"](text).rows)  # each language its own tokens


def test_new_words_leave_the_vocabulary_as_it_was_and_their_text_is_read_off_the_posting():
    from spacy.strings import get_string_id

    tokenizer = blank("en").tokenizer.tokenizer
    pieces = PieceTokenizer(tokenizer)
    text = "A Zorblat engineer for quuxification of (Frobnicator) pipelines, and MORE."
    vocab = tokenizer.vocab
    getters = dict(vocab.lex_attr_getters)
    n_strings = len(vocab.strings)
    got = pieces(text)
    words = ["Zorblat", "quuxification", "Frobnicator", "MORE"]
    assert not any(w in vocab for w in words)  # their lexemes lived in a memory zone
    assert not any(w in vocab.strings or w.lower() in vocab.strings for w in words)  # and their strings
    assert len(vocab.strings) == n_strings
    assert vocab.lex_attr_getters == getters  # all the getters again after the zone
    doc = tokenizer(text)
    assert [got.token_text(i) for i in range(len(got))] == [t.text for t in doc]
    assert got.to_array([ORTH])[:, 0].tolist() == [get_string_id(t.text) for t in doc]
    # a lexeme made from the text has every attribute (the zone's had only the rows' ones)
    lex = vocab["Zorblat"]
    assert lex.is_title and lex.shape_ == "Xxxxx" and lex.norm_ == "zorblat" and lex.suffix_ == "lat"


def test_a_tokens_text_and_lower_case_give_its_hashes(lang_tok, training_rows):
    """What reads a batch word's string (n-grams, flags, explanations) reads it off the text: the same words."""
    from spacy.strings import get_string_id

    tokenizer, pieces = lang_tok
    checked = 0
    for row in training_rows[::25]:
        got = pieces(row["text"])
        if got is None:
            continue
        lower, orth = got.to_array([LOWER, ORTH]).T.tolist()
        texts = [got.token_text(i) for i in range(len(got))]
        assert [get_string_id(t) for t in texts] == orth
        assert [get_string_id(t.lower()) for t in texts] == lower
        checked += len(texts)
    assert checked > 10_000


def test_empty_and_whitespace_only_texts():
    tokenizer = blank("en").tokenizer.tokenizer
    pieces = PieceTokenizer(tokenizer)
    for text in ["", " ", "  ", "\n", " \n ", "\t\t"]:
        got = pieces(text)
        assert got is not None and len(got) == len(tokenizer(text))


def test_batches_and_single_postings_give_the_same_results(model, training_rows):
    """classify_many (token arrays) and classify (a Doc) agree on probabilities, evidence and skills."""
    texts = [r["text"] for r in training_rows[::150]] + ["We deploy models:) -: with Docker and Kubernetes, "
                                                         "monitor drift and retrain pipelines in production."]
    batch = list(model.classify_many(texts, explain=True, batch_size=8))
    for text, got in zip(texts, batch):
        one = model.classify(text)
        assert got.probabilities == one.probabilities
        assert got.evidence == one.evidence
        assert got.skills.matches == one.skills.matches
