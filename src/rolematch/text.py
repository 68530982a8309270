"""Text front end: decode bytes, turn HTML into text, normalise.

Offsets contract: every character offset rolematch reports refers to the
*decoded input text* for plain-text input (the exact ``str`` you passed in, or
the file decoded), and to the extracted text (``PreparedText.text``) for HTML
input. Normalisation (NFC, control characters, odd spaces) is mapped back so
that ``original[start:end]`` is the matched text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Union

from rolematch.errors import InputError

#: Largest posting accepted, in characters (real postings are < 100k).
MAX_CHARS = 1_000_000

_HTML_HINT = re.compile(
    r"<\s*(?:p|div|br|li|ul|ol|h[1-6]|html|body|span|strong|b|em|table|tr|td|a\s)[\s/>]|</\s*[a-z][a-z0-9]*\s*>",
    re.IGNORECASE,
)
# Control characters become spaces (length preserved); \t \n kept; \r -> \n.
_CTRL = {i: " " for i in list(range(0, 9)) + [11, 12] + list(range(14, 32)) + [127] + list(range(0x80, 0xA0))}
_CTRL[13] = "\n"
_CTRL.update({0xA0: " ", 0x2007: " ", 0x202F: " ", 0x200B: " ", 0x200C: " ", 0x200D: " ", 0x2060: " ",
              0xFEFF: " ", 0x2028: "\n", 0x2029: "\n", 0xAD: " "})
_CLEAN_CLASS = "[" + re.escape("".join(map(chr, _CTRL))) + "\ud800-\udfff]"
# lone surrogates ("\ud800" from a JSON export) cannot be encoded: U+FFFD, length preserved
_CTRL.update({i: "\ufffd" for i in range(0xD800, 0xE000)})
_CTRL_TABLE = str.maketrans(_CTRL)  # type: ignore[arg-type]
_NEEDS_CLEAN = re.compile(_CLEAN_CLASS)

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer blockquote pre dt dd hr title".split()
)
_SKIP_TAGS = frozenset({"script", "style", "head", "noscript", "template", "svg"})


@dataclass(frozen=True)
class PreparedText:
    """A posting ready for the pipeline.

    ``text`` is what the pipeline reads; ``source`` is what offsets refer to
    (the decoded input for plain text, ``text`` itself for HTML).
    """

    source: str
    text: str
    is_html: bool
    _index: tuple[int, ...] | None = None  # text index -> source index, when they differ

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``text`` to ``source``."""
        if self._index is None:
            return start, end
        idx = self._index
        s = idx[start] if start < len(idx) else len(self.source)
        e = idx[end] if end < len(idx) else len(self.source)
        return s, max(s, e)


class _HTMLToText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._in_row = False  # a table cell came before in this row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n- " if tag == "li" else "\n")
            self._in_row = False
        elif tag in ("td", "th"):
            if self._in_row:
                self.parts.append(" | ")  # table cells stay apart: "Python | SQL", not "PythonSQL"
            self._in_row = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    """True when ``text`` carries at least two HTML tags."""
    return len(_HTML_HINT.findall(text[:20000])) >= 2


def html_to_text(html: str) -> str:
    """Strip tags with a real parser, keep blocks as line breaks, unescape entities."""
    parser = _HTMLToText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # pragma: no cover - html.parser is lenient; keep the raw text if it ever gives up
        return html
    out = "".join(parser.parts)
    out = re.sub(r"[ \t\u00a0]+", " ", out)
    out = re.sub(r" *\n[ \n]*", lambda m: "\n\n" if m.group().count("\n") > 1 else "\n", out)
    return out.strip()


def _nfc_with_index(text: str) -> tuple[str, tuple[int, ...] | None]:
    """NFC-normalise, returning a text->source index map when the length changes."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    out: list[str] = []
    index: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        index.extend([i] * len(piece))
        i = j
    index.append(n)
    result = "".join(out)
    return result, (tuple(index) if len(result) != n or result != text else None)


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
    body = html_to_text(text) if is_html else text
    if "\r\n" in body:  # one line break (a lone \r becomes \n below); same length, so offsets hold
        body = body.replace("\r\n", " \n")
    cleaned = body.translate(_CTRL_TABLE) if _NEEDS_CLEAN.search(body) else body
    cleaned, index = _nfc_with_index(cleaned)
    if not cleaned.strip():
        raise InputError("empty posting (no text)", source)
    if is_html:
        return PreparedText(source=cleaned, text=cleaned, is_html=True)
    return PreparedText(source=text, text=cleaned, is_html=False, _index=index)


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


UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


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
    """Many NUL or control bytes (a stray NUL in a text export is not enough)."""
    sample = data[:8192]
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > max(2, len(sample) // 100)


def decode_bytes(data: bytes, source: str | None = None, encoding: str | None = None) -> str:
    """Decode a posting: BOMs, UTF-8, then cp1252 / latin-1 (French exports).

    Raises :class:`InputError` for empty, binary, mixed-encoding or undecodable data.
    """
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"cannot decode as {encoding}: {exc}", source) from None
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
        except UnicodeDecodeError:
            pass
    if _is_binary(data):
        raise InputError("binary file (not text)", source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    if UTF8_MULTIBYTE.search(data):
        raise InputError(
            f"undecodable bytes: valid UTF-8 mixed with invalid bytes at byte {bad_at} (mixed encodings?); "
            "re-save as UTF-8 or pass --encoding",
            source,
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_posting(path: Union[str, Path, IO[bytes]], encoding: str | None = None) -> str:
    """Read and decode one posting from a path, ``-`` (stdin) or a binary file object."""
    if hasattr(path, "read"):
        name = getattr(path, "name", "<stream>")
        data = path.read()  # type: ignore[union-attr]
        if isinstance(data, str):
            return data
        return decode_bytes(data, str(name), encoding)
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise InputError("is a directory, not a file", name)
        size = p.stat().st_size
        if size > MAX_CHARS * 4:
            raise InputError(f"file too large ({size:,} bytes) for one posting; use `rolematch score` for batches", name)
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", name) from None
    except PermissionError:
        raise InputError("permission denied", name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", name) from None
    return decode_bytes(data, name, encoding)
