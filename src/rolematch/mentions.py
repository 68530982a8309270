"""Role mentions: where a posting names a role, and whether it names itself or a colleague.

"As a Data Scientist you will..." or "Nous recherchons un(e) Data Scientist"
names the posting's own role; "you will work with data scientists" names a
colleague. Both are strong, domain-robust evidence, so they get a feature
block of their own (with character offsets for the evidence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rolematch.heads import Heads, scan
from rolematch.regexes import by_first_letter, in_company_name, lower_in_place
from rolematch.results import ROLES

_ROLES: dict[str, str] = {
    "data_scientist": r"data[\s-]?scien(?:tist|tists|ce)|datascientists?|scientifiques? des donn[ée]es"
                      r"|science des donn[ée]es|decision scientists?",
    "ml_engineer": r"(?:machine[\s-]learning|ml|mlops|ai|ia|deep[\s-]learning|llm|genai|computer vision|nlp)"
                   r"\s*(?:/\s*\w+\s*)?(?:software\s+)?(?:engineers?|ing[ée]nieur(?:e|s|es)?|developers?"
                   r"|d[ée]veloppeur(?:se|s|ses)?)"
                   # "Software Engineer, Machine Learning", "Software Engineer - ML" (helper 134)
                   # -- the ML field ends the title (not a list, "software engineers, ML engineers and data scientists",
                   # nor a product, "Software Engineer for AI-powered search", helper 136)
                   r"|software engineer(?:\s*[,–—-]\s*|\s+(?:in|for|on)\s+)(?:machine[\s-]learning|ml|ai|deep[\s-]learning"
                   r"|computer vision|nlp|llms?|genai)(?=[ \t]*(?:$|[,;:()|–—/]|-\s|\n))"
                   # "Ingénieur logiciel IA", "Ingénieur d'études et développement machine learning" (helper 134)
                   r"|ing[ée]nieur(?:e|\(e\)|·e|\.e)?s?\s+(?:(?:logiciels?|(?:d['’][ée]tudes et )?d[ée]veloppement"
                   r"|syst[èe]mes? embarqu[ée]s)\s+)?(?:en\s+)?(?:machine learning|ml|mlops|ia\b|intelligence artificielle"
                   r"|apprentissage automatique|vision par ordinateur)"
                   r"|d[ée]veloppeu(?:r|se|rs|ses)(?:\(se\)|·se)?\s+(?:ia|ml|machine learning|intelligence artificielle)|mlops",
    "ml_scientist": r"(?:research|applied|machine[\s-]learning|ml|ai|deep[\s-]learning|nlp|computer vision|rl)"
                    r"\s+scientists?|researchers?|chercheu(?:r|se|rs|ses)|research engineers?"
                    r"|scientifiques?\s+(?:en|de l'|de l’)\s?(?:ia|intelligence artificielle|apprentissage)",
    "data_analyst": r"data analysts?|analystes? (?:de |des )?donn[ée]es|(?:business|bi|reporting|marketing) analysts?"
                    r"|data analyste?s?|charg[ée](?:e|\(e\)|·e|\.e)? d['’](?:[ée]tudes|analyses?)"
                    # analysts of a trade, statisticians, actuaries (helper 108: no mention left these in scope)
                    r"|operations research analysts?"
                    r"|(?:credit risk|risk|financial|finance|claims|product|insights?|quantitative|operations|pricing"
                    r"|fraud|revenue|business intelligence|marketing analytics|analytics|reporting|crm|sales|supply chain"
                    r"|research) analysts?|analytics managers?|statisticians?|actuar(?:y|ies)|bi developers?"
                    r"|analystes? (?:risques?|financiers?|marketing|crm|pricing|fraude|reporting|bi)|(?:bio)?statisticien(?:ne)?s?|biostatisticians?"
                    r"|actuaires?",
    "data_engineer": r"data engineers?|ing[ée]nieur(?:e|\(e\)|·e|\.e)?s?\s+(?:data|big data|de donn[ée]es|donn[ée]es)"
                     r"|analytics engineers?|etl developers?",
    "software_engineer": r"software (?:engineers?|developers?|engineering managers?)"
                         r"|(?:backend|back-end|front-end|frontend|full[\s-]?stack|web|ui|ux|ui/ux|mobile|ios|android"
                         r"|react|angular|vue|typescript|javascript|node(?:\.js)?|php|ruby|rails|java|golang"
                         r"|game|unity|embedded|firmware|devops|qa|test|salesforce|wordpress)"
                         r"\s+(?:engineers?|developers?)|site reliability engineers?"
                         # not a certification, nor an AI/ML solutions architect ("AI Solutions Architect", helper 134)
                         r"|(?<!certified )(?<!\bai )(?<!\bml )(?<!learning )(?:solutions? architects?"
                         r"|(?:sales|solutions?|pre-?sales|support) engineers?)"
                         r"|d[ée]veloppeu(?:r|se|rs|ses)(?:\(se\)|·se)?\s+(?:web|logiciel|full[\s-]?stack|full"
                         r"|back[\s-]?end|back|front[\s-]?end|front|java|python|mobile|ios|android|react|angular|php"
                         r"|jeux vid[ée]o|unity)"
                         r"|ing[ée]nieur(?:e|\(e\)|·e|\.e)?s?\s+(?:logiciels?|devops|qa|tests?|syst[èe]mes? embarqu[ée]s"
                         r"|r[ée]seaux?|(?:d['’][ée]tudes et )?d[ée]veloppement|d[ée]veloppeu(?:r|se|rs|ses))"
                         r"|architecte(?:\(s\)|s)?\s+(?:solutions?|logiciels?)(?!\s+(?:ia|ai|ml|machine learning)\b)"
                         r"|programmeu(?:r|se|rs|ses)(?:\s*/\s*programmeu(?:r|se))?",
    "manager": r"(?:product|program|programme|project|risk|account|marketing|delivery|engagement|portfolio) managers?"
               r"|product owners?|chef(?:fe|\(fe\)|·fe)?s? de (?:projets?|produits?)"
               r"|responsables? (?:marketing|commercial|produit|projet)",
}
# every alternative above starts with one of these: the lookahead skips other positions fast
# (tests/test_mentions.py checks that it covers them all and finds the same matches)
_PREFIXES = ["data", "scien", "decision", "machine", "ml", "ai", "ia", "deep", "llm", "genai", "computer", "nlp",
             "ing[ée]nieur", "research", "applied", "rl", "cherch", "analys", "analytics", "business", "bi",
             "reporting", "marketing", "charg[ée]", "etl", "software", "back", "front", "full", "d[ée]velop",
             "credit", "risk", "financ", "claims", "product", "insight", "quantitative", "operations", "pricing",
             "fraud", "revenue", "crm", "sales", "supply", "statistic", "actua", "bio", "programm", "web", "ui",
             "ux", "mobile", "ios", "android", "react", "angular", "vue", "typescript", "javascript", "node", "php",
             "ruby", "rails", "java", "golang", "game", "unity", "embedded", "firmware", "devops", "qa", "test",
             "salesforce", "wordpress", "solution", "site", "architecte", "program", "project", "account", "delivery",
             "engagement", "portfolio", "chef", "responsable", "pre", "support"]
_ALTERNATION = "(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _ROLES.items()) + ")"
_PATTERN = re.compile(r"\b(?=" + by_first_letter(_PREFIXES) + ")" + _ALTERNATION + r"\b")
#: where a mention can start: its match begins with one of the prefixes (the lookahead above)
MENTION_HEADS = Heads(_PREFIXES)
# a word that introduces the posting's own role, then up to two words ("a senior", "notre futur(e)");
# a whole word: "apply", "understanding" or "large-scale" must not count as "a", "un" or "la"
_SELF_BEFORE = re.compile(
    r"(?:\b(?:(?:a|an|our|the|as|as an?|seeking|hiring|hire|for|looking for|join|become|new|senior|junior|lead|staff"
    r"|principal|un|une|notre|leur|le|la|en tant que|poste de|recherchons|recherchent|recrute|recrutons|cherchons|futur|future|que)\s+"
    r"|(?:un\(e\)|une?\(e\)|futur\(e\))\s*|(?:l|qu|poste d)['’])(?:[\w()'’·-]+\s+){0,2})$"
)
_OTHER_BEFORE = re.compile(
    r"\b(?P<cue>with|alongside|partner(?:ing)? with|support|supporting|other|fellow|and|between|than|versus|vs\.?"
    # other openings, team members: "we are also hiring a ...", "six engineers plus a product manager" (helper 134)
    # ("plus a/an/one", not "a plus" ending the line above nor "plus qu'un(e)", helper 136)
    r"|also (?:hiring|recruiting)|recrut(?:ons|e) [ée]galement|(?<!\ba )plus(?=[ \t]+(?:an?|one)\b)"
    r"|avec|aux côtés d[eu']s?|des|les|nos|et|entre|collaboration avec|team of|équipe de"
    # someone the posting's holder is supervised by, a team's members (helper 120)
    r"|supervision of|sous la (?:supervision|direction) (?:du|de la|d['’]une?)|consists of|made up of"
    r"|compos[ée]e? (?:de|du|d['’]une?))"
    r"\s+(?:l['’]\s*)?(?:[\w()'’-]+\s+){0,2}$"  # "avec l'ingénieur ML" (elided article)
)
# the person the posting reports to: "reporting to the Head of Data Science", "rattaché(e) à notre responsable
# data science" (not "As Head of Data Science, you will...": the posting's own role)
_REPORTS_TO = re.compile(
    r"\b(?:(?:reports?|reporting|report(?:erez|era|ez|ant)|rattach[ée](?:\(e\)|e)?|sous la responsabilit[ée])"
    r"(?: directly| directement)? (?:to|into|à|au|d[eu]?)"
    # a labelled line: "Reports to: Lead Data Scientist" (not a "Reporting:" heading over the next lines)
    # (also "Supervisor:", "Reporting Line:", "Line Manager:", "Reports To (Title):", helper 138)
    r"|(?:reports? to(?: \(title\))?|reporting(?: to| line)?|(?:hiring |line )?manager|supervisor(?: title)?)\s*:"
    r"(?![^\n]*\n))"
    r"\s+(?:l['’]\s*)?(?:(?!as\b|comme\b|en tant que\b)[\w()'’-]+\s+){0,3}$")
# someone who guides the posting's holder, or made or uses their work: "mentored by a Senior Data Scientist", "models
# built by our data science team", "encadré(e) par un Data Scientist" -- those participles only: "strengthened by a
# Senior Data Scientist", "renforcée par un Data Scientist", "filled by an ML Engineer" name the posting's own role
# (helper 123), as do "hired by Acme as Data Scientist" and "recrute par cooptation un ..." (helper 121)
_BY_BEFORE = re.compile(
    r"\b(?:mentored|coached|supervised|managed|guided|trained|led|built|developed|designed|maintained|used|reviewed"
    r"|owned|run|created|requested|produced|founded|(?:fond|encadr|accompagn|supervis|manag|dirig|pilot|form|tutor|coach|d[ée]velopp"
    r"|con[çc]u|construit|utilis|demand|maintenu|cr[ée]|produit|revu|relu)(?:é|ée|és|ées|é\(e\)|é·e|s|e)?)"
    r" (?:by|par)\s+(?:(?!as\b|comme\b|en tant que\b)[\w()'’-]+\s+){0,2}$")
# ("join our data science team" stays the posting's own role: read as a team's name, or as a team's with a key
# of its own, it cost 2-5 dev postings in session 15)
# "We are hiring Research Scientists", "Nous recrutons des chercheurs": a plural hiring is still the posting's role
_HIRING_PLURAL = re.compile(
    r"\b(?:we are hiring|we're hiring|we are recruiting|we're recruiting|we are seeking|we're seeking|we are looking for"
    r"|we're looking for|recrutons|recherchons|cherchons)\s+(?:(?:des|several|multiple|two|three|deux|trois|plusieurs)\s+)?(?:[\w()'’-]+\s+)?$")
# the posting's title line's qualifiers after its role: " – CDI – Paris", " | Remote", "(H/F)" do not make it a
# sentence
_TITLE_TAIL = re.compile(r"\s+[–—|-]\s+|\s*\((?:[hfmwdx]\s*/\s*)+[hfmwdx]\)|\s*,\s")
_SHORT_SENIORITY = ("sr.", "jr.", "sr. staff", "snr.")
# a headline's word after its role ("Data Scientists wanted for our new Paris office and team.", helper 129)
_HEADLINE_WORDS = frozenset("wanted needed sought recherchés recherchées recherché(e)s".split())
# what titles have and sentences do not: separators (" – ", " | ", " · ", "@", "/"), brackets, "H/F"
_TITLE_MARKS = re.compile(r"\s[–—|·•-]\s|[@/()\[\]]|\b[hfmwdx]\s*/\s*[hfmwdx]\b")
# what may follow the role of a qualified title: a level ("II"), a note in brackets ("(Remote)"), then qualifiers
_TITLE_END = re.compile(r"(?:\s+(?:[ivx]+|\d+|\([^)]*\)|\[[^]]*\]))*\s*(?:$|[–—|,-]\s|\(\s*[hfmwdx]\s*/)")
# words before a role on a first line that make it another job's title, a team's name or a sentence
_NOT_QUALIFIERS = frozenset(
    "recruiter recruiters recruiting talent manager managers director head owner partner designer developer engineer "
    "analyst consultant coordinator specialist architect administrator assistant officer project "
    "with our the for of and to work support supporting assist ask meet join hiring hire about team group corp inc "
    "ltd "
    "recruteur recruteuse recrutement chargé chargée chef responsable directeur directrice rejoignez nos notre avec "
    "pour et de des les".split())
# cue words that may be part of a title after a hiring verb ("seeks a Decision Support / Research Fellow ...")
_QUALIFIER_CUES = ("support", "supporting", "fellow")
_FEMININE = "e|se|euse|rice|ne|le"  # the endings inclusive writing adds after its dot
# "un·e", "UN·E", "nouvel·le", "un.e", "UN.E", "rattaché·e": a middle dot (or a bullet standing in for one,
# "ingénieur•e", helper 131), or a period between letters of one case,
# made plain by _context before any context test (so the patterns above need not know these forms);
# then a feminine ending ("Paris.Le" is two sentences glued)
_INCLUSIVE = re.compile(rf"(?<=\w)[·•](?=(?i:{_FEMININE})\b)|(?<=[a-zà-ÿ])\.(?=(?:e|se|euse|rice|ne)\b)"
                        r"|(?<=[A-ZÀ-Þ])\.(?=(?:E|SE|EUSE|RICE|NE)\b)")
_BULLET_DOT = re.compile(rf"(?<=\w)•(?=(?:{_FEMININE})s?\b)")
# French names whose noun comes first ("ingénieurs machine learning")
_NOUN_FIRST = ("ingénieur", "ingenieur", "scientifique", "analyste", "développeu", "developpeu", "chargé", "charge",
               "chef", "responsable", "architecte")
# "Chercheur / Chercheuse ...", "MLOps Engineer / Ingénieur MLOps": a title's role named twice
_PAIR_BETWEEN = re.compile(r"\s*/\s*")

# "a product manager or a machine learning engineer": the role right after "or a" is another (not "junior or a
# senior Data Scientist", where a word comes between)
_OR_BEFORE = re.compile(r"(?<!\bun )(?<!\bune )\b(?:or|ou)\s+(?:an?|une?|un\(e\)|une\(e\))\s*$")  # not "un ou une X"

# the word before "or a"/"ou un(e)" (see _gendered)
_WORD_BEFORE_OR = re.compile(r"(\w+)\s+(?:or|ou)\s+(?:an?|une?|un\(e\)|une\(e\))\s*$")
_WORD_CHAR = re.compile(r"\w")
_GENDER_PAIR = re.compile(r"\s+ou\s+une?\s+")
# "and" with an article: another noun phrase ("hiring a Product Manager and a Data Scientist will..."), not
# qualifiers of one ("a highly motivated and experienced machine learning engineer")
_AND_ARTICLE = re.compile(r"\b(?:and|et)\s+(?:a|an|the|our|un|une|le|la|les|des|nos|notre|l['’])\s*(?:[\w()'’-]+\s+){0,2}$")

# "Job Title: ", "Poste : ": a labelled title line names the posting's own role
# (bold or not: "**Job Title:** ...", "**Poste** : ...", helper 137)
_TITLE_LABEL = re.compile(r"(?:job title|position title|job|title|position|role|poste|intitul[ée](?: du poste)?"
                          r"|offre(?: d'emploi)?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*")

# "expanding and seeks a Machine Learning Scientist": a hiring verb right before the role names the posting's own,
# whatever "and" comes before it
_HIRING_VERB = re.compile(
    r"(?<!support )(?<!supporting )(?<!help )(?<!helping )\b(?:seeks|seeking|hiring|is looking for|are looking for"
    r"|looks for|recherche|cherche|recrute)\s+(?:an?|une?|un\(e\)|une\(e\))\s+"
    # up to five words of qualifiers ("a qualified or nearly qualified Pricing Actuary", helper 124), none a
    # preposition ("seeking a candidate experienced in data science" names a field)
    # (nor "by"/"par", "into"/"à", "who"/"qui": "an intern supervised by a ...", "rattaché à notre ...", "a manager
    # who will coordinate our ...", helper 126)
    # (nor a possessive or "like": "a lot this year and our Data Scientist team", "a Delivery Lead like their Data
    # Scientist", helper 127)
    r"(?:(?!(?:in|with|for|of|to|at|on|by|into|under|who|whose|which|that|whom|like|about|than|our|their|his|her|its"
    r"|en|de|des|du|avec|pour|dans|chez|sur|par|à|au|aux|sous|qui|que|dont|comme|notre|nos|leur|leurs)\b)"
    r"[\w()'’·-]+\s+){0,5}$")
# "a PhD in Computer Science, Data Science or Statistics": a field of study, not a role of anyone
_FIELD_BEFORE = re.compile(
    r"\b(?:degree|ph\.?d\.?|doctorat|doctorate|(?:master|bachelor)(?:'?s)?(?: of (?:science|arts|engineering))?(?: \d)?"
    r"|bac ?\+ ?\d|m\.?sc|b\.?sc|m\.s\.|b\.s\.|dipl[ôo]m[ée]e?|formation|background|studies|[ée]tudes(?: sup[ée]rieures)?"
    r"|major(?:ing)?)(?: degree)?(?: \([^)]{0,30}\))? (?:in|en|de|d['’])"
    # then fields, not the way to the posting's team or role ("études de marché pour notre équipe data science",
    # "a PhD in statistics, as a Data Science Lead")
    r"(?:(?!\b(?:join|joining|rejoindre|rejoignez|rejoindrez|team|teams|équipes?|pôle|pour|notre|nos|our|your|you"
    r"|vous|tu|il|elle|we|sein|is|are|est|sont|will|as an?|en tant que|candidat|candidate)\b)[^.;:?!\n]){0,70}"
    r"(?<!\bthe )(?<!\bla )(?<!\ble )(?<!\bles )(?<!\bl')(?<!\bthis )(?<!\bce )(?<!\bcette )$")
# ("Interest in machine learning and data science", "experience in data science" and bare "MLOps" are read as
# colleagues: left out, they cost 1-2 dev postings in session 15 -- they are data-science and MLOps signal too)
_FIELD_NAMES = ("data science", "science des données", "science des donnees")

# a role named after prior experience of it: "3+ years of experience as a web developer", "background as an Android
# developer", "expérience en tant qu'ingénieur logiciel", "a former web developer" (helper 134) -- another job's
# experience asked of the holder; for the roles rolematch tells apart (ROLES), "5 years of experience as a Data
# Scientist" still names the posting's own (read as a colleague, three dev postings moved toward the wrong role)
_EXPERIENCE_BEFORE = re.compile(
    r"(?:\b(?:experience|experienced|background|years?|yrs|career|worked|working|previously|exp[ée]rience|ann[ée]es|ans"
    r"|parcours)\b[^.;:!?\n]{0,25}?\b(?:as\s+(?:an?\s+)?|en tant qu(?:e\s+|['’]\s*)|comme\s+)(?:une?\s+|un\(e\)\s*)?"
    r"|\b(?:former|formerly|ex|ancien|ancienne|ancien\(ne\))[\s-]+)(?:[\w()'’·-]+\s+){0,2}$")
# a team's members or a list of roles: the item after a counted group of people ("two scientists, an ML engineer",
# "trois data analysts, un data scientist") or right after another role ("four ML engineers, a data scientist", see
# _LIST_JOIN) -- not after any phrase with an article ("pour l'un de nos clients, un(e) Data Scientist", "a curious
# mind, a Data Scientist at heart", helper 136)
_LIST_ITEM_BEFORE = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|deux|trois|quatre|cinq|six|sept|huit|neuf|dix"
    r"|plusieurs)\s+(?:[\w'’-]+\s+){0,2}(?:engineers|scientists|analysts|developers|designers|managers|researchers"
    r"|statisticians|architects|ing[ée]nieur(?:e|\(e\)|·e)?s|analystes|d[ée]veloppeu(?:r|se)s|chercheu(?:r|se)s"
    r"|scientifiques)(?:\s*\([^)]*\))?\s*,\s*(?:and\s+|et\s+)?(?:an?|une?|un\(e\)|one)\s+(?:[\w()'’·-]+\s+){0,2}$")
# what joins a role to the one before it in a list: ", a ", " and an ", ", et un(e) "
_LIST_JOIN = re.compile(r"\s*(?:\([^)]*\))?\s*(?:,|\band\b|\bet\b|,\s*and\b|,\s*et\b)\s*"
                        r"(?:an?|une?|un\(e\)|one)\s+(?:[\w()'’·-]+\s+){0,2}")
# The jobs postings are confused with, not the roles rolematch tells apart, are named in passing far more often
# than as the posting's own ("present results to the product manager", "our DevOps engineer will help you",
# "- Product Manager" under "Key relationships", helpers 134-135): they are the posting's own only after a
# hiring verb, on its title line (first or labelled) or right after "as a" / "en tant que" / "looking for a".
_STRICT_ROLES = frozenset({"manager", "software_engineer"})
_STRONG_SELF = re.compile(
    r"\b(?:(?:as|as an?|en tant que|looking for an?|poste de|(?:recherchons|recrutons|cherchons) (?:une?|un\(e\)))\s+"
    r"|(?:en tant qu|poste d)['’]\s*)(?:[\w()'’·-]+\s+){0,2}$")
# "a role such as Data Scientist, ...": a list of examples, not the posting's own role
_LIST_BEFORE = re.compile(r"\b(?:such as|e\.g\.|including|like|tels? que|telles? que|comme)\s*(?:an?\s+|une?\s+)?$")


@dataclass(frozen=True)
class Mention:
    """A role named in the text: which role, whether it names the posting itself, and where."""

    role: str
    own: bool
    start: int
    end: int

    @property
    def key(self) -> str:
        return f"mention:{self.role}:{'own' if self.own else 'other'}"


def find_mentions(text: str, starts: Sequence[int] | None = None) -> list[Mention]:
    """Role mentions in ``text`` (matched case-insensitively).

    ``starts``: where :data:`MENTION_HEADS` start words in ``text.lower()``, when
    known (:meth:`rolematch.pieces.PieceIndex.head_starts`); only those are tried.
    """
    low = lower_in_place(text)
    if "•" in low:  # "ingénieur•e": a bullet standing in for the middle dot of inclusive writing (same length)
        low = _BULLET_DOT.sub("·", low)
    out: list[Mention] = []
    title_end = -1  # where the last title-line mention ended
    for m in scan(_PATTERN, low, starts):
        role = m.lastgroup or ""
        before = _context(text, m.start(), 40)
        words = m.group().split()
        # the noun that takes the plural: "analyste(s) de données", "ingénieur(s) machine learning"
        head = words[0] if len(words) > 1 and (words[-1].startswith("donn") or words[0].startswith(_NOUN_FIRST)) \
            else words[-1]
        plural = head.endswith("s") and not head.endswith(("ss", "mlops"))
        line_start = low.rfind("\n", 0, m.start()) + 1
        line_end = low.find("\n", m.end())
        line = low[line_start:line_end if line_end >= 0 else len(low)]
        lead = low[line_start:m.start()].lstrip(" -*•#\t")  # what precedes it on its line
        paired = title_end > line_start and bool(_PAIR_BETWEEN.fullmatch(low, title_end, m.start()))
        # the posting's title line (its qualifiers are not words) -- not a sentence that opens the posting
        # ("Data scientists at Acme build the models behind our pricing.", helper 120)
        first_line = not low[:line_start].strip() and not (plural and _sentence_line(line, m.end() - line_start))
        # a qualified role must end its title and be no field ("Data Science Manager", "VP Data Science")
        ends_title = (m.group() not in _FIELD_NAMES
                      and bool(_TITLE_END.match(low, m.end(), line_start + len(line.rstrip("\n")))))
        # the first line may qualify its role: "Geospatial Data Scientist", "Sr. Data Scientist"
        qualified = (first_line and ends_title
                     and (lead.strip() in _SHORT_SENIORITY or _capitalised(text[line_start:m.start()])))
        # so may a labelled title line ("Job Title: Senior Product Manager", helper 137; not "Poste :
        # Enseignant-Chercheur en Marketing", helper 138)
        labelled = _labelled_title(lead, text, m.start(), ends_title)
        # a title line, bare or labelled ("Job Title: ..."), or a first line that qualifies its role
        # (on the first line, a lead of symbols only is an emoji or a bullet: "🚀 Machine Learning Engineer", helper
        # 125; not on later lines, where "→ ML Engineer" may be an item of a list of colleagues, helper 126)
        heading = ((not lead.strip(" -*•#:\t") or (first_line and not _WORD_CHAR.search(lead))
                    or labelled or paired or qualified)
                   and (_title_words(line, m.end() - line_start) if first_line else len(line.split())) <= 10
                   and not in_company_name(line, m.end() - line_start))  # "Data Science Consulting GmbH"
        if m.group() in _FIELD_NAMES and _FIELD_BEFORE.search(low, max(0, m.start() - 80), m.start()):
            continue  # a field of study
        hiring = plural and bool(_HIRING_PLURAL.search(before))
        other = _OTHER_BEFORE.search(before)
        # "is expanding and seeks a ...": a hiring verb outweighs "and"/"et" or a cue word after it, not "with"
        # before it ("help with hiring a ...")
        wide = _context(text, m.start(), 90)  # up to five qualifiers may come between the verb and the role
        verb = _HIRING_VERB.search(wide)
        # ("and" after the verb is another role or clause: "hiring a Product Manager and a Data Scientist will...";
        # so are "or a ..." and "such as a ...", helper 128)
        cue_after = verb is not None and other is not None and other.start() + len(wide) - len(before) > verb.start()
        hiring_verb = verb is not None and (
            other is None or (other.group("cue") in ("and", "et") and not (cue_after and _AND_ARTICLE.search(before)))
            or (cue_after and other.group("cue") in _QUALIFIER_CUES)  # "a Decision Support Data ..."
        ) and not (_OR_BEFORE.search(before) and not _gendered(before, low[m.start():m.end()])) \
            and not _LIST_BEFORE.search(before)
        # bare "MLOps" is a practice ("maîtrisant Python et le MLOps"), not a role the posting names as its own
        own = (not plural or hiring or (heading and first_line)) and m.group() != "mlops" and (
            heading or hiring or hiring_verb
            or (bool(_SELF_BEFORE.search(before)) and other is None and not _BY_BEFORE.search(before)
                and not _REPORTS_TO.search(_context(text, m.start(), 60))
                and not (role not in ROLES and _EXPERIENCE_BEFORE.search(before))
                and not _LIST_ITEM_BEFORE.search(wide)
                and not (out and m.start() - out[-1].end <= 40 and _LIST_JOIN.fullmatch(low, out[-1].end, m.start()))
                and not _OR_BEFORE.search(before) and not _LIST_BEFORE.search(before)))
        if own and role in _STRICT_ROLES and not (
                hiring or hiring_verb or _STRONG_SELF.search(before)
                or (heading and (first_line or paired or labelled))):
            own = False
        if heading:
            title_end = m.end()
        if out and out[-1].role == role and _GENDER_PAIR.fullmatch(low, out[-1].end, m.start()):
            own = out[-1].own  # "un chercheur ou une chercheuse": one role named in both genders
        out.append(Mention(role, own, m.start(), m.end()))
    return out


def _labelled_title(lead: str, text: str, start: int, ends_title: bool) -> bool:
    """Whether ``lead``, what precedes the role at ``start`` on its line (lower case), is a title label, then
    nothing or (when the role ends the title) up to three capitalised qualifiers ("Job Title: Senior "; not
    "Role: assist the ")."""
    label = _TITLE_LABEL.match(lead)
    if label is None:
        return False
    qualifiers = text[start - (len(lead) - label.end()):start]
    return not qualifiers.strip() or (ends_title and _capitalised(qualifiers))


def _context(text: str, start: int, size: int) -> str:
    """The ``size`` characters of ``text`` before ``start``, lower-cased, with French inclusive writing made plain
    for the context tests: "un·e", "un.e" -> "une", "rattaché·e" -> "rattachée" (not "Paris.Le", a sentence
    glued to the next; the result is tested, never indexed)."""
    before = text[max(0, start - size):start]
    if "·" in before or "." in before or "•" in before:
        before = _INCLUSIVE.sub("", before)
    return lower_in_place(before)


def _capitalised(lead: str) -> bool:
    """Up to three capitalised words and nothing else ("Geospatial ", "Applied ", "Machine Learning "): a title's
    qualifiers, not a sentence ("You'll apply ")."""
    words = lead.strip(" -*•#\t").split()
    return 0 < len(words) <= 3 and all(w[:1].isupper() and w.replace("-", "").replace("&", "").isalpha()
                                       and w.lower() not in _NOT_QUALIFIERS for w in words)


def _gendered(before: str, role: str) -> bool:
    """Whether the word before "ou un(e)"/"or a" is the role's first word in another gender ("une ingénieure ou un
    ingénieur en apprentissage automatique": one role)."""
    m = _WORD_BEFORE_OR.search(before)
    words = role.split()
    first = words[0] if words else ""
    return m is not None and len(first) >= 5 and m.group(1)[:6] == first[:6]


def _sentence_line(line: str, end: int) -> bool:
    """A first line that is a sentence opening with a (plural) role, not a title line: nine words or more ending in
    ``.``/``?``, two of them or more after the role, none of a title's marks ("Data scientists at Acme build the
    models behind our pricing.", not "Data Scientists wanted for our Paris office." (helper 123) nor "Data
    Scientists H/F – CDI – Paris, Lyon ou Nantes – Postulez vite !" (helpers 127, 128))."""
    if not line.rstrip().endswith((".", "?")) or len(line.split()) < 9 or _TITLE_MARKS.search(line):
        return False  # "!" ends headlines ("Machine Learning Engineers wanted in Paris, Lyon and Lille!", helper 128)
    after = line[end:].split()
    return len(after) >= 2 and after[0].strip(",;:") not in _HEADLINE_WORDS


def _title_words(line: str, end: int) -> int:
    """Words of a title line up to its qualifiers (" – CDI – Paris", "(H/F)"), the role (ending at ``end``) included."""
    tail = _TITLE_TAIL.search(line, end)
    return len(line[:tail.start() if tail else len(line)].split())


def mention_keys(mentions: list[Mention], length: int) -> list[str]:
    """Feature keys: per role, own/other mentions, plus an ``early`` key for an own mention in the first fifth."""
    keys = []
    for mn in mentions:
        keys.append(mn.key)
        if mn.own and mn.start < max(400, length // 5):
            keys.append(f"mention:{mn.role}:early")
    return keys
