"""Blank spaCy pipelines, built fast from tokenizers prepared at build time.

``spacy.blank("fr")`` spends about 3 s importing French tokenizer exceptions
before it tokenizes anything. The tokenizer it builds serializes to bytes, so
rolematch ships those bytes (``_prepared/``, made by ``rolematch rules
compile`` for the spaCy version installed at build time) and loads them into a
blank ``Language`` with that language code: the same tokens, in milliseconds.
With another spaCy version the prepared file is ignored and ``spacy.blank``
is used (:func:`slow_blank`). Either way the tokenizer also splits list bullets
glued to a word ("•Python", "-Docker", "Python•SQL"), which spaCy's does not.

The tokenizer's regexes are loaded already compiled (:mod:`rolematch.precompiled`)
when the interpreter matches the one the files were built with.

The pipelines tokenize through :class:`ChunkCachingTokenizer`: the same
tokens as spaCy's tokenizer, three to four times faster on real postings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from rolematch import precompiled
from rolematch.precompiled import Compiler

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PREPARED_DIR = Path(__file__).resolve().parent / "_prepared"


def prepared_path(lang: str) -> Path:
    import spacy

    return PREPARED_DIR / f"tokenizer-{lang}-spacy{spacy.__version__}.bin"


_LONGEST_CACHED = 256  # characters: a longer chunk or piece is not kept in the caches
_EDGE = frozenset('.,;:!?()"')


class ChunkCachingTokenizer:
    """spaCy's tokenizer with its chunk cache kept filled: same tokens, less work.

    spaCy caches how each whitespace-separated chunk splits into tokens, but
    (a) only 10,000 chunks, and (b) in a document where a special case (``e.g.``,
    ``don't``, ``aujourd'hui``...) has fired, nothing after it is cached, so on
    real postings most chunks are split again by the prefix/suffix/infix regexes
    every time. This wrapper raises the cache size and tokenizes the chunks it
    has not seen before first, which lets spaCy cache each under its own rules
    (chunks that are special cases themselves stay uncached, as in spaCy): the
    :meth:`plain` ones (words, no special case possible: three in four) all in
    one doc, the others one doc each. The document is then tokenized by spaCy
    as usual, now mostly from the cache.
    """

    def __init__(self, tokenizer: Any, max_chunks: int = 100_000) -> None:
        self.tokenizer = tokenizer
        self.max_chunks = max_chunks
        tokenizer.max_cache_size = max_chunks
        self._seen: set[str] = set()
        self._specials = frozenset(tokenizer.rules)  # special-case strings ("e.g.", "don't", "a."...)

    def __call__(self, text: str) -> "Doc":
        chunks = text.split()
        seen = self._seen
        if not seen.issuperset(chunks):
            if len(seen) > self.max_chunks:  # spaCy's cache is full: start both afresh
                self.tokenizer._flush_cache()
                seen.clear()
            tokenize = self.tokenizer
            new = set(chunks).difference(seen)
            plain = [c for c in new if self.plain(c)]
            if plain:  # no special case can fire in these, so one doc caches them all
                tokenize(" ".join(plain))
            for chunk in new.difference(plain):
                tokenize(chunk)
            # a chunk longer than this (a URL, a pasted blob) is not worth keeping in memory
            seen.update(c for c in new if len(c) <= _LONGEST_CACHED)
        return self.tokenizer(text)

    def plain(self, chunk: str) -> bool:
        """True for letters with at most two of ``.,;:!?()"`` on either side, when no special case can fire.

        spaCy looks up special cases for the chunk and for what remains as it
        strips prefixes and suffixes one at a time; letters are never split
        further. So a chunk is plain when none of those remainders (the chunk
        with some of its edge punctuation removed) is a special-case string.
        """
        n = len(chunk)
        i, j = 0, n
        while i < j and chunk[i] in _EDGE:
            i += 1
        while j > i and chunk[j - 1] in _EDGE:
            j -= 1
        if i > 2 or n - j > 2 or not chunk[i:j].isalpha():
            return False
        specials = self._specials
        return not any(chunk[a:b] in specials for a in range(i + 1) for b in range(j, n + 1))

    def __getattr__(self, name: str) -> Any:  # vocab, rules, to_bytes... of the wrapped tokenizer
        return getattr(self.tokenizer, name)


#: List bullets spaCy's tokenizers leave glued to a word ("•Python", "Python•SQL"; it splits most others: ▪ ● ► ✓)
_GLUED_BULLETS = "•‣⁃→◾◼⦁∙"
#: What rolematch's tokenizers split beyond spaCy's: such a bullet anywhere ("•Python", "C++•Python3•SQL",
#: "Python•"), and a "-" bullet before a letter at the start of a chunk ("-Docker"): exports that drop the
#: space after list bullets; and a ";" between two letters ("Python;SQL;Docker"; spaCy splits "Python,SQL")
EXTRA_PREFIX = rf"^[{_GLUED_BULLETS}]|^-(?=[^\W\d_])"
EXTRA_SUFFIX = rf"[{_GLUED_BULLETS}]$"
EXTRA_INFIX = rf"[{_GLUED_BULLETS}]|(?<=[^\s;]);(?=[^\W\d_])"


def with_glued_bullets(data: dict[str, Any]) -> dict[str, Any]:
    """spaCy tokenizer data (``Tokenizer.to_bytes`` unpacked) with :data:`EXTRA_PREFIX`, :data:`EXTRA_SUFFIX` and
    :data:`EXTRA_INFIX`."""
    out = dict(data)
    if isinstance(out.get("prefix_search"), str) and not out["prefix_search"].startswith(EXTRA_PREFIX):
        out["prefix_search"] = f"{EXTRA_PREFIX}|{out['prefix_search']}"
    if isinstance(out.get("suffix_search"), str) and not out["suffix_search"].startswith(EXTRA_SUFFIX):
        out["suffix_search"] = f"{EXTRA_SUFFIX}|{out['suffix_search']}"
    if isinstance(out.get("infix_finditer"), str) and not out["infix_finditer"].endswith(EXTRA_INFIX):
        out["infix_finditer"] = f"{out['infix_finditer']}|{EXTRA_INFIX}"
    return out


def blank(lang: str) -> "Language":
    """A blank pipeline for ``lang`` that tokenizes like ``spacy.blank(lang)`` (faster), and also splits list
    bullets glued to a word (:data:`EXTRA_PREFIX`, :data:`EXTRA_SUFFIX`, :data:`EXTRA_INFIX`)."""
    from spacy.symbols import IDS

    nlp = _blank(lang)
    # spaCy's symbol names ("IS_ALPHA", "NOUN") as words: a lexeme made for one inside a vocab.memory_zone()
    # (the batch path, rolematch.pieces) outlives the zone broken, and the next tokenizing of that word fails
    # (AssertionError in Vocab.get). Made here, outside any zone, they last (457 words, ~4 ms).
    for name in IDS:
        nlp.vocab[name]
    nlp.tokenizer = ChunkCachingTokenizer(nlp.tokenizer)
    return nlp


def _blank(lang: str) -> "Language":
    path = prepared_path(lang)
    if path.is_file():
        from spacy.language import Language
        from spacy.tokenizer import Tokenizer

        cls = type(f"Prepared_{lang}", (Language,), {"lang": lang})
        nlp = cls(create_tokenizer=lambda nlp: Tokenizer(nlp.vocab))  # an empty one: filled below
        try:
            _load_tokenizer(nlp.tokenizer, path.read_bytes(), Compiler(regex_path(lang)))
            return nlp
        except Exception:  # a damaged or foreign file: fall back to the slow, exact path
            pass
    return slow_blank(lang)


def slow_blank(lang: str) -> "Language":
    """``spacy.blank(lang)`` with its tokenizer given rolematch's extra affixes (what the prepared files hold)."""
    import spacy
    import srsly

    nlp = spacy.blank(lang)
    tokenizer: Any = nlp.tokenizer
    data = with_glued_bullets(srsly.msgpack_loads(tokenizer.to_bytes(exclude=["vocab"])))
    _load_tokenizer(tokenizer, srsly.msgpack_dumps(data), re.compile)
    return nlp


_REGEXES = {"prefix_search": "search", "suffix_search": "search", "infix_finditer": "finditer",
            "token_match": "match", "url_match": "match"}


def _load_tokenizer(tokenizer: Any, data: bytes, compile: Callable[[str], "re.Pattern[str]"]) -> None:
    """``Tokenizer.from_bytes`` (spaCy 3.8) with the regexes compiled by ``compile``.

    Same steps in the same order: clear the special cases, set the regexes and
    heuristics, load the special cases last.
    """
    import srsly

    msg = srsly.msgpack_loads(data)
    tokenizer.rules = {}
    for name in _REGEXES:
        setattr(tokenizer, name, None)
    for name, method in _REGEXES.items():
        pattern = msg.get(name)
        if isinstance(pattern, str):
            setattr(tokenizer, name, getattr(compile(pattern), method))
    if "faster_heuristics" in msg:
        tokenizer.faster_heuristics = msg["faster_heuristics"]
    if isinstance(msg.get("exceptions"), dict):
        tokenizer.rules = msg["exceptions"]


def regex_path(lang: str) -> Path:
    """The build-time compiled regexes of ``lang``'s prepared tokenizer, for this interpreter."""
    return PREPARED_DIR / f"regex-{lang}-{precompiled.tag()}.bin"


def _compact_letter_classes(pattern: str) -> str:
    r"""Rewrite ``[<chars> + spaCy's huge lower-case letter class + <chars>]`` as ``(?:[^\W\d_]|[<chars>])``.

    French ``token_match`` repeats that 3,000-character class hundreds of times
    (1.4 MB of regex, ~3 s to compile). Under the pattern's ``(?i)`` flag it
    means "a letter", which ``[^\W\d_]`` says in five characters.
    """
    from spacy.lang.char_classes import ALPHA, ALPHA_LOWER

    out: list[str] = []
    i = 0
    while True:
        j = min((k for k in (pattern.find(ALPHA_LOWER, i), pattern.find(ALPHA, i)) if k >= 0), default=-1)
        if j < 0:
            out.append(pattern[i:])
            return "".join(out)
        cls = ALPHA_LOWER if pattern.startswith(ALPHA_LOWER, j) else ALPHA
        start = pattern.rfind("[", i, j)
        end = pattern.find("]", j + len(cls))
        if start < 0 or end < 0 or "]" in pattern[start:j]:
            out.append(pattern[i:j + len(cls)])
            i = j + len(cls)
            continue
        extra = pattern[start + 1:j] + pattern[j + len(cls):end]
        out.append(pattern[i:start])
        out.append(f"(?:[^\\W\\d_]|[{extra}])" if extra else "[^\\W\\d_]")
        i = end + 1


def prepare_tokenizers(langs: tuple[str, ...] = ("en", "fr")) -> list[Path]:
    """Write the prepared tokenizer files for the installed spaCy (build step)."""
    import spacy
    import srsly

    PREPARED_DIR.mkdir(exist_ok=True)
    for old in [*PREPARED_DIR.glob("tokenizer-*.bin"), *PREPARED_DIR.glob("regex-*.bin")]:
        old.unlink()
    out = []
    for lang in langs:
        tokenizer: Any = spacy.blank(lang).tokenizer
        data = with_glued_bullets(srsly.msgpack_loads(tokenizer.to_bytes(exclude=["vocab"])))
        pattern = data.get("token_match")
        if isinstance(pattern, str) and pattern.startswith("(?i"):  # only where case is ignored
            data["token_match"] = _compact_letter_classes(pattern)
        path = prepared_path(lang)
        path.write_bytes(srsly.msgpack_dumps(data))
        out.append(path)
        patterns = [data[name] for name in _REGEXES if isinstance(data.get(name), str)]
        written = precompiled.write(regex_path(lang), patterns)
        if written is not None:
            out.append(written)
    return out
