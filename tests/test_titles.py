"""The title read from a posting's header when none is given."""
from __future__ import annotations

import pytest

from rolematch.boilerplate import header_title
from rolematch.scoring import posting_title


@pytest.mark.parametrize("text, title", [
    ("Senior Data Scientist (H/F)\n\nWe are a retailer...", "Senior Data Scientist (H/F)"),
    ("Job Title: Machine Learning Engineer\nLocation: Austin", "Machine Learning Engineer"),
    ("POSTE : Data Scientist H/F\n\nNotre client...", "Data Scientist H/F"),
    ("Job ID: JR01\nLocation: Folsom, CA\nJob Description\nSr. Data Scientist\n\nRequirements", "Sr. Data Scientist"),
    ("Acme Robotics\nMachine Learning Engineer\n\nAbout us", "Machine Learning Engineer"),
    ("La Direction Data recherche un(e) :\n\nLead Data Scientist (F/H)\n\nContexte", "Lead Data Scientist (F/H)"),
    ("Data Scientist - Contoso Corp\n\nWe are a retailer", "Data Scientist - Contoso Corp"),  # with the employer
    ("Contoso GmbH\nData Engineer\n\nAbout us", "Data Engineer"),
    ("**Data Scientist**\n\nWe are a retailer", "Data Scientist"),  # bold markdown, not a list item
    # French job names header titles missed (helper 110)
    ("Actuaire Tarification IARD (H/F)\n\nNotre mutuelle...", "Actuaire Tarification IARD (H/F)"),
    ("Chargé(e) de pilotage et de reporting (H/F)\n\nNotre groupe...", "Chargé(e) de pilotage et de reporting (H/F)"),
    ("Contrôleur de gestion (H/F)\n\nNotre groupe...", "Contrôleur de gestion (H/F)"),
    ("Chargement en cours\nData Scientist (H/F)\n\nNotre groupe...", "Data Scientist (H/F)"),
    ("CHARGE D'ETUDES STATISTIQUES (H/F)\n\nNotre groupe...", "CHARGE D'ETUDES STATISTIQUES (H/F)"),  # helper 112
    ("Statisticien (H/F)\n\nNotre groupe...", "Statisticien (H/F)"),
    ("Statisticiens (H/F)\n\nNotre groupe...", "Statisticiens (H/F)"),  # helper 114
    ("Senior Statistician\n\nWe serve...", "Senior Statistician"),
    ("CHARGE DE MISSION STATISTIQUES\n\nNotre groupe...", "CHARGE DE MISSION STATISTIQUES"),
    ("Administrative Office of the Courts\nData Scientist\n\nWe serve...", "Data Scientist"),
])
def test_header_titles_are_found(text, title):
    """(helper 111: "Chargement en cours", "Administrative Office of the Courts" took the title's place)"""
    assert header_title(text) == title


@pytest.mark.parametrize("text", [
    "Grand Groupe international\n\nNous accompagnons nos clients depuis 1950.",  # "international" is no intern
    "Work experience as a Python Developer\n",
    "- Data Scientist\n- Data Engineer\n",                                         # a list, not a header
    "Department: Data & Analytics\nTeam: Search\nLocation: Remote\nJob ID: 4\nData Scientist",  # past the header
    "We build retail software used by thousands of stores across Europe, and we are growing fast: " * 3
    + "\nMachine Learning Engineer",                                              # after a paragraph
    "Job Description\n\nWe are looking for someone who loves data and will help our teams grow.",
    "Job Description\nWe are looking for a data scientist who\nloves models.",        # a sentence
    "Role: To help us build the data platform\n",
    "Machine learning engineers and data scientists work together here. You\nwill deploy models.",  # wrapped
    "Data Scientists and engineers\nwork side by side on our models.",                 # its sentence goes on
    "Data Science Consulting GmbH\n\nWe sell software to car dealers.",                  # the employer
    "Datadog\n\nWe build monitoring software.",                                          # a name, not "data"
])
def test_no_title_is_made_up(text):
    assert header_title(text) is None


def test_a_given_title_wins_over_the_header():
    assert posting_title("Data Analyst", "Job Title: Data Scientist\n...") == "Data Analyst"
    assert posting_title("  ", "Job Title: Data Scientist\n...") == "Data Scientist"


@pytest.mark.parametrize("given", ["<b>Data Scientist</b>", "Data Scientist<br>", "Data&nbsp;Scientist",
                                   "  Data\nScientist ", "Data Scien\u00adtist"])
def test_a_given_title_is_cleaned_like_the_text(given):
    assert posting_title(given, "...") == "Data Scientist"
    assert posting_title("Inge\u0301nieur ML", "...") == "Ing\u00e9nieur ML"  # NFD (macOS exports) as NFC
    assert posting_title("<br>", "Job Title: Data Scientist\n...") == "Data Scientist"  # nothing left: the header's


@pytest.mark.parametrize("first", ["Mutuelle des Actuaires", "Actuaires Associés", "Acme Statisticians",
                                   "Prise en charge du déménagement", "Charges de personnel incluses"])
def test_firms_and_benefits_with_job_words_are_no_title(first):
    """(helper 113: taken as titles once plurals and stems of the new job names were accepted)"""
    assert header_title(first + "\nParis, France\nAu sein de la direction technique, vous concevrez des modèles.") is None
