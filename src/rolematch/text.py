"""Text front end: decode bytes, turn HTML into text, normalise.

Offsets contract: every character offset rolematch reports refers to the
*decoded input text* for plain-text input (the exact ``str`` you passed in, or
the file decoded), and to the extracted text (``PreparedText.text``) for HTML
input. Normalisation (NFC, control characters, odd spaces) is mapped back so
that ``original[start:end]`` is the matched text.
"""

from __future__ import annotations

import codecs
import html as _html
import re
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Sequence, Union

from rolematch.errors import InputError

#: Largest posting accepted, in characters (real postings are < 100k).
MAX_CHARS = 1_000_000

_HTML_HINT = re.compile(
    r"<\s*(?:p|div|br|li|ul|ol|h[1-6]|html|body|span|strong|b|em|table|tr|td)[\s/>]|<a\s[^<>]*>"
    r"|</\s*[a-z][a-z0-9]*\s*>",
    re.IGNORECASE,
)
# Control characters become spaces (length preserved); \t \n kept; \r -> \n.
_CTRL = {i: " " for i in list(range(0, 9)) + [11, 12] + list(range(14, 32)) + [127] + list(range(0x80, 0xA0))}
_CTRL[13] = "\n"
_CTRL.update({0xA0: " ", 0x2007: " ", 0x202F: " ", 0x200B: " ", 0x200C: " ", 0x200D: " ", 0x2060: " ",
              0xFEFF: " ", 0x2028: "\n", 0x2029: "\n", 0xAD: " ", 0x2010: "-", 0x2011: "-"})
# invisible inside a word (soft hyphen, joiners, a BOM mid-text): removed by prepare() -- "Kuber\u00adnetes" is
# "Kubernetes" -- with an index back to the source; where something maps characters one to one, a space
_INVISIBLE = "\u00ad\u200c\u200d\u2060\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_CLEAN_CLASS = "[" + re.escape("".join(map(chr, _CTRL))) + "\ud800-\udfff]"
# lone surrogates ("\ud800" from a JSON export) cannot be encoded: U+FFFD, length preserved
_CTRL.update({i: "\ufffd" for i in range(0xD800, 0xE000)})
_CTRL_TABLE = str.maketrans(_CTRL)  # type: ignore[arg-type]
_NEEDS_CLEAN = re.compile(_CLEAN_CLASS)

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer blockquote pre dt dd hr title".split()
)
# blocks a browser sets apart by a blank line; the other block tags start a new line
_PARAGRAPH_TAGS = frozenset("p ul ol h1 h2 h3 h4 h5 h6 table section article header footer blockquote pre hr".split())
# break marks while extracting, html_to_text makes them \n / \n\n: Unicode noncharacters, which no text carries
# (private-use ones are icon-font glyphs)
_LINE, _PARAGRAPH = "\ufdd0", "\ufdd1"
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
# what may stand in a <head>; any other start tag ends it
_HEAD_TAGS = frozenset({"title", "meta", "link", "base", "style", "script", "noscript", "template"})
_PAGE = re.compile(r"\s*(?:<!doctype html[\s>]|<html[\s>][\s\S]*?<(?:head|body)[\s>])", re.IGNORECASE)
# "<![CDATA[ ... ]]>" (XML job feeds): html.parser drops what it wraps; read as blanks of the same length
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
# an entity reference (&eacute; &#233; &#xE9;): decoded in plain text too; with one tag, the text is HTML
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class PreparedText:
    """A posting ready for the pipeline.

    ``text`` is what the pipeline reads; ``source`` is what offsets refer to
    (the decoded input for plain text, ``text`` itself for HTML).
    """

    source: str
    text: str
    is_html: bool
    # text index -> source index, when they differ; int32 arrays (a tuple of ints took about 60 bytes a
    # character, and a batch holds a chunk of prepared postings at once)
    _index: Sequence[int] | None = field(default=None, compare=False)
    _end_index: Sequence[int] | None = field(default=None, compare=False)  # the same for span ends (removed characters)

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``text`` to ``source``."""
        if self._index is None:
            return start, end
        idx = self._index
        ends = self._end_index or idx
        s = idx[start] if start < len(idx) else len(self.source)
        e = ends[end] if end < len(ends) else len(self.source)
        return s, max(s, e)


class _HTMLToText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._head = False  # inside <head>: it ends at </head>, <body> or the first content (HTML5 may omit </head>)
        self._in_title = False
        self._in_row = False  # a table cell came before in this row

    @property
    def skipping(self) -> bool:
        """Whether text here is left out (script/style blocks, the head)."""
        return bool(self._skip) or self._head

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._head = True
            return
        if tag == "title":
            self._in_title = True
        if self._head and tag not in _HEAD_TAGS:
            self._head = False
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(_LINE + "- " if tag == "li" else _break(tag))
            self._in_row = False
        elif tag in ("td", "th"):
            if self._in_row:
                self.parts.append(" | ")  # table cells stay apart: "Python | SQL", not "PythonSQL"
            self._in_row = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(_break(tag))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._head = False
            return
        if tag == "title":
            self._in_title = False
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_break(tag))

    def handle_data(self, data: str) -> None:
        if self._head and not self._in_title and not self._skip and data.strip():
            self._head = False  # text outside a head element (a title, a style or script block): the body has begun
        if not self.skipping:
            self.parts.append(data)


def _break(tag: str) -> str:
    return _PARAGRAPH if tag in _PARAGRAPH_TAGS else _LINE


def looks_like_html(text: str) -> bool:
    """True when ``text`` is a whole HTML page (``<!DOCTYPE html``, ``<html>`` with a head or body) or carries
    at least two HTML tags, one of them a closing tag, two ``<br>``, ``<p>`` or ``<li>``, or two touching
    their text or a line break (not named in prose, with spaces or punctuation on both sides: "a <div> beats
    a <span>"; nor a generic's ``Array<B>``), or one such tag and an entity reference (``&eacute;``).

    Entity references alone do not make HTML: :func:`prepare` decodes them in plain text.
    """
    head = text[:20000]
    if _PAGE.match(head):  # a whole page (its <head> may be longer than the part read)
        return True
    tags = list(_HTML_HINT.finditer(head))
    if not tags:
        return False
    # markup closes its tags ("<p> text </p>", even spaced out on one line) or touches its text ("Engineer<br>You",
    # "<li>Python"); a tag named in prose ("a <div> beats a <span>", "(`<section>`, <img>)") does neither
    closing = any(m.group().startswith("</") for m in tags)
    placed = sum(1 for m in tags if not _named(head, m.start(), m.end()))
    if len(tags) == 1:
        return (closing or placed == 1) and "&" in head and _ENTITY.search(head) is not None
    # "A <br> B <br> C", "<p> We hire <p> You will": text parted by spaced separators, the same tag again
    separators = Counter(name.group(1).lower() for m in tags if not m.group().startswith("</")
                         if (name := _TAG_NAME.match(m.group())) is not None)
    return closing or placed >= 2 or any(separators[t] >= 2 for t in ("br", "p", "li"))


_SPACES = " \t\u00a0\u2009\u202f"
_BEFORE_NAMED = frozenset(_SPACES + "([\"'“‘«`/*_,")
_AFTER_NAMED = frozenset(_SPACES + ",.;:)]!?\"'”’»`/-*_—…")
_TAG_NAME = re.compile(r"</?\s*([a-z0-9]+)", re.IGNORECASE)
_GENERIC = re.compile(r"<[A-Z]>")  # a type parameter: Array<B>, Box<P>


def _named(text: str, start: int, end: int) -> bool:
    """Whether the tag at ``text[start:end]`` looks named in prose (spaces or punctuation on both sides) or is
    a generic type's parameter (``Array<B>``)."""
    end = text.find(">", end - 1) + 1 or end  # the whole tag, attributes included
    if start > 0 and text[start - 1].isalnum() and _GENERIC.fullmatch(text, start, end):
        return True
    return (start > 0 and text[start - 1] in _BEFORE_NAMED) and (end < len(text) and text[end] in _AFTER_NAMED)


def escaped_html(text: str) -> str | None:
    """The markup of HTML that came entity-escaped (``&lt;p&gt;...``, as RSS/XML feeds give descriptions):
    ``text`` unescaped when that is HTML, else ``None``. For a ``text`` that is not HTML itself
    (:func:`looks_like_html`); read as HTML, its offsets index the extracted text."""
    head = text[:20000]
    if "&lt;" not in head and "&LT;" not in head:
        return None
    unescaped = _html.unescape(text)
    return unescaped if looks_like_html(unescaped) else None


def unwrap_cdata(html: str) -> str:
    """``html`` with ``<![CDATA[`` and ``]]>`` blanked out (same length), so that what they wrap is read."""
    return _CDATA.sub(lambda m: " " * len(m.group()), html) if "<![CDATA[" in html else html


def html_to_text(html: str) -> str:
    """Strip tags with a real parser, keep blocks as line breaks, unescape entities."""
    parser = _HTMLToText()
    try:
        parser.feed(unwrap_cdata(html))
        parser.close()
    except Exception:  # pragma: no cover - html.parser is lenient; keep the raw text if it ever gives up
        return html
    # line breaks in the markup are kept (half-HTML cells use them as structure), but a break there and a
    # tag's own ("<br>\n", one "<div>" per line) is one line break, not a blank line
    out = "".join(parser.parts)
    out = re.sub(r"[ \t\u00a0]+", " ", out)
    out = _BREAKS.sub(_one_break, out)
    return out.strip()


_BREAKS = re.compile(f" *[\r\n{_LINE}{_PARAGRAPH}][ \r\n{_LINE}{_PARAGRAPH}]*")


def _one_break(m: re.Match[str]) -> str:
    """A run of line ends and break marks as one line break, or a blank line (a paragraph, or two line ends)."""
    run = m.group()
    ends = run.count("\n") + run.count("\r") - run.count("\r\n")  # CRLF, LF or a lone CR: one line end each
    return "\n\n" if _PARAGRAPH in run or ends > 1 else "\n"


#: where each character of a normalised text comes from: its ``[start, end)`` in the stage's input,
#: as two lists (``None``: the stage changed no length, character i is character i)
Spans = tuple[list[int], list[int]]


def _nfc_spans(text: str) -> tuple[str, Spans | None]:
    """NFC-normalise; each output character spans the cluster (base + combining marks) it comes from."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    result = "".join(out)
    return result, ((starts, ends) if len(result) != n or result != text else None)


def _unescape_spans(text: str) -> tuple[str, Spans | None]:
    """Plain text with entity references (``R&amp;D``, ``d&eacute;ployer``) decoded; each decoded
    character spans its reference. Nothing else changes: ``<`` in plain text is no tag."""
    if "&" not in text or not _ENTITY.search(text):
        return text, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _ENTITY.finditer(text):
        value = _html.unescape(m.group())
        if value == m.group():  # not an entity html knows
            continue
        out.append(text[pos:m.start()])
        starts.extend(range(pos, m.start()))
        ends.extend(range(pos + 1, m.start() + 1))
        out.append(value)
        starts.extend([m.start()] * len(value))
        ends.extend([m.end()] * len(value))
        pos = m.end()
    if pos == 0:
        return text, None
    out.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return "".join(out), (starts, ends)


def _drop_spans(text: str) -> tuple[str, Spans | None]:
    """``text`` without soft hyphens and joiners; each kept character spans itself."""
    if not _INVISIBLE_RE.search(text):
        return text, None
    keep = [i for i, ch in enumerate(text) if ch not in _INVISIBLE]
    return "".join(text[i] for i in keep), (keep, [i + 1 for i in keep])


def _compose(outer: Spans | None, inner: Spans | None) -> Spans | None:
    """The spans, in the first stage's input, of the characters of a later stage's output."""
    if outer is None or inner is None:
        return outer if inner is None else inner
    (os_, oe), (is_, ie) = outer, inner
    return [os_[a] for a in is_], [oe[b - 1] for b in ie]


def drop_invisible(text: str) -> str:
    """``text`` without soft hyphens and joiners (what :func:`prepare` removes)."""
    return _INVISIBLE_RE.sub("", text) if _INVISIBLE_RE.search(text) else text


# a long run of symbols without a space ("=====...", a row of emoji): spaCy's tokenizer splits it one character at
# a time from its ends, in time quadratic in its length (10,000 "=": 10-20 s; a 1,000,000-character posting of
# them would take hours). A space every 32 characters (in place of a symbol: the text keeps its length, so
# offsets hold) keeps it linear; symbols are not words, so what the model reads is unchanged.
_SYMBOL_RUN = re.compile(r"[^\w\s]{64,}")


def break_symbol_runs(text: str) -> str:
    """``text`` with a space in place of every 32nd character of each run of 64 or more symbols (same length)."""
    if not _SYMBOL_RUN.search(text):
        return text

    def spaced(m: re.Match[str]) -> str:
        run = list(m.group())
        run[31::32] = " " * len(run[31::32])
        return "".join(run)

    return _SYMBOL_RUN.sub(spaced, text)


# a bar between two words, with no space around it, joins two lines or list items: some job-board exports write
# every line break so ("Job Description|We are looking for...", "Python|SQL|Docker"); read as a space, the words
# are words again (not one token "techniques|Data"). Not as a line break: the lines would become headings and
# titles ("with Product|Data Scientist|ML Engineer" would name three titles, helper 126)
_JOINING_BAR = re.compile(r"(?<=\w)\|(?=\w)")


def clean_title(title: str) -> str | None:
    """A title as the model reads it: HTML and entities resolved, cleaned like a posting's text, one line;
    ``None`` when nothing is left."""
    title = unwrap_cdata(title)
    if "<" in title or "&" in title:
        if _HTML_HINT.search(title) or _ENTITY.search(title):
            title = html_to_text(title)
    title = drop_invisible(title).translate(_CTRL_TABLE)
    title = " ".join(break_symbol_runs(unicodedata.normalize("NFC", title)).split())
    return title or None


def prepare(text: str, *, html: bool | None = None, source: str | None = None) -> PreparedText:
    """Normalise a posting. ``html=None`` detects HTML by its tags.

    Raises :class:`InputError` for empty or oversized text.
    """
    if not isinstance(text, str):
        raise InputError(f"expected text (str), got {type(text).__name__}", source)
    if type(text) is not str:  # numpy.str_ and other str subclasses: spaCy takes only str itself
        text = str.__str__(text)
    if len(text) > MAX_CHARS:
        raise InputError(f"posting too large ({len(text):,} characters; the limit is {MAX_CHARS:,})", source)
    is_html = looks_like_html(text) if html is None else html
    markup = escaped_html(text) if html is None and not is_html else None
    is_html = is_html or markup is not None
    body = html_to_text(markup or text) if is_html else unwrap_cdata(text)  # same length: offsets hold
    spans: Spans | None = None
    if not is_html:
        body, spans = _unescape_spans(body)
    body, dropped = _drop_spans(body)
    spans = _compose(spans, dropped)
    if "\r\n" in body:  # one line break (a lone \r becomes \n below); same length, so offsets hold
        body = body.replace("\r\n", " \n")
    cleaned = body.translate(_CTRL_TABLE) if _NEEDS_CLEAN.search(body) else body
    cleaned, nfc = _nfc_spans(cleaned)
    spans = _compose(spans, nfc)
    cleaned = break_symbol_runs(cleaned)  # same length: offsets hold
    if "|" in cleaned:  # "techniques|Data mining", "Python|SQL": exports that join lines or items with a bar
        cleaned = _JOINING_BAR.sub(" ", cleaned)  # same length
    if not cleaned.strip():
        raise InputError("empty posting (no text)", source)
    if is_html:
        return PreparedText(source=cleaned, text=cleaned, is_html=True)
    if spans is None:
        return PreparedText(source=text, text=cleaned, is_html=False)
    # a span of the text starts where its first character starts and ends where its last one ends: not
    # over removed characters around it, and over a whole entity reference or combining cluster
    starts, ends = spans
    index = array("i", starts)
    index.append(len(text))
    end_index = array("i", [0])
    end_index.extend(ends)
    return PreparedText(source=text, text=cleaned, is_html=False, _index=index, _end_index=end_index)


# longest first: a UTF-32 LE BOM starts with the UTF-16 LE one
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(data: bytes) -> str | None:
    """The codec named by a byte-order mark at the start of ``data`` (UTF-8, UTF-16, UTF-32), else ``None``."""
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when ``data`` looks like UTF-16 text without a byte-order mark
    (mostly ASCII: every other byte is zero), else ``None``."""
    pairs = min(len(data), 8192) // 2
    if pairs < 8:
        return None
    zeros_odd, zeros_even = data[1:2 * pairs:2].count(0), data[0:2 * pairs:2].count(0)
    if zeros_odd > pairs * 0.4 and zeros_even < pairs * 0.05:
        return "utf-16-le"
    if zeros_even > pairs * 0.4 and zeros_odd < pairs * 0.05:
        return "utf-16-be"
    return None


def _is_binary(data: bytes) -> bool:
    """Many NUL or control bytes: over one in twenty (a few NULs in a text export are not enough)."""
    return _is_binary_text(data[:8192].decode("latin-1"))  # latin-1: each byte is the character of its value


def _is_binary_text(text: str) -> bool:
    """Many C0 control characters, over one in twenty (not C1: latin-1 reads cp1252's curly quotes and
    dashes as C1 characters, and a French export is full of them)."""
    sample = text[:8192]
    ctrl = sum(1 for c in sample if c < "\t" or "\r" < c < " ")
    return ctrl > max(2, len(sample) // 20)


#: decoding errors handler for detected encodings: bytes that are not valid in the detected encoding are
#: read as cp1252 (latin-1 for its five undefined bytes): a UTF-8-looking export whose first accented
#: letter comes after the sniffed head (cp1252 after all), or a mostly UTF-8 file with a few cp1252 bytes
FALLBACK_ERRORS = "rolematch-cp1252"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), exc.end


codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)


def encoding_of(head: bytes, given: str | None = None) -> str:
    """The encoding to read a file starting with ``head``: ``given`` (checked; a BOM-less UTF-16/32 gets its
    byte order, UTF-8 its BOM stripped), else detected: a byte-order mark, UTF-16 without one (its zero
    bytes), else UTF-8 -- to be read with :data:`FALLBACK_ERRORS`, so that each byte that is not valid
    UTF-8 reads as cp1252: a UTF-8 export with stray cp1252 bytes, or one cut inside a character, reads
    the same wherever the first such byte comes, on stdin too (``classify`` reads whole files so too).
    """
    if given is not None:
        try:
            info = codecs.lookup(given)
        except LookupError:
            info = None
        if info is None or not getattr(info, "_is_text_encoding", True):  # rot13, base64...: not for text files
            raise InputError(f"--encoding: unknown encoding {given!r} (e.g. utf-8, cp1252, latin-1, utf-16)")
        name = info.name
        found = bom_encoding(head)
        if found in ("utf-16", "utf-32") and name.startswith(found + "-"):  # utf-16-le given, BOM present:
            return found  # the BOM-aware codec drops it (in JSON Lines it would stay as U+FEFF before the "{")
        family = found.removesuffix("-sig") if found else None
        if family and name.startswith("utf") and name != family and not name.startswith(family + "-"):
            raise InputError(f"--encoding {given}: the file starts with a {family.upper()} byte-order mark; "
                             "leave --encoding out to read it")
        if name in ("utf-16", "utf-32") and found is None:  # their byte order without a BOM
            return (utf16_without_bom(head) if name == "utf-16" else None) or f"{name}-le"
        return "utf-8-sig" if name == "utf-8" and head.startswith(codecs.BOM_UTF8) else given
    # no shortcut to cp1252 for a head full of cp1252 bytes: a UTF-8 row after the head would turn into
    # mojibake, and stdin (a shorter head) would read the same bytes otherwise. The price: a cp1252 export
    # decodes at about 40 ms per MB instead of 1-2 (one error-handler call per accented letter);
    # `--encoding cp1252` reads a known cp1252 export at full speed
    return bom_encoding(head) or utf16_without_bom(head) or "utf-8"


def decode_bytes(data: bytes, source: str | None = None, encoding: str | None = None) -> str:
    """Decode a posting: BOMs, UTF-8, then cp1252 / latin-1 (French exports).

    Raises :class:`InputError` for empty, binary or (with ``encoding``) undecodable data.
    """
    if encoding:
        try:
            text = data.decode(encoding_of(data[:65536], encoding)).removeprefix("\ufeff")  # as score reads it
        except (UnicodeError, LookupError) as exc:
            raise InputError(f"cannot decode as {encoding}: {exc}", source) from None
        except InputError as exc:
            raise InputError(exc.message, source) from None
        if _is_binary_text(text):  # latin-1 decodes any bytes: a program or a .docx must not become a posting
            raise InputError(f"binary file (not text, even read as {encoding})", source)
        return text
    if not data.strip():
        raise InputError("empty file", source)
    codec = bom_encoding(data)
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(f"undecodable bytes after {codec} BOM at byte {exc.start}", source) from None
    codec = utf16_without_bom(data)
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:  # its zero bytes say UTF-16: a cut or damaged file, not a binary one
            raise InputError(f"undecodable bytes in {codec} text (no byte-order mark) at byte {exc.start}",
                             source) from None
    if _is_binary(data):
        raise InputError("binary file (not text)", source)
    # UTF-8, each invalid byte read as cp1252 (latin-1 for its five undefined bytes), as `score` reads
    # cells: a cp1252 file, a UTF-8 file cut inside a character, or one with a few cp1252 bytes
    return data.decode("utf-8", errors=FALLBACK_ERRORS)  # what encoding_of gives once no BOM or UTF-16 is found


def read_posting(path: Union[str, Path, IO[bytes]], encoding: str | None = None) -> str:
    """Read and decode one posting from a path, ``-`` (stdin) or a binary file object."""
    limit = MAX_CHARS * 4  # bytes: four per character at most in UTF-8
    if hasattr(path, "read"):
        name = getattr(path, "name", "<stream>")
        try:
            data = path.read(limit + 1)  # type: ignore[union-attr]
        except OSError as exc:  # a closed descriptor, a stream opened for writing only
            raise InputError(f"cannot read: {exc.strerror or exc}", str(name)) from None
        if len(data) > limit:
            raise InputError(f"too large (over {limit:,} bytes) for one posting; use `rolematch score` for batches",
                             str(name))
        if isinstance(data, str):
            return data
        return decode_bytes(data, str(name), encoding)
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise InputError("is a directory, not a file", name)
        size = p.stat().st_size
        if size > limit:
            raise InputError(f"file too large ({size:,} bytes) for one posting; use `rolematch score` for batches", name)
        with p.open("rb") as fh:  # a device or a pipe has no size: read no more than the limit
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise InputError(f"too large (over {limit:,} bytes) for one posting; use `rolematch score` for batches",
                             name)
    except FileNotFoundError:
        raise InputError("no such file", name) from None
    except PermissionError:
        raise InputError("permission denied", name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", name) from None
    return decode_bytes(data, name, encoding)
