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


def test_component_handles_unusable_text():
    nlp = spacy.blank("en")
    nlp.add_pipe("rolematch")
    doc = nlp("   ")
    assert doc._.rolematch_label is None and len(doc.spans["rolematch"]) == 0
    docs = list(nlp.pipe([EN, ""]))
    assert docs[0]._.rolematch_label == "ml_engineer" and docs[1]._.rolematch_label is None
