"""A spaCy pipeline component: ``nlp.add_pipe("rolematch")`` on any English or French pipeline.

Registered through the ``spacy_factories`` entry point, so it works after
``pip install rolematch`` with no import. It sets

- ``doc.spans["rolematch"]``: one span per skill/responsibility/tool match,
  ``span.label_`` = the id, ``span.id_`` = the kind;
- ``doc._.rolematch_label`` (``None`` when the text is unusable) and
  ``doc._.rolematch_proba`` (label -> probability).

For an HTML doc, rolematch reads the text extracted from the markup; its matches
are placed back on the raw HTML, and a match that cannot be placed there as a
span of the doc's tokens with the same text (it crosses a tag, or the doc's
tokenizer glued it to markup, such as ``<p>Python``) gets no span.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from typing import TYPE_CHECKING, Any, Sequence

from rolematch.errors import InputError, UnsupportedLanguageError
from rolematch.lang import SUPPORTED
from rolematch.results import SkillMatch
from rolematch.text import (_CTRL_TABLE, _LINE, _PARAGRAPH, _HTMLToText, drop_invisible, escaped_html,
                            looks_like_html, prepare, unwrap_cdata)

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
        # absolute, so a copy unpickled in another process (nlp.pipe(n_process=2) under spawn) finds the same files
        self._source = (os.path.abspath(model) if model else None, tuple(os.path.abspath(r) for r in rules or ()))
        self.model = load_model(*self._source)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the loaded model (it holds a lock); the copy loads it again from the same paths."""
        state = self.__dict__.copy()
        del state["model"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        from rolematch.api import load_model

        self.__dict__.update(state)
        _register_extensions()
        self.model = load_model(*self._source)

    def __call__(self, doc: "Doc") -> "Doc":
        from spacy.tokens import Span

        try:
            try:  # the text's own language, as every other path reads it (an "en" pipeline may see French)
                res = self.model.classify(doc.text, explain=False)
            except UnsupportedLanguageError:
                if self.lang is None:
                    raise
                res = self.model.classify(doc.text, lang=self.lang, explain=False)  # not told: the pipeline's
        except InputError:
            doc._.rolematch_label = None
            doc._.rolematch_proba = None
            doc.spans[self.spans_key] = []
            return doc
        if looks_like_html(doc.text) or escaped_html(doc.text):  # offsets in the text extracted from markup
            spans = _html_spans(doc, res.skills.matches)
        else:
            spans = []
            for m in res.skills.matches:
                span = doc.char_span(m.start, m.end, label=m.id, alignment_mode="expand")
                # only where the doc's tokens give the match's text: "TensorFlow&nbsp;and&nbsp;PyTorch" is one
                # token, and a span over it would be neither tool
                if span is not None and span.text == m.text:
                    spans.append(Span(doc, span.start, span.end, label=m.id, span_id=m.kind))
        doc.spans[self.spans_key] = spans
        doc._.rolematch_label = res.label
        doc._.rolematch_proba = dict(res.probabilities)
        return doc

    def pipe(self, stream: Any, batch_size: int = 128) -> Any:
        for doc in stream:
            yield self(doc)


# what html.unescape replaces, as it finds it (html._charref)
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")


class _Located(_HTMLToText):
    """The text extractor of :func:`rolematch.text.html_to_text`, noting where each kept text chunk starts."""

    def __init__(self) -> None:
        super().__init__()
        self.where: dict[int, tuple[int, int]] = {}  # index in ``parts`` -> (line, column) in the HTML

    def handle_data(self, data: str) -> None:
        if self._head and not self._in_title and not self._skip and data.strip():
            self._head = False
        if not self.skipping:
            self.where[len(self.parts)] = self.getpos()
        super().handle_data(data)


def _source_chars(raw: str) -> list[tuple[str, int, int]] | None:
    """The characters :func:`~rolematch.text.html_to_text` builds its text from, each with its
    ``[start, end)`` in ``raw`` (``-1, -1`` for the line breaks and list dashes it adds); ``None``
    when the markup cannot be followed."""
    raw = unwrap_cdata(raw)  # same length: positions in it are positions in the doc
    parser = _Located()
    try:
        parser.feed(raw)
        parser.close()
    except Exception:  # pragma: no cover - html_to_text then keeps the raw text; nothing to place
        return None
    line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
    out: list[tuple[str, int, int]] = []
    for i, part in enumerate(parser.parts):
        pos = parser.where.get(i)
        if pos is None:  # added by the extractor (its break marks are line breaks)
            out.extend((ch, -1, -1) for ch in part.replace(_LINE, "\n").replace(_PARAGRAPH, "\n"))
            continue
        r = line_starts[pos[0] - 1] + pos[1]
        got = 0
        while got < len(part) and r < len(raw):
            ref = _CHARREF.match(raw, r) if raw[r] == "&" else None
            piece, end = (html.unescape(ref.group()), ref.end()) if ref else (raw[r], r + 1)
            out.extend((ch, r, end) for ch in piece)
            got += len(piece)
            r = end
        if "".join(ch for ch, _, _ in out[len(out) - got:]) != part:
            return None
    return out


def _text_to_raw(raw: str, text: str) -> list[tuple[int, int]]:
    """For each character of ``text`` (extracted from ``raw`` by :func:`~rolematch.text.prepare`), its
    ``[start, end)`` in ``raw``; ``(-1, -1)`` for spaces and added characters, and from where the
    two stop agreeing (a normalisation the walk does not follow)."""
    chars = _source_chars(raw) or []
    index: list[tuple[int, int]] = []
    j = 0
    for ch in text:
        if ch.isspace():
            index.append((-1, -1))
            continue
        while j < len(chars) and chars[j][0].translate(_CTRL_TABLE).isspace():
            j += 1
        if j == len(chars):
            break
        k = j + 1  # a character and the combining marks after it: one character after NFC
        while k < len(chars) and unicodedata.combining(chars[k][0]):
            k += 1
        if chars[j][0].translate(_CTRL_TABLE) == ch:
            k = j + 1
        elif unicodedata.normalize("NFC", "".join(c for c, _, _ in chars[j:k])) != ch:
            break
        index.append((chars[j][1], chars[k - 1][2]))
        j = k
    return index + [(-1, -1)] * (len(text) - len(index))


def _same_text(raw: str, text: str) -> bool:
    """True when markup-free ``raw`` reads as ``text`` (entities, odd spaces, NFC and runs of spaces aside)."""
    seen = unicodedata.normalize("NFC", drop_invisible(html.unescape(raw)).translate(_CTRL_TABLE))
    return " ".join(seen.split()) == " ".join(text.split())


def _html_spans(doc: "Doc", matches: Sequence[SkillMatch]) -> list[Any]:
    """Spans of ``doc`` (raw HTML) for matches whose offsets are in the extracted text."""
    from spacy.tokens import Span

    index = _text_to_raw(doc.text, prepare(doc.text, html=True).text)
    spans = []
    for m in matches:
        if m.end <= m.start or m.end > len(index):
            continue
        start, end = index[m.start][0], index[m.end - 1][1]
        if start < 0 or end < 0 or "<" in doc.text[start:end]:
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and _same_text(span.text, m.text):
            spans.append(Span(doc, span.start, span.end, label=m.id, span_id=m.kind))
    return spans
