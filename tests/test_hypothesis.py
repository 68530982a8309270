"""Hostile input: arbitrary unicode, control characters, RTL, emoji, HTML, NULs, huge lines.

Properties: never an unhandled exception (only rolematch's own InputError), and
every offset is valid. CI runs each property with 2,000 examples (conftest).
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import example, given, strategies as st

from rolematch.batch_io import open_source
from rolematch.errors import InputError
from rolematch.text import decode_bytes, html_to_text, prepare

WORDS = ["machine learning", "deploy", "models", "données", "déploiement des modèles", "Python", "SQL",
         "<p>", "</li>", "<script>x</script>", "&amp;", "\u202e", "مرحبا", "שלום", "🤖", "\x00", "\r\n", "\u0301",
         "data scientist", "the", "and", "le", "des", "Kubernetes", "A/B testing", "\ufeff", "\u200b"]
hostile_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=10)), max_size=60).map(" ".join),
    st.builds(lambda w, n: w * n, st.sampled_from(["data ", "x", "é", "🤖 "]), st.integers(1, 4000)),
)


@given(st.binary(max_size=600))
def test_decode_bytes_never_crashes(data):
    try:
        text = decode_bytes(data, "f.txt")
    except InputError:
        return
    assert isinstance(text, str)


@given(hostile_text)
def test_prepare_maps_offsets_back_into_the_source(text):
    try:
        p = prepare(text)
    except InputError:
        return
    n = len(p.text)
    for i in range(0, n + 1, max(1, n // 7)):
        s, e = p.to_source(i, min(n, i + 3))
        assert 0 <= s <= e <= len(p.source)
    html_to_text(text)


@given(hostile_text)
def test_extractor_offsets_always_valid(extractor, text):
    for lang in ("en", "fr"):
        try:
            report = extractor.extract(text, lang=lang)
        except InputError:
            return
        # offsets index the input text (for HTML input: the extracted text, as documented)
        source = prepare(text).source
        for m in report.matches:
            assert 0 <= m.start < m.end <= len(source)
            assert source[m.start:m.end] == m.text


@given(hostile_text)
def test_classifier_never_crashes(model, text):
    try:
        res = model.classify(text)
    except InputError:
        return
    assert abs(sum(res.probabilities.values()) - 1) < 1e-6
    source = prepare(text).source
    for m in res.skills.matches:
        assert 0 <= m.start < m.end <= len(source) and source[m.start:m.end] == m.text


@given(st.lists(st.lists(hostile_text, min_size=1, max_size=3), min_size=1, max_size=4),
       st.sampled_from([",", ";", "\t"]))
def test_batch_reader_keeps_every_row(rows, sep):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep)
    w.writerow(["a", "b", "c"])
    for r in rows:
        w.writerow(r)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.csv"
        path.write_bytes(buf.getvalue().encode("utf-8", "surrogatepass"))
        try:
            src = open_source(str(path), sep=sep)
        except InputError:
            return
        assert src.columns == ["a", "b", "c"]
        got = list(src.records)
        assert len(got) == len(rows)  # every row written comes back, well-formed or flagged
        for rec in got:
            assert set(rec.values) == {"a", "b", "c"}


_REFERENCE: dict[str, object] = {}


@given(hostile_text)
def test_chunk_caching_tokenizer_gives_spacys_tokens(extractor, text):
    """The chunk cache only saves work: the same tokens as spaCy's tokenizer without it.

    The reference is the prepared tokenizer itself, unwrapped (tests/test_extract.py checks it
    against ``spacy.blank``; spaCy's own French tokenizer is far too slow on the huge chunks here).
    """
    from rolematch.pipelines import _blank

    for lang in ("en", "fr"):
        ref = _REFERENCE.get(lang)
        if ref is None:  # built once per language, not per example
            ref = _REFERENCE[lang] = _blank(lang)
        mine = extractor.nlp(lang)(text)
        theirs = ref(text)  # type: ignore[operator]
        assert [(t.text, t.idx, t.whitespace_) for t in mine] == [(t.text, t.idx, t.whitespace_) for t in theirs]


@given(st.lists(hostile_text, min_size=1, max_size=4), st.sampled_from([None, "en", "fr"]))
def test_batches_give_what_single_postings_give(model, texts, lang):
    """classify_many (token arrays from cached pieces, language from them) = classify, text by text."""
    for text, got in zip(texts, model.classify_many(texts, lang=lang, batch_size=3)):
        try:
            one = model.classify(text, lang=lang)
        except InputError as exc:
            assert isinstance(got, InputError) and str(got).split(": ", 1)[-1] == str(exc).split(": ", 1)[-1]
            continue
        assert not isinstance(got, InputError)
        assert got.probabilities == one.probabilities and got.skills.matches == one.skills.matches


HYPHENED = ["machine-learning infrastructure", "deep-learning frameworks", "machine-learning", "machine", "learning", "infrastructure", "learning-to-rank", "to", "rank", "models",
            "data-mining", "data", "mining", "big-data", "-", "--", "real-time", "inference", "k-means", "x", "\n",
            "state-of-the-art", "deep-learning", "frameworks", "séries-temporelles", "séries", "temporelles", "•"]


@example("We build machine-learning infrastructure and learning-to-rank models.")
@example("deep-learning frameworks-machine-learning infrastructure big-data-mining")
@given(st.lists(st.tuples(st.one_of(st.sampled_from(HYPHENED), st.text(max_size=6)),
                          st.sampled_from([" ", " ", "-", "", "\n", " - "])), max_size=80).map(
    lambda pairs: "".join(w + sep for w, sep in pairs)))
def test_phrases_across_hyphens_are_all_the_full_second_pass_finds(extractor, text):
    """The windowed second pass (only around hyphens some phrase can cross) finds exactly what matching every
    phrase again over all the words with the joining hyphens left out finds across a hyphen."""
    from spacy.attrs import IDX, LENGTH, LOWER, ORTH

    from rolematch.extract import _joining_hyphens, _joins_words

    for lang in ("en", "fr"):
        matcher = extractor.pipeline(lang).matcher
        doc = extractor.nlp(lang).make_doc(text)
        words, offsets = doc.to_array([LOWER, ORTH]), doc.to_array([IDX, LENGTH])
        if not len(words):
            continue
        hyphens = _joining_hyphens(text, words[:, 1], offsets, matcher._hyphen)
        if hyphens is None:
            continue
        keep = _joins_words(text, offsets)
        unhyphenated = np.flatnonzero(keep & ~hyphens)
        at = unhyphenated.tolist()
        skipped = set(np.flatnonzero(hyphens).tolist())
        want = {(key, at[s], at[e - 1] + 1) for key, s, e in matcher.phrases.match_array(words[unhyphenated])
                if skipped.intersection(range(at[s], at[e - 1]))}
        assert set(matcher._across_hyphens(words, keep, hyphens)) == want, text
