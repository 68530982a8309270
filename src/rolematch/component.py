"""A spaCy pipeline component: ``nlp.add_pipe("rolematch")`` on any English or French pipeline.

Registered through the ``spacy_factories`` entry point, so it works after
``pip install rolematch`` with no import. It sets

- ``doc.spans["rolematch"]``: one span per skill/responsibility/tool match,
  ``span.label_`` = the id, ``span.id_`` = the kind;
- ``doc._.rolematch_label`` (``None`` when the text is unusable) and
  ``doc._.rolematch_proba`` (label -> probability).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rolematch.errors import InputError
from rolematch.lang import SUPPORTED

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


def _register_extensions() -> None:
    from spacy.tokens import Doc

    for name, default in (("rolematch_label", None), ("rolematch_proba", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


class RolematchComponent:
    """Classifies the doc and marks skill spans. Build with the factory (``nlp.add_pipe("rolematch")``)."""

    def __init__(self, nlp: "Language", name: str = "rolematch", model: str | None = None,
                 rules: list[str] | None = None, spans_key: str = "rolematch") -> None:
        from rolematch.api import load_model

        _register_extensions()
        self.name = name
        self.spans_key = spans_key
        self.lang = nlp.lang if nlp.lang in SUPPORTED else None
        self.model = load_model(model, tuple(rules or ()))

    def __call__(self, doc: "Doc") -> "Doc":
        from spacy.tokens import Span

        try:
            res = self.model.classify(doc.text, lang=self.lang, explain=False)
        except InputError:
            doc._.rolematch_label = None
            doc._.rolematch_proba = None
            doc.spans[self.spans_key] = []
            return doc
        spans = []
        for m in res.skills.matches:
            span = doc.char_span(m.start, m.end, label=m.id, alignment_mode="expand")
            if span is not None:
                spans.append(Span(doc, span.start, span.end, label=m.id, span_id=m.kind))
        doc.spans[self.spans_key] = spans
        doc._.rolematch_label = res.label
        doc._.rolematch_proba = dict(res.probabilities)
        return doc

    def pipe(self, stream: Any, batch_size: int = 128) -> Any:
        for doc in stream:
            yield self(doc)
