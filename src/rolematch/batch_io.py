"""Streaming readers and writers for batch scoring: CSV/TSV, JSONL, Parquet.

Readers yield :class:`Record` objects one by one (memory stays flat) and never
drop a row: a malformed line (broken quoting, wrong field count, invalid JSON)
becomes a record with ``error`` set and its line number. Writers write to a
temporary file beside the destination; :meth:`Writer.commit` renames it into
place, :meth:`Writer.abort` removes it, so a failed or interrupted run never
leaves a half-written output.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import math
import os
import re
import sys
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Sequence, cast

from rolematch.errors import InputError
from rolematch.files import new_file_mode
from rolematch.table import EVIDENCE_COLUMN, format_of, output_columns
from rolematch.text import FALLBACK_ERRORS, encoding_of

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
_MAX_RECORD_CHARS = 32_000_000  # a quoted field longer than this is taken as broken quoting


@dataclass
class Record:
    """One input row: its values by column, the line it started on, and a reader error if any."""

    line: int
    values: dict[str, Any]
    error: str | None = None


@dataclass
class Source:
    """An opened input: its columns (in order) and a record iterator."""

    columns: list[str]
    records: Iterator[Record]
    size: int | None = None
    position: Any = field(default=lambda: 0)
    schema: Any = None
    unit: str = "line"  #: what a record's number counts: a line of text, or a row (Parquet)


# -- CSV ------------------------------------------------------------------------------
def sniff_csv(path: Path | None, sep: str | None = None, encoding: str | None = None,
              head: bytes | None = None) -> tuple[str, str]:
    """Separator and encoding of a CSV export (``,`` ``;`` tab or ``|``).

    Encodings: see :func:`rolematch.text.encoding_of` (UTF-8 read with the cp1252 fallback
    when no byte-order mark or UTF-16 says otherwise).
    """
    if head is None:
        assert path is not None
        head = read_head(str(path))
    encoding = encoding_of(head, encoding)
    if sep is None:
        text = head.decode(encoding, errors="replace")
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        first = re.sub(r'"[^"]*"', "", first)  # a separator inside a quoted name does not count
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        sep = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return sep, encoding




#: the line Excel writes before the header to name the separator ("sep=;")
EXCEL_SEP = re.compile(r"sep=([^\r\n])\r?\n")


def _csv_records(fh: IO[str], sep: str, source: str, bad_line: Callable[[], int | None] = lambda: None,
                 skip_first: bool = False) -> tuple[list[str], Iterator[Record]]:
    """Header and records of a CSV stream, recovering from broken quoting line by line.

    ``bad_line()`` finds the line of an undecodable byte (the stream decodes ahead of the lines read).
    ``skip_first``: the first line is Excel's ``sep=;``, not the header.
    """
    lines = iter(fh)
    pushback: list[tuple[int, str]] = []
    lineno = 0

    def next_line() -> tuple[int, str] | None:
        nonlocal lineno
        if pushback:
            return pushback.pop()
        try:
            text = next(lines)
        except StopIteration:
            return None
        except UnicodeError as exc:
            exact = bad_line()  # the stream decodes ahead: without a file to re-read, it is on this line or later
            raise _read_error(exc, source, f"line {exact}" if exact else f"line {lineno + 1} or later", fh) from None
        except _STREAM_ERRORS as exc:
            raise _read_error(exc, source, f"line {lineno + 1}") from None
        lineno += 1
        return lineno, text

    bad: list[str] = []

    def parse(text: str) -> list[str]:
        try:
            return next(csv.reader([text], delimiter=sep, strict=False), [])
        except csv.Error as exc:  # e.g. a line break inside an unquoted field: keep the text, flag the row
            bad.append(str(exc).split(" - ")[0])
            flat = text.rstrip("\r\n").replace("\r", " ").replace("\n", " ")
            return next(csv.reader([flat], delimiter=sep, strict=False), [])

    blank: list[int] = []  # blank lines skipped before the record read last

    def read_record() -> tuple[int, list[tuple[int, str]]] | None:
        blank.clear()
        first = next_line()
        while first is not None and not first[1].strip("\r\n"):
            blank.append(first[0])
            first = next_line()
        if first is None:
            return None
        parts = [first]
        open_quote, _ = _ends_in_quotes(first[1], sep, False)
        size = len(first[1])
        while open_quote:
            nxt = next_line()
            if nxt is None or size > _MAX_RECORD_CHARS:
                if nxt is not None:
                    pushback.append(nxt)
                return -1, parts  # unbalanced quote: broken record
            parts.append(nxt)
            open_quote, stray = _ends_in_quotes(nxt[1], sep, True)
            if stray:  # the quote that "closed" the field is not followed by a separator (a `27"` in a later
                return -1, parts  # row): the field never closed; those lines are rows of their own
            size += len(nxt[1])
        return first[0], parts

    if skip_first:
        next_line()
    head = read_record()
    if head is None:
        raise InputError("empty file (no header row)", source)
    if head[0] == -1:
        raise InputError("line 1: broken quoting in the header row", source)
    header = parse("".join(t for _, t in head[1]))
    if header:  # a byte-order mark the given --encoding kept ("utf-16-le" for a file with a BOM)
        header[0] = header[0].lstrip("\ufeff")
    if not header or all(not h.strip() for h in header):
        raise InputError("empty header row", source)
    header = unique_names(header)
    n = len(header)

    def records() -> Iterator[Record]:
        while True:
            got = read_record()
            if got is None:
                return
            start, parts = got
            if n == 1:  # in a one-column file a blank line is an empty cell: its row is kept
                for line in blank:
                    yield Record(line, {header[0]: ""})
            if start == -1:  # unbalanced quote: keep the first physical line as an error row, re-read the rest
                first_line, text = parts[0]
                for p in reversed(parts[1:]):
                    pushback.append(p)
                fields = parse(text.rstrip("\r\n"))
                yield Record(first_line, _fit(fields, header, sep), f"line {first_line}: broken quoting (unclosed quote)")
                continue
            bad.clear()
            fields = parse("".join(t for _, t in parts))
            if bad:
                yield Record(start, _fit(fields, header, sep), f"line {start}: malformed CSV ({bad[0]})")
            elif len(fields) == n:
                yield Record(start, dict(zip(header, fields)))
            elif len(parts) > 1 and not _closes_field(parts[-1][1], sep) and all(
                    len(parse(t.rstrip("\r\n"))) == n for _, t in parts[1:]):
                # a stray quote swallowed lines that are rows of their own (the quote that "closed" the
                # record opens a field): give them back
                for p in reversed(parts[1:]):
                    pushback.append(p)
                first_fields = parse(parts[0][1].rstrip("\r\n"))
                yield Record(start, _fit(first_fields, header, sep), f"line {start}: broken quoting")
            else:
                yield Record(start, _fit(fields, header, sep), f"line {start}: expected {n} fields, got {len(fields)}")

    return header, records()


def _ends_in_quotes(line: str, sep: str, in_quotes: bool) -> tuple[bool, bool]:
    """Whether a CSV record is still inside a quoted field at the end of ``line``, and whether the
    first quote that closed a field carried over from an earlier line is followed by something else
    than a separator or the line end (then it was no closing quote).

    Follows :mod:`csv`'s reading: a quote opens a field only at its start (a
    quote inside an unquoted field, as in ``27" monitor``, is a character), and
    ``""`` inside a quoted field is a quote. Only the quotes are visited.
    """
    carried = in_quotes
    i = line.find('"')
    while i >= 0:
        if in_quotes:
            if line.startswith('"', i + 1):  # an escaped quote
                i = line.find('"', i + 2)
                continue
            in_quotes = False
            if carried:
                if line[i + 1:i + 2] not in (sep, "\r", "\n", ""):
                    return False, True
                carried = False
        elif i == 0 or line[i - 1] == sep:
            in_quotes = True
        i = line.find('"', i + 1)
    return in_quotes, False


def _closes_field(line: str, sep: str) -> bool:
    """True when the last quote on ``line`` ends a quoted field (followed by a separator or the line end)."""
    body = line.rstrip("\r\n")
    i = body.rfind('"')
    return i >= 0 and (i == len(body) - 1 or body[i + 1] == sep)


def unique_names(header: list[str]) -> list[str]:
    """Column names made unique as pandas does ("description", "description.1"), so no column's values are lost.

    A blank name becomes ``Unnamed: <position>``, also as pandas reads it.
    """
    header = [name if name else f"Unnamed: {i}" for i, name in enumerate(header)]
    seen = set(header)
    out: list[str] = []
    for name in header:
        if name in out:
            k = 1
            while f"{name}.{k}" in seen:
                k += 1
            name = f"{name}.{k}"
            seen.add(name)
        out.append(name)
    return out


def _fit(fields: list[str], header: list[str], sep: str) -> dict[str, Any]:
    """Place the fields of a malformed row under the header without losing any (extras join the last column)."""
    n = len(header)
    if len(fields) > n:
        fields = fields[: n - 1] + [sep.join(fields[n - 1:])]
    fields = fields + [""] * (n - len(fields))
    return dict(zip(header, fields))


# -- openers --------------------------------------------------------------------------
def open_source(path: str, sep: str | None = None, encoding: str | None = None, chunk_size: int = 1024) -> Source:
    """Open an input file (or ``-`` for CSV on stdin) for streaming."""
    fmt = format_of(path)
    if path != "-":
        p = Path(path)
        if p.is_dir():
            raise InputError("is a directory, not a file", path)
        if not p.exists():
            raise InputError("no such file", path)
        if not os.access(p, os.R_OK):
            raise InputError("permission denied", path)
    if fmt == "parquet":
        return _open_parquet(path, chunk_size)
    sep = separator(sep)
    if fmt == "tsv" and sep is None:
        sep = "\t"
    given = encoding
    if path == "-":
        if sys.stdin is None:  # started with stdin closed
            raise InputError("cannot read: standard input is closed", "<stdin>")
        raw: IO[bytes] = sys.stdin.buffer
        try:
            head = raw.peek(65536)[:65536] if hasattr(raw, "peek") else b""
        except OSError as exc:  # a closed descriptor, a stream opened for writing only
            raise InputError(f"cannot read: {exc.strerror or exc}", "<stdin>") from None
        size: int | None = None
        compressed: IO[bytes] | None = None
    else:
        compressed = open(path, "rb")
        raw = cast(IO[bytes], gzip.GzipFile(fileobj=compressed)) if path.lower().endswith(".gz") else compressed
        size = Path(path).stat().st_size
        try:
            head = read_head(path)
        except (OSError, EOFError) as exc:
            compressed.close()
            raise InputError(f"not a readable gzip file ({exc})", path) from None
    encoding = encoding_of(head, given)
    errors = FALLBACK_ERRORS if given is None and encoding == "utf-8" else "strict"
    fh: IO[str] = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
    if fmt == "jsonl":
        return open_jsonl(fh, path, size, compressed)
    excel = EXCEL_SEP.match(head.decode(encoding, errors="replace").lstrip("\ufeff"))
    if sep is None:
        sep = excel.group(1) if excel else sniff_csv(None, None, encoding, head=head)[0]

    def bad_line() -> int | None:
        return None if path == "-" else _undecodable_line(path, encoding)

    header, recs = _csv_records(fh, sep, path, bad_line, skip_first=excel is not None)
    return Source(header, recs, size, _position(compressed))


def separator(sep: str | None) -> str | None:
    """``--sep`` as one character: ``\\t`` and ``tab`` are a tab; anything longer is refused."""
    if sep is None:
        return None
    sep = {"\\t": "\t", "tab": "\t", "\\|": "|"}.get(sep.lower(), sep)
    if sep in ('"', "\r", "\n"):
        raise InputError(f"--sep: {sep!r} cannot separate fields (use ',', ';', '|' or '\\t' for a tab)")
    if len(sep) != 1:
        raise InputError(f"--sep: {sep} is not one character (use ',', ';', '|' or '\\t' for a tab)")
    return sep


def read_head(path: str, size: int = 65536) -> bytes:
    """The first ``size`` bytes of the file's content (decompressed for ``.gz``)."""
    opener: Any = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        return bytes(fh.read(size))


def _position(raw: IO[bytes] | None) -> Callable[[], int]:
    """How far into the file (on disk: compressed for ``.gz``) reading has come, for the progress bar."""
    def position() -> int:
        try:
            return raw.tell() if raw is not None and raw.seekable() else 0
        except (OSError, ValueError):
            return 0
    return position


#: what a damaged compressed stream raises while it is read
_STREAM_ERRORS = (EOFError, OSError, zlib.error)


#: what a decoding error suggests: the encoding was detected or given, and either can be wrong
_ENCODING_HINT = "check the file's encoding (--encoding NAME, or leave --encoding out to detect it)"


def _read_error(exc: Exception, source: str, where: str | None = None, fh: IO[str] | None = None) -> InputError:
    """A decoding or reading error (see :data:`_STREAM_ERRORS`) as a one-line :class:`InputError`.

    ``fh``: the text stream read, for the encoding's name (Python calls every 8-bit codec "charmap").
    """
    if isinstance(exc, UnicodeDecodeError):
        codec = getattr(fh, "encoding", None) or exc.encoding
        problem = f"undecodable bytes for {codec} ({exc.reason}); {_ENCODING_HINT}"
    elif isinstance(exc, UnicodeError):  # e.g. "UTF-16 stream does not start with BOM"
        problem = f"cannot decode ({exc}); {_ENCODING_HINT}"
    elif isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
        problem = f"the compressed data is damaged or cut short ({exc})"
    else:
        problem = f"cannot read the file ({exc})"
    return InputError(f"{where}: {problem}" if where else problem, source)


def _checked_lines(fh: IO[str], source: str) -> Iterator[str]:
    """The lines of ``fh``; decoding and decompression errors become one-line :class:`InputError`."""
    n = 0
    try:
        for line in fh:
            n += 1
            yield line
    except (UnicodeError, *_STREAM_ERRORS) as exc:
        raise _read_error(exc, source, f"after line {n}", fh) from None


def _undecodable_line(path: str, encoding: str) -> int | None:
    """The line of ``path`` holding its first byte that ``encoding`` cannot decode (``None`` if none)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    opener: Any = gzip.open if path.lower().endswith(".gz") else open
    line = 1
    with opener(path, "rb") as fh:
        while block := fh.read(1 << 16):
            try:
                line += decoder.decode(block).count("\n")
            except UnicodeDecodeError as exc:
                return line + exc.object[:exc.start].decode(encoding, errors="replace").count("\n")
    return None


def _json_array(fh: IO[str], source: str, block: int = 1 << 16) -> Iterator[tuple[int, Any]]:
    """The items of a JSON array (``[{...}, {...}]``), streamed: ``(line the item starts on, item)``.

    A syntax error stops the run with its line: past it, where the next item
    starts cannot be known, so no row could be trusted.
    """
    decoder = json.JSONDecoder()
    buf, pos, line, eof = "", 0, 1, False

    def more() -> bool:  # read on; the buffer then starts at ``pos`` (0)
        nonlocal buf, pos, line, eof
        got = "" if eof else fh.read(max(block, len(buf)))  # doubling: a long item is decoded O(log n) times
        if not got:
            eof = True
            return False
        line += buf.count("\n", 0, pos)
        buf, pos = buf[pos:] + got, 0
        return True

    def skip_space() -> str:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf) or not more():
                return buf[pos] if pos < len(buf) else ""

    def fail(what: str, at: int | None = None) -> InputError:  # ``at``: where in ``buf`` (default: ``pos``)
        return InputError(f"line {line + buf.count(chr(10), 0, pos if at is None else at)}: invalid JSON array "
                          f"({what})", source)

    def close() -> None:  # after the closing "]": nothing but space (a second array would be lost)
        nonlocal pos
        pos += 1
        if skip_space():
            raise fail("text after the closing ']'")

    if skip_space() != "[":
        raise fail("expected '['")
    pos += 1
    if skip_space() == "]":
        return close()
    while True:
        skip_space()
        while True:
            try:
                item, end = decoder.raw_decode(buf, pos)
            except ValueError as exc:  # a JSONDecodeError knows where: the line of the error, not the item's start
                if not more():
                    raise fail(getattr(exc, "msg", str(exc).split(":")[0]), getattr(exc, "pos", None)) from None
                continue
            if end < len(buf) or not more():  # a number at the end of the buffer may go on
                break
        yield line + buf.count("\n", 0, pos), item
        pos = end
        sep = skip_space()
        if sep == "]":
            return close()
        if sep != ",":
            raise fail("expected ',' or ']' after an item" if sep else "unexpected end of file")
        pos += 1


def open_jsonl(fh: IO[str], path: str, size: int | None, raw: IO[bytes] | None = None) -> Source:
    """JSON Lines, or a JSON array of objects (a ``.json`` export whose text starts with ``[``)."""
    try:
        start = fh.read(1 << 12).lstrip()
        fh.seek(0)
        if start.startswith("["):
            return _open_json_array(fh, path, size, raw)
        # first pass: the union of keys, in first-seen order (so CSV output has every column), and whether
        # a line is not an object (its text is then kept in a "_raw" column)
        columns: dict[str, None] = {}
        rows = raw_lines = 0
        for line in fh:
            if not line.strip():
                continue
            rows += 1
            try:
                obj = json.loads(line.rstrip("\r\n"))
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                columns.update(dict.fromkeys(obj))
            elif rows == 1 and line.strip() == "{":  # one object spread over lines, not JSON Lines
                raise InputError("not JSON Lines: a .json/.jsonl input holds one JSON object per line, or one "
                                 "array of objects", path)
            else:
                raw_lines += 1
        fh.seek(0)
    except UnicodeError as exc:
        encoding = getattr(exc, "encoding", None)
        where = _undecodable_line(path, encoding) if path != "-" and encoding else None
        raise _read_error(exc, path, f"line {where or '?'}", fh) from None
    except _STREAM_ERRORS as exc:
        raise _read_error(exc, path) from None
    if not rows:
        raise InputError("no postings: the file holds no JSON objects", path)
    cols = list(columns) + (["_raw"] if raw_lines and "_raw" not in columns else [])

    def records() -> Iterator[Record]:
        for i, line in enumerate(_checked_lines(fh, path), 1):
            if not line.strip():
                continue
            text = line.rstrip("\r\n")  # a truncated line is an unterminated string, not a control character
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Record(i, {"_raw": text}, f"line {i}: invalid JSON ({exc.msg}: column {exc.colno})")
                continue
            except ValueError as exc:  # e.g. a number too long to convert
                yield Record(i, {"_raw": text}, f"line {i}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                yield Record(i, {"_raw": line.rstrip("\r\n")}, f"line {i}: expected a JSON object")
                continue
            yield Record(i, obj)

    return Source(cols, records(), size, _position(raw))


def _open_json_array(fh: IO[str], path: str, size: int | None, raw: IO[bytes] | None = None) -> Source:
    # first pass: the union of keys, in first-seen order, and any syntax error before a row is scored
    columns: dict[str, None] = {}
    items = others = 0
    for _, item in _json_array(fh, path):
        items += 1
        if isinstance(item, dict):
            columns.update(dict.fromkeys(item))
        else:
            others += 1
    fh.seek(0)
    if not items:
        raise InputError("no postings: the JSON array is empty", path)

    def records() -> Iterator[Record]:
        try:
            for n, (line, item) in enumerate(_json_array(fh, path), 1):
                if isinstance(item, dict):
                    yield Record(line, item)
                else:
                    yield Record(line, {"_raw": json.dumps(item, ensure_ascii=False)},
                                 f"line {line}: item {n} is not a JSON object")
        except (UnicodeError, *_STREAM_ERRORS) as exc:
            raise _read_error(exc, path, fh=fh) from None

    cols = list(columns) + (["_raw"] if others and "_raw" not in columns else [])
    return Source(cols, records(), size, _position(raw))


def require_pyarrow(what: str, path: str) -> None:
    """Raise :class:`InputError` (naming the extra to install) when pyarrow is missing."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(f"{what} needs pyarrow: pip install 'rolematch[parquet]'", path) from None


def _open_parquet(path: str, chunk_size: int) -> Source:
    require_pyarrow("reading Parquet", path)
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path) from None
    schema = pf.schema_arrow
    cols = unique_names([str(name) for name in schema.names])  # a repeated name would lose a column's values
    if cols != list(schema.names):
        schema = pa.schema([field.with_name(name) for field, name in zip(schema, cols)], metadata=schema.metadata)
    done = [0]

    def records() -> Iterator[Record]:
        line = 0
        for batch in pf.iter_batches(batch_size=chunk_size):
            for values in zip(*(column.to_pylist() for column in batch.columns)):
                line += 1
                done[0] = line
                yield Record(line, dict(zip(cols, values)))

    total = pf.metadata.num_rows
    return Source(cols, records(), total, lambda: done[0], schema=schema, unit="row")


# -- writers --------------------------------------------------------------------------
def check_output(dest: Path) -> None:
    """Refuse an output path that cannot be written, before any work is done."""
    name = str(dest)
    if not dest.parent.exists():
        raise InputError("output folder does not exist", name)
    if not dest.parent.is_dir():
        raise InputError(f"output folder {str(dest.parent)!r} is a file", name)
    if dest.is_dir():
        raise InputError("output is a directory; name a file", name)
    if not os.access(dest.parent, os.W_OK | os.X_OK):
        raise InputError("cannot write in the output folder (permission denied)", name)
    if dest.exists() and not os.access(dest, os.W_OK):
        raise InputError("output exists and is read-only", name)


#: How output files write what UTF-8 cannot encode (lone surrogates, e.g. from a JSON "\\ud800" escape):
#: as the escape itself -- in JSONL that is the same JSON string again, in CSV a visible ``\\ud800``.
UNENCODABLE = "backslashreplace"
_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with lone surrogates written as ``\\udXXX`` escapes (what :data:`UNENCODABLE` does to a file)."""
    return text.encode("utf-8", UNENCODABLE).decode("utf-8") if _SURROGATE.search(text) else text


def _cell(value: Any) -> Any:
    """A value as a CSV cell: lists and objects (from JSON input) as JSON text, not Python's repr."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def text_cell(value: Any) -> str | None:
    """A value as a Parquet text cell: as in CSV (:func:`_cell`), ``None`` kept, lone surrogates escaped."""
    return None if value is None else encodable(str(_cell(value)))


def _json_line(row: dict[str, Any]) -> str:
    """One output row as strict JSON: NaN and infinities (a Parquet float column, a JSON Lines ``NaN``) as
    ``null``, which strict readers (JavaScript, Go, BigQuery) take, not Python's ``NaN``/``Infinity``."""
    try:
        return json.dumps(row, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:  # rare: only then are the values walked
        return json.dumps(_finite(row), ensure_ascii=False, default=str, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _mode_for(dest: Path) -> int:
    """The permission bits of the output: those of the file it replaces, else a new file's (umask applied)."""
    try:
        return dest.stat().st_mode & 0o7777
    except OSError:
        return new_file_mode()


class Writer:
    """Writes rows to a temporary file and renames it onto the destination on :meth:`commit`."""

    def __init__(self, path: str, columns: Sequence[str], schema: Any = None, explain: bool = False) -> None:
        self.path = path
        self.fmt = format_of(path)
        self.output_columns = output_columns(explain)
        self.columns = [*columns, *self.output_columns]
        self.input_columns = list(columns)
        self._schema = schema
        self._tmp: str | None = None
        self._gz_file: IO[bytes] | None = None
        self._target = path  # the file the commit replaces: a symlink's target (written through, as `>` does)
        if path == "-":
            if sys.stdout is None:
                raise InputError("standard output is closed; name an output file with -o")
            self._fh: Any = sys.stdout
            if isinstance(sys.stdout, io.TextIOWrapper):
                sys.stdout.reconfigure(errors=UNENCODABLE)
        else:
            dest = Path(path)
            if dest.is_symlink():
                dest = Path(os.path.realpath(dest))
                self._target = str(dest)
            check_output(dest)
            try:
                fd, self._tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".rolematch-tmp")
            except OSError as exc:
                raise InputError(f"cannot write in the output folder ({exc.strerror})", path) from None
            os.chmod(self._tmp, _mode_for(dest))  # mkstemp's 0600 would make the output private
            if self.fmt == "parquet":
                os.close(fd)
                self._fh = None
            elif path.lower().endswith(".gz"):
                self._gz_file = os.fdopen(fd, "wb")  # GzipFile leaves its file open: closed in commit/abort
                self._fh = io.TextIOWrapper(cast(IO[bytes], gzip.GzipFile(fileobj=self._gz_file, mode="wb")),
                                            encoding="utf-8", errors=UNENCODABLE, newline="")
            else:
                self._fh = os.fdopen(fd, "w", encoding="utf-8", errors=UNENCODABLE, newline="")
        self._pq: Any = None
        if self.fmt in ("csv", "tsv"):
            self._csv = csv.writer(self._fh, delimiter="\t" if self.fmt == "tsv" else ",", lineterminator="\n")
            self._csv.writerow(self.columns)

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Write finished rows (input values + rolematch values)."""
        try:
            self._write(rows)
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk, a quota
            raise InputError(f"cannot write the output ({exc.strerror or exc})", self.path) from None

    def _write(self, rows: list[dict[str, Any]]) -> None:
        if self.fmt in ("csv", "tsv"):
            self._csv.writerows([[_cell(r.get(c)) for c in self.columns] for r in rows])
        elif self.fmt == "jsonl":
            self._fh.write("".join(_json_line(r) + "\n" for r in rows))
        else:
            self._write_parquet(rows)

    def _write_parquet(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._pq is None:
            base = self._schema if self._schema is not None else pa.schema(
                [(encodable(str(c)), pa.string()) for c in self.input_columns])  # a JSON key may hold "\ud800"
            fields = list(base) + [
                pa.field("rolematch_label", pa.string()), pa.field("rolematch_confidence", pa.float64()),
                pa.field("rolematch_p_ml_engineer", pa.float64()), pa.field("rolematch_p_ml_scientist", pa.float64()),
                pa.field("rolematch_p_data_scientist", pa.float64()), pa.field("rolematch_p_other", pa.float64()),
                pa.field("rolematch_in_scope", pa.bool_()),
                pa.field("rolematch_language", pa.string()), pa.field("rolematch_skills", pa.string()),
                pa.field("rolematch_error", pa.string())]
            if EVIDENCE_COLUMN in self.output_columns:
                fields.append(pa.field(EVIDENCE_COLUMN, pa.string()))
            self._arrow_schema = pa.schema(fields)
            self._pq = pq.ParquetWriter(self._tmp, self._arrow_schema)
        cols = {c: [r.get(c) for r in rows] for c in self.columns}
        if self._schema is None:
            for c in self.input_columns:
                cols[c] = [text_cell(v) for v in cols[c]]
        if EVIDENCE_COLUMN in cols:  # a list of dicts: JSON text, as in CSV
            cols[EVIDENCE_COLUMN] = [None if v is None else encodable(_cell(v)) for v in cols[EVIDENCE_COLUMN]]
        self._pq.write_table(pa.Table.from_arrays([pa.array(cols[c], type=f.type) for c, f in
                                                   zip(self.columns, self._arrow_schema)], schema=self._arrow_schema))

    def commit(self) -> None:
        """Finish the file and move it onto the destination."""
        try:
            self._commit()
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk when the last buffers are flushed
            raise InputError(f"cannot write the output ({exc.strerror or exc})", self.path) from None

    def _commit(self) -> None:
        if self.fmt == "parquet":
            if self._pq is None:
                self._write_parquet([])
            self._pq.close()
        elif self._fh is not None:
            self._fh.flush()
            if self._fh is not sys.stdout:
                if self._gz_file is not None:
                    self._fh.close()  # writes the gzip trailer
                    self._gz_file.flush()
                os.fsync(self._fh.fileno() if self._gz_file is None else self._gz_file.fileno())
                (self._fh if self._gz_file is None else self._gz_file).close()
        if self._tmp is not None:
            os.replace(self._tmp, self._target)
            self._tmp = None

    def abort(self) -> None:
        """Drop the temporary file; the destination is left as it was."""
        try:
            if self._pq is not None:
                self._pq.close()
            if self._fh is not None and self._fh is not sys.stdout:
                self._fh.close()
            if self._gz_file is not None:
                self._gz_file.close()
        finally:
            if self._tmp is not None:
                Path(self._tmp).unlink(missing_ok=True)
                self._tmp = None
