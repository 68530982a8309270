from __future__ import annotations

import spacy

from conftest import EXAMPLES

EN = (EXAMPLES / "posting_en.txt").read_text(encoding="utf-8")
FR = (EXAMPLES / "posting_fr.txt").read_text(encoding="utf-8")


def _check(doc, label):
    assert doc._.rolematch_label == label
    assert abs(sum(doc._.rolematch_proba.values()) - 1) < 1e-6
    spans = doc.spans["rolematch"]
    assert len(spans) > 3
    for span in spans:
        assert span.label_ and span.id_ in ("skill", "responsibility", "tool")


def test_component_on_users_blank_pipelines(tmp_path):
    for lang, text, label in (("en", EN, "ml_engineer"), ("fr", FR, "data_scientist")):
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("rolematch")  # found through the spacy_factories entry point
        doc = nlp(text)
        _check(doc, label)
        assert any(s.label_ == "model_deployment" for s in doc.spans["rolematch"]) or lang == "fr"
        nlp.to_disk(tmp_path / lang)
        reloaded = spacy.load(tmp_path / lang)
        assert reloaded.pipe_names == ["sentencizer", "rolematch"]
        doc2 = reloaded(text)
        _check(doc2, label)
        assert [(s.start, s.end, s.label_) for s in doc2.spans["rolematch"]] == \
               [(s.start, s.end, s.label_) for s in doc.spans["rolematch"]]


def test_component_on_rolematchs_tokenizer_spans_skills_glued_to_bullets():
    """spacy.blank keeps "•Python" one token, so that match has no span there; rolematch's pipeline splits it
    (the README's advice, helper 131)."""
    import rolematch.pipelines

    text = ("We are hiring a machine learning engineer to deploy models. Skills:\n•Python\n•Docker and "
            "C++•Kubernetes. You will build data pipelines.")
    spans = {}
    for name, nlp in (("spacy", spacy.blank("en")), ("rolematch", rolematch.pipelines.blank("en"))):
        nlp.add_pipe("rolematch")
        doc = nlp(text)
        assert doc._.rolematch_label == "ml_engineer"
        spans[name] = {s.text for s in doc.spans["rolematch"]}
    assert {"Python", "Docker", "C++", "Kubernetes"}.isdisjoint(spans["spacy"])
    assert spans["rolematch"] == spans["spacy"] | {"Python", "Docker", "C++", "Kubernetes"}


def test_component_handles_unusable_text():
    nlp = spacy.blank("en")
    nlp.add_pipe("rolematch")
    doc = nlp("   ")
    assert doc._.rolematch_label is None and len(doc.spans["rolematch"]) == 0
    docs = list(nlp.pipe([EN, ""]))
    assert docs[0]._.rolematch_label == "ml_engineer" and docs[1]._.rolematch_label is None


def test_component_reads_each_doc_in_its_own_language():
    """An "en" pipeline over a mixed stream read French postings as English (fewer skills, other probabilities);
    a text whose language is not told is read in the pipeline's language, as before (helper 105)."""
    import rolematch

    nlp = spacy.blank("en")
    nlp.add_pipe("rolematch")
    doc = nlp(FR)
    expected = rolematch.classify(FR)
    assert expected.lang == "fr"
    assert doc._.rolematch_label == expected.label
    assert doc._.rolematch_proba == expected.probabilities
    short = "Python, SQL, Spark, Airflow."  # too few words to tell the language
    assert nlp(short)._.rolematch_label == rolematch.classify(short, lang="en").label
    assert spacy.blank("de").add_pipe("rolematch")(spacy.blank("de")(short))._.rolematch_label is None


HTML = ("<html><head><title>Engineer</title><style>p {color: red}</style></head><body>"
        "<p>We are looking for a machine learning engineer who will deploy models to production.</p>"
        "<p>You will work with Python, Docker and Kubernetes.</p>"
        "<ul><li>R&amp;D with  SQL and\n   Spark </li><li>Caf\u0065\u0301 &eacute;t&eacute; Airflow, CI/CD, MLflow.</li></ul>"
        "</body></html>")


def test_component_spans_on_html_docs_cover_the_matched_text():
    import rolematch

    nlp = spacy.blank("en")
    nlp.add_pipe("rolematch")
    doc = nlp(HTML)
    assert doc._.rolematch_label == "ml_engineer"
    matched = {(m.id, m.text) for m in rolematch.extract_skills(HTML).matches}
    spans = doc.spans["rolematch"]
    assert {s.label_ for s in spans} >= {"python", "docker", "sql", "airflow"}
    for span in spans:
        assert (span.label_, span.text) in matched  # no span on markup or on the wrong words
        assert span.id_ in ("skill", "responsibility", "tool")


def test_cdata_wrapped_html_gets_the_same_spans():
    nlp = spacy.blank("en")
    nlp.add_pipe("rolematch")
    doc = nlp(HTML)
    plain = [(s.label_, s.text) for s in doc.spans["rolematch"]]
    wrapped = nlp("<![CDATA[" + HTML + "]]>")
    assert plain and [(s.label_, s.text) for s in wrapped.spans["rolematch"]] == plain


def test_extracted_html_text_maps_back_to_the_markup():
    import html
    import unicodedata

    from rolematch.component import _text_to_raw
    from rolematch.text import prepare

    text = prepare(HTML).text
    index = _text_to_raw(HTML, text)
    assert len(index) == len(text)
    unplaced = [i for i, (ch, (a, _)) in enumerate(zip(text, index)) if a < 0 and not ch.isspace()]
    assert [text[i - 1:i + 2] for i in unplaced] == ["\n- ", "\n- "]  # only the dashes added for list items
    placed = [(ch, a, b) for ch, (a, b) in zip(text, index) if a >= 0]
    for ch, a, b in placed:
        assert unicodedata.normalize("NFC", html.unescape(HTML[a:b])) == ch


def test_a_pipeline_with_the_component_pickles(tmp_path):
    """nlp.pipe(n_process=2) pickles the pipeline under spawn (macOS, Windows): the model's lock used to refuse it."""
    import pickle

    nlp = spacy.blank("en")
    nlp.add_pipe("rolematch")
    doc = nlp(EN)
    copy = pickle.loads(pickle.dumps(nlp))
    doc2 = copy(EN)
    assert doc2._.rolematch_proba == doc._.rolematch_proba
    assert [(s.start, s.end, s.label_) for s in doc2.spans["rolematch"]] == \
           [(s.start, s.end, s.label_) for s in doc.spans["rolematch"]]


def test_plain_text_spans_only_where_the_tokens_give_the_match():
    import rolematch

    nlp = spacy.blank("en")
    nlp.add_pipe("rolematch")
    text = EN + "\nTensorFlow&nbsp;and&nbsp;PyTorch, Python&#44;SQL."  # entity references: decoded for matching
    doc = nlp(text)
    found = {(m.id, m.text) for m in rolematch.extract_skills(text).matches}
    assert ("tensorflow", "TensorFlow") in found
    for span in doc.spans["rolematch"]:
        assert (span.label_, span.text) in found  # never one span over "TensorFlow&nbsp;and&nbsp;PyTorch"
