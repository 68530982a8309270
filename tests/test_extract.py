from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, SEEDS
from rolematch.errors import InputError, UnsupportedLanguageError
from rolematch.extract import Extractor
from rolematch.rules import Taxonomy

SENTENCES = [json.loads(line) for line in (REPO / "tests/data/core_sentences.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
CORE = Taxonomy.load().entries


def test_sentence_file_covers_every_core_id_in_both_languages():
    for lang in ("en", "fr"):
        assert {s["id"] for s in SENTENCES if s["lang"] == lang} == set(CORE)


@pytest.mark.parametrize("core_id", sorted(CORE))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_core_id_found_with_offsets(extractor, core_id, lang):
    sentences = [s["sentence"] for s in SENTENCES if s["id"] == core_id and s["lang"] == lang]
    assert sentences
    for sentence in sentences:
        report = extractor.extract(sentence, lang=lang)
        hits = [m for m in report.matches if m.id == core_id]
        assert hits, f"{core_id} not found in {sentence!r}"
        for m in report.matches:
            assert sentence[m.start:m.end] == m.text and m.text.strip()
            assert m.lang == lang and ":" in m.rule


def _seed_lang(path: Path) -> str:
    return "en" if path.name.startswith("000") else "fr"


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds not present")
def test_seed_coverage_at_least_90_percent(extractor, capsys):
    table = []
    for seed in sorted(SEEDS.glob("*.txt")):
        num = seed.name[:3]
        expected = {i for i, e in CORE.items() if num in e["seed"].split("|")}
        found = set(extractor.extract(seed.read_text(encoding="utf-8"), lang=_seed_lang(seed)).counts)
        cover = len(expected & found) / len(expected) if expected else 1.0
        table.append((seed.name, len(expected), len(expected & found), cover, sorted(expected - found)))
    with capsys.disabled():
        print("\nseed coverage:")
        for name, n, k, c, missing in table:
            print(f"  {name}: {k}/{n} core ids ({c:.0%}) missing: {missing}")
    assert all(c >= 0.9 for _, _, _, c, _ in table)


def test_inflections_and_passive_voice(extractor):
    for text, lang in [("We are deploying ML models to production.", "en"),
                       ("Models are deployed to production weekly.", "en"),
                       ("Vous serez chargé du déploiement des modèles en production.", "fr"),
                       ("Mise en production des modèles de scoring.", "fr")]:
        assert "model_deployment" in extractor.extract(text, lang=lang).counts, text


@pytest.mark.parametrize("text, lang, core_id", [
    # spacy-lookups-data files "developed"/"developing" under "develope": the lemma "develop" now has them
    ("You developed APIs for our clients.", "en", "api_development"),
    ("You are developing APIs and tools.", "en", "api_development"),
    ("Experience with boosting, please.", "en", "boosting"),
    ("In your last role you trained machine learning models.", "en", "model_training"),
    ("Vous avez déjà parlé aux clients.", "fr", "communication"),
    ("Connaissance des architectures informatiques modernes.", "fr", "computer_architecture"),
])
def test_taxonomy_phrasings_a_helper_found_missing(extractor, text, lang, core_id):
    assert core_id in extractor.extract(text, lang=lang).counts


def test_lookup_fixes_give_the_right_lemma_its_forms():
    from rolematch.lemmas import LOOKUP_FIXES, forms_from_tables

    assert {"developed", "developing", "develop"} <= set(forms_from_tables("en", "develop"))
    assert "developed" not in forms_from_tables("en", "develope")
    assert LOOKUP_FIXES["en"]["develope"] == "develop"


@pytest.mark.parametrize("gap", ["  ", "\t", "\n", " \n  ", "\u00a0 "])
def test_extra_whitespace_between_words_does_not_break_a_phrase(extractor, gap):
    """Double spaces, tabs and hard-wrapped lines match like one space, alone and in batches, with offsets."""
    one = "We will deploy models to production and build data pipelines in Python for the team."
    text = one.replace("deploy ", "deploy" + gap).replace("data ", "data" + gap)
    expected = extractor.extract(one, lang="en")
    assert {"model_deployment", "data_pipelines", "python"} <= set(expected.counts)
    for report in (extractor.extract(text, lang="en"), next(iter(extractor.extract_many([text] * 3, lang="en")))):
        assert report.counts == expected.counts
        spans = {m.id: text[m.start:m.end] for m in report.matches}
        assert spans["data_pipelines"] == "data" + gap + "pipelines"
        assert spans["model_deployment"].startswith("deploy" + gap)


def test_a_blank_line_still_parts_a_phrase(extractor):
    report = extractor.extract("We will build data\n\npipelines in Python, and deploy models to production.", lang="en")
    assert "data_pipelines" not in report.counts and "model_deployment" in report.counts


@pytest.mark.parametrize("marked", ["**deploy** models", "__deploy__ models", "*deploy* models", "- **deploy** models"])
def test_markdown_emphasis_does_not_break_a_phrase(extractor, marked):
    """"**Deploy** models to production" lost model_deployment (helper 105); a "*" bullet still parts items."""
    text = f"We will {marked} to production and build data pipelines in Python for the team."
    for report in (extractor.extract(text, lang="en"), next(iter(extractor.extract_many([text] * 2, lang="en")))):
        spans = {m.id: text[m.start:m.end] for m in report.matches}
        assert spans["model_deployment"].startswith("deploy") and spans["model_deployment"].endswith("production")
    for bullets in ("* build data\n* pipelines", "*build data\n*pipelines", "build data*\n*pipelines"):
        items = extractor.extract(f"What you will do:\n{bullets} for the team in Python", lang="en")
        assert "data_pipelines" not in items.counts, bullets  # helper 107: "*item" bullets joined


@pytest.mark.parametrize("text, lang, rule_id, span", [
    ("You will build machine-learning infrastructure for search.", "en", "ml_infrastructure",
     "machine-learning infrastructure"),
    ("Work with state-of-the-art deep-learning frameworks such as JAX.", "en", "ml_frameworks",
     "deep-learning frameworks"),
    ("Apply data-mining techniques to claims.", "en", "data_mining", "data-mining"),
    ("Build learning-to-rank models for the shop.", "en", "information_retrieval", "learning-to-rank"),
    ("Vous analyserez des séries-temporelles de capteurs.", "fr", "time_series", "séries-temporelles"),
])
def test_a_hyphen_joining_words_does_not_break_a_phrase(extractor, text, lang, rule_id, span):
    """"machine-learning infrastructure" is read as "machine learning infrastructure" (76 more matches on the
    2,970 training and dev postings, none lost), in one posting and in batches, with the hyphenated span."""
    for report in (extractor.extract(text, lang=lang), next(iter(extractor.extract_many([text] * 2, lang=lang)))):
        assert span in [text[m.start:m.end] for m in report.matches if m.id == rule_id], text


def test_hyphens_read_as_spaces_only_in_fixed_phrases(extractor):
    """Helper 130: word gaps ("ship ... models") reaching across hyphenated words, and rules spelling a hyphen
    ("k-means", "tree-based") matching bare words, were false matches; a spaced French "data - driven" was lost."""
    def ids(text: str, lang: str = "en") -> dict[str, int]:
        return extractor.extract(text, lang=lang).counts

    for text in ("Real-time inference", "Real time inference", "Real - time inference", "real-time inference"):
        assert "scaling_optimization" in ids(f"{text} for our fraud models."), text
    for text in ("the bias-variance trade-off", "the bias/variance trade-off", "the bias - variance trade-off"):
        assert "bias_variance" in ids(f"You understand {text} well."), text
    assert "clustering" in ids("Segment customers with k-means clustering.")
    assert "clustering" not in ids("Plan K means we move the launch to Q3; the 10K means nothing.")
    assert "decision_trees" not in ids("We will plant a tree based on every referral you make.")
    assert "model_deployment" not in ids("Ship T-shirt and long-sleeve models to our e-commerce warehouse.")
    assert "publications" not in ids("Publish the year-end results and quarter-on-quarter figures to shareholders.")
    for text in ("une culture data-driven", "une culture data - driven", "le compromis biais-variance"):
        assert ids(f"Nous recherchons un profil avec {text} pour notre équipe à Paris.", "fr"), text
    # a hyphen with a space on one side is a dash or a bullet, not a join
    assert "data_pipelines" not in ids("We build data -\npipelines in Python.")
    assert "data_pipelines" not in ids("We build data- pipelines in Python.")


@pytest.mark.parametrize("tools", ["SQL, R, Python", "SQL;R;Python", "SQL; R; Python", "R; SAS"])
def test_r_is_found_in_a_semicolon_list_as_in_a_comma_list(extractor, tools):
    """Helper 133: exports whose lists use ";" lost R, the only tool named by one letter."""
    text = f"You will analyse customer data and build predictive models. Requirements: {tools}."
    assert [text[m.start:m.end] for m in extractor.extract(text, lang="en").matches if m.id == "r_language"]


def test_overlapping_matches_of_one_id_are_merged(extractor):
    report = extractor.extract("Deploy trained models into production environments and deploy models weekly.", lang="en")
    spans = [(m.start, m.end) for m in report.matches if m.id == "model_deployment"]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_language_detection_and_unsupported(extractor):
    assert extractor.extract("Nous recherchons un data scientist pour analyser des données.").lang == "fr"
    with pytest.raises(UnsupportedLanguageError, match="'de'"):
        extractor.extract("Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen.")


def test_extract_many_streams_in_order_with_errors(extractor):
    texts = iter(["Python and SQL for the data team.", "", "Docker et Kubernetes pour la mise en production des modèles.",
                  "Wir suchen einen Data Scientist für unser Team und die Entwicklung der Modelle."] * 50)
    out = list(extractor.extract_many(texts, batch_size=7))
    assert len(out) == 200
    for i, r in enumerate(out):
        kind = i % 4
        if kind == 1:
            assert isinstance(r, InputError)
        elif kind == 3:
            assert isinstance(r, UnsupportedLanguageError)
        else:
            assert r.lang == ("en" if kind == 0 else "fr")


def test_pipeline_is_rebuilt_when_its_vocabulary_grows_not_when_it_rereads(monkeypatch, training_rows):
    import rolematch.extract as extract

    texts = [r["text"] for r in training_rows if r["lang"] == "en"][:60]
    ex = Extractor()
    first = ex.pipeline("en")
    batched = list(ex.extract_many(texts, lang="en", batch_size=8))
    assert len(first.nlp.vocab.strings) == first.strings  # batches leave the vocabulary as it was
    once = [ex.extract(t, lang="en") for t in texts]  # a Doc each: their new words are kept
    grown = len(first.nlp.vocab.strings) - first.strings
    assert ex.pipeline("en") is first and grown > 1000  # below the default limit: kept
    monkeypatch.setattr(extract, "REFRESH_STRINGS", grown)
    again = [ex.extract(t, lang="en") for t in texts]
    assert ex.pipeline("en") is first  # known words only: the vocabulary did not grow
    monkeypatch.setattr(extract, "REFRESH_STRINGS", 300)
    small = [ex.extract(t, lang="en") for t in texts]
    rebuilt = ex.pipeline("en")
    assert rebuilt is not first and len(rebuilt.nlp.vocab.strings) - rebuilt.strings <= 300 + 2 * 1500
    after = list(ex.extract_many(texts, lang="en", batch_size=8))
    assert [r.matches for r in batched] == [r.matches for r in once] == [r.matches for r in again] \
        == [r.matches for r in small] == [r.matches for r in after]


def test_user_rules_are_matched(tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "x.jsonl").write_text(json.dumps({"id": "flux_capacitor", "kind": "tool", "category": "tools", "roles": [],
                                           "lang": "any", "origin": "user", "pattern": "flux capacitor"}) + "\n")
    report = Extractor([d]).extract("Experience with the Flux Capacitor is a plus.", lang="en")
    assert report.counts.get("flux_capacitor") == 1


@pytest.mark.parametrize("sentence, rule_id", [
    ("Nettoyage des donnees et feature engineering.", "data_cleaning"),
    ("Vous deploierez les modeles en production.", "model_deployment"),
    ("Arbres de decision et regression lineaire.", "decision_trees"),
    ("Visualisation des donnees pour les equipes metier.", "data_exploration_visualization"),
    ("Ethique de l'IA et IA generative.", "ai_ethics"),
    ("MEGADONNEES ET RESEAUX DE NEURONES", "neural_networks"),
])
def test_french_without_accents_is_matched_as_with_them(sentence, rule_id):
    """Job boards and ATS exports often strip accents (helper 119): every French pattern also matches unaccented."""
    assert rule_id in [m.id for m in Extractor().extract(sentence, lang="fr").matches]


def test_accent_folding_adds_no_match_to_accented_french():
    ex = Extractor()
    text = "Il a une marche à suivre : le marché de l'IA, où la côte ouest a été citée."
    assert [m.id for m in ex.extract(text, lang="fr").matches] == []
    # "à" is not folded to "a" (helper 123: "Acme a des clients" was read as stakeholder communication)
    for text in ["Notre CEO explique souvent que Acme a des clients partout dans le monde.",
                 "Vous intégrez une équipe Solutions Data qui a conçu plusieurs produits phares."]:
        assert [m.id for m in ex.extract(text, lang="fr").matches] == []


@pytest.mark.parametrize("pattern, text", [
    ("économétrie avancée", "Économétrie avancée requise."),  # saved in NFD below
    ("l'apprentissage par renforcement", "Maîtrise de l’apprentissage par renforcement."),
    ("l’apprentissage par renforcement", "Maîtrise de l'apprentissage par renforcement."),
])
def test_user_phrases_match_whatever_their_normal_form_and_apostrophe(tmp_path, pattern, text):
    import unicodedata

    d = tmp_path / "mine"
    d.mkdir()
    (d / "x.jsonl").write_text(json.dumps({"id": "mon_outil", "kind": "tool", "category": "tools", "roles": [],
                                           "lang": "fr", "origin": "user",
                                           "pattern": unicodedata.normalize("NFD", pattern)},
                                          ensure_ascii=False) + "\n", encoding="utf-8")
    assert Extractor([d]).extract(text, lang="fr").counts.get("mon_outil") == 1
    if "'" not in pattern and "’" not in pattern:  # the same as a token pattern of NFD words
        words = [{"LOWER": unicodedata.normalize("NFD", w)} for w in pattern.split()]
        (d / "x.jsonl").write_text(json.dumps({"id": "mon_outil", "kind": "tool", "category": "tools", "roles": [],
                                               "lang": "fr", "origin": "user", "pattern": words},
                                              ensure_ascii=False) + "\n", encoding="utf-8")
        assert Extractor([d]).extract(text, lang="fr").counts.get("mon_outil") == 1


def test_prepared_tokenizers_match_spacy_blank():
    """The prepared tokenizers are spaCy's, plus the glued-bullet splits that the slow path adds too."""
    import spacy

    from rolematch.pipelines import blank, prepared_path, slow_blank

    texts = [s["sentence"] for s in SENTENCES] + [
        "Ph.D. in Computer Science, U.S. citizenship; l'entraînement des modèles d'IA, peut-être aujourd'hui.",
        "C++/CUDA, e-mail: jobs@example.com, https://example.com/jobs?id=3 -- 10k€/an, 3+ ans d’expérience."]
    glued = "Skills:\n•Python;C++ and SQL\n-Docker, -5% -- a-t-il\nPython•SQL∙Spark, x•2 → ML"
    for lang in ("en", "fr"):
        assert prepared_path(lang).is_file(), "run `rolematch rules compile` after upgrading spaCy"
        mine, slow, ref = blank(lang), slow_blank(lang), spacy.blank(lang)
        assert mine.lang == lang
        for t in texts:
            assert [x.text for x in mine(t)] == [x.text for x in slow(t)] == [x.text for x in ref(t)], t
        got = [x.text for x in mine(glued)]
        assert got == [x.text for x in slow(glued)]
        assert got[:8] == ["Skills", ":", "\n", "•", "Python", ";", "C++", "and"] and "Docker" in got and "-5" in got
        assert ["Python", "•", "SQL", "∙", "Spark"] == got[got.index("Python", 5):got.index("Spark") + 1]
        assert got[-5:] == ["x", "•", "2", "→", "ML"]  # helper 131: "C++•Python", "Python3•SQL" stayed glued


@pytest.mark.parametrize("text", ["Requirements:\n•Python and SQL\n•Docker and Kubernetes\n",
                                  "Requirements:\n-Python and SQL\n-Docker and Kubernetes\n",
                                  "Requirements: Python•SQL•Docker•Kubernetes.\n",
                                  "Requirements: C++•Python•Docker and Python3•SQL• Kubernetes•\n",
                                  "Requirements: Python;SQL;Docker;C++;Kubernetes\n"])
def test_skills_glued_to_list_bullets_are_found(extractor, text):
    """Exports that drop the space after a bullet ("•Python", "-Docker": 12 of the 905 dev postings) lost those
    skills."""
    text = "We are a small team building search for online shops. " + text
    for report in (extractor.extract(text, lang="en"), next(iter(extractor.extract_many([text] * 2, lang="en")))):
        assert {text[m.start:m.end] for m in report.matches} >= {"Python", "SQL", "Docker", "Kubernetes"}



def test_chunk_caching_tokenizer_matches_spacy_on_the_corpus():
    """Same tokens as spacy.blank (with the glued-bullet splits) on our training postings, also when the chunk
    cache overflows and restarts."""
    from rolematch.pipelines import ChunkCachingTokenizer, blank, slow_blank

    texts = [json.loads(line)["text"] for f in sorted((REPO / "training_data").glob("*.jsonl"))[:6]
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()][:150]
    for lang in ("en", "fr"):
        mine, ref = blank(lang), slow_blank(lang)
        assert isinstance(mine.tokenizer, ChunkCachingTokenizer)
        mine.tokenizer.max_chunks = 500  # overflow and flush many times
        for _ in range(2):  # cold, then from the cache
            for t in texts:
                assert [(x.text, x.whitespace_) for x in mine(t)] == [(x.text, x.whitespace_) for x in ref(t)]
        assert len(mine.tokenizer._seen) <= 500 + max(len(t.split()) for t in texts)

def test_token_matcher_agrees_with_spacy_matcher(extractor):
    """rolematch's TokenMatcher finds what spaCy's Matcher finds (longest span per start)."""
    from spacy.matcher import Matcher

    from rolematch.lemmas import compile_token_pattern
    from rolematch.tokenmatch import TokenMatcher, supported

    for lang in ("en", "fr"):
        nlp = extractor.nlp(lang)
        fast, ref = TokenMatcher(nlp.vocab.strings), Matcher(nlp.vocab)
        for i, r in enumerate(extractor.rules):
            if r.applies_to(lang) and isinstance(r.pattern, list):
                compiled = compile_token_pattern(r.pattern, lang, extractor._forms)
                if supported(compiled):
                    key = nlp.vocab.strings.add(f"k{i}")
                    fast.add(key, compiled)
                    ref.add(f"k{i}", [compiled])
        for s in SENTENCES:
            doc = nlp.make_doc(s["sentence"])
            want: dict[tuple[int, int], int] = {}
            for key, start, end in ref(doc):
                want[(key, start)] = max(want.get((key, start), 0), end)
            got = {(key, start): end for key, start, end in fast(doc)}
            assert got == want, s["sentence"]


def test_phrase_index_agrees_with_spacy_phrase_matcher(extractor, training_rows):
    """PhraseIndex finds exactly what spaCy's PhraseMatcher finds for every phrase the rules hold
    (LOWER and ORTH, one- and many-word, overlapping, shared by several keys), on sentences and postings."""
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    from rolematch.extract import as_phrases
    from rolematch.lemmas import compile_token_pattern
    from rolematch.phrases import PhraseIndex

    texts = [s["sentence"] for s in SENTENCES] + [r["text"] for r in training_rows[::15]]
    for lang in ("en", "fr"):
        nlp = extractor.nlp(lang)
        fast = PhraseIndex(nlp.vocab.strings)
        ref = {a: PhraseMatcher(nlp.vocab, attr=a) for a in ("LOWER", "ORTH")}
        for i, r in enumerate(extractor.rules):
            if not r.applies_to(lang):
                continue
            key = f"k{i}"
            if isinstance(r.pattern, str):
                fast.add(nlp.vocab.strings.add(key), [[t.text for t in nlp.make_doc(r.pattern)]])
                ref["LOWER"].add(key, [nlp.make_doc(r.pattern)])
                continue
            phrases = as_phrases(compile_token_pattern(r.pattern, lang, extractor._forms))
            if phrases is not None:
                attr, seqs = phrases
                fast.add(nlp.vocab.strings.add(key), seqs, attr)
                ref[attr].add(key, [Doc(nlp.vocab, words=[w.lower() if attr == "LOWER" else w for w in seq])
                                    for seq in seqs])
        for key in ("kdup", "kdup2"):  # one phrase under two keys, and twice under one key
            fast.add(nlp.vocab.strings.add(key), [["machine", "learning"], ["Machine", "Learning"]])
            ref["LOWER"].add(key, [nlp.make_doc("machine learning"), nlp.make_doc("Machine Learning")])
        assert len(fast) > 500
        found = 0
        for text in texts:
            doc = nlp.make_doc(text)
            want = sorted(m for pm in ref.values() for m in pm(doc))
            got = fast(doc)
            assert len(got) == len(set(got))
            assert sorted(got) == want, text[:80]
            found += len(got)
        assert found > 100


def test_key_filter_never_misses_a_key():
    import numpy as np

    from rolematch.tokenmatch import KeyFilter

    rng = np.random.default_rng(0)
    keys = rng.integers(0, 2**64 - 1, 3000, dtype=np.uint64)
    values = np.concatenate([keys[::7], rng.integers(0, 2**64 - 1, 5000, dtype=np.uint64)])
    rng.shuffle(values)
    kf = KeyFilter(int(k) for k in keys)
    hit = set(kf.positions(values).tolist())
    member = np.isin(values, keys)
    assert set(np.flatnonzero(member).tolist()) <= hit  # no false negatives
    assert len(hit) < member.sum() + 0.1 * len(values)  # and few false positives


def test_plain_chunks_never_involve_a_special_case(training_rows):
    """ChunkCachingTokenizer.plain (chunks cached together in one doc) agrees with spaCy's own account
    (Tokenizer.explain): no chunk it calls plain makes spaCy apply a special case."""
    from rolematch.pipelines import blank

    tricky = ["a.", "(a.", "a.)", "e.g.", "(e.g.,", "i.e.", "don't", "Dont", "dont", "cannot", "Cannot", "im", "Im,",
              "ll", "em", "id.", "Id", "etc.", "vs.", "Mr.", "p.m.", "n°", ":)", "(:", "U.S.", "Inc.", "aujourd'hui",
              "c'est", "M.", "St.", "models.", "(data)", "pipelines,", "Python;", "\"Quoted\"", "what?!", "x.", "XD",
              "xD", "gonna", "Gotta", "ain't", "(im)", "Ol", "ol.", "n'importe", "d'IA", "l'équipe", "Jan.", "feb."]
    import random

    words = random.Random(0).sample(sorted({w for r in training_rows[::20] for w in r["text"].split()}), 100)
    for lang in ("en", "fr"):
        tok = blank(lang).tokenizer
        plain = [c for c in tricky + words if tok.plain(c)]
        assert len(plain) > 40
        for chunk in plain:
            rules = [rule for rule, _ in tok.tokenizer.explain(chunk)]
            assert not any(r.startswith("SPECIAL") for r in rules), (lang, chunk, rules)
        assert not tok.plain("a.") and not tok.plain("e.g.") and not tok.plain("dont" if lang == "en" else "XD")


def test_skill_match_init_sets_every_field_and_stays_frozen():
    """SkillMatch writes its fields itself (quicker than the frozen dataclass's): all of them, in order."""
    import dataclasses
    import inspect
    import pickle

    from rolematch.results import SkillMatch

    names = [f.name for f in dataclasses.fields(SkillMatch)]
    assert list(inspect.signature(SkillMatch.__init__).parameters)[1:] == names
    values = ["python", "skill", "tool", ("ml_engineer",), "Python", 10, 16, "en", "tools"]
    m = SkillMatch(*values)
    assert [getattr(m, n) for n in names] == values
    assert m == SkillMatch(**dict(zip(names, values))) and hash(m) == hash(SkillMatch(*values))
    assert pickle.loads(pickle.dumps(m)) == m
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.start = 0  # type: ignore[misc]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_token_matcher_flags_are_the_lexemes_and_make_no_lexeme(lang):
    """The matcher's lexical flags come from the getters on the word's text: the lexeme's own values."""
    from rolematch.pipelines import blank
    from rolematch.tokenmatch import FLAGS, lexical_flags

    words = ["Python", "python", "PYTHON", "3.5", "10", "dix", "ten", "1,000", "(", "—", "e.g.", "C++", "x2", "\n",
             "l'équipe", "Été", "ÉTÉ", "été", "%", "$", "😀", "A/B", "MLOps", "IA", "a"]
    vocab = blank(lang).vocab
    hashes = [vocab.strings.add(w) for w in words]
    known = [w in vocab for w in words]  # special cases have lexemes already
    got = [lexical_flags(vocab, h) for h in hashes]
    assert [w in vocab for w in words] == known and known.count(False) > 15  # no lexeme was made
    assert [lexical_flags(vocab, h, w) for h, w in zip(hashes, words)] == got  # the text given, not looked up
    assert got == [tuple(bool(getattr(vocab[h], f.lower())) for f in FLAGS) for h in hashes]
    assert len({g for g in got}) >= 5  # the words differ in their flags
    from spacy.vocab import Vocab

    bare = Vocab(lex_attr_getters={})  # no getters: the lexeme is asked
    assert lexical_flags(bare, bare.strings.add("Python")) == tuple(bool(getattr(bare["Python"], f.lower()))
                                                                   for f in FLAGS)


def test_windows_line_breaks_are_one_line_break(extractor):
    """"\r\n" is one line break, not a blank line: a phrase wrapped over it still matches."""
    text = "We will deploy\nmodels to production and build data\npipelines in Python for the team."
    lf = extractor.extract(text, lang="en")
    crlf = extractor.extract(text.replace("\n", "\r\n"), lang="en")
    assert {"model_deployment", "data_pipelines"} <= set(lf.counts) and crlf.counts == lf.counts
    blank = extractor.extract(text.replace("data\n", "data\r\n\r\n"), lang="en")
    assert "data_pipelines" not in blank.counts


def test_a_statisticians_job_name_is_no_statistics_skill(extractor):
    """"Statisticien" as the title counted as the statistics skill (toward data_scientist) on top of naming the
    job (helper 110); the skill is still found in what the job does."""
    fr = extractor.extract("Statisticien (H/F). Vous réaliserez des analyses statistiques pour nos clients.", lang="fr")
    assert [m.text for m in fr.matches if m.id == "statistics"] == ["statistiques"]
    en = extractor.extract("Statistician. You will run statistical analyses with our statisticians.", lang="en")
    assert [m.text for m in en.matches if m.id == "statistics"] == ["statistical"]
