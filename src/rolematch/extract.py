"""Skills extraction: blank spaCy pipelines per language + matchers built from ``rules/``.

Pipelines are built lazily (only the languages a run needs) and reused; many
texts are tokenized into :class:`~rolematch.pieces.TokenArrays` (spaCy's
tokens without a ``Doc``), one text alone into a ``Doc``.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from itertools import islice, product
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence, Union

import numpy as np

from rolematch.boilerplate import CUE_HEADS
from rolematch.errors import InputError, UnsupportedLanguageError, check_batch_size, check_postings
from rolematch.lang import SUPPORTED, best_language, detect_language, refined_scores, unknown_language_reason
from rolematch.lemmas import LemmaForms, compile_token_pattern
from rolematch.mentions import MENTION_HEADS
from rolematch.phrases import PhraseIndex
from rolematch.pieces import PieceIndex, Pieces, PieceTokenizer, TokenArrays
from rolematch.results import SkillMatch, SkillReport
from rolematch.rules import Rule, load_rules
from rolematch.text import MAX_CHARS, PreparedText, prepare
from rolematch.tokenmatch import TokenMatcher, accepted_values, supported

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PathLike = Union[str, Path]
#: A tokenized posting: a spaCy ``Doc``, or the same tokens as arrays.
Tokens = Union["Doc", TokenArrays]


def resolve_language(text: str, lang: str | None, source: str | None = None) -> str:
    """``lang`` if given (must be supported; any case: ``EN`` is ``en``), else the detected language; raise if unsupported."""
    if lang is not None:
        if isinstance(lang, str) and lang.strip().lower() in SUPPORTED:
            return lang.strip().lower()
        raise UnsupportedLanguageError(f"unsupported language {lang!r} (supported: en, fr)", source)
    return supported_language(detect_language(text), source, text)


def supported_language(detected: str, source: str | None = None, text: str | None = None) -> str:
    """``detected`` when rolematch supports it; else raise, saying what the text looked like (``text``: why unknown)."""
    if detected not in SUPPORTED:
        what = unknown_language_reason(text) if detected == "unknown" else f"language looks like {detected!r}"
        raise UnsupportedLanguageError(
            f"{what}; rolematch supports en and fr (force one with --lang, or lang= in Python)", source)
    return detected


_PHRASE_CAP = 64  # largest expansion of one token pattern into phrases (larger: TokenMatcher, quicker to build)
_SPELLINGS_CAP = 64  # most spellings of one phrase pattern (its words' spellings combined)


def _unaccented(word: str) -> str:
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", word)
                                                if not unicodedata.combining(c)))


def spellings(word: str, lang: str) -> list[str]:
    """The ways texts spell a pattern's word: in NFC (a rule file saved in NFD, as macOS may write it, would
    match nothing: texts are NFC), with ``'`` and with ``’`` (French postings mostly use the typographic
    one), and in French also without accents ("donnees", "modeles": job boards and ATS exports strip them), but
    for words of one or two letters."""
    word = unicodedata.normalize("NFC", word)
    out = [word]
    if "'" in word or "’" in word:
        out += [word.replace("'", "’"), word.replace("’", "'")]
    if lang == "fr" and len(word) > 2:  # not "à", "où", "là", "dû": "a", "ou", "la", "du" are other words
        out += [_unaccented(w) for w in out]
    return list(dict.fromkeys(out))


def _respelled(pattern: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """A token pattern whose ``LOWER``/``ORTH`` values (and ``NOT_IN`` exclusions) take every :func:`spellings`."""
    out = []
    for tok in pattern:
        new = dict(tok)
        for attr in ("LOWER", "ORTH"):
            value = tok.get(attr)
            values = accepted_values(value)
            if values is not None:
                spelled = list(dict.fromkeys(w for v in values for w in spellings(v, lang)))
                new[attr] = spelled[0] if len(spelled) == 1 else {"IN": spelled}
            elif isinstance(value, dict) and set(value) == {"NOT_IN"} and all(isinstance(v, str) for v in value["NOT_IN"]):
                new[attr] = {"NOT_IN": list(dict.fromkeys(w for v in value["NOT_IN"] for w in spellings(v, lang)))}
        out.append(new)
    return out


def as_phrases(pattern: list[dict[str, Any]]) -> tuple[str, list[tuple[str, ...]]] | None:
    """A fixed-length pattern over one attribute (LOWER or ORTH) as the word sequences it matches."""
    for attr in ("LOWER", "ORTH"):
        options = [accepted_values(t[attr]) if set(t) == {attr} else None for t in pattern]
        if all(o is not None for o in options):
            n = 1
            for o in options:
                n *= len(o)  # type: ignore[arg-type]
            if n <= _PHRASE_CAP:
                return attr, list(product(*options))  # type: ignore[arg-type]
    return None


class RuleMatcher:
    """The compiled rules of one language.

    Phrases and fixed-length token patterns (after ``LEMMA`` -> forms) go to a
    :class:`~rolematch.phrases.PhraseIndex` (hash lookups); patterns with
    operators go to rolematch's :class:`~rolematch.tokenmatch.TokenMatcher`, and
    the rare pattern it does not support to spaCy's ``Matcher``.
    """

    def __init__(self, nlp: "Language", rules: Sequence[Rule], lang: str, forms: LemmaForms) -> None:
        from spacy.matcher import Matcher

        self.lang = lang
        self._make_doc = nlp.make_doc
        self.rules = [r for r in rules if r.applies_to(lang)]
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.tokens = TokenMatcher(nlp.vocab.strings)
        self.phrases = PhraseIndex(nlp.vocab.strings)
        self._hyphen = nlp.vocab.strings["-"]  # its ORTH id
        self._rule_of: dict[int, Rule] = {}
        for i, r in enumerate(self.rules):
            key = f"rolematch:{lang}:{i}"
            hashed = nlp.vocab.strings.add(key)
            self._rule_of[hashed] = r
            if isinstance(r.pattern, str):
                words = [spellings(t.text, lang) for t in nlp.make_doc(unicodedata.normalize("NFC", r.pattern))]
                self.phrases.add(hashed, islice(product(*words), _SPELLINGS_CAP))
                continue
            compiled = _respelled(compile_token_pattern(r.pattern, lang, forms), lang)
            phrases = as_phrases(compiled)
            if phrases is not None:
                attr, seqs = phrases
                self.phrases.add(hashed, seqs, attr)
            elif supported(compiled):
                self.tokens.add(hashed, compiled)
            else:
                self.matcher.add(key, [compiled])

    def _across_hyphens(self, words: np.ndarray, keep: np.ndarray, hyphens: np.ndarray) -> list[tuple[int, int, int]]:
        """Phrase matches (key, start token, end token) across a joining hyphen, found with the hyphens left out.

        Only around a hyphen whose two words follow each other in some phrase ("machine-learning"; most
        hyphens, as in "cross-functional" or "state-of-the-art", join no phrase's words), and only the words
        within the longest phrase's length of it: those windows, parted by a row that is no word, in one pass.
        """
        unhyphenated = np.flatnonzero(keep & ~hyphens)
        n = len(unhyphenated)
        pairs = self.phrases.pairs
        lower, orth = pairs["LOWER"], pairs["ORTH"]
        cuts = []  # the index (among the unhyphenated words) of the word after each such hyphen
        for c in np.searchsorted(unhyphenated, np.flatnonzero(hyphens)).tolist():
            if 0 < c < n:
                a, b = words[unhyphenated[c - 1]].tolist(), words[unhyphenated[c]].tolist()
                if (a[0], b[0]) in lower or (a[1], b[1]) in orth:
                    cuts.append(c)
        if not cuts:
            return []
        reach = max(self.phrases.longest - 1, 1)
        pos: list[int] = []  # positions among the unhyphenated words, window after window, -1 between two
        hi = 0
        for c in cuts:
            lo = max(c - reach, hi)  # a window that overlaps the previous one extends it
            if lo > hi and pos:
                pos.append(-1)
            pos.extend(range(lo, min(c + reach, n)))
            hi = max(hi, min(c + reach, n))
        where = np.array(pos)
        rows = words[unhyphenated[where]]
        rows[where < 0] = 0
        cut_set = set(cuts)
        at = unhyphenated.tolist()
        out = []
        for key, s, e in self.phrases.match_array(rows):
            first, last = pos[s], pos[e - 1]
            if any(c in cut_set for c in range(first + 1, last + 1)):  # across a hyphen: not found already
                out.append((key, at[first], at[last] + 1))
        return out

    def __call__(self, doc: Tokens, text: str | None = None) -> list[tuple[Rule, int, int]]:
        """Raw matches as (rule, start_char, end_char) over the doc's text (``text``, when the caller has it:
        a spaCy ``Doc`` rebuilds its text token by token, a sixth of extracting one posting)."""
        if not len(doc):
            return []
        if text is None:
            text = doc.text
        from spacy.attrs import IDX, LENGTH, LOWER, ORTH

        words = doc.to_array([LOWER, ORTH])  # read once for both rolematch matchers
        offsets = doc.to_array([IDX, LENGTH])
        # extra whitespace ("deploy  models", a tab, a line break in hard-wrapped text) is a token of its
        # own: the rolematch matchers see the words without it, as if one space separated them (a blank
        # line still parts them: it ends a paragraph or a list item)
        keep = _joins_words(text, offsets)
        words_at = np.flatnonzero(keep)
        spaced = len(words_at) < len(words)
        words_only = words[words_at] if spaced else words
        at = words_at.tolist() if spaced else []  # a word's index among all tokens
        texts = doc.token_text if isinstance(doc, TokenArrays) else None
        if texts is not None and spaced:
            token_text = texts
            texts = lambda i: token_text(at[i])  # noqa: E731
        spans = self.phrases.match_array(words_only) + self.tokens.match_array(words_only, doc.vocab, texts)
        if spaced:
            spans = [(key, at[s], at[e - 1] + 1) for key, s, e in spans]
        hyphens = _joining_hyphens(text, words[:, 1], offsets, self._hyphen)
        if hyphens is not None:
            spans += self._across_hyphens(words, keep, hyphens)
        if len(self.matcher):  # patterns only spaCy's Matcher supports need a real Doc
            real = self._make_doc(text) if isinstance(doc, TokenArrays) else doc
            spans += [(key, s, e) for key, s, e in self.matcher(real)]
        if not spans:
            return []

        starts = offsets[:, 0].tolist()
        ends = (offsets[:, 0] + offsets[:, 1]).tolist()
        rule_of = self._rule_of
        return [(rule_of[key], starts[s], ends[e - 1]) for key, s, e in spans]


_SPACE_CODES = [9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F,
                0x3000]
_IS_SPACE = np.zeros(0x3001, dtype=bool)  # by code point, up to the last whitespace one (str.isspace)
_IS_SPACE[_SPACE_CODES] = True


def _joins_words(text: str, offsets: np.ndarray) -> np.ndarray:
    """Per token (``[IDX, LENGTH]`` rows): False for whitespace that only separates words, and for Markdown
    emphasis marks, True otherwise.

    Whitespace is what ``str.isspace`` says; whitespace holding two line breaks or more (a blank line) is
    kept (True), so that a phrase does not match across paragraphs. An emphasis mark is a ``*`` or ``_``
    token touching a word or another mark (``**Deploy** models`` matches as ``Deploy models``); a ``*``
    bullet, with spaces around it, still parts list items.
    """
    starts = offsets[:, 0]
    try:
        codes = text.encode("utf-32-le")  # an error handler would make every encoding slow (100x)
    except UnicodeEncodeError:  # a lone surrogate
        codes = text.encode("utf-32-le", "surrogatepass")
    first = np.frombuffer(codes, dtype=np.uint32)[starts]
    space = _IS_SPACE[np.minimum(first, 0x3000)] & (first <= 0x3000)
    for i in np.flatnonzero(space).tolist():
        start = int(starts[i])
        if text.count("\n", start, start + int(offsets[i, 1])) >= 2:
            space[i] = False
    for i in np.flatnonzero(((first == 42) | (first == 95)) & (offsets[:, 1] == 1)).tolist():  # "*", "_"
        start = int(starts[i])
        after = text[start + 1] if start + 1 < len(text) else " "
        line_start = not text[text.rfind("\n", 0, start) + 1:start].strip(" \t")
        if line_start and after != text[start]:  # "*item": a bullet, not "**bold**"
            continue
        if not after.isspace() or (start and not text[start - 1].isspace()):
            space[i] = True
    return ~space


def _joining_hyphens(text: str, orth: np.ndarray, offsets: np.ndarray, hyphen: int) -> np.ndarray | None:
    """Per token (``orth``: ORTH ids; ``hyphen``: the id of ``-``), True for a ``-`` joining two letters or
    digits ("machine-learning", "data-mining"); None when there is none.

    The rule phrases are matched once more with these left out, so "machine-learning infrastructure" is
    read as "machine learning infrastructure". Only the fixed phrases: the rules with gaps of words
    ("deploy ... models") do not reach across a hyphenated word ("Ship T-shirt and long-sleeve models",
    helper 130), and a rule that spells the hyphen ("k-means") still needs it ("Plan K means" is no clustering).
    """
    hits = np.flatnonzero(orth == hyphen)
    if not len(hits):
        return None
    out = np.zeros(len(orth), dtype=bool)
    for i in hits.tolist():
        start = int(offsets[i, 0])
        out[i] = 0 < start < len(text) - 1 and text[start - 1].isalnum() and text[start + 1].isalnum()
    return out if out.any() else None


def merge_matches(raw: Iterable[tuple[Rule, int, int]]) -> list[tuple[Rule, int, int]]:
    """Merge overlapping matches of the same id (keeping the first rule that fired); sort by position."""
    by_id: dict[str, list[tuple[Rule, int, int]]] = {}
    for item in sorted(raw, key=lambda t: (t[1], -t[2])):
        spans = by_id.setdefault(item[0].id, [])
        if spans and item[1] < spans[-1][2]:
            r, s, e = spans[-1]
            spans[-1] = (r, s, max(e, item[2]))
        else:
            spans.append(item)
    return sorted((m for spans in by_id.values() for m in spans), key=lambda t: (t[1], t[0].id))


@dataclass
class _Lang:
    nlp: "Language"
    matcher: RuleMatcher
    index: PieceIndex  # the extractor's, shared by its languages
    strings: int  # the vocabulary's strings when the pipeline was built (its rules' included)
    pieces: PieceTokenizer | None = None  # built on first use: batches only

    def tokens(self, text: str | Pieces) -> Tokens:
        """``text`` tokenized: as arrays from the piece cache, or a ``Doc`` where only spaCy can tell."""
        if self.pieces is None:
            self.pieces = PieceTokenizer(getattr(self.nlp.tokenizer, "tokenizer", self.nlp.tokenizer), self.index)
        got = self.pieces(text)
        return got if got is not None else self.nlp.make_doc(text.text if isinstance(text, Pieces) else text)


#: Rebuild a language's pipeline once its vocabulary holds this many more strings:
#: spaCy's vocabulary keeps every new word of a ``Doc`` (single postings, titles), so
#: a long run over ever new postings would otherwise grow in memory. Batches' token
#: arrays add nothing (their new words live in a memory zone, and what needs a
#: word's string reads it from the text), nor do words it already knows; a rebuilt
#: pipeline starts cold.
REFRESH_STRINGS = 100_000


class Extractor:
    """Reusable skills extractor. Build once, call many times.

    Threads may share one: ``extract``, ``extract_many``, ``docs`` and
    ``analyse_chunk`` take turns on its pipelines and caches (:attr:`lock`; hold
    it around your own use of ``nlp`` or ``report``). A batch tokenizes new words
    in a spaCy memory zone, and no other thread may make a word of that
    vocabulary meanwhile.

    >>> ex = Extractor()
    >>> [m.id for m in ex.extract("You will deploy models to production with Docker.").matches]
    ['model_deployment', 'docker']
    """

    def __init__(self, rules: Sequence[PathLike] = (), *, loaded_rules: Sequence[Rule] | None = None) -> None:
        self.rules: list[Rule] = list(loaded_rules) if loaded_rules is not None else load_rules(rules)
        self._forms = LemmaForms()
        self._langs: dict[str, _Lang] = {}
        # batches: texts cut into pieces once, for language detection, tokens, and where cues and mentions can start
        self._pieces = PieceIndex(heads=(CUE_HEADS, MENTION_HEADS))
        self.lock = threading.RLock()  # held while pipelines, caches or their vocabularies are in use

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the rules only (for process pools): pipelines, caches and the lock are rebuilt on load."""
        return {"rules": self.rules}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(loaded_rules=state["rules"])  # type: ignore[misc]

    def pipeline(self, lang: str) -> _Lang:
        """The (cached) blank pipeline and matcher for ``lang``."""
        got = self._langs.get(lang)
        if got is not None and len(got.nlp.vocab.strings) - got.strings > REFRESH_STRINGS:
            del self._langs[lang]  # free the old pipeline before building its replacement (lower peak memory)
            got = None
        if got is None:
            from rolematch.pipelines import blank

            nlp = blank(lang)
            nlp.max_length = MAX_CHARS + 1
            matcher = RuleMatcher(nlp, self.rules, lang, self._forms)
            got = _Lang(nlp, matcher, self._pieces, len(nlp.vocab.strings))
            self._langs[lang] = got
        return got

    def nlp(self, lang: str) -> "Language":
        return self.pipeline(lang).nlp

    def report(self, doc: Tokens, prepared: PreparedText, lang: str, source: str | None = None) -> SkillReport:
        """Turn the matches in ``doc`` (built from ``prepared.text``) into a :class:`SkillReport`."""
        matches = []
        pipe = self._langs.get(lang) or self.pipeline(lang)  # no refresh between a doc and its matching
        for rule, s, e in merge_matches(pipe.matcher(doc, prepared.text)):
            a, b = prepared.to_source(s, e)
            matches.append(SkillMatch(rule.id, rule.kind, rule.category, rule.roles, prepared.source[a:b], a, b,
                                      lang, rule.name))
        return SkillReport(lang, tuple(matches), source)

    def prepare(self, text: str, lang: str | None = None, source: str | None = None) -> tuple[PreparedText, str]:
        prepared = prepare(text, source=source)
        return prepared, resolve_language(prepared.text, lang, source)

    def extract(self, text: str, lang: str | None = None, source: str | None = None) -> SkillReport:
        """Skills and responsibilities in one posting."""
        prepared, language = self.prepare(text, lang, source)
        with self.lock:
            doc = self.pipeline(language).nlp.make_doc(prepared.text)
            return self.report(doc, prepared, language, source)

    def docs(self, items: Iterable[tuple[PreparedText, str]], batch_size: int = 64
             ) -> Iterator[tuple[Tokens, PreparedText, str]]:
        """Tokenize prepared texts (as :class:`TokenArrays` where possible), keeping order."""
        check_batch_size(batch_size)
        it = iter(items)
        while chunk := list(islice(it, batch_size)):
            with self.lock:
                got = list(self._tokenize([(prepared, lang, prepared.text) for prepared, lang in chunk]))
            yield from got

    def _tokenize(self, batch: list[tuple[PreparedText, str, str | Pieces]]
                  ) -> Iterator[tuple[Tokens, PreparedText, str]]:
        """Tokenize one batch. A language's pipeline is only replaced (see ``REFRESH_STRINGS``) between
        batches, so tokens and matching always share a vocabulary."""
        pipes = {lang: self.pipeline(lang) for lang in {item[1] for item in batch}}
        for prepared, lang, text in batch:
            yield pipes[lang].tokens(text), prepared, lang

    def analyse_chunk(self, texts: Sequence[Any], first: int = 0, lang: str | None = None
                      ) -> list[tuple[Tokens, PreparedText, str] | InputError]:
        """Prepare and tokenize a chunk of texts, in order.

        Each text becomes ``(tokens, prepared, lang)``, or the :class:`InputError` that
        makes it unusable (missing, empty, unsupported language...), named ``row N``.
        """
        with self.lock:
            return self._analyse_chunk(texts, first, lang)

    def _analyse_chunk(self, texts: Sequence[Any], first: int, lang: str | None
                       ) -> list[tuple[Tokens, PreparedText, str] | InputError]:
        out: list[Any] = [None] * len(texts)
        ok: list[tuple[int, PreparedText, str, Pieces]] = []
        for pos, text in enumerate(texts):
            source = f"row {first + pos}"
            try:
                if not isinstance(text, str):
                    missing = text is None or (isinstance(text, float) and text != text)
                    raise InputError("missing text" if missing else f"expected text, got {type(text).__name__}",
                                     source)
                prepared = prepare(text, source=source)
                pieces = self._pieces.cut(prepared.text)  # once, for the language and the tokens
                if lang is None:
                    scores = refined_scores(self._pieces.language_scores(pieces), prepared.text)
                    language = supported_language(best_language(scores), source, prepared.text)
                else:
                    language = resolve_language(prepared.text, lang, source)
                ok.append((pos, prepared, language, pieces))
            except InputError as exc:
                out[pos] = exc
        for (pos, *_), triple in zip(ok, self._tokenize([item[1:] for item in ok])):
            out[pos] = triple
        return out

    def extract_many(self, texts: Iterable[str], lang: str | None = None, batch_size: int = 64
                     ) -> Iterator[SkillReport | InputError]:
        """Extract from many texts lazily, in order. Unusable texts yield their :class:`InputError`."""
        check_postings("texts", texts, "extract")
        check_batch_size(batch_size)
        if lang is not None:  # a wrong one fails the call, not every text
            lang = resolve_language("", lang)
        it = iter(texts)
        first = 0
        while chunk := list(islice(it, batch_size)):
            chunk = [t.as_py() if hasattr(t, "as_py") and not isinstance(t, str) else t for t in chunk]  # pyarrow
            with self.lock:
                got = [res if isinstance(res, InputError) else self.report(*res)
                       for res in self.analyse_chunk(chunk, first, lang)]
            yield from got
            first += len(chunk)
