"""Helpers that make long alternations cheap for Python's ``re``.

``re`` tries the alternatives of ``a|b|c`` one after another at every
position. Grouped under their first character, a position whose character
starts no alternative fails at once, and one that does tries only its group.
"""

from __future__ import annotations

import re


def lower_in_place(text: str) -> str:
    """``text.lower()``, but of the same length: a letter whose lower case is longer ("İ" -> "i̇") is kept as it is,
    so that positions in the result are positions in ``text``."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def by_first_letter(alternatives: list[str]) -> str:
    """``a|b|...`` with the alternatives grouped under their first character (or leading ``[...]`` class).

    The result starts with a lookahead on those first characters, which lets
    the engine skip the other positions even faster. It matches exactly what
    the flat alternation matches, at the same positions.
    """
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        head = alt[:alt.index("]") + 1] if alt.startswith("[") else alt[0]
        groups.setdefault(head, []).append(alt[len(head):])
    firsts = "".join(sorted(set("".join(h.strip("[]") for h in groups))))
    parts = [head + (rest[0] if len(rest) == 1 else "(?:" + "|".join(rest) + ")") for head, rest in groups.items()]
    return f"(?=[{firsts}])(?:" + "|".join(parts) + ")"


#: a company's legal form ("Data Science Consulting GmbH")
COMPANY_NAME = re.compile(r"\b(?:gmbh|inc|ltd|llc|plc|sarl|corp|corporation|incorporated)\b", re.IGNORECASE)
# what parts a job title from the employer's name: "Data Scientist - Contoso Corp", "ML Engineer at Acme Inc."
_NAME_BREAK = re.compile(r"\s[-–—|@/]\s|\s(?:at|chez|for|pour|with)\s|[,(:]", re.IGNORECASE)


def in_company_name(line: str, pos: int) -> bool:
    """Whether what ends at ``pos`` in ``line`` belongs to a company's name: a legal form follows it with no
    break between ("Data Science Consulting GmbH"; not "Data Scientist - Contoso Corp")."""
    m = COMPANY_NAME.search(line, pos)
    return m is not None and not _NAME_BREAK.search(line, pos, m.start())
