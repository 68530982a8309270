from __future__ import annotations

import json

import pandas as pd
import pytest

import rolematch
from conftest import EXAMPLES
from rolematch.errors import InputError, UnsupportedLanguageError

EN = (EXAMPLES / "posting_en.txt").read_text(encoding="utf-8")
FR = (EXAMPLES / "posting_fr.txt").read_text(encoding="utf-8")


def test_public_api_is_listed():
    for name in rolematch.__all__:
        assert hasattr(rolematch, name), name


def test_classify_examples(model):
    en = model.classify(EN)
    fr = model.classify(FR)
    assert (en.label, en.lang, en.in_scope) == ("ml_engineer", "en", True)
    assert (fr.label, fr.lang) == ("data_scientist", "fr")
    for res in (en, fr):
        assert abs(sum(res.probabilities.values()) - 1) < 1e-6
        assert set(res.probabilities) == set(rolematch.LABELS)
        assert res.confidence == max(res.probabilities.values())


def test_evidence_explains_the_label_with_valid_offsets(model):
    res = model.classify(EN)
    ev = res.evidence[res.label]
    assert ev and all(c.weight > 0 for c in ev)
    terms = [c for c in ev if c.kind != "sentence"]
    sentences = [c for c in ev if c.kind == "sentence"]
    assert ev == terms + sentences, "terms and rules first, then the telling sentences"
    assert terms == sorted(terms, key=lambda c: -c.weight)
    assert sentences == sorted(sentences, key=lambda c: -c.weight) and 1 <= len(sentences) <= 2
    for c in sentences:
        (s, e), = c.spans
        assert " ".join(EN[s:e].split()) == c.feature, "a sentence's span is its text in the input"
    rules = [c for e in res.evidence.values() for c in e if c.kind == "rule"]
    assert rules, "rule matches appear as evidence"
    for c in rules:
        for s, e in c.spans:
            assert EN[s:e].strip()
    for m in res.skills.matches:
        assert EN[m.start:m.end] == m.text


def test_title_is_used_when_given(model):
    text = "You will work with data and models across the company, with Python and SQL."
    a = model.classify(text, title="Machine Learning Engineer").probabilities["ml_engineer"]
    b = model.classify(text, title="Data Scientist").probabilities["ml_engineer"]
    assert a > b


def test_out_of_scope_posting(model):
    nurse = ("We are hiring a registered nurse for our cardiac unit. You will provide patient care, administer "
             "medications, coordinate with physicians and support families. Night shifts, union benefits, "
             "BLS certification and a valid state nursing license are required.")
    res = model.classify(nurse)
    assert res.label == "other" and not res.in_scope


def test_classify_many_keeps_order_and_reports_errors(model):
    texts = [EN, "", None, FR, "Wir suchen einen Data Scientist für unser Team und die Modelle der Firma.", EN]
    out = list(model.classify_many(iter(texts), batch_size=2))
    assert len(out) == 6
    assert isinstance(out[1], InputError) and isinstance(out[2], InputError)
    assert isinstance(out[4], UnsupportedLanguageError)
    assert [o.label for o in (out[0], out[3], out[5])] == ["ml_engineer", "data_scientist", "ml_engineer"]
    single = model.classify(EN)
    assert out[0].probabilities == pytest.approx(single.probabilities)


def test_module_level_helpers():
    res = rolematch.classify(EN)
    assert res.label == "ml_engineer"
    assert res.to_dict()["label"] == "ml_engineer"
    skills = rolematch.extract_skills(FR)
    assert skills.lang == "fr" and "data_cleaning" in skills.counts


def test_score_frame_preserves_index_and_columns():
    df = pd.DataFrame({"title": ["a", "b", "c"], "description": [EN, "", FR]}, index=[10, 20, 30])
    out = rolematch.score_frame(df)
    assert list(out.index) == [10, 20, 30]
    assert list(out.columns[:2]) == ["title", "description"]
    assert out.loc[10, "rolematch_label"] == "ml_engineer"
    assert pd.isna(out.loc[20, "rolematch_label"]) and "empty" in out.loc[20, "rolematch_error"]
    assert out.loc[30, "rolematch_language"] == "fr"
    assert out.loc[30, "rolematch_p_other"] == rolematch.classify(FR).probabilities["other"]  # as computed
    with pytest.raises(InputError, match="no column 'text'"):
        rolematch.score_frame(df, text_column="text")
    assert "rolematch_evidence" not in out.columns
    explained = rolematch.score_frame(df, explain=True)
    assert list(explained.columns[-1:]) == ["rolematch_evidence"]
    assert explained.drop(columns="rolematch_evidence").equals(out)
    evidence = explained.loc[10, "rolematch_evidence"]
    assert evidence == [c.to_dict() for c in rolematch.classify(EN).evidence["ml_engineer"]]
    assert explained.loc[20, "rolematch_evidence"] is None
    with pytest.raises(InputError, match="already has column.*rolematch_evidence"):
        rolematch.score_frame(explained.drop(columns=[c for c in out.columns if c.startswith("rolematch_")]))


def test_a_model_shared_between_threads_gives_the_same_results(training_rows):
    from concurrent.futures import ThreadPoolExecutor

    from rolematch.api import RoleModel

    texts = [r["text"] for r in training_rows[::25]][:48]  # both languages; new words for a fresh model
    expected = [r.probabilities for r in RoleModel.load().classify_many(texts, batch_size=8)]
    shared = RoleModel.load()  # cold caches: the threads add new words at the same time

    def work(k: int) -> list[dict[str, float]]:
        order = texts[k:] + texts[:k]
        if k % 2:
            got = [shared.classify(t, explain=False).probabilities for t in order]
        else:
            got = [r.probabilities for r in shared.classify_many(order, batch_size=4)]
        return got[-k:] + got[:-k] if k else got

    with ThreadPoolExecutor(4) as pool:
        for got in pool.map(work, range(8)):
            assert got == expected


def test_classify_many_refuses_titles_of_another_length(model):
    with pytest.raises(InputError, match="1 title"):
        model.classify_many([EN, FR, EN], titles=["ML Engineer"])  # sized: refused before any work
    with pytest.raises(InputError, match="only 1 title"):
        list(model.classify_many(iter([EN, FR, EN]), titles=iter(["ML Engineer"]), batch_size=2))
    with pytest.raises(InputError, match="more titles than the 1 text"):
        list(model.classify_many(iter([EN]), titles=iter(["ML Engineer", "Data Scientist"])))
    assert len(list(model.classify_many(iter([EN, FR]), titles=iter(["ML Engineer", None])))) == 2


def test_a_too_long_title_is_an_error_row_not_a_failed_batch(model):
    from rolematch.scoring import MAX_TITLE_CHARS

    huge = "x " * (MAX_TITLE_CHARS // 2 + 1)
    df = pd.DataFrame({"title": ["ML Engineer", huge, "ML Engineer"], "description": [EN, EN, EN]})
    out = rolematch.score_frame(df, title_column="title")
    assert out["rolematch_label"].tolist()[::2] == ["ml_engineer", "ml_engineer"]
    assert pd.isna(out.loc[1, "rolematch_label"]) and "title too long" in out.loc[1, "rolematch_error"]
    with pytest.raises(InputError, match="title too long"):
        model.classify(EN, title="x " * 600_000)


def test_score_command_reports_a_too_long_title_on_its_row(tmp_path):
    from click.testing import CliRunner

    from rolematch.cli import cli
    from rolematch.scoring import MAX_TITLE_CHARS

    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"title": ["ML Engineer", "x" * (MAX_TITLE_CHARS + 1)], "description": [EN, EN]}).to_csv(src, index=False)
    res = CliRunner().invoke(cli, ["score", str(src), "-o", str(out), "--title-column", "title", "-j", "1"])
    assert res.exit_code == 0, res.output
    scored = pd.read_csv(out)
    assert scored["rolematch_label"].tolist()[0] == "ml_engineer"
    assert "title too long" in scored["rolematch_error"][1] and "title too long" in res.output


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_score_explain_adds_the_labels_evidence_with_spans_into_each_row(tmp_path, ext):
    """score --explain: one more column, the label's evidence (JSON text in CSV/Parquet, a list in JSONL)."""
    import json

    from click.testing import CliRunner

    from rolematch.cli import cli

    if ext == "parquet":
        pytest.importorskip("pyarrow")
    src, out = tmp_path / "in.csv", tmp_path / f"out.{ext}"
    texts = [EN, "", FR]
    pd.DataFrame({"id": [1, 2, 3], "description": texts}).to_csv(src, index=False)
    res = CliRunner().invoke(cli, ["score", str(src), "-o", str(out), "-j", "1", "-q", "--explain"])
    assert res.exit_code == 0, res.output
    if ext == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        evidence = [r["rolematch_evidence"] for r in rows]
        assert list(rows[0])[-1] == "rolematch_evidence"
    else:
        scored = pd.read_csv(out) if ext == "csv" else pd.read_parquet(out)
        assert list(scored.columns)[-1] == "rolematch_evidence"
        evidence = [None if pd.isna(v) else json.loads(v) for v in scored["rolematch_evidence"]]
    assert evidence[1] is None  # the empty posting is an error row
    for text, ev in ((EN, evidence[0]), (FR, evidence[2])):
        label = rolematch.classify(text).label
        assert ev == [c.to_dict() for c in rolematch.classify(text).evidence[label]]
        assert {"rule", "sentence"} <= {c["kind"] for c in ev}
        for c in ev:
            for s, e in c["spans"]:
                assert text[s:e].strip()


def test_titles_that_are_not_text(model):
    plain = model.classify(EN).probabilities
    for missing in (None, float("nan"), pd.NA, "  "):
        assert model.classify(EN, title=missing).probabilities == pytest.approx(plain)
    for bad in (b"Data Scientist", ["Data Scientist"]):
        with pytest.raises(InputError, match=f"title must be text.*got {type(bad).__name__}"):
            rolematch.classify(EN, title=bad)
    # a number (a JSON or Parquet cell) is its text, as in a CSV
    assert model.classify(EN, title=2024).probabilities == model.classify(EN, title="2024").probabilities
    out = list(model.classify_many([EN, EN, EN], titles=[float("nan"), b"x", pd.NA]))
    assert out[0].probabilities == pytest.approx(plain) and out[2].probabilities == pytest.approx(plain)
    assert isinstance(out[1], InputError) and "got bytes" in str(out[1])


def test_score_frame_refuses_unusable_frames_clearly():
    df = pd.DataFrame({"description": [EN], "title": ["ML Engineer"]})
    with pytest.raises(InputError, match="no column 'job_title'; columns are: description, title"):
        rolematch.score_frame(df, title_column="job_title")
    with pytest.raises(InputError, match=r"already has column\(s\) rolematch_label \(already scored\?\)"):
        rolematch.score_frame(df.assign(rolematch_label=["reviewed: keep"]))
    twice = pd.concat([df, df[["description"]]], axis=1)
    with pytest.raises(InputError, match="column 'description' appears 2 times"):
        rolematch.score_frame(twice)


def test_score_frame_columns_keep_their_dtypes_whatever_the_rows():
    """An error row (or only error rows, or none) must not turn the floats into objects or in_scope into
    True/False/None: chunks scored apart concatenate, and scored[scored.rolematch_in_scope] works."""
    frames = [rolematch.score_frame(pd.DataFrame({"description": texts}, dtype=object), lang="en")
              for texts in ([EN, EN], [EN, None], [None, ""], [])]
    dtypes = [f.filter(like="rolematch_").dtypes.astype(str).to_dict() for f in frames]
    assert all(d == dtypes[0] for d in dtypes)
    assert dtypes[0]["rolematch_confidence"] == "float64" and dtypes[0]["rolematch_in_scope"] == "boolean"
    assert dtypes[0]["rolematch_error"] == "object" and dtypes[0]["rolematch_label"] == "object"
    mixed = frames[1]
    assert list(mixed[mixed.rolematch_in_scope].index) == [0]
    assert pd.isna(mixed.loc[1, "rolematch_confidence"]) and mixed.loc[1, "rolematch_error"] == "missing text"
    assert pd.concat(frames)["rolematch_p_ml_engineer"].dtype == "float64"
    with pytest.raises(UnsupportedLanguageError):  # lang= reaches the model, as in classify
        rolematch.score_frame(pd.DataFrame({"description": [EN]}), lang="de")
    # the numbers are classify's, not rounded as in score's files; explain is still the fifth positional
    one = rolematch.score_frame(pd.DataFrame({"description": [EN]}), "description", None, None, True)
    res = rolematch.classify(EN)
    assert one.loc[0, "rolematch_confidence"] == res.confidence and "rolematch_evidence" in one.columns
    assert one.loc[0, "rolematch_p_ml_scientist"] == res.probabilities["ml_scientist"]


def test_results_are_hashable():
    a, b = rolematch.classify(EN), rolematch.classify(EN)
    assert a == b and hash(a) == hash(b) and len({a, b, rolematch.classify(FR)}) == 2


def test_score_frame_treats_pd_na_as_missing_text():
    df = pd.DataFrame({"description": pd.Series([EN, None], dtype="string")})
    out = rolematch.score_frame(df)
    assert out.loc[0, "rolematch_label"] == "ml_engineer"
    assert out.loc[1, "rolematch_error"] == "missing text"


def test_numpy_strings_are_postings_and_titles(model):
    import numpy as np

    plain = model.classify(EN, title="ML Engineer")
    assert model.classify(np.str_(EN), title=np.str_("ML Engineer")).probabilities == plain.probabilities
    batch = list(model.classify_many(np.array([EN, FR]), titles=np.array(["ML Engineer", "Data Scientist"])))
    assert [r.label for r in batch] == [plain.label, model.classify(FR, title="Data Scientist").label]
    assert rolematch.extract_skills(np.str_(EN)).counts == rolematch.extract_skills(EN).counts


def test_one_string_is_not_a_collection_of_postings(model):
    with pytest.raises(InputError, match="not one string"):
        model.classify_many(EN)
    with pytest.raises(InputError, match=r"titles must be a collection of titles \(one per text\), not one string$"):
        model.classify_many([EN], titles="ML Engineer")
    with pytest.raises(InputError, match="not one string"):
        next(iter(rolematch.Extractor().extract_many(EN)))


@pytest.mark.parametrize("given", [None, 5, 3.5])
def test_what_is_not_a_collection_is_refused_at_the_call(model, given):
    """classify_many is lazy: without a check, None or a number failed with a TypeError only when read."""
    with pytest.raises(InputError, match=f"texts must be a collection of postings .*got {type(given).__name__}"):
        model.classify_many(given)
    with pytest.raises(InputError, match="titles must be a collection of titles"):
        model.classify_many([EN], titles=given if given is not None else 5)
    with pytest.raises(InputError, match="texts must be a collection"):
        next(iter(rolematch.Extractor().extract_many(given)))


def test_a_mapping_is_refused_not_iterated_by_its_keys(model):
    with pytest.raises(InputError, match=r"mapping .*list\(d.values\(\)\)"):
        model.classify_many({"job-1": EN})
    with pytest.raises(InputError, match="mapping"):
        next(iter(rolematch.Extractor().extract_many({"job-1": EN})))


@pytest.mark.parametrize("given", [pd.Series([EN]), [EN], EN])
def test_score_frame_needs_a_dataframe(given):
    with pytest.raises(InputError, match=r"score_frame needs a pandas DataFrame, got \w+; .*classify_many"):
        rolematch.score_frame(given)


def test_lang_is_read_in_any_case(model):
    assert model.classify(FR, lang="FR").probabilities == model.classify(FR, lang="fr").probabilities
    assert [r.lang for r in model.classify_many([EN], lang=" En ")] == ["en"]
    with pytest.raises(InputError, match="unsupported language 'de'"):
        model.classify(EN, lang="de")


def test_a_dataframe_is_refused_where_a_column_is_expected(model):
    df = pd.DataFrame({"description": [EN, FR, EN]})  # iterating it would give its one column name
    with pytest.raises(InputError, match=r"DataFrame .*df\['description'\]"):
        model.classify_many(df)
    with pytest.raises(InputError, match="DataFrame"):
        next(iter(rolematch.Extractor().extract_many(df)))
    assert len(list(model.classify_many(df["description"]))) == 3


def test_model_and_extractor_pickle_for_process_pools(model):
    import pickle

    copy = pickle.loads(pickle.dumps(model))
    assert copy.classify(FR).probabilities == model.classify(FR).probabilities
    ex = pickle.loads(pickle.dumps(rolematch.Extractor()))
    assert ex.extract(EN).counts == rolematch.extract_skills(EN).counts


def test_lone_surrogate_is_classified_not_a_crash(model):
    text = EN + " \ud800"  # json.loads gives this for a "\\ud800" escape
    assert model.classify(text).label == model.classify(EN).label
    assert [r.label for r in model.classify_many([EN, text])] == [model.classify(EN).label] * 2


def test_unsupported_language_message_names_the_python_parameter(model):
    with pytest.raises(InputError, match="lang= in Python"):
        model.classify("Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen in der Firma.")


def test_score_frame_with_multiindex_columns_adds_full_keys(model):
    import warnings

    df = pd.DataFrame({("post", "description"): [EN, FR]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = model.score_frame(df, text_column=("post", "description"))
    assert ("rolematch_label", "") in out.columns
    assert list(out[("rolematch_label", "")]) == ["ml_engineer", "data_scientist"]
    with pytest.raises(InputError, match="already scored"):
        model.score_frame(out, text_column=("post", "description"))


@pytest.mark.parametrize("size", [0, -1, True, 1.5])
def test_a_batch_size_below_one_or_not_whole_is_refused(model, size):
    """``batch_size=0`` used to read no rows at all: classify_many yielded nothing for two texts."""
    with pytest.raises(ValueError, match="batch_size must be a whole number of at least 1"):
        model.classify_many([EN, FR], batch_size=size)
    with pytest.raises(ValueError, match="batch_size must be a whole number of at least 1"):
        model.score_frame(pd.DataFrame({"description": [EN, FR]}), batch_size=size)
    with pytest.raises(ValueError, match="batch_size must be a whole number of at least 1"):
        next(iter(rolematch.Extractor().extract_many([EN], batch_size=size)))
    assert [r.label for r in model.classify_many([EN, FR], batch_size=1)] == \
        [model.classify(EN).label, model.classify(FR).label]


def test_load_model_resolves_a_relative_path_where_it_is_called(small_model_dir, tmp_path, monkeypatch):
    """The cache once kept "model" as typed, so after a chdir it returned another folder's model."""
    import shutil

    from rolematch.errors import ModelError

    shutil.copytree(small_model_dir, tmp_path / "a" / "model")
    (tmp_path / "b" / "model").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a")
    assert rolematch.load_model("model") is rolematch.load_model(tmp_path / "a" / "model")
    monkeypatch.chdir(tmp_path / "b")
    with pytest.raises(ModelError, match="missing manifest"):
        rolematch.load_model("model")
    with pytest.raises(ModelError, match="missing manifest"):
        rolematch.classify(EN, model="model")


def test_one_rules_folder_may_be_given_as_a_string_or_path(tmp_path, monkeypatch):
    """A str used to be read as one folder per character (and "./x" walked the whole disk)."""
    from pathlib import Path

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "tools.jsonl").write_text(json.dumps(
        {"id": "my_tool", "kind": "tool", "category": "tools", "roles": ["ml_engineer"], "lang": "any",
         "origin": "user", "pattern": "zorblax"}) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    text = "You will deploy models with Zorblax and Kubernetes to production every week."
    for rules in ("mine", "./mine", Path("mine")):
        assert "my_tool" in rolematch.extract_skills(text, rules=rules).counts
    assert "my_tool" in rolematch.load_model(rules="./mine").classify(text).skills.counts
    # a match names its rule by the path given, as in the CLI and Extractor (it was the absolute path)
    for rules, name in (("mine", "mine/tools.jsonl:1"), (["./mine"], "mine/tools.jsonl:1")):
        assert [m.rule for m in rolematch.extract_skills(text, rules=rules).matches if m.id == "my_tool"] == [name]
        assert [m.rule for m in rolematch.load_model(rules=rules).classify(text).skills.matches
                if m.id == "my_tool"] == [name]
        assert [m.rule for m in rolematch.Extractor(rules=rules).extract(text).matches if m.id == "my_tool"] == [name]


def test_load_model_reloads_a_model_retrained_in_place(small_model_dir, tmp_path):
    import shutil
    import time

    from conftest import model_copy

    d = shutil.copytree(small_model_dir, tmp_path / "m")
    first = rolematch.load_model(d)
    assert rolematch.load_model(d) is first
    time.sleep(0.01)
    shutil.rmtree(d)
    model_copy(small_model_dir, d, note="retrained")  # a new manifest, as `rolematch train -o d` writes
    assert rolematch.load_model(d) is not first


def test_mention_and_sentence_evidence_spans_index_the_input_text(model):
    """Role mentions' and sentences' spans, like rule matches', index the text as given (here NFD, CRLF)."""
    import unicodedata

    text = unicodedata.normalize("NFD", FR).replace("\n", "\r\n")
    res = model.classify(text)
    mentions = [c for cs in res.evidence.values() for c in cs if c.kind == "mention"]
    assert mentions
    for c in mentions:
        words = c.feature.split(": ", 1)[1]
        for s, e in c.spans:
            assert " ".join(unicodedata.normalize("NFC", text[s:e]).split()) == words
    sentences = [c for cs in res.evidence.values() for c in cs if c.kind == "sentence"]
    assert sentences
    for c in sentences:
        (s, e), = c.spans
        words = " ".join(unicodedata.normalize("NFC", text[s:e]).split())
        assert words == c.feature or (c.feature.endswith("\u2026") and words.startswith(c.feature[:-1]))


def test_a_wrong_lang_fails_the_call_not_every_row(model):
    with pytest.raises(InputError, match="unsupported language 'de'"):
        model.classify_many([EN, FR], lang="de")
    with pytest.raises(InputError, match="unsupported language 'xx'"):
        model.score_frame(pd.DataFrame({"description": [EN]}), lang="xx")
    with pytest.raises(InputError, match="unsupported language"):
        next(iter(rolematch.Extractor().extract_many([EN], lang="de")))


def test_pyarrow_arrays_are_postings(model):
    pa = pytest.importorskip("pyarrow")
    got = list(model.classify_many(pa.array([EN, FR]), titles=pa.array(["ML Engineer", None])))
    assert [r.label for r in got] == [model.classify(EN, title="ML Engineer").label, model.classify(FR).label]
    reports = list(rolematch.Extractor().extract_many(pa.chunked_array([[EN], [FR]])))
    assert [r.counts for r in reports] == [rolematch.extract_skills(EN).counts, rolematch.extract_skills(FR).counts]


def test_spacy_symbol_names_as_words_survive_a_batch():
    """Found by test_hypothesis's batch property on CI: 'IS_ALPHA' scored in a batch (inside a vocab memory
    zone) broke the next single classify of it (a fresh model: the shared one may know the words already)."""
    from rolematch.api import RoleModel

    model = RoleModel.load()
    for text in ("IS_ALPHA", "NOUN LOWER ORTH"):
        [got] = list(model.classify_many([text], lang="en"))
        again = model.classify(text, lang="en")
        assert not isinstance(got, InputError) and got.probabilities == again.probabilities

