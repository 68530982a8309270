"""Role mentions and boilerplate cues: what they find, and that their speed-ups lose nothing."""

from __future__ import annotations

import re

import pytest

from rolematch import boilerplate, mentions
from rolematch.mentions import find_mentions
from rolematch.regexes import by_first_letter


@pytest.mark.parametrize("text, role, own, named", [
    ("As a Data Scientist you will build models.", "data_scientist", True, "Data Scientist"),
    ("Nous recherchons un(e) Data Scientist confirmé(e).", "data_scientist", True, "Data Scientist"),
    ("You will work closely with data scientists and analysts.", "data_scientist", False, "data scientists"),
    ("Sourcer des profils maîtrisant Python, PyTorch et le MLOps.", "ml_engineer", False, "MLOps"),
    ("My biotech client is expanding and seeks a Machine Learning Scientist to develop methods.", "ml_scientist",
     True, "Machine Learning Scientist"),  # a hiring verb after "and"
    ("4+ years in a role such as Data Scientist or analyst.", "data_scientist", False, "Data Scientist"),
    ("des profils comme data scientist", "data_scientist", False, "data scientist"),
    ("Senior Machine Learning Engineer\nAbout the team", "ml_engineer", True, "Machine Learning Engineer"),
    ("Rejoignez-nous en tant que Data Scientist.", "data_scientist", True, "Data Scientist"),
    ("Le poste d'ingénieur machine learning est basé à Lyon.", "ml_engineer", True, "ingénieur machine learning"),
    ("Ils recherchent leur premier Data Scientist.", "data_scientist", True, "Data Scientist"),
    # a word that merely starts like "a", "un" or "la" introduces nothing
    ("You'll apply data science methods to fraud.", "data_scientist", False, "data science"),
    ("An excellent understanding of data science techniques.", "data_scientist", False, "data science"),
    ("Hands-on work on large-scale data science projects.", "data_scientist", False, "data science"),
    # a labelled title line names the posting itself; other "label: role" lines do not
    ("Job Title: Machine Learning Scientist\nAbout us", "ml_scientist", True, "Machine Learning Scientist"),
    ("- Poste : Data Scientist H/F\nNotre équipe", "data_scientist", True, "Data Scientist"),
    ("Reports to: Data Scientist lead\n", "data_scientist", False, "Data Scientist"),
    ("Data Science Consulting GmbH\nWe sell cars.", "data_scientist", False, "Data Science"),  # the employer's name
    ("Data Scientist - Contoso Corp\nWe sell cars.", "data_scientist", True, "Data Scientist"),  # title, employer
    ("Machine Learning Engineer at Acme Inc.\nAbout", "ml_engineer", True, "Machine Learning Engineer"),
    ("Machine Learning Engineer (12-month limited contract)\n", "ml_engineer", True, "Machine Learning Engineer"),
    # a comparison or a list names other roles; bare "MLOps" is a practice, not the posting's role
    ("You know the difference between an ML engineer and an analyst.", "ml_engineer", False, "ML engineer"),
    ("More of a builder than a data scientist.", "data_scientist", False, "data scientist"),
    ("Vous recruterez des développeurs et des data scientists.", "data_scientist", False, "data scientists"),
    ("We are hiring a Senior or Staff ML Engineer.", "ml_engineer", True, "ML Engineer"),  # "or" + seniority
    ("You pair with a product manager or a machine learning engineer.", "ml_engineer", False,
     "machine learning engineer"),
    # "données" ends in s, the name is singular (Québec's title for a data scientist)
    ("Nous recherchons un scientifique des données.", "data_scientist", True, "scientifique des données"),
    ("Avec nos scientifiques des données.", "data_scientist", False, "scientifiques des données"),
    # a title line with its qualifiers ("(H/F) – CDI – Lyon") or its role named twice is still a title (helper 104)
    ("Data Scientist confirmé(e) – Marketing & Connaissance client (H/F) – CDI – Lyon\n\nNous", "data_scientist",
     True, "Data Scientist"),
    ("- Work with engineers / data scientist\n", "data_scientist", False, "data scientist"),
    # the person the posting works with or reports to is a colleague, with an elided article too
    ("Vous travaillerez en binôme avec l'ingénieur ML de l'équipe.", "ml_engineer", False, "ingénieur ML"),
    ("Reporting to the Head of Data Science, you will build dashboards.", "data_scientist", False, "Data Science"),
    ("Vous serez rattaché(e) à notre responsable data science.", "data_scientist", False, "data science"),
    # the managerial role the posting itself is (helper 106)
    ("As Head of Data Science, you will lead the team.", "data_scientist", True, "Data Science"),
    ("En tant que responsable data science, vous piloterez l'équipe.", "data_scientist", True, "data science"),
    # only the first line's qualifiers are not words: a long body line that starts with a role is a sentence
    ("Data Scientist\n\nResearch Scientist – a colleague of yours – will review your experiments every week with "
     "the rest of the team.\n", "ml_scientist", False, "Research Scientist"),
    ("Data Scientist\n\nYou will work with:\n- ML Engineer, who deploys your models to production and maintains the "
     "serving infrastructure\n", "ml_engineer", False, "ML Engineer"),
    # a plural hiring by someone else is not the posting's role; a French plural is on its first word
    ("The team is hiring data scientists and you will mentor them.", "data_scientist", False, "data scientists"),
    ("Nous recrutons des ingénieurs machine learning.", "ml_engineer", True, "ingénieurs machine learning"),
    ("Avec nos ingénieurs machine learning.", "ml_engineer", False, "ingénieurs machine learning"),
    # a hiring verb of the posting's own manager is no hiring of the posting (helper 109)
    ("You will grow the team and hire a Data Engineer.", "data_engineer", False, "Data Engineer"),
    ("You will support hiring a Data Analyst for the growth squad.", "data_analyst", False, "Data Analyst"),
    # ... but a company that grows "and hiring a" / "et recrute un" hires for the posting (helper 111)
    ("The company is growing fast and hiring a Data Scientist to join the team.", "data_scientist", True,
     "Data Scientist"),
    ("La société se développe et recrute un Data Scientist pour son équipe.", "data_scientist", True, "Data Scientist"),
    ("Nous recherchons un·e Chargé·e d'études statistiques.", "data_analyst", True, "Chargé·e d'études"),
    ("Nous recherchons un.e Ingénieur.e Machine Learning pour notre équipe.", "ml_engineer", True,
     "Ingénieur.e Machine Learning"),
    # inclusive articles do not hide a colleague (helper 112)
    ("Vous travaillerez avec un·e data scientist et deux ingénieurs.", "data_scientist", False, "data scientist"),
    ("Vous serez rattaché·e à un·e data scientist senior.", "data_scientist", False, "data scientist"),
    # "help with hiring a": a recruiter's task, not the posting's role (helper 112)
    ("As Talent Partner, you will help with hiring a Machine Learning Engineer.", "ml_engineer", False,
     "Machine Learning Engineer"),
    # studies, training or a background before the posting's team is no field of study (helper 112)
    ("Vous réaliserez des études de marché et des analyses pour notre équipe data science.", "data_scientist", True,
     "data science"),
    ("Whatever your background in tech, join our Data Science team and grow.", "data_scientist", True,
     "Data Science"),
    # a sentence glued to the next ("Paris.Le") is no inclusive form; title qualifiers after a hiring verb (helper 113)
    ("Poste ouvert aux candidat·es et à Paris.Le data scientist conçoit les modèles.", "data_scientist", True,
     "data scientist"),
    ("Acme is looking for a Decision Support Data Scientist to join our clinical team.", "data_scientist", True,
     "Data Scientist"),
    # "with" after a hiring verb still names a colleague; capitals and "·le" are inclusive forms too (helper 114)
    ("We are looking for an engineer with data science experience.", "data_scientist", False, "data science"),
    ("VOUS TRAVAILLEREZ AVEC UN·E DATA SCIENTIST SUR LES MODÈLES.", "data_scientist", False, "DATA SCIENTIST"),
    ("Vous travaillerez avec notre nouvel·le data scientist sur les modèles.", "data_scientist", False,
     "data scientist"),
    # a degree before the posting's own role is no field of study (helper 114)
    ("With a high degree of independence, the Data Science Manager will drive the roadmap.", "data_scientist", True,
     "Data Science"),
    ("With a PhD in statistics, as a Data Science Lead you will mentor the team.", "data_scientist", True,
     "Data Science"),
    # a degree word is a field of study only before "in"/"en" (helper 109)
    ("With a background in physics, you will join our data science team.", "data_scientist", True, "data science"),
    ("You will lead a major data science initiative.", "data_scientist", True, "data science"),
    # French inclusive writing and job names (helper 110)
    ("Chargé·e d'études statistiques (H/F)\nNotre équipe", "data_analyst", True, "Chargé·e d'études"),
    ("Ingénieur·e Machine Learning\nNotre équipe", "ml_engineer", True, "Ingénieur·e Machine Learning"),
    ("Ingénieur.e data\nNotre équipe", "data_engineer", True, "Ingénieur.e data"),
    # a bullet standing in for the middle dot (helper 131)
    ("Ingénieur•e Machine Learning\nNotre équipe", "ml_engineer", True, "Ingénieur•e Machine Learning"),
    ("Nous recrutons un•e ingénieur•e machine learning.", "ml_engineer", True, "ingénieur•e machine learning"),
    ("Vous serez rattaché•e à un•e data scientist senior.", "data_scientist", False, "data scientist"),
    ("Biostatisticien (H/F)\nNotre équipe", "data_analyst", True, "Biostatisticien"),
    ("Programmeur / programmeuse 3D (H/F)\nNotre studio", "software_engineer", True, "Programmeur / programmeuse"),
    # a title line may qualify its role (helper 108)
    ("Geospatial Data Scientist\nWe map cities.", "data_scientist", True, "Data Scientist"),
    ("Sr. Data Scientist\nWe map cities.", "data_scientist", True, "Data Scientist"),
    ("Machine Learning Research Scientist\nWe train models.", "ml_scientist", True, "Research Scientist"),
    ("Credit Risk Analyst\nWe lend money.", "data_analyst", True, "Credit Risk Analyst"),
    ("Product Data Scientist\nWe sell.", "data_scientist", True, "Data Scientist"),  # helper 111
    ("Robotics Machine Learning Engineer (Contract)\nWe build.", "ml_engineer", True, "Machine Learning Engineer"),
    ("Geospatial Data Scientist II\nWe map.", "data_scientist", True, "Data Scientist"),
    # ... but not when the words before it are another job, a team or a sentence (helper 109)
    ("Technical Recruiter Data Science\nYou will source candidates.", "data_scientist", False, "Data Science"),
    ("Work With Our Data Scientists\nYou will.", "data_scientist", False, "Data Scientists"),
    ("Operations Research Analyst\nWe plan routes.", "data_analyst", True, "Operations Research Analyst"),
    # "reporting to our CTO as Data Scientist": the posting's own role after "as"; "directly" changes nothing
    ("Reporting to our CTO as Data Scientist you will build our first models.", "data_scientist", True,
     "Data Scientist"),
    ("You will report directly to our Lead Data Scientist.", "data_scientist", False, "Data Scientist"),
    ("Ingénieurs Machine Learning (H/F) – CDI – Paris\nVous rejoindrez notre équipe.", "ml_engineer", True,
     "Ingénieurs Machine Learning"),  # a plural title line
    # a plural hiring names the posting's own role
    ("We are hiring Research Scientists to drive our research.", "ml_scientist", True, "Research Scientists"),
    ("Nous recrutons des chercheurs en apprentissage automatique.", "ml_scientist", True, "chercheurs"),
    # a first line that is a sentence opening with a role is no title (helper 120); a dash still sets a title apart
    ("Data scientists at Acme build the models behind our pricing.\nWe are hiring.", "data_scientist", False,
     "Data scientists"),
    ("Data Scientists et ingénieurs ML travaillent ensemble chez Acme.\nX", "data_scientist", False,
     "Data Scientists"),
    ("Jr. Data Scientist - Fast-growing startup in Berlin.\nWe build.", "data_scientist", True, "Data Scientist"),
    # ... and a singular title line ending in a period is still one (helper 121)
    ("Machine Learning Engineer (M/F), Paris, France, hybrid, permanent contract, start ASAP.\nX", "ml_engineer",
     True, "Machine Learning Engineer"),
    ("Geospatial Data Scientist (H/F) – Paris.\nX", "data_scientist", True, "Data Scientist"),
    ("Research Scientists, Paris, London or remote!\nX", "ml_scientist", True, "Research Scientists"),
    # someone the holder is mentored, supervised or led by, a team's members, a hire they make (helper 120)
    ("Acme.\nYou will be mentored by a Senior Data Scientist.", "data_scientist", False, "Data Scientist"),
    ("Acme.\nVous serez encadré(e) par un Data Scientist senior.", "data_scientist", False, "Data Scientist"),
    ("Acme.\nTu seras accompagné·e par une Data Scientist senior.", "data_scientist", False, "Data Scientist"),
    ("Acme.\nModels built by our data science team are used daily.", "data_scientist", False, "data science"),
    # ... not "by"/"par" that do not follow a participle, nor "hired by Acme as" (helper 121)
    ("Acme.\nAcme recrute par cooptation un Data Scientist pour son équipe.", "data_scientist", True,
     "Data Scientist"),
    ("Acme.\nNous recrutons par ailleurs un(e) Data Scientist.", "data_scientist", True, "Data Scientist"),
    ("Acme.\nLe poste sera occupé par un Data Scientist confirmé.", "data_scientist", True, "Data Scientist"),
    ("Acme.\nStart your career by becoming a Data Scientist at Acme.", "data_scientist", True, "Data Scientist"),
    ("Acme.\nHired by Acme as Data Scientist, you will build models.", "data_scientist", True, "Data Scientist"),
    ("Acme.\nTalentia is in charge of recruiting a Senior Data Scientist for its client.", "data_scientist", True,
     "Data Scientist"),
    # a team strengthened or a post filled by someone is the posting's own role (helper 123)
    ("Acme.\nNotre équipe sera renforcée par un Data Scientist confirmé.", "data_scientist", True, "Data Scientist"),
    ("Acme.\nOur data team will be strengthened by a Senior Data Scientist.", "data_scientist", True,
     "Data Scientist"),
    ("Acme.\nL'équipe pricing sera complétée par un(e) Data Scientist en CDI.", "data_scientist", True,
     "Data Scientist"),
    ("Acme.\nAcme, a company founded by a Data Scientist, builds tools.", "data_scientist", False, "Data Scientist"),
    # up to five qualifiers between a hiring verb and the role, none a preposition (helper 124)
    ("Acme.\nWe are looking for a qualified or nearly qualified Pricing Actuary to join us.", "data_analyst", True,
     "Actuary"),
    ("Acme.\nWe are seeking a highly motivated and experienced machine learning engineer.", "ml_engineer", True,
     "machine learning engineer"),
    ("Acme.\nWe are seeking a candidate experienced in data science.", "data_scientist", False, "data science"),
    # French developers named noun first (helper 124), a symbol before a title line (helper 125)
    ("Développeur IA (H/F)\n\nVous rejoindrez la Fabrique IA.", "ml_engineer", True, "Développeur IA"),
    ("Acme.\nNous recherchons un(e) développeur(se) backend pour l'équipe produit.", "software_engineer", True,
     "développeur(se) backend"),
    ("🚀 Machine Learning Engineer\nWe build.", "ml_engineer", True, "Machine Learning Engineer"),
    # ... but not an item of a list after the first line, nor the one someone is supervised by (helper 126)
    ("Acme.\nVotre équipe :\n→ ML Engineer", "ml_engineer", False, "ML Engineer"),
    ("Acme.\nWe are seeking an intern supervised by an experienced ML engineer.", "ml_engineer", False, "ML engineer"),
    ("Acme.\nAcme recrute un stagiaire rattaché à notre Lead Data Scientist.", "data_scientist", False,
     "Data Scientist"),
    # a short plural first line ending in a period is still a title (helper 123)
    ("Data Scientists wanted for our Paris office.\nYou will build models.", "data_scientist", True,
     "Data Scientists"),
    ("Ingénieurs ML confirmés pour notre équipe de Lyon.\nX", "ml_engineer", True, "Ingénieurs ML"),
    # ... and a long one whose role is set apart by its qualifiers (helper 127)
    ("Data Scientists H/F – CDI – Paris, Lyon ou Nantes – Postulez vite !\nX", "data_scientist", True,
     "Data Scientists"),
    ("Data Scientists, ML engineers and analysts work side by side at Acme to turn data into decisions.\nX",
     "data_scientist", False, "Data Scientists"),
    # ... and with an exclamation mark, or marks no sentence has (helper 128)
    ("Machine Learning Engineers wanted in Paris, Lyon, Bordeaux and Lille!\nX", "ml_engineer", True,
     "Machine Learning Engineers"),
    ("Data Scientists · Paris · CDI · Apply today!\nX", "data_scientist", True, "Data Scientists"),
    ("Data Scientists wanted for our new Paris office and team.\nApply now", "data_scientist", True,
     "Data Scientists"),  # helper 129
    # a hiring verb does not reach past "or a", "such as a", "and a" (helper 128), but one role named in both
    # genders is one role
    ("Acme.\nAcme cherche une ingénieure ou un ingénieur en apprentissage automatique.", "ml_engineer", True,
     "ingénieur en apprentissage automatique"),
    ("Acme.\nAcme is looking for a Product Manager or a Data Scientist to lead.", "data_scientist", False,
     "Data Scientist"),
    ("Acme.\nWe are seeking a generalist profile such as a Data Scientist.", "data_scientist", False,
     "Data Scientist"),
    ("Acme.\nAcme is hiring a Product Manager and a Data Scientist will mentor them.", "data_scientist", False,
     "Data Scientist"),
    # a hiring verb's qualifiers stop at a possessive or "like" (helper 127)
    ("Acme.\nWe are hiring a lot this year and our Data Scientist team is growing.", "data_scientist", False,
     "Data Scientist"),
    ("Acme.\nVous développerez des modèles conçus par notre Data Scientist senior.", "data_scientist", False,
     "Data Scientist"),
    ("Acme.\nSous la supervision d'un Lead Data Scientist, vous construirez.", "data_scientist", False,
     "Data Scientist"),
    ("Acme.\nThe team consists of a Lead Data Scientist and two engineers.", "data_scientist", False,
     "Data Scientist"),
    ("Acme.\nL'équipe est composée d'un Lead Data Scientist et de deux ingénieurs.", "data_scientist", False,
     "Data Scientist"),
    ("Acme.\nYou will report into the Lead Data Scientist.", "data_scientist", False, "Data Scientist"),
    ("Acme.\nVous reporterez au Lead Data Scientist.", "data_scientist", False, "Data Scientist"),
    ("Acme.\nReports to: Lead Data Scientist", "data_scientist", False, "Data Scientist"),
    ("Acme.\nHiring manager: Principal Data Scientist", "data_scientist", False, "Data Scientist"),
    ("Acme.\nSupervisor: Lead Data Scientist", "data_scientist", False, "Data Scientist"),
    ("Acme.\nReporting Line: Principal Data Scientist", "data_scientist", False, "Data Scientist"),
    ("Acme.\nReports To (Title): Lead Data Scientist", "data_scientist", False, "Data Scientist"),
    # ... but a "Reporting:" heading does not reach into the lines below it
    ("Acme.\nReporting:\n\nThe Data Scientist reports to the CTO.", "data_scientist", True, "Data Scientist"),
    # the jobs postings are confused with: their own only on the title line, after a hiring verb or "as a"
    ("UI Developer (React)\nWe build websites.", "software_engineer", True, "UI Developer"),
    ("Nous recherchons un ingénieur logiciel pour notre équipe.", "software_engineer", True, "ingénieur logiciel"),
    ("As the strategic risk manager, you will advise the board.", "manager", True, "risk manager"),
    ("Poste : Chef(fe) de projet digital (H/F)\nNotre agence", "manager", True, "Chef(fe) de projet"),
    ("Job Title: Senior Product Manager\nAbout", "manager", True, "Product Manager"),  # qualifiers after the label
    ("Acme.\nJob Title: Geospatial Data Scientist\n", "data_scientist", True, "Data Scientist"),
    ("Acme.\nRole: assist the Product Manager.\n", "manager", False, "Product Manager"),  # a sentence, not qualifiers
    ("Acme.\nJob Title: VP Data Science\n", "data_scientist", False, "Data Science"),  # a field (helper 138)
    ("Acme.\nPoste : Enseignant-Chercheur en Marketing Digital (H/F)\n", "ml_scientist", False, "Chercheur"),
    ("# Acme\n\n**Job Title:** Frontend Engineer (React)\n", "software_engineer", True, "Frontend Engineer"),
    ("Position: Senior Sales Engineer, Enterprise\n", "software_engineer", True, "Sales Engineer"),
    ("Nous recherchons un(e) chargé(e) d'analyse des données.", "data_analyst", True, "chargé(e) d'analyse"),
    ("Acme.\nOur DevOps engineer will help you deploy your models.", "software_engineer", False, "DevOps engineer"),
    ("Acme.\n- Present findings to the risk manager.", "manager", False, "risk manager"),
    ("Acme.\n- Assist the Project Manager with planning.", "manager", False, "Project Manager"),
    ("Data Scientist\n\nKey relationships\n- Delivery Manager\n", "manager", False, "Delivery Manager"),
    ("Acme.\nVos interlocuteurs :\n- Chefs de projet\n", "manager", False, "Chefs de projet"),
    # another job's experience asked of the holder; our roles' experience still names the posting's own
    ("Acme.\nRequirements: 3+ years of experience as a web developer.", "software_engineer", False, "web developer"),
    ("Acme.\nTrois ans d'expérience en tant qu'ingénieur logiciel.", "software_engineer", False,
     "ingénieur logiciel"),
    ("Acme.\nYou are a former Java developer who moved to ML.", "software_engineer", False, "Java developer"),
    ("Acme.\n- 2+ years of experience as a Machine Learning Engineer", "ml_engineer", True,
     "Machine Learning Engineer"),
    # team members and other openings
    ("Acme.\nThe team is twenty engineers plus a product manager.", "manager", False, "product manager"),
    ("Acme.\nWe are also hiring a Frontend Engineer this year.", "software_engineer", False, "Frontend Engineer"),
    ("Acme.\nWe're hiring a Data Scientist, a Data Engineer and more.", "data_engineer", False, "Data Engineer"),
    ("Acme.\nA squad made of a PM, a front-end developer and you.", "software_engineer", False,
     "front-end developer"),
    # ... but not after any phrase with an article, nor after "a plus" ending the line above (helper 136)
    ("Nous recherchons pour l'un de nos clients, un(e) Data Scientist confirmé(e).", "data_scientist", True,
     "Data Scientist"),
    ("Who you are: a curious mind, a Data Scientist at heart.", "data_scientist", True, "Data Scientist"),
    ("Acme.\n- Airflow is a plus\n\nAs a Data Scientist, you will build models.", "data_scientist", True,
     "Data Scientist"),
    ("Acme.\nPlus qu'un(e) Data Scientist, vous serez le bras droit du CTO.", "data_scientist", True, "Data Scientist"),
    ("Acme.\nWith two scientists, an ML engineer and a PM.", "ml_engineer", False, "ML engineer"),
    # ML titles that name a software role keep their ML role
    ("Ingénieur logiciel IA (H/F)\nNotre équipe", "ml_engineer", True, "Ingénieur logiciel IA"),
    ("Ingénieur d'études et développement machine learning\n", "ml_engineer", True,
     "Ingénieur d'études et développement machine learning"),
    ("Software Engineer, Machine Learning\nAbout", "ml_engineer", True, "Software Engineer, Machine Learning"),
    ("ML Software Engineer\nAbout", "ml_engineer", True, "ML Software Engineer"),
    ("Acme.\nAs a Senior Software Engineer, AI/ML, you will", "ml_engineer", True, "Software Engineer, AI"),
    ("Acme.\nThe team includes software engineers, ML engineers and you.", "ml_engineer", False, "ML engineers"),
])
def test_own_and_colleague_mentions(text, role, own, named):
    """Exactly one mention of ``role``: ``named``, the posting's own or not as ``own`` says."""
    found = [m for m in find_mentions(text) if m.role == role]
    assert len(found) == 1
    assert found[0].own is own
    assert text[found[0].start:found[0].end] == named


@pytest.mark.parametrize("text", ["AI Solutions Architect\nAbout", "Architecte Solutions IA (H/F)\nNotre équipe",
                                  "Acme.\nAWS Certified Solutions Architect preferred."])
def test_a_certification_or_an_ai_solutions_architect_is_no_software_role(text):
    assert [m for m in find_mentions(text) if m.role == "software_engineer"] == []


@pytest.mark.parametrize("text", ["Senior Software Engineer for AI-powered search\nAbout",
                                  "Acme.\nYou'll work with a software engineer, ML research scientist and you."])
def test_a_software_engineer_near_an_ml_word_is_no_ml_engineer(text):
    assert [text[m.start:m.end] for m in find_mentions(text) if m.role == "ml_engineer"] == []
    assert [m.role for m in find_mentions(text)][0] == "software_engineer"


def test_prefix_lookahead_loses_no_mention(training_rows):
    """The lookahead only skips positions: without it the role regex finds the same spans and roles."""
    plain = re.compile(r"\b" + mentions._ALTERNATION + r"\b")
    assert mentions._PATTERN.pattern != plain.pattern
    found = 0
    for row in training_rows:
        low = row["text"].lower()
        want = [(m.span(), m.lastgroup) for m in plain.finditer(low)]
        assert [(m.span(), m.lastgroup) for m in mentions._PATTERN.finditer(low)] == want, row["id"]
        found += len(want)
    assert found > 1000


def test_cues_grouped_by_first_letter_find_what_the_flat_alternation_finds(training_rows):
    flat = re.compile(r"\b(?:" + "|".join(boilerplate._CUES) + ")")
    assert boilerplate._CUE.pattern != flat.pattern
    found = 0
    for row in training_rows:
        low = row["text"].lower()
        want = [m.span() for m in flat.finditer(low)]
        assert [m.span() for m in boilerplate._CUE.finditer(low)] == want, row["id"]
        found += len(want)
    assert found > 100
    grouped = re.compile(by_first_letter(["[ée]t[ée]", "été", "ab", "ac", "b+"]))
    assert [m.group() for m in grouped.finditer("été ete ab ac bbb x")] == ["été", "ete", "ab", "ac", "bbb"]


BENEFITS_ITEMS = "- Competitive salary and equity\n- Free GPU credits for side projects\n- Budget to attend NeurIPS\n"
ROLE = "We are looking for a data scientist to build churn models in Python and present them to the business.\n"


@pytest.mark.parametrize("block", [
    "## Benefits\n" + BENEFITS_ITEMS,  # short items used to read as headings that ended the section
    "**Perks & Benefits**\n" + BENEFITS_ITEMS,
    "Benefits\nCompetitive salary and equity\nFree GPU credits for side projects\n",  # items without markers
    "What's in it for you\n" + BENEFITS_ITEMS, "Our Benefits\n" + BENEFITS_ITEMS, "Compensation\n" + BENEFITS_ITEMS,
    "The Company\nAcme builds machine learning platforms for logistics.\n",
    "Company Description\nAcme builds machine learning platforms for logistics.\n",
    "Why Acme?\nAcme builds machine learning platforms for logistics.\n",
    "Nos avantages\n- Télétravail, mutuelle et tickets restaurant\n- Budget formation en IA\n",
    "Ce que nous proposons\n- Télétravail partiel\n- Budget formation en IA\n",
    "Entreprise\nAcme conçoit des plateformes d'apprentissage automatique.\n",
])
def test_boilerplate_sections_are_left_out_whole(block):
    text = "Data Scientist\n\nThe role\n" + ROLE + "\n" + block + "\nYour impact\n" + ROLE
    spans = boilerplate.boilerplate_spans(text)
    start = text.index(block)
    assert spans == [(start, start + len(block))] or spans == [(start, start + len(block) + 1)], \
        [text[s:e] for s, e in spans]


def test_a_role_section_right_after_boilerplate_is_kept_without_a_blank_line():
    """Single line breaks (scraped or API text): "Responsibilities" never matched the role headings (a plural
    after a stem), so the benefits section ran on through the role's own section."""
    role = "- Deploy models on Kubernetes and build CI/CD pipelines with MLflow for our ranking services.\n"
    for heading in ("Roles and Responsibilities:", "Requirements", "Qualifications", "Responsabilités principales",
                    "Why you?", "The Search team"):
        text = "ML Engineer\n\n" + role * 3 + "Benefits:\n- Remote first\n- Learning budget\n" + heading + "\n" + role * 3
        assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [
            "Benefits:\n- Remote first\n- Learning budget\n"], heading


@pytest.mark.parametrize("heading", ["About this role", "About the opportunity", "About you", "About the ML Platform team",
                                     "Who we are looking for", "À propos du poste", "À propos de vous"])
def test_headings_that_introduce_the_role_are_not_boilerplate(heading):
    text = "About us\nAcme sells furniture online.\n\n" + heading + "\n" + ROLE
    spans = boilerplate.boilerplate_spans(text)
    assert [text[s:e] for s, e in spans] == ["About us\nAcme sells furniture online.\n"]


def test_a_company_blurb_ends_at_any_heading_a_benefits_list_only_at_a_real_one():
    """A blurb is prose, so a short line after it is a heading ("What we need", in <div> layouts too); a list of
    offers goes on through its short items, bold lead-ins and items that start like role headings."""
    role = "Deploy machine learning models to production with Docker, Kubernetes and Kubeflow every week.\n"
    text = "About Acme\nAcme is a retail company with stores across Europe.\nWhat we need\n" + role * 4
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [
        "About Acme\nAcme is a retail company with stores across Europe.\n"]
    offers = ("## Benefits\n\n**Health:** full medical and dental insurance\n**Learning:** a yearly budget\n"
              "- Experienced mentors\nFree lunch\nWhy you should join us\n")
    text = role * 4 + "\n" + offers + "\nYour impact\n" + role
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [offers]


@pytest.mark.parametrize("start", ["You will contribute to our prediction models and ship them.",
                                   "As a Data Scientist, you will build our prediction models.",
                                   "Vous serez en charge de nos modèles de prévision.",
                                   "Nous recherchons un(e) Data Scientist pour nos modèles de prévision."])
def test_a_company_blurb_without_a_heading_after_it_ends_where_the_role_text_begins(start):
    """"Who we are\nAcme is...\nYou will contribute..." (no heading between): the role text is no blurb."""
    blurb = "Who we are\nAcme is the global technology company powering marketers with trusted advertising.\n"
    text = blurb + start + "\n" + "Strong Python and SQL skills; experience with Spark.\n" * 3
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [blurb]
    for line in ["You'll find our offices in Paris and Lyon.", "As a B Corp, we care about our impact.",
                 "We are looking forward to meeting you.", "Vous êtes peut-être déjà client de nos services.",
                 # helper 127
                 "As an engineering-first company, we ship every day.", "As a developer tools company, we care.",
                 "You'll have seen our ads on the Tube.", "We are hiring a hundred people across Europe this year.",
                 "En tant que leader de la data en France, nous accompagnons 500 clients.",
                 "Nous recrutons une centaine de talents en 2024.",
                 # helper 128
                 "En tant que spécialiste data, Acme accompagne 300 clients.", "You will join a company of 500.",
                 "Vous travaillerez dans un cadre agréable.", "We are looking for a better world.",
                 "Nous recrutons un millier de collaborateurs chaque année.",
                 # helper 129
                 "Nous recrutons une centaine de data scientists chaque année.",
                 "We're seeking a hundred new engineers this year as we expand.",
                 "We are looking for a new generation of engineers to change banking.",
                 "You will build the future of mobility with 2,000 passionate colleagues."]:
        more = blurb + line + "\n"  # blurb sentences that do not start the role text (helper 126)
        text = more + "Responsibilities\n" + "Build models in Python and SQL every week.\n" * 3
        assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [more]
    offers = "Benefits\n- Free lunch\n"  # a list of offers is not ended so: "You will enjoy..." is an offer
    text = "Build models.\n" * 8 + offers + "You will enjoy a yearly learning budget.\n"
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [offers + "You will enjoy a yearly learning budget.\n"]


@pytest.mark.parametrize("heading", ["Ce que nous t'offrons", "Ce que nous te proposons", "Ce qu'on t'offre"])
def test_informal_french_offer_headings_open_a_list_of_offers(heading):
    """Welcome to the Jungle style (helper 124): the short items after such a heading are offers, not role text;
    an informal role heading ("Ton profil", helper 126) ends them."""
    role = "Vous développerez notre API en Python et déploierez nos services sur Kubernetes chaque semaine.\n"
    offers = f"{heading}\n- Un séminaire d'équipe deux fois par an\nTélétravail 3 jours par semaine\n"
    text = role * 4 + "\n" + offers
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [offers]
    text = role * 4 + "\n" + offers + "Ton profil\nMaster en statistiques\nPython, SQL, Spark\n"
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [offers]


@pytest.mark.parametrize("heading", ["Roles and Responsibilities", "Profile", "Experiences", "The team you'll join",
                                     "**Must have:** Python, SQL and statistics"])
def test_plural_and_labelled_role_headings_end_a_benefits_list(heading):
    intro = ("We are looking for a Senior Data Scientist to join the team in Berlin, working with product managers, "
             "engineers and analysts on churn, pricing and demand models for our stores.\n") * 2
    offers = "Benefits\n- 30 days of holiday\n- Private health insurance\n- Free lunch on Fridays\n"
    text = intro + offers + heading + "\n- Build churn and pricing models in Python\n- Design and analyse A/B tests\n"
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [offers]


def test_a_bold_benefits_heading_with_its_colon_starts_the_list():
    role = "You will build and ship machine learning models for search ranking with Python every week.\n"
    offers = "**Benefits:**\n- Budget to attend NeurIPS\n- Access to our GPU cluster\n"
    text = role * 3 + "\n" + offers + "\nRequirements\n- 3+ years with Python and statistics\n"
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == [offers]


def test_a_salary_line_is_boilerplate_on_its_own():
    """It was read as the heading of a list of offers, which swallowed the title and intro after it."""
    text = ("Salary: €75,000 - €90,000\n\nMachine Learning Engineer\n\nWe are hiring a Machine Learning Engineer to "
            "deploy deep learning models in production with PyTorch and Kubernetes.\n")
    assert [text[s:e] for s, e in boilerplate.boilerplate_spans(text)] == ["Salary: €75,000 - €90,000\n"]


@pytest.mark.parametrize("text", ["A PhD in Computer Science, Data Science or Statistics.",
                                  "Diplôme d'ingénieur ou master en science des données.",
                                  "Vous avez une formation en data science ou en informatique.",
                                  "You have a background in data science or computer science.",
                                  "Master 2 en Data Science", "Bac+5 en data science",
                                  "PhD in the field of data science or a related discipline.",
                                  "Bachelor's degree in Computer Science, Statistics, Mathematics, or Data Science.",
                                  "Master's degree (or equivalent) in Data Science.",
                                  "Master of Science in Data Science"])
def test_a_field_of_study_is_no_role_mention(text):
    """"PhD in ..., Data Science" named a data-science colleague (0.71 toward data_scientist in an ML-scientist
    posting)."""
    assert [m for m in find_mentions(text) if m.role == "data_scientist"] == []


def test_both_names_of_a_bilingual_title_are_the_postings_own():
    found = find_mentions("**Chercheur / Chercheuse en apprentissage automatique – CDI – Paris 13e**\nNous")
    assert [(m.role, m.own) for m in found] == [("ml_scientist", True), ("ml_scientist", True)]
    found = find_mentions("MLOps Engineer / Ingénieur MLOps\nNotre équipe")
    assert [(m.role, m.own) for m in found] == [("ml_engineer", True), ("ml_engineer", True)]


@pytest.mark.parametrize("text, own", [
    ("Whether you are a junior or a senior Data Scientist, you will own models.", [True]),
    ("We are hiring a full-time or a part-time Data Scientist to build churn models.", [True]),
    ("Nous recherchons un(e) Data Scientist ou un(e) Data Analyst.", [True, False]),
    ("Nous recrutons un ou une Machine Learning Engineer.", [True]),  # inclusive wording
])
def test_or_a_introduces_another_role_only_right_before_it(text, own):
    assert [m.own for m in find_mentions(text)] == own


def test_mention_offsets_hold_after_a_letter_whose_lower_case_is_longer():
    """"İ".lower() is two characters: every mention after "İstanbul" was one character off (helper 111)."""
    text = "Data Scientist\nLocation: İstanbul, Türkiye\nAs a Data Scientist you will build models."
    assert [text[m.start:m.end] for m in find_mentions(text)] == ["Data Scientist", "Data Scientist"]
    spans = boilerplate.boilerplate_spans("İİİ Role\n\nBenefits\n- Free lunch\n- Gym\n\nYou will build models with us.")
    assert spans and all(e > s for s, e in spans)


def test_one_role_named_in_both_genders_is_one_role():
    text = "Acme.\nLe centre recrute un chercheur ou une chercheuse en apprentissage automatique."
    assert [(text[m.start:m.end], m.own) for m in find_mentions(text)] == [("chercheur", True), ("chercheuse", True)]
