"""Batch scoring (filled in by the batch issue)."""

from __future__ import annotations

import csv
from pathlib import Path


def sniff_csv(path: Path, sep: str | None = None, encoding: str | None = None) -> tuple[str, str]:
    """Separator and encoding of a CSV export (UTF-8 with/without BOM, cp1252; ``,`` ``;`` or tab)."""
    head = path.read_bytes()[:65536]
    if encoding is None:
        if head.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
        else:
            try:
                head.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as exc:
                encoding = "utf-8" if exc.start > len(head) - 4 else "cp1252"
    if sep is None:
        text = head.decode(encoding, errors="replace")
        try:
            sep = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
        except csv.Error:
            first = text.splitlines()[0] if text else ""
            sep = max(",;\t", key=first.count)
    return sep, encoding
