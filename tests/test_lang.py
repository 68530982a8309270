from __future__ import annotations

import pandas as pd
import pytest

from conftest import EVAL_DEV
from rolematch.lang import detect_language


@pytest.mark.parametrize("text,lang", [
    # a share-of-common-words rule refused key: value postings
    ("Job Title: ML Engineer\nLocation: Oslo\nContract: Permanent\nStack: Python, PyTorch, Kubernetes, Airflow, "
     "Spark, Kafka, Terraform, AWS, GCP, MLflow, Docker, Grafana\nTeam: Platform (8 engineers)\nSalary: NOK 900k\n"
     "Start: ASAP\nRemote: hybrid\nLanguages: English\nTravel: none\nVisa: yes\nYou will: deploy models to the "
     "platform and work with the data team on monitoring.\n", "en"),
    # ALS, SOM, HAR and names (Dan, PT Akan Dari) made English postings Catalan or Indonesian
    ("Recommender systems with ALS, SOM and HAR models for our equip partner; Dan Pratama leads PT Akan "
     "Dari Digital (Ini Group). You will build the models with the team and ship them to production.", "en"),
    ("ML Engineer - AV Perception\nTeam: AV Perception / 3D Detection\n- Train 3D detection models for the AV "
     "stack\n- Fuse camera and lidar (360 deg) data\n- Deploy models on AV compute\n- 3+ yrs deep learning, PyTorch\n"
     "- Experience with AV datasets (nuScenes)\n- Papers with Yang Li, Kami Chen (ITU) and Prof. Yang", "en"),
    ("Tu es passionné(e) par la data ? Tu as entre 2 et 5 ans d'expérience, tu es à l'aise entre produit et "
     "marketing. Salaire : entre 45 k€ et 55 k€, entre Paris et Lyon.", "fr"),
], ids=["key-value", "abbreviations", "av-names", "french-tu"])
def test_list_style_postings_and_abbreviations_keep_their_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text,lang", [
    ("We are hiring a machine learning engineer to deploy models and work with our data team.", "en"),
    ("Nous recherchons un data scientist pour notre équipe à Paris. Vous travaillerez avec les métiers.", "fr"),
    ("Wir suchen einen Data Scientist (m/w/d) für unser Team. Du bist verantwortlich für die Modelle.", "de"),
    ("Buscamos un científico de datos para nuestro equipo. Serás responsable del desarrollo de modelos.", "es"),
    ("Wij zoeken een data scientist voor ons team in Amsterdam. Je werkt met Python en bent nieuwsgierig.", "nl"),
    ("Python SQL", "unknown"),
    # their common words include English or French ones ("at", "for"; "la", "que", "un"): they were read as
    # English or French and classified
    ("Vi søger en data scientist til vores team i København. Du skal arbejde med Python og have erfaring med "
     "maskinlæring, og det er vigtigt at du kan samarbejde med forretningen om analyser for vores kunder.", "da"),
    ("Vi söker en data scientist till vårt team i Stockholm. Du kommer att arbeta med Python och har erfarenhet "
     "av maskininlärning, och det är viktigt att du kan samarbeta med verksamheten.", "sv"),
    ("Căutăm un data scientist pentru echipa noastră din București. Vei lucra cu Python și este important să ai "
     "experiență în învățare automată și în analiza datelor din mai multe surse.", "ro"),
    ("Vi søker en erfaren dataforsker til vårt team i Oslo. Du vil jobbe med store mengder data og utvikle modeller "
     "for maskinlæring. Du har erfaring med Python og SQL og liker å lære noe nytt hver dag hos oss.", "no"),
    ("Szukamy doświadczonego analityka danych do naszego zespołu w Warszawie. Będziesz pracować z dużymi zbiorami "
     "danych. Masz doświadczenie z Python i SQL i jesteś osobą, która dobrze pracuje w zespole.", "pl"),
    ("Busquem un científic de dades per al nostre equip a Barcelona. Treballaràs amb Python i és important que "
     "tinguis experiència en aprenentatge automàtic i en l'anàlisi de les dades dels clients.", "ca"),
])
def test_detects_languages(text, lang):
    assert detect_language(text) == lang


@pytest.mark.skipif(not EVAL_DEV.exists(), reason="../shared/eval not present")
def test_agrees_with_eval_lang_column():
    df = pd.read_csv(EVAL_DEV)
    agree = (df["description"].map(detect_language) == df["lang"]).mean()
    assert agree >= 0.99


@pytest.mark.parametrize("text, reason", [
    ("データサイエンティストを募集しています。機械学習とPythonの経験がある方を歓迎します。分析とモデル構築を担当していただきます。",
     "mostly in CJK script"),
    ("Мы ищем специалиста по данным с опытом Python и машинного обучения в нашей команде аналитики", "Cyrillic script"),
    ("Szukamy analityka danych z doświadczeniem w Pythonie, SQL i uczeniu maszynowym. Praca w zespole analitycznym, "
     "zdalnie lub hybrydowo w Warszawie. Oferujemy umowę o pracę, prywatną opiekę medyczną i budżet szkoleniowy.",
     "language looks like 'pl'"),
    ("Etsimme kokenutta data-analyytikkoa tiimiimme Helsinkiin. Työskentelet suurten aineistojen parissa ja "
     "rakennat koneoppimismalleja. Sinulla on kokemusta Pythonista ja SQL:stä ja olet hyvä tiimipelaaja. " * 2,
     "too few common English or French words"),
    ("Kami mencari seorang data scientist untuk tim kami di Jakarta. " * 3 + "Anda akan bekerja dengan Python dan SQL "
     "untuk membangun model yang dapat digunakan oleh tim bisnis kami setiap hari.", "language looks like 'id'"),
    ("Data scientist wanted", "too little text"),
    ("".join(chr(0x1D5EE + ord(c) - 97) if "a" <= c <= "z" else c
             for c in "we are hiring a machine learning engineer to deploy models with docker and python"),
     "styled Unicode letters"),
    ("\uff37\uff45 \uff41\uff52\uff45 \uff48\uff49\uff52\uff49\uff4e\uff47 " * 8, "styled Unicode letters"),
    ("🚀🔥💡" * 2000, "no English or French words in its first 3,000 characters"),
])
def test_an_unknown_language_is_explained(text, reason):
    """A long text in another script is not 'too little text', in one call and in a batch alike."""
    import rolematch
    from rolematch.errors import UnsupportedLanguageError

    with pytest.raises(UnsupportedLanguageError, match=reason):
        rolematch.classify(text)
    [row] = rolematch.load_model().classify_many([text])
    assert isinstance(row, UnsupportedLanguageError) and reason in str(row)


_FR_BODY = ("Au sein de notre équipe Data, vous serez en charge de construire des modèles de prévision de la demande "
            "pour nos magasins. Vous travaillerez avec les équipes métier pour comprendre leurs besoins.\n\n"
            "Vos missions :\n- Analyser les données de ventes et identifier les tendances\n"
            "- Construire et valider des modèles statistiques\n- Présenter vos résultats aux directions\n\n"
            "Profil recherché :\n- Master en statistiques\n- Maîtrise de Python et SQL\n")
_EN_EEO = ("Equal Opportunity Employer\n\nAcme is an equal opportunity employer and we value diversity at our company. "
           "We do not discriminate on the basis of race, religion, color, national origin, gender, sexual orientation, "
           "age, marital status, veteran status, or disability status. All qualified applicants will receive "
           "consideration for employment without regard to any of these characteristics. We are committed to "
           "providing reasonable accommodations to candidates with disabilities throughout the hiring process, and if "
           "you need one at any point, please let us know and we will work with you to find a solution that meets "
           "your needs. We believe that a diverse team makes us stronger and we encourage people from all backgrounds "
           "to apply, even if they do not meet every single requirement listed in this posting.\n")
_EN_BLURB = ("About Acme\n\nAcme is a global leader in retail technology and we are on a mission to make shopping "
             "simple for everyone. Founded in 2009, we have grown to more than 3,000 people in 20 countries, and our "
             "platform is used by the biggest brands in the world. We are proud of our culture of ownership and of "
             "the way we work together to build the future of commerce with our customers and partners.\n\n")


@pytest.mark.parametrize("text", [_FR_BODY + "\n" + _EN_EEO, _EN_BLURB + "Vos missions\n\n" + _FR_BODY],
                         ids=["english-eeo-after", "english-blurb-before"])
def test_a_french_body_with_english_boilerplate_is_french(text):
    """Told from all words, these were English (the boilerplate has more common words than the body)."""
    from rolematch.lang import language_scores

    scores = language_scores(text)
    assert scores["en"] > scores["fr"]  # the case: English words outnumber French ones
    assert detect_language(text) == "fr"
    import rolematch

    model = rolematch.load_model()
    assert model.classify(text).lang == "fr"
    assert [r.lang for r in model.classify_many([text, text], batch_size=2)] == ["fr", "fr"]  # the pieces path


def test_mixed_postings_without_boilerplate_keep_the_leading_language():
    """A bilingual posting (English, then its French translation) has no boilerplate to set aside."""
    en = ("We are looking for a data scientist to join our team in Montreal. You will build forecasting models "
          "with the business teams and present your results to the leadership. You have a master's degree in "
          "statistics and you know Python and SQL well.\n\n")
    fr = ("Nous recherchons un data scientist pour rejoindre notre équipe à Montréal. Vous construirez des "
          "modèles de prévision avec les équipes métier.\n")
    assert detect_language(en + fr) == "en"
    assert detect_language(fr + en + en) == "en"  # more English words, nothing to set aside


@pytest.mark.parametrize("text,lang", [
    ("Machine Learning Engineer, Claims Platform\n\nOur health insurance platform processes dental, vision and "
     "medical claims for two million members.\nYou will deploy the models that score dental and vision claims in "
     "real time on our health insurance platform.\nYou will own the pipelines that feed our health insurance fraud "
     "models, with Python and Kafka, and you will monitor their drift.\nYou will support the data scientists who "
     "build our wellness models.\nVous parlez couramment le français et l'anglais, et vous êtes à l'aise avec "
     "les clients de la région.\n", "en"),
    ("Data Scientist (H/F)\n\nNotre mutuelle accompagne plus de trois millions d'adhérents en France.\nVous "
     "construirez les modèles de tarification de la mutuelle et de la prime de risque des contrats santé.\nVous "
     "travaillerez avec les actuaires de la mutuelle sur le calcul de la prime de référence.\nStack : Python, SQL, "
     "Spark.\nGood level of English required: you will work with our teams in London and in Dublin.\n", "fr"),
], ids=["health-insurer", "mutuelle"])
def test_role_text_with_benefit_words_keeps_its_language(text, lang):
    """Only boilerplate sections under a heading are set aside when the languages mix, not every line with a
    benefits word: an insurer's role text says "health insurance", a mutuelle's "prime" (helper 106)."""
    assert detect_language(text) == lang


def test_a_salary_line_does_not_take_the_french_body_with_it():
    """"Salaire : 50-60 k€" opened a list of offers that ran through the French body, and the one English intro
    line left decided the language (helper 107)."""
    text = ("Data Scientist – Paris\nWe are hiring a Data Scientist for our Paris office, with two days of remote "
            "work per week.\nSalaire : 50-60 k€\n\nAu sein de l'équipe pricing, vous construirez les modèles qui "
            "fixent les prix de nos produits d'assurance. Vous travaillerez avec les actuaires et les ingénieurs de "
            "la plateforme data, et vous serez responsable des expériences, de leur conception à leur analyse.\n"
            "Vous avez cinq ans d'expérience en statistiques, en Python et en SQL, et vous savez expliquer vos "
            "résultats aux équipes métier.\n\nEqual opportunity\nAcme is an equal opportunity employer and we "
            "value diversity at our company. We do not discriminate on the basis of race, religion, color, national "
            "origin, gender, sexual orientation, age or disability status.\n")
    assert detect_language(text) == "fr"
    assert detect_language(text.replace("Salaire : 50-60 k€\n", "")) == "fr"
