from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pytest

from conftest import model_copy
from rolematch.api import RoleModel
from rolematch.errors import ModelError
from rolematch.model import RoleClassifier
from rolematch.persist import MANIFEST_FILE, MODEL_FILE, load_model, save_model, verify_model
from rolematch.train import bootstrap_macro_f1, classification_report, expected_calibration_error, read_labelled


def _tiny(training_rows, n=6):
    picked, seen = [], {}
    for r in training_rows:
        if seen.get(r["label"], 0) < n:
            seen[r["label"]] = seen.get(r["label"], 0) + 1
            picked.append(r)
    return [{"text": r["text"], "title": r["title"]} for r in picked], [r["label"] for r in picked]


def test_estimator_fits_predicts_and_is_calibrated(training_rows):
    X, y = _tiny(training_rows)
    est = RoleClassifier(cv=2).fit(X, y)
    assert list(est.classes_) == sorted(set(y))
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), len(est.classes_))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (est.predict(X) == np.array(y)).mean() > 0.9
    assert est.temperature_ > 0


def test_sentence_expert_is_fused_and_can_be_turned_off(training_rows):
    """The sentence expert changes the probabilities; without it (weight 0, or a model saved before it
    existed) the posting model alone scores, and the posting model is the same either way."""
    X, y = _tiny(training_rows)
    fused = RoleClassifier(cv=2).fit(X, y)
    alone = RoleClassifier(cv=2, sentence_weight=0.0).fit(X, y)
    assert fused.sentence_model_ is not None and alone.sentence_model_ is None
    assert list(fused.sentence_model_.classes_) == list(fused.classes_)
    assert fused.fusion_temperature_ > 0
    np.testing.assert_allclose(fused.cv_proba_.sum(axis=1), 1.0)
    p_fused, p_alone = fused.predict_proba(X), alone.predict_proba(X)
    assert np.abs(p_fused - p_alone).max() > 1e-3
    np.testing.assert_allclose(p_fused.sum(axis=1), 1.0)
    for bad in (-1.0, float("nan"), "1"):
        with pytest.raises(ValueError, match="sentence_weight"):
            RoleClassifier(cv=2, sentence_weight=bad).fit(X, y)
    old = fused.to_scorer()
    del old.__dict__["sentence_model_"], old.__dict__["sentence_weight"]  # what earlier builds saved
    np.testing.assert_allclose(old.predict_proba(X), p_alone, rtol=1e-6)


def test_refit_gives_the_model_a_fresh_estimator_gives(training_rows):
    """A fitted estimator fitted again (other parameters, other data) keeps nothing of its first fit."""
    X, y = _tiny(training_rows)
    est = RoleClassifier(cv=2).fit(X, y)
    est.set_params(calibration="none").fit(X, y)
    fresh = RoleClassifier(cv=2, calibration="none").fit(X, y)
    assert not hasattr(est, "cv_proba_") and est.fusion_temperature_ == fresh.fusion_temperature_ == 1.0
    np.testing.assert_allclose(est.predict_proba(X), fresh.predict_proba(X))
    est.set_params(calibration="temperature").fit(X[:12], y[:12])  # fewer rows than the first fit
    assert est.cv_proba_.shape == (12, len(est.classes_))


def test_numpy_numbers_are_valid_sentence_weights_and_inputs_are_checked(training_rows):
    X, y = _tiny(training_rows, 3)
    for w in (np.int64(1), np.float32(0.5), np.float64(0.0)):
        RoleClassifier(cv=2, sentence_weight=w).fit(X, y)
    for bad in (True, np.bool_(True), None):
        with pytest.raises(ValueError, match="sentence_weight"):
            RoleClassifier(cv=2, sentence_weight=bad).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 12 postings but y has 11 labels"):
        RoleClassifier(cv=2).fit(X, y[:-1])
    est = RoleClassifier(cv=2).fit(X, y)
    with pytest.raises(ValueError, match="single string"):
        est.predict_proba("Machine learning engineer deploying models to production.")


def test_a_dataframe_without_a_text_column_names_the_columns(model):
    import pandas as pd

    with pytest.raises(ValueError, match="needs a 'text' column .*columns are: description, title"):
        model.estimator.predict_proba(pd.DataFrame({"description": ["Deploy models."], "title": ["MLE"]}))


def test_stage_fit_on_the_used_columns_equals_a_fit_on_all_columns():
    """Fitting on the columns some row uses (what _fit_stage does for speed) finds the same weights."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = sp.random(60, 400, density=0.05, random_state=1, format="csr")
    X = X[:, np.arange(400) % 3 != 0]  # a third of the columns (and more, by chance) stay empty
    y = rng.integers(0, 3, 60)
    coef, intercept, _, _ = RoleClassifier(calibration="none")._fit_stage(X.tocsr(), y, 1.0)
    ref = LogisticRegression(C=1.0, max_iter=3000, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(coef.toarray(), ref.coef_, atol=2e-3)
    np.testing.assert_allclose(intercept, ref.intercept_, atol=2e-3)
    empty = np.flatnonzero(np.asarray(X.sum(axis=0)).ravel() == 0)
    assert len(empty) and not coef.toarray()[:, empty].any()


# RoleClassifier takes raw postings (strings), not numeric arrays, so sklearn's
# check_estimator skips every check that feeds it make_blobs data. These are the
# API-contract checks that apply to a string-input classifier; each one runs.
API_CHECKS = ["check_estimator_cloneable", "check_estimator_repr", "check_no_attributes_set_in_init",
              "check_get_params_invariance", "check_set_params", "check_parameters_default_constructible",
              "check_do_not_raise_errors_in_init_or_set_params", "check_mixin_order", "check_valid_tag_types",
              "check_estimator_tags_renamed", "check_estimators_unfitted"]


@pytest.mark.parametrize("check_name", API_CHECKS)
def test_sklearn_estimator_checks(check_name):
    import sklearn.utils.estimator_checks as checks

    getattr(checks, check_name)("RoleClassifier", RoleClassifier(cv=2))


def test_estimator_tags_declare_string_input():
    tags = RoleClassifier().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def test_works_in_gridsearchcv(training_rows):
    from sklearn.model_selection import GridSearchCV

    X, y = _tiny(training_rows, 4)
    gs = GridSearchCV(RoleClassifier(cv=2), {"C": [1.0, 10.0]}, cv=2).fit(X, y)
    assert gs.best_params_["C"] in (1.0, 10.0)
    assert gs.predict(X[:3]).shape == (3,)


def test_save_load_round_trip_gives_identical_probabilities(training_rows, tmp_path):
    X, y = _tiny(training_rows)
    est = RoleClassifier(cv=2).fit(X, y)
    manifest = save_model(est, tmp_path / "m")
    loaded, m2 = load_model(tmp_path / "m")
    assert m2["sha256"] == manifest["sha256"]
    assert loaded.sentence_model_ is not None  # the sentence expert is saved with the model
    np.testing.assert_array_equal(est.predict_proba(X), loaded.predict_proba(X))



def test_model_file_formats(training_rows, tmp_path):
    """Format 3 (a plain pickle with packed arrays) is also a valid joblib file; format-2 (zlib) and
    format-1 (joblib.dump) files still load; an unknown format is refused before unpickling."""
    import hashlib
    import zlib

    import joblib

    X, y = _tiny(training_rows)
    est = RoleClassifier(cv=2).fit(X, y)
    d = tmp_path / "m"
    manifest = save_model(est, d)
    assert manifest["format"] == 3
    expected = est.predict_proba(X)
    raw = (d / MODEL_FILE).read_bytes()
    assert b"weights_rows_" in raw and b"idf_codes_" in raw  # the packed arrays, not the dense ones
    np.testing.assert_array_equal(joblib.load(d / MODEL_FILE).predict_proba(X), expected)

    def rewrite(fmt: int, data: bytes | None = None) -> None:
        if data is not None:
            (d / MODEL_FILE).write_bytes(data)
        data = (d / MODEL_FILE).read_bytes()
        manifest.update(format=fmt, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
        (d / MANIFEST_FILE).write_text(json.dumps(manifest))

    rewrite(2, zlib.compress(raw))  # what format 2 was
    np.testing.assert_array_equal(load_model(d)[0].predict_proba(X), expected)
    joblib.dump(est.to_scorer(), d / MODEL_FILE, compress=3)  # what format 1 was
    rewrite(1)
    np.testing.assert_array_equal(load_model(d)[0].predict_proba(X), expected)
    rewrite(99)
    with pytest.raises(ModelError, match="model format 99"):
        load_model(d)


def test_packed_scorer_state_restores_the_arrays(training_rows):
    X, y = _tiny(training_rows)
    scorer = RoleClassifier(cv=2).fit(X, y).to_scorer()
    copy = pickle.loads(pickle.dumps(scorer))
    np.testing.assert_array_equal(copy.weights_, scorer.weights_)
    assert copy.weights_.dtype == scorer.weights_.dtype
    np.testing.assert_array_equal(copy.idf_, scorer.idf_)
    assert copy.idf_.dtype == scorer.idf_.dtype
    np.testing.assert_array_equal(copy.predict_proba(X), scorer.predict_proba(X))


def test_cached_scoring_weights_follow_the_model(training_rows):
    X, y = _tiny(training_rows)
    est = RoleClassifier(cv=2).fit(X, y)
    before = est.predict_proba(X)
    est.block_weights = (1.0, 0.2, 0.7, 0.5, 1.0)  # new block weights: the cached dense weights must follow
    changed = est.predict_proba(X)
    assert not np.allclose(before, changed)
    np.testing.assert_array_equal(changed, pickle.loads(pickle.dumps(est)).predict_proba(X))  # fresh cache
    est.fit(X[::-1], y[::-1])  # a refit replaces the coefficients
    np.testing.assert_array_equal(est.predict_proba(X), pickle.loads(pickle.dumps(est)).predict_proba(X))


def test_cached_evidence_weights_follow_the_model(training_rows):
    """class_weights (what explanations use) is computed once, and again after a refit or new block weights."""
    X, y = _tiny(training_rows)
    est = RoleClassifier(cv=2).fit(X, y)
    first = est.class_weights()
    assert est.class_weights() is first
    est.block_weights = (1.0, 0.2, 0.7, 0.5, 1.0)
    second = est.class_weights()
    assert second is not first and all(b == (1.0, 0.2, 0.7, 0.5, 1.0) for c, (_, b) in second.items() if c != "other")
    est.fit(X[::-1], y[::-1])
    refit = est.class_weights()
    assert refit is not second
    fresh = pickle.loads(pickle.dumps(est)).class_weights()  # the cache is not pickled: rebuilt, same values
    assert "_class_weights" not in pickle.loads(pickle.dumps(est)).__dict__
    for c in refit:
        np.testing.assert_array_equal(refit[c][0], fresh[c][0])


def test_tampered_model_file_is_refused(small_model_dir, tmp_path):
    d = tmp_path / "m"
    shutil.copytree(small_model_dir, d)
    with open(d / MODEL_FILE, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelError, match="does not match the manifest"):
        RoleModel.load(d)


def test_random_pickle_without_manifest_is_refused_before_unpickling(tmp_path):
    d = tmp_path / "evil"
    d.mkdir()

    class Boom:
        def __reduce__(self):
            return (print, ("unpickled!",))

    (d / MODEL_FILE).write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ModelError, match="missing manifest"):
        RoleModel.load(d)
    with pytest.raises(ModelError, match="not a model directory"):
        RoleModel.load(d / MODEL_FILE)


def test_version_mismatch_is_refused_or_warned(small_model_dir, tmp_path):
    d = model_copy(small_model_dir, tmp_path / "m", versions={"rolematch": "0.0.1"})
    manifest = json.loads((d / MANIFEST_FILE).read_text())
    with pytest.warns(UserWarning, match="trained with rolematch 0.0.1"):
        verify_model(d)
    manifest["versions"]["scikit-learn"] = "0.1"
    (d / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="scikit-learn 0.1"):
        RoleModel.load(d)


@pytest.mark.parametrize("fmt", [True, "3", 3.5, 99])
def test_a_manifest_format_that_is_not_a_known_number_is_refused(small_model_dir, tmp_path, fmt):
    d = model_copy(small_model_dir, tmp_path / "m", format=fmt)
    with pytest.raises(ModelError, match="model format"):
        RoleModel.load(d)


def test_manifest_records_provenance(small_model_dir):
    m = json.loads((small_model_dir / MANIFEST_FILE).read_text())
    assert set(m["labels"]) == {"ml_engineer", "ml_scientist", "data_scientist", "other"}
    assert len(m["training_data"]["sha256"]) == 64
    assert "macro_f1" in m["cross_validation"]
    assert m["versions"]["scikit-learn"]


def test_default_model_manifest_and_dev_metrics():
    from rolematch.persist import read_manifest
    from rolematch.resources import default_model_dir

    m = read_manifest(default_model_dir())
    assert m["labels"] == ["data_scientist", "ml_engineer", "ml_scientist", "other"]
    assert "cross_validation" in m and "training_data" in m
    verify_model(default_model_dir())


def test_ece():
    assert expected_calibration_error(np.array([0.9, 0.9]), np.array([1, 1])) == pytest.approx(0.1)
    assert expected_calibration_error(np.array([0.55, 0.95]), np.array([0, 1])) == pytest.approx(0.3)


def test_macro_f1_interval_brackets_the_estimate_and_narrows_with_more_rows():
    rng = np.random.default_rng(1)
    roles = ["ml_engineer", "ml_scientist", "data_scientist"]

    def sample(n):
        truth = rng.choice(roles, size=n)
        pred = np.where(rng.random(n) < 0.8, truth, rng.choice(roles, size=n))  # 80% right, else random
        return truth.tolist(), pred.tolist()

    truth, pred = sample(200)
    rep = classification_report(truth, pred, [0.9] * len(truth))
    lo, hi = rep["macro_f1_ci"]
    assert lo < rep["macro_f1"] < hi
    assert bootstrap_macro_f1(truth, pred) == [lo, hi]  # seeded: the same every run
    big_lo, big_hi = bootstrap_macro_f1(*sample(5000))
    assert big_hi - big_lo < (hi - lo) / 2
    assert bootstrap_macro_f1(truth, truth) == [1.0, 1.0]


def test_read_labelled_errors(tmp_path):
    from rolematch.errors import TrainingError

    f = tmp_path / "d.csv"
    f.write_text("text,label\nhello,astronaut\n")
    with pytest.raises(TrainingError, match="unknown label"):
        read_labelled(f)
    with pytest.raises(TrainingError, match="no column 'description'"):
        read_labelled(f, text_column="description")
    with pytest.raises(TrainingError, match="both the text column and the label column"):
        read_labelled(f, label_column="text")
    g = tmp_path / "e.csv"  # the text column is found as in score; empty labels are named by row
    g.write_text("id,job_description,role\n1,hello,data_scientist\n2,world,\n3,again,other\n")
    with pytest.raises(TrainingError, match=r"1 row\(s\) with an empty 'role' \(data row 2\)"):
        read_labelled(g, label_column="role")
    hello = "We are looking for a data scientist to build churn models with Python and SQL for our marketing team."
    again = "We are looking for a payroll officer to run the monthly payroll and answer questions from our staff."
    g.write_text(f"id,job_description,role\n1,{hello},data_scientist\n2,,other\n3,{again},other\n")
    got = read_labelled(g, label_column="role")
    assert list(got["text"]) == [hello, again] and list(got["label"]) == ["data_scientist", "other"]
