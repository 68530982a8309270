"""Streaming readers and writers for batch scoring: CSV/TSV, JSONL, Parquet.

Readers yield :class:`Record` objects one by one (memory stays flat) and never
drop a row: a malformed line (broken quoting, wrong field count, invalid JSON)
becomes a record with ``error`` set and its line number. Writers write to a
temporary file beside the destination; :meth:`Writer.commit` renames it into
place, :meth:`Writer.abort` removes it, so a failed or interrupted run never
leaves a half-written output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

from rolematch.errors import InputError
from rolematch.table import OUTPUT_COLUMNS, format_of
from rolematch.text import bom_encoding

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

    Encodings: UTF-8 with or without BOM, UTF-16 / UTF-32 with BOM (Excel's
    "Unicode text" exports), else cp1252.
    """
    if head is None:
        assert path is not None
        with open(path, "rb") as fh:
            head = fh.read(65536)
    if encoding is None:
        encoding = bom_encoding(head)
        if encoding is None:
            try:
                head.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as exc:
                encoding = "utf-8" if exc.start >= len(head) - 3 else "cp1252"
    if sep is None:
        text = head.decode(encoding, errors="replace")
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        first = re.sub(r'"[^"]*"', "", first)  # a separator inside a quoted name does not count
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        sep = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return sep, encoding


def _csv_records(fh: IO[str], sep: str, source: str) -> tuple[list[str], Iterator[Record]]:
    """Header and records of a CSV stream, recovering from broken quoting line by line."""
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
        except UnicodeDecodeError as exc:
            raise InputError(f"line {lineno + 1}: undecodable bytes ({exc.reason}); pass --encoding", source) from None
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
        open_quote = _ends_in_quotes(first[1], sep, False)
        size = len(first[1])
        while open_quote:
            nxt = next_line()
            if nxt is None or size > _MAX_RECORD_CHARS:
                if nxt is not None:
                    pushback.append(nxt)
                return -1, parts  # unbalanced quote: broken record
            parts.append(nxt)
            open_quote = _ends_in_quotes(nxt[1], sep, True)
            size += len(nxt[1])
        return first[0], parts

    head = read_record()
    if head is None:
        raise InputError("empty file (no header row)", source)
    if head[0] == -1:
        raise InputError("line 1: broken quoting in the header row", source)
    header = parse("".join(t for _, t in head[1]))
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


def _ends_in_quotes(line: str, sep: str, in_quotes: bool) -> bool:
    """Whether a CSV record is still inside a quoted field at the end of ``line``.

    Follows :mod:`csv`'s reading: a quote opens a field only at its start (a
    quote inside an unquoted field, as in ``27" monitor``, is a character), and
    ``""`` inside a quoted field is a quote. Only the quotes are visited.
    """
    i = line.find('"')
    while i >= 0:
        if in_quotes:
            if line.startswith('"', i + 1):  # an escaped quote
                i = line.find('"', i + 2)
                continue
            in_quotes = False
        elif i == 0 or line[i - 1] == sep:
            in_quotes = True
        i = line.find('"', i + 1)
    return in_quotes


def _closes_field(line: str, sep: str) -> bool:
    """True when the last quote on ``line`` ends a quoted field (followed by a separator or the line end)."""
    body = line.rstrip("\r\n")
    i = body.rfind('"')
    return i >= 0 and (i == len(body) - 1 or body[i + 1] == sep)


def unique_names(header: list[str]) -> list[str]:
    """Column names made unique as pandas does ("description", "description.1"), so no column's values are lost."""
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
    if path == "-":
        raw = sys.stdin.buffer
        head = raw.peek(65536)[:65536] if hasattr(raw, "peek") else b""
        sep, encoding = sniff_csv(None, sep, encoding, head=head)
        fh: IO[str] = io.TextIOWrapper(raw, encoding=encoding, newline="")
        size = None
    else:
        if fmt == "tsv" and sep is None:
            sep = "\t"
        if fmt != "jsonl":
            sep, encoding = sniff_csv(Path(path), sep, encoding)
        elif encoding is None:
            with open(path, "rb") as raw_head:
                encoding = bom_encoding(raw_head.read(4))
        fh = open(path, encoding=encoding or "utf-8", newline="", errors="strict")
        size = Path(path).stat().st_size
    if fmt == "jsonl":
        return _open_jsonl(fh, path, size)
    header, recs = _csv_records(fh, sep or ",", path)
    raw_fh = getattr(fh, "buffer", None)

    def position() -> int:
        try:
            return raw_fh.tell() if raw_fh is not None and raw_fh.seekable() else 0
        except (OSError, ValueError):
            return 0

    return Source(header, recs, size, position)


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

    def fail(what: str) -> InputError:
        return InputError(f"line {line + buf.count(chr(10), 0, pos)}: invalid JSON array ({what})", source)

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
            except ValueError as exc:
                if not more():
                    raise fail(str(exc).split(":")[0]) from None
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


def _open_jsonl(fh: IO[str], path: str, size: int | None) -> Source:
    """JSON Lines, or a JSON array of objects (a ``.json`` export whose text starts with ``[``)."""
    start = fh.read(1 << 12)
    fh.seek(0)
    if start.lstrip().startswith("["):
        return _open_json_array(fh, path, size)
    # first pass: the union of keys, in first-seen order (so CSV output has every column)
    columns: dict[str, None] = {}
    for line in fh:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            columns.update(dict.fromkeys(obj))
    fh.seek(0)
    cols = list(columns)

    def records() -> Iterator[Record]:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                yield Record(i, {"_raw": line.rstrip("\n")}, f"line {i}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                yield Record(i, {"_raw": line.rstrip("\n")}, f"line {i}: expected a JSON object")
                continue
            yield Record(i, obj)

    if not cols:
        cols = ["_raw"]
    return Source(cols, records(), size, lambda: fh.buffer.tell() if hasattr(fh, "buffer") else 0)


def _open_json_array(fh: IO[str], path: str, size: int | None) -> Source:
    # first pass: the union of keys, in first-seen order, and any syntax error before a row is scored
    columns: dict[str, None] = {}
    for _, item in _json_array(fh, path):
        if isinstance(item, dict):
            columns.update(dict.fromkeys(item))
    fh.seek(0)

    def records() -> Iterator[Record]:
        for n, (line, item) in enumerate(_json_array(fh, path), 1):
            if isinstance(item, dict):
                yield Record(line, item)
            else:
                yield Record(line, {"_raw": json.dumps(item, ensure_ascii=False)},
                             f"line {line}: item {n} is not a JSON object")

    cols = list(columns) or ["_raw"]
    return Source(cols, records(), size, lambda: fh.buffer.tell() if hasattr(fh, "buffer") else 0)


def _open_parquet(path: str, chunk_size: int) -> Source:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'rolematch[parquet]'", path) from None
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path) from None
    cols = list(pf.schema_arrow.names)
    done = [0]

    def records() -> Iterator[Record]:
        line = 0
        for batch in pf.iter_batches(batch_size=chunk_size):
            for row in batch.to_pylist():
                line += 1
                done[0] = line
                yield Record(line, row)

    total = pf.metadata.num_rows
    return Source(cols, records(), total, lambda: done[0], schema=pf.schema_arrow, unit="row")


# -- writers --------------------------------------------------------------------------
class Writer:
    """Writes rows to a temporary file and renames it onto the destination on :meth:`commit`."""

    def __init__(self, path: str, columns: Sequence[str], schema: Any = None) -> None:
        self.path = path
        self.fmt = format_of(path)
        self.columns = [*columns, *OUTPUT_COLUMNS]
        self.input_columns = list(columns)
        self._schema = schema
        self._tmp: str | None = None
        if path == "-":
            self._fh: Any = sys.stdout
        else:
            dest = Path(path)
            if not dest.parent.exists():
                raise InputError("output folder does not exist", path)
            fd, self._tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".rolematch-tmp")
            if self.fmt == "parquet":
                os.close(fd)
                self._fh = None
            else:
                self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._pq: Any = None
        if self.fmt in ("csv", "tsv"):
            self._csv = csv.writer(self._fh, delimiter="\t" if self.fmt == "tsv" else ",", lineterminator="\n")
            self._csv.writerow(self.columns)

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Write finished rows (input values + rolematch values)."""
        if self.fmt in ("csv", "tsv"):
            self._csv.writerows([["" if r.get(c) is None else r.get(c) for c in self.columns] for r in rows])
        elif self.fmt == "jsonl":
            self._fh.write("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows))
        else:
            self._write_parquet(rows)

    def _write_parquet(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._pq is None:
            base = self._schema if self._schema is not None else pa.schema([(c, pa.string()) for c in self.input_columns])
            fields = list(base) + [
                pa.field("rolematch_label", pa.string()), pa.field("rolematch_confidence", pa.float64()),
                pa.field("rolematch_p_ml_engineer", pa.float64()), pa.field("rolematch_p_ml_scientist", pa.float64()),
                pa.field("rolematch_p_data_scientist", pa.float64()), pa.field("rolematch_in_scope", pa.bool_()),
                pa.field("rolematch_language", pa.string()), pa.field("rolematch_skills", pa.string()),
                pa.field("rolematch_error", pa.string())]
            self._arrow_schema = pa.schema(fields)
            self._pq = pq.ParquetWriter(self._tmp, self._arrow_schema)
        cols = {c: [r.get(c) for r in rows] for c in self.columns}
        if self._schema is None:
            for c in self.input_columns:
                cols[c] = [None if v is None else str(v) for v in cols[c]]
        self._pq.write_table(pa.table(cols, schema=self._arrow_schema))

    def commit(self) -> None:
        """Finish the file and move it onto the destination."""
        if self.fmt == "parquet":
            if self._pq is None:
                self._write_parquet([])
            self._pq.close()
        elif self._fh is not None:
            self._fh.flush()
            if self._fh is not sys.stdout:
                os.fsync(self._fh.fileno())
                self._fh.close()
        if self._tmp is not None:
            os.replace(self._tmp, self.path)
            self._tmp = None

    def abort(self) -> None:
        """Drop the temporary file; the destination is left as it was."""
        try:
            if self._pq is not None:
                self._pq.close()
            if self._fh is not None and self._fh is not sys.stdout:
                self._fh.close()
        finally:
            if self._tmp is not None:
                Path(self._tmp).unlink(missing_ok=True)
                self._tmp = None
