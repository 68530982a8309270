"""Find the parts of a posting that should not drive the label.

Benefits, equal-opportunity statements, company blurbs and application
instructions are the same whatever the role. They are located line by line:
a line with a boilerplate cue is boilerplate, and so is every line of a
section whose heading is a boilerplate heading ("Benefits", "About us",
"Avantages", "Qui sommes-nous"...), up to the next heading.
"""

from __future__ import annotations

import re
from typing import Sequence

from rolematch.heads import Heads, literal_head, scan
from rolematch.regexes import by_first_letter, in_company_name, lower_in_place

_HEADING_BOILER = re.compile(
    r"^\W*(?:(?:benefits?|perks?|what we offer|we offer|our offer|compensation|why (?:join|work)"
    r"|about (?:us|the company|our company|\w+)|who we are|our (?:company|story|mission|values|culture|benefits|perks)"
    r"|company (?:description|overview|profile|information|info)|what'?s in it for you"
    r"|what is in it for you|life at \w+|working at \w+|additional information"
    r"|equal (?:employment )?opportunit\w*|eeo\b|diversity|how to apply|application process|salary|pay range"
    r"|(?:nos |les )?avantages?|ce que nous (?:vous |te |t['’])?(?:offrons|proposons)|nous vous offrons"
    r"|ce qu['’]on (?:vous |te |t['’])?(?:offre|propose)|nous t['’]offrons|nous te proposons|pourquoi nous rejoindre"
    r"|nous rejoindre|qui sommes[- ]nous|qui nous sommes|ce que nous sommes|notre histoire"
    r"|description de l'entreprise|l'entreprise|la soci[ée]t[ée]|notre (?:entreprise|soci[ée]t[ée]|culture)"
    r"|[àa] propos|pr[ée]sentation de (?:l'entreprise|la soci[ée]t[ée])"
    r"|r[ée]mun[ée]ration|salaire|processus de recrutement|diversit[ée]|informations compl[ée]mentaires)\b"
    # whole-line headings only: "Why Acme?", "The Company", "Entreprise" (not "Company: Acme", "Why now we...")
    r"|(?:why (?!you\b|now\b)[\w-]+|(?:the )?company|le groupe|entreprise)\W*$)",
)
# checked first: a heading that introduces the role ("About the role", "About you", "À propos du poste")
_HEADING_CONTENT = re.compile(
    r"^\W*(?:(?:responsibilit|requirement|qualification|accountabilit|responsabilit|vos responsabilit)\w*"
    r"|(?:what you|you will|your (?:role|mission|profile|impact|day|future)|the role|the position|the team"
    r"|position (?:overview|summary)|what the role|in this role|day[- ]to[- ]day|(?:tech(?:nology|nical)? )?stack"
    r"|what we use|must[- ]haves?|roles?|job description|description|dut(?:y|ies)|skills?|experiences?"
    r"|exp[ée]riences?|profil(?:e|es|s)?|the opportunity|impact"
    r"|about (?:the|this|your|our) (?:[\w-]+ ){0,3}(?:role|job|team|position|opportunity|mission|project)|about you"
    r"|who (?:we(?:'re| are)|you are) looking for"
    r"|who you are|nice to have|preferred|minimum|missions?|vos missions|votre (?:mission|r[ôo]le|profil|futur)|profil"
    r"|[àa] propos (?:du (?:poste|r[ôo]le|job)|de (?:vous|toi|la mission|l'[ée]quipe))|le quotidien|le contexte"
    r"|ce que vous (?:ferez|allez faire)|comp[ée]tences|le poste|descriptif|poste|tasks|key"
    r"|ton (?:profil|r[ôo]le|quotidien|futur)|tes (?:missions|responsabilit[ée]s|comp[ée]tences)|ta mission"
    r"|ce que tu (?:feras|vas faire))\b"
    r"|(?:why you|the (?:[\w&-]+ ){0,3}team)\W*$)",  # whole lines: not "Why you should join us"
)
# the boilerplate headings of a list of offers ("Benefits", "Nos avantages"): their short items ("Free lunch")
# are not headings, so such a section goes on through them (a company blurb is prose: any heading ends it)
_HEADING_OFFER = re.compile(
    r"^\W*(?:benefits?|perks?|what we offer|we offer|our offer|compensation|our (?:benefits|perks)"
    r"|what'?s in it for you|what is in it for you|salary|pay range|(?:nos |les )?avantages?"
    r"|ce que nous (?:vous |te |t['’])?(?:offrons|proposons)|nous vous offrons|ce qu['’]on (?:vous |te |t['’])?(?:offre"
    r"|propose)|nous t['’]offrons|nous te proposons|r[ée]mun[ée]ration|salaire)\b",
)
# matched on lower-cased text
_CUES = [
    "equal (?:employment )?opportunity", "without regard to", "regardless of (?:race|age|gender)", "race, colou?r",
    "sexual orientation", "gender identity", "protected veteran", "veteran status", "national origin",
    "reasonable accommodation", r"401\s?\(?k\)?", "dental", "vision insurance", "paid time off", r"pto\b",
    "parental leave", "health insurance", "medical,", "stock options", "tuition reimbursement", "wellness",
    "gym membership", "e-verify", "background check", "drug[- ]free",
    "mutuelle", "tickets? restaurants?", "carte swile", r"rtt\b", "titres? restaurant",
    "prise en charge .{0,30}transport", "handicap", "toutes (?:nos offres|les candidatures)",
    "[ée]galit[ée] des chances", "int[ée]ressement", "participation aux b[ée]n[ée]fices", "cong[ée]s pay[ée]s",
    "prime de", "avantages sociaux",
]


_CUE = re.compile(r"\b" + by_first_letter(_CUES))
#: where a cue can start: each match begins with its cue's literal start
CUE_HEADS = Heads(sorted({literal_head(c) for c in _CUES}))


def _is_heading(line: str) -> bool:
    # cheapest test first: most lines are body text, longer than any heading
    return len(line) < 70 and not line.rstrip().endswith((".", ",", ";")) and 0 < len(line.split()) <= 7


_KEY_VALUE_LINE = re.compile(r"^[^:]{2,40}:[\s*_]*[\w€$£¥]")  # "salary: €75,000 - €90,000", "pay range: $120k"
# a list item ("- Competitive salary", "• Free lunch", "1. Apply online", "**Health:** dental and vision"), not a
# heading ("**Benefits**" is one)
_ITEM = re.compile(r"^\s*(?:(?:[-•·▪◦–—+]|\*(?!\*)|\d+[.)])\s|\*\*[^*]+\*\*\W*\w)")


def boilerplate_spans(text: str, max_share: float = 0.6, starts: Sequence[int] | None = None
                      ) -> list[tuple[int, int]]:
    """Character spans of boilerplate lines in ``text``, merged and sorted.

    A boilerplate section runs from its heading to the next heading-like line
    of another kind. In a list of offers ("Benefits", "Nos avantages") only a
    role heading ("Responsibilities", "About you") or a heading-like line that is
    not a list item and starts a block (after a blank line; not the first line
    after the heading), ends in a colon, or is marked up (``#``, ``**``,
    capitals) ends it -- so its short items ("Free lunch") stay in it. If
    sections would cover more than ``max_share`` of the text (headings
    misread), any heading-like line ends a section; if they still would, only
    the lines with boilerplate cues are kept (none, if they too would). In
    run-on text (a line or sentence over 300 characters), only the words
    around each cue are, not the whole run. ``starts``: where
    :data:`CUE_HEADS` start words in ``text.lower()``, when known (only those
    are tried).
    """
    low = lower_in_place(text)
    cues = [m.start() for m in scan(_CUE, low, starts)]
    limit = max_share * max(1, len(text))
    section_spans, cue_spans = _sections(text, low, cues, sticky=True)
    if sum(e - s for s, e in section_spans) > limit:
        section_spans, cue_spans = _sections(text, low, cues, sticky=False)
    if sum(e - s for s, e in section_spans) > limit:
        # headings misread: only the cue lines, unless they too would take most of the text
        return cue_spans if sum(e - s for s, e in cue_spans) <= limit else []
    return section_spans


def _ends_section(line: str, stripped: str, block_start: bool) -> bool:
    """Whether a heading-like line inside a list of offers (neither a role nor a boilerplate heading) ends it."""
    if _ITEM.match(stripped):
        return False
    shown = line.strip()
    return (block_start or stripped.endswith(":") or stripped.startswith(("#", "**", "__"))
            or (shown.isupper() and sum(c.isalpha() for c in shown) > 3))


def headed_sections(text: str, max_share: float = 0.9) -> list[tuple[int, int]]:
    """Spans of the boilerplate sections under a heading ("Benefits", "About us", "Equal opportunity"), without
    the lines that only hold a cue word: what language detection sets aside (a health insurer's role text says
    "health insurance"). Empty when they would cover more than ``max_share`` of the text."""
    low = lower_in_place(text)
    limit = max_share * max(1, len(text))
    for sticky in (True, False):
        spans = _sections(text, low, [], sticky, key_value_opens=False)[0]
        if sum(e - s for s, e in spans) <= limit:
            return spans
    return []


def _sections(text: str, low: str, cues: list[int], sticky: bool, key_value_opens: bool = True
              ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(section spans, cue spans); ``sticky``: a section ends only where :func:`_ends_section` says, else at any
    heading-like line that is not a boilerplate heading; ``key_value_opens``: a "Salary: €75k" line opens a
    section (else it is one on its own line)."""
    ci = 0
    section_spans: list[tuple[int, int]] = []
    cue_spans: list[tuple[int, int]] = []
    in_section = offers = False
    pos = 0
    new_block = True  # after a blank line (or at the start)
    first = False  # the first line after a boilerplate heading (a blank line between is only layout)
    for line in _units(low):
        start, pos = pos, pos + len(line)
        while ci < len(cues) and cues[ci] < start:
            ci += 1
        has_cue = ci < len(cues) and cues[ci] < pos
        stripped = line.strip()
        if not stripped:
            new_block = True
            continue
        block_start, new_block = new_block, False
        after_heading, first = first, False
        if _is_heading(stripped):
            if _HEADING_CONTENT.match(stripped):
                in_section = False
            elif not key_value_opens and _KEY_VALUE_LINE.match(stripped) and _HEADING_BOILER.match(stripped):
                in_section = False
                _add(section_spans, start, pos)
                continue
            elif _HEADING_BOILER.match(stripped):
                # "Salary: €75,000" says something itself: the line after it is no item of its list, whatever
                # the layout ("**Benefits:**" is a heading with nothing after it)
                in_section, first = True, not _KEY_VALUE_LINE.match(stripped)
                offers = sticky and bool(_HEADING_OFFER.match(stripped))
            elif not in_section or not offers or _ends_section(text[start:pos], stripped,
                                                               block_start and not after_heading):
                in_section = False  # "- Competitive salary" and "Free lunch" under "Benefits" stay benefits
        elif in_section and not offers and _ROLE_START.match(stripped):
            in_section = False  # a company blurb with no heading after it ends where the role text begins
        if has_cue and len(line) > _LONG_UNIT:
            # a run-on text with no line or sentence break: only the words around each cue, not all of it
            cj = ci
            while cj < len(cues) and cues[cj] < pos:
                window = (max(start, cues[cj] - _CUE_BEFORE), min(pos, cues[cj] + _CUE_AFTER))
                _add(cue_spans, *window)
                if not in_section:
                    _add(section_spans, *window)
                cj += 1
            if in_section:
                _add(section_spans, start, pos)
            continue
        if in_section or has_cue:
            _add(section_spans, start, pos)
        if has_cue:
            _add(cue_spans, start, pos)
    return section_spans, cue_spans


# a line that speaks to the candidate or names the role: the role text has begun (a company blurb followed by the
# role with no heading between, "Who we are\nCriteo is...\nYou will contribute to...")
_ROLE_START = re.compile(
    r"^\W*(?:(?:you will|you'll) (?:be (?:responsible|working on)|build|develop|design|lead|own|drive|contribute"
    r"|partner|collaborate|report|analy[sz]e|deploy|research|manage)\b(?! the future)|in this role"
    # one person, not "a hundred new engineers" or "a new generation of engineers" (helper 129)
    r"|(?:we are|we're) (?:looking for|seeking) (?:a|an) (?:[\w-]+ ){0,3}(?:scientist|engineer|analyst|developer"
    r"|researcher|intern|specialist|consultant)\b"
    # "As a Data Scientist, you will..." (not "As a developer tools company, we...": helper 127)
    r"|as (?:a|an|our) (?:[\w-]+ ){0,3}(?:scientist|engineer|analyst|developer|researcher)\s*,?\s+(?:you|your)\b"
    r"|the (?:successful|ideal) candidate"
    r"|vous (?:serez (?:responsable|en charge|charg[ée])|aurez (?:pour mission|la charge))"
    r"|en tant que (?:[\w’'-]+ ){0,3}(?:scientist|engineer|ingénieure?|ingenieure?|analyste|développeu|developpeu"
    r"|chercheu)\w*\s*,?\s+(?:vous|tu)\b"
    r"|nous (?:recherchons|recrutons) (?:une?|un\(e\)) (?!(?:centaine|dizaine|douzaine|quinzaine|vingtaine|trentaine"
    r"|quarantaine|cinquantaine|soixantaine|millier|grand nombre|nombre)\b)(?:[\w’'-]+ ){0,3}(?:data|ingénieur|ingenieur|scientifique"
    r"|analyste|développeu|developpeu|chercheu|stagiaire|alternant|consultant)"
    r"|tu seras (?:responsable|en charge))")

_LONG_UNIT = 300  # characters: longer units are run-on text (no line or sentence break)
_CUE_BEFORE, _CUE_AFTER = 80, 220  # characters around a cue skipped in run-on text


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def _units(low: str) -> list[str]:
    """Lines, with long lines (flattened postings) cut into sentences; concatenation == ``low``."""
    out: list[str] = []
    for line in low.splitlines(keepends=True):
        if len(line) <= 300:
            out.append(line)
            continue
        last = 0
        for m in _SENTENCE_END.finditer(line):
            out.append(line[last:m.end()])
            last = m.end()
        out.append(line[last:])
    return [u for u in out if u]


def _add(spans: list[tuple[int, int]], start: int, end: int) -> None:
    if spans and spans[-1][1] >= start - 2:
        spans[-1] = (spans[-1][0], end)
    else:
        spans.append((start, end))


_JOB_NOUN = re.compile(
    r"\b(?:engineer|scientist|analyst|developer|researcher|manager|architect|consultant|specialist|lead|intern(?:s|e|es|ship)?\b"
    r"|director|designer|administrator|technician|nurse|associate|representative|executive|officer|assistant"
    r"|ing[ée]nieur|d[ée]veloppeur|chercheur|chercheuse|scientifique|analyste|chef|responsable|consultant|stagiaire"
    r"|alternant|technicien|infirmier|commercial)\w*|\bdata\b"
    # "Chargé(e) de ...", "CHARGE(E) DE ..." in unaccented capitals; not "Chargement", "Prise en charge du", "Charges de"
    r"|\bcharg[ée](?:e|\(e\)|·e|\.e)?s? d['’][ée]tudes|\bchargé(?:e|\(e\)|·e|\.e)?s? d(?:['’]|es? |u )"
    r"|\b(?-i:CHARGE(?:E|\(E\))?S? D(?:['’]|ES? |U |E ))"
    # job names that also name firms ("Actuaires Associés", "Acme Statisticians"): first in the title (after up to two
    # seniority words), plural only at the end of the title ("Statisticiens (H/F)")
    r"|^\W*(?:(?:senior|junior|lead|principal|staff|chief|sr\.?|jr\.?|confirm[ée]e?|expert[e]?)\s+){0,2}"
    r"(?:contr[ôo]leu(?:r|se)|programmeu(?:r|se)|administrat(?:eur|rice)|actuaire|actuary|actuaries"
    r"|(?:bio)?statisticien(?:ne)?|(?:bio)?statistician)(?:\b|s(?=\s*(?:$|[(–—|-])))",  # "Data (H/F)", not "Datadog" or "Database"
    re.IGNORECASE,
)
_GENERIC_FIRST = re.compile(r"^\W*(?:job description|description|about|overview|summary|descriptif|le poste)\b", re.I)
# "Job Title: Data Scientist", "Role : ML Engineer", "POSTE : Data Scientist H/F"
_LABELLED_TITLE = re.compile(r"^\W*(?:job title|position title|title|job role|role|position|poste|intitul[ée] du poste)"
                             r"\s*:\s*(?P<title>.+)$", re.IGNORECASE)
# a heading the title follows on its own line ("Job Description" / "Sr. Data Scientist")
_TITLE_HEADING = re.compile(r"^\W*(?:job description|description|job title|position title|position summary|job summary"
                            r"|title|position|role|poste|intitul[ée] du poste|le poste|descriptif du poste"
                            r"|we are looking for|we're hiring for|.*\brecherche un\(e\)|.*\brecrute un\(e\))\W*$",
                            re.IGNORECASE)
_KEY_VALUE = re.compile(r"^[\w /&().'-]{2,30}:\s*\S")          # "Job ID: JR0142650", "Location: Paris"
_BULLET = re.compile(r"^\s*(?:[-•·▪◦–—]|\*(?!\*)|\d+[.)])")  # "**Data Scientist**" is bold, not an item
_NOT_TITLE = re.compile(r"\b(?:experience|years?|degree|ph\.?d|bachelor|master|education|group|category|department"
                        r"|directorate|location)\b", re.IGNORECASE)
_HEADER_LINES = 4


# a sentence, not a title: it starts like one ("We are looking for...", "To help us...") or holds a full stop
_SENTENCE = re.compile(r"^(?:to|we|you|our|the|this|join|help|in|as|if|are|is|nous|vous|notre|votre|le|la|les|pour"
                       r"|dans|en|au|si)\b|\b\w{4,}[.!?]\s", re.IGNORECASE)  # "Sr. Data Scientist" is a title


def _title_like(line: str) -> bool:
    noun = _JOB_NOUN.search(line)
    return (len(line.split()) <= 12 and len(line) <= 100 and not line.endswith((".", "!", "?", ":", ","))
            and noun is not None and not _GENERIC_FIRST.match(line)
            and not _BULLET.match(line) and not _NOT_TITLE.search(line) and not _SENTENCE.search(line)
            and not in_company_name(line, noun.end()))  # "Data Science Consulting GmbH" is the employer


def header_title(text: str) -> str | None:
    """The job title a posting's header gives, else ``None``.

    Looks at the first few non-empty lines only: a labelled title ("Job Title: Data Scientist"), a
    title-like line right after a heading ("Job Description" / "Sr. Data Scientist"), or a title-like
    first or second line ("Senior Data Scientist (H/F)"; the second after a company or location line).
    Other "key: value" lines ("Job ID: 123", "Location: Paris") are skipped.
    """
    seen = 0
    after_heading = False
    lines = text[:2000].splitlines()  # the header is a few short lines
    for k, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith(("**", "__")) and line.endswith(("**", "__")):  # a bold markdown line
            line = line.strip("*_ ")
        if not line:
            continue
        seen += 1
        if len(line) > 150:  # a paragraph: the header is over
            return None
        labelled = _LABELLED_TITLE.match(line)
        if labelled:
            value = labelled.group("title").strip(" _*")
            if _title_like(value):
                return value
        elif _TITLE_HEADING.match(line):
            after_heading = True
            continue
        elif not _KEY_VALUE.match(line):
            if (seen <= 2 or after_heading) and _title_like(line) and not _goes_on(lines, k):
                return line
            after_heading = False
        if seen >= _HEADER_LINES:
            return None
    return None


def _goes_on(lines: list[str], k: int) -> bool:
    """Whether line ``k``'s sentence goes on in the next line (hard-wrapped text: it starts in lower case)."""
    following = lines[k + 1].lstrip() if k + 1 < len(lines) else ""
    return following[:1].islower()
