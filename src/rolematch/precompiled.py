"""Regular expressions compiled at build time, so a cold start does not compile them again.

A blank French pipeline's tokenizer holds five large regexes (prefixes,
suffixes, infixes, the hyphenated-word ``token_match``, URLs); Python's ``re``
spends 100-150 ms compiling them in every new process, and ``re`` cannot
pickle a compiled pattern. What it can do is build a pattern from the
compiler's output, the code list that ``_sre.compile`` takes. ``rolematch
rules compile`` stores that code next to the prepared tokenizers; loading
turns it back into patterns in about a millisecond.

The code format belongs to the CPython version (and its ``_sre.MAGIC``), so
the file records both and is used only by the same interpreter, only for
the exact pattern strings it was built from. Anything else, or any error,
falls back to ``re.compile``: same patterns, the slow way.
"""

from __future__ import annotations

import re
import sys
from array import array
from pathlib import Path
from typing import Any, Mapping

try:  # CPython's regex engine; absent on other interpreters
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre = None  # type: ignore[assignment]


def tag() -> str:
    """Which interpreter's regex code a file holds (part of its name)."""
    magic = getattr(_sre, "MAGIC", 0)
    return f"{sys.implementation.name}{sys.version_info[0]}{sys.version_info[1]}-sre{magic}"


def compile_code(pattern: str) -> dict[str, Any]:
    """What ``re.compile(pattern)`` would compile, in storable form."""
    parsed = _parser.parse(pattern, 0)
    code = _compiler._code(parsed, 0)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return {"pattern": pattern, "flags": parsed.state.flags, "code": array("I", code).tobytes(),
            "groups": parsed.state.groups - 1, "groupindex": groupindex, "indexgroup": indexgroup}


def from_code(entry: Mapping[str, Any]) -> re.Pattern[str]:
    """The pattern stored by :func:`compile_code` (``_sre`` validates the code)."""
    code = array("I")
    code.frombytes(entry["code"])
    return _sre.compile(entry["pattern"], entry["flags"], code.tolist(), entry["groups"],  # type: ignore[no-any-return]
                        dict(entry["groupindex"]), tuple(entry["indexgroup"]))


class Compiler:
    """``re.compile`` that first looks in a file of patterns compiled at build time."""

    def __init__(self, path: Path) -> None:
        self.entries: dict[str, Mapping[str, Any]] = {}
        self.used = 0  # how many patterns came from the file (for tests and benchmarks)
        if _sre is None or not path.is_file():
            return
        try:
            import srsly

            data = srsly.msgpack_loads(path.read_bytes())
            if data.get("tag") == tag() and data.get("itemsize") == array("I").itemsize == _sre.CODESIZE:
                self.entries = {e["pattern"]: e for e in data["regexes"]}
        except Exception:  # unreadable: compile normally
            self.entries = {}

    def __call__(self, pattern: str) -> re.Pattern[str]:
        entry = self.entries.get(pattern)
        if entry is not None:
            try:
                compiled = from_code(entry)
                self.used += 1
                return compiled
            except Exception:  # e.g. code the engine's validator rejects
                pass
        return re.compile(pattern)


def write(path: Path, patterns: list[str]) -> Path | None:
    """Store the compiled code of ``patterns`` for this interpreter at ``path`` (None: not CPython's ``re``)."""
    import srsly

    if _sre is None or array("I").itemsize != _sre.CODESIZE:  # pragma: no cover - not CPython
        return None
    data = {"tag": tag(), "itemsize": array("I").itemsize, "regexes": [compile_code(p) for p in patterns]}
    path.write_bytes(srsly.msgpack_dumps(data))
    return path
