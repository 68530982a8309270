"""Language detection by function-word counts (no model, no download).

Returns ``en`` or ``fr`` for the languages rolematch supports, the code of the
other language it recognises (``de``, ``es``, ``nl``, ``it``, ``pt``, ``ca``, ``da``,
``no``, ``sv``, ``ro``, ``pl``, ``cs``, ``id``), or ``unknown`` when the text has
too few words to tell.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

SUPPORTED = ("en", "fr")

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to is are with for you our we will be this that an or your from have at by as "
                    "on it in who what which their they can all about team work experience".split()),
    "fr": frozenset("le la les des et du un une est pour dans vous nous avec sur au aux que qui ce votre vos nos "
                    "notre sont par ou ses leur cette être avez êtes d l qu".split()),
    "de": frozenset("der die das und ist mit für wir sie ein eine zu von den dem auf nicht ihre bei im sind "
                    "oder auch unsere unser werden".split()),
    "es": frozenset("el los las y del con para por una es se su al como más nuestro nuestra sus lo le "
                    "somos buscamos tu".split()),
    "nl": frozenset("het een van en op met voor zijn wij je jouw naar bij ons onze ook niet wordt worden "
                    "heb hebt dat deze".split()),
    "it": frozenset("il di che e per con del della una sono nel alla gli dei delle siamo nostro nostra "
                    "anche più come".split()),
    "pt": frozenset("o os do da em um uma com não no na dos das seu sua você nós também mais "
                    "estamos nosso nossa".split()),
    # languages a job board also carries, listed so that they are named (and refused) rather than scored as
    # English or French; only words that are not English or French words, abbreviations (ALS, SOM, HAR, ER, AV,
    # AF, ITU) or common names (Dan, Yang), found by bug hunts on postings of each kind
    "es2": frozenset("experiencia equipo trabajo empresa datos conocimientos desarrollo ofrecemos requisitos muy "
                     "pero sobre también hasta desde nuestros nuestras".split()),
    "ca": frozenset("els amb dels seva busquem oferim treball també nostre nostra perquè seus aquest aquesta feina "
                    "experiència coneixements dades desenvolupament equips serveis".split()),
    "da": frozenset("og på ikke vil kan vores skal også eller hos til erfaring arbejde stilling ansøgning kollegaer "
                    "opgaver virksomhed være bliver søger noget hvert gennem meget".split()),
    "no": frozenset("og på ikke vil kan vår våre skal også eller hos erfaring arbeid stilling søknad kolleger "
                    "oppgaver bedrift være blir vårt jobbe noe hver søker ønsker gjennom mye liker".split()),
    "sv": frozenset("och är att på inte vill kan vår våra ska också eller hos erfarenhet arbete tjänst ansökan "
                    "kollegor uppgifter företag vara blir".split()),
    "ro": frozenset("și în pentru este sunt noastre nostru echipa experiență sau".split()),
    "pl": frozenset("się że jest dla oraz nie jako lub przez są nasz nasza naszego naszej naszym doświadczenie "
                    "doświadczenia pracy pracować zespół zespołu zespole będziesz masz jesteś który która które "
                    "danych".split()),
    "cs": frozenset("že jsou nebo naše náš také práce tým zkušenosti jsme hledáme nabízíme budete bude oblasti "
                    "znalost znalosti vývoj zkušenost pozice".split()),
    "id": frozenset("untuk dengan dalam atau pada tidak sebagai adalah kerja pengalaman perusahaan".split()),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: The languages function words are counted for, in score order ("es2": more Spanish words, added to "es").
LANGUAGES = tuple(_STOPWORDS)
#: Each function word's hits, one per language of LANGUAGES (a word can be one in several languages).
_HITS: dict[str, tuple[int, ...]] = {
    w: tuple(int(w in stop) for stop in _STOPWORDS.values()) for w in set().union(*_STOPWORDS.values())}
#: No function word at all (a whitespace piece's hits).
NO_HITS = (0,) * len(LANGUAGES)


def language_scores(text: str, max_chars: int = 3000) -> dict[str, int]:
    """Function-word hits per language over the first ``max_chars`` characters."""
    return dict(zip(LANGUAGES, function_word_hits(text[:max_chars])))


def function_word_hits(text: str) -> tuple[int, ...]:
    """Function-word hits of ``text``, one count per language of :data:`LANGUAGES`.

    Words are runs of letters of the lower-cased text, so the hits of a text are
    the sum of the hits of its whitespace-separated pieces.
    """
    hits = _HITS
    found = [hits[w] for w in _WORD.findall(text.lower()) if w in hits]
    if not found:
        return NO_HITS
    return found[0] if len(found) == 1 else tuple(map(sum, zip(*found)))


def best_language(scores: dict[str, int]) -> str:
    """The language with most hits (the first on a tie: English, then French), or ``unknown`` under 3 hits.

    No share of English or French words is asked for: postings written as lists of tools or ``key: value``
    lines have few common words, 3-8 % (helper 93)."""
    langs = dict(scores)
    langs["es"] = langs.get("es", 0) + langs.pop("es2", 0)
    lang, best = max(langs.items(), key=lambda kv: kv[1])
    return "unknown" if best < 3 else lang


#: English and French both this share of the leader's hits (and 3 or more): the posting may mix a body in
#: one with boilerplate (company blurb, benefits, equal-opportunity statement) in the other.
MIXED_SHARE = 0.25
#: How much text the boilerplate finder reads to set boilerplate aside when the languages mix.
MIXED_WINDOW = 20_000


def _mixed(scores: dict[str, int]) -> bool:
    en, fr = scores.get("en", 0), scores.get("fr", 0)
    return min(en, fr) >= 3 and min(en, fr) >= MIXED_SHARE * max(en, fr)


def refined_scores(scores: dict[str, int], text: str, max_chars: int = 3000) -> dict[str, int]:
    """``scores`` of ``text``, or, when English and French mix, the scores of its first ``max_chars``
    characters outside boilerplate -- if those still tell English or French.

    A French body with an English equal-opportunity statement (or an English company blurb before it) is
    French: the language of a posting is the language of its role text.
    """
    if not _mixed(scores):
        return scores
    from rolematch.boilerplate import headed_sections

    head = text[:MIXED_WINDOW]
    spans = headed_sections(head)
    if not spans:
        return scores
    kept, pos = [], 0
    for start, end in spans:
        kept.append(head[pos:start])
        pos = end
    kept.append(head[pos:])
    content = language_scores("\n".join(kept), max_chars)
    lang = best_language(content)
    # the role text holds most of its language's words (a salary line or a short intro left alone says little)
    return content if lang in SUPPORTED and content[lang] * 2 >= scores[lang] else scores


def detect_language(text: str) -> str:
    """Best language code for ``text``: ``en``, ``fr``, another code, or ``unknown``.

    Told from the first 3,000 characters; when English and French mix there, from the first 3,000
    outside boilerplate (:func:`refined_scores`).
    """
    return best_language(refined_scores(language_scores(text), text))


def _script(ch: str) -> str:
    """The script a letter's Unicode name starts with (``LATIN``, ``CYRILLIC``, ``ARABIC``...; kana count as ``CJK``)."""
    script = unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
    return "CJK" if script in ("HIRAGANA", "KATAKANA") else script


def unknown_language_reason(text: str | None, max_chars: int = 3000) -> str:
    """Why no language could be told: styled letters, a non-Latin script, too few common words, or too little text.

    Detection reads the first ``max_chars`` characters; so does this.
    """
    if text:
        head = text[:max_chars]
        letters = [c for c in head if c.isalpha()]
        scripts = Counter(_script(c) for c in letters)
        styled = sum(1 for c in letters if _script(c) != "LATIN"
                     and _script(unicodedata.normalize("NFKC", c)[:1] or c) == "LATIN")
        if len(letters) >= 20 and styled * 2 > len(letters):
            return "the text is written in styled Unicode letters (bold, italic or fullwidth); rolematch reads plain letters"
        others = Counter({k: v for k, v in scripts.items() if k != "LATIN"})
        if len(letters) >= 20 and sum(others.values()) * 2 > len(letters):
            script = others.most_common(1)[0][0]
            return f"the text is mostly in {script if script == 'CJK' else script.title()} script, not English or French"
        if len(_WORD.findall(head)) >= 30:
            return "too few common English or French words to tell the language (another language?)"
        if len(text) > max_chars:
            return f"no English or French words in its first {max_chars:,} characters, where the language is told"
    return "too little text to tell the language"
