"""Training and evaluation data as users have it: blank cells, folders of mixed files, Excel's empty rows."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from rolematch.errors import ModelError, TrainingError
from rolematch.train import classification_report, evaluate, read_labelled, train


@pytest.fixture(scope="module")
def tiny(training_rows) -> pd.DataFrame:
    """Eight postings, two per label, with the columns of a typical export."""
    rows: list[dict] = []
    for label in ("ml_engineer", "ml_scientist", "data_scientist", "other"):
        rows += [r for r in training_rows if r["label"] == label and r["lang"] == "en"][:2]
    return pd.DataFrame({"id": [r["id"] for r in rows], "lang": [r["lang"] for r in rows],
                         "label": [r["label"] for r in rows], "title": [r.get("title", "") for r in rows],
                         "description": [r["text"] for r in rows]})


def test_blank_lang_cells_get_the_detected_language(tiny, tmp_path, small_model_dir):
    from rolematch.api import RoleModel

    df = tiny.copy()
    df.loc[0, "lang"] = None
    df.to_csv(tmp_path / "blank.csv", index=False)
    records = [json.loads(line) for line in df.to_json(orient="records", lines=True).splitlines()]
    del records[1]["lang"]
    (tmp_path / "omitted.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    for name in ("blank.csv", "omitted.jsonl"):
        data = read_labelled(tmp_path / name)
        rep = evaluate(RoleModel.load(small_model_dir), data)
        assert set(rep["by_language"]) == {"en"} and rep["by_language"]["en"]["n"] == 8, name
    _, manifest = train(read_labelled(tmp_path / "blank.csv"), params={"cv": 2})
    assert manifest["cross_validation"]["by_language"]["en"]["n"] == 8
    rep = classification_report(["ml_engineer", "other"], ["ml_engineer", "other"], [0.9, 0.9], ["en", float("nan")])
    assert set(rep["by_language"]) == {"en", "unknown"}
    df.loc[:, "lang"] = ["EN", " en", "En "] + ["en"] * (len(df) - 3)  # spreadsheet spellings: one group
    df.to_csv(tmp_path / "cased.csv", index=False)
    rep = evaluate(RoleModel.load(small_model_dir), read_labelled(tmp_path / "cased.csv"))
    assert set(rep["by_language"]) == {"en"} and rep["by_language"]["en"]["n"] == 8


def test_a_folder_reads_every_table_type_and_finds_the_text_column_per_file(tiny, tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    tiny.iloc[:2].to_csv(d / "a.csv", index=False)                                   # 'description'
    tiny.iloc[2:4].rename(columns={"description": "text"}).to_json(d / "b.jsonl", orient="records", lines=True)
    tiny.iloc[4:5].to_csv(d / "c.TSV", sep="\t", index=False)
    tiny.iloc[5:6].rename(columns={"description": "job_description"}).to_json(d / "d.json", orient="records")
    tiny.iloc[6:7].to_parquet(d / "e.parquet")
    tiny.iloc[7:8].to_csv(d / "f.csv.gz", sep=";", index=False, encoding="utf-8")     # gzip-compressed
    (d / "notes.txt").write_text("not data\n")
    (d / ".hidden.csv").write_text("garbage\n")
    got = read_labelled(d, title_column="title")
    assert list(got["text"]) == list(tiny["description"]) and list(got["label"]) == list(tiny["label"])
    assert list(got["title"]) == list(tiny["title"])
    empty = tmp_path / "none"
    empty.mkdir()
    (empty / "notes.txt").write_text("x\n")
    with pytest.raises(TrainingError, match=r"none: no \.csv, \.tsv, \.jsonl, \.json or \.parquet files"):
        read_labelled(empty)


def test_an_empty_label_in_a_folder_names_the_file_and_its_own_row(tiny, tmp_path):
    d = tmp_path / "emptylab"
    d.mkdir()
    tiny.iloc[:4].to_csv(d / "a.csv", index=False)
    b = tiny.iloc[4:].copy()
    b.iloc[2, b.columns.get_loc("label")] = ""
    b.to_csv(d / "b.csv", index=False)
    with pytest.raises(TrainingError) as err:
        read_labelled(d)
    assert str(err.value).startswith(f"{d / 'b.csv'}: 1 row(s) with an empty 'label' (data row 3)")


def test_rows_with_neither_text_nor_label_are_left_out(tiny, tmp_path):
    f = tmp_path / "excel.csv"
    tiny.to_csv(f, index=False)
    with open(f, "a") as fh:
        fh.write(",,,,\n,,,,\n")  # the empty rows Excel leaves at the end
    got = read_labelled(f)
    assert list(got["label"]) == list(tiny["label"])
    with open(f, "a") as fh:
        fh.write("9,en,,,a posting without a label\n")
    with pytest.raises(TrainingError, match=r"1 row\(s\) with an empty 'label' \(data row 11\)"):
        read_labelled(f)


def test_a_bad_output_path_is_refused_before_reading_or_training(tmp_path):
    from click.testing import CliRunner

    from rolematch.cli import cli

    existing = tmp_path / "existing.txt"
    existing.write_text("x\n")
    data = tmp_path / "missing.csv"  # never read: the output is checked first
    for out, message in ((existing, "exists and is not a directory"),
                         (existing / "sub", f"cannot create it: {existing} is a file, not a directory")):
        res = CliRunner().invoke(cli, ["train", str(data), "-o", str(out)])
        assert res.exit_code == 1 and res.output.strip() == f"Error: {out}: {message}; choose another model directory"
    with pytest.raises(Exception, match="exists and is not a directory"):
        train(pd.DataFrame({"text": ["a", "b"], "label": ["other", "ml_engineer"]}), existing)
    res = CliRunner().invoke(cli, ["train", str(data), "-o", ""])
    assert res.exit_code == 1 and "model directory name is empty" in res.output


def test_model_files_get_the_mode_of_a_normal_file(small_model_dir):
    import os

    from rolematch.persist import MANIFEST_FILE, MODEL_FILE

    umask = os.umask(0o022)
    os.umask(umask)
    for name in (MODEL_FILE, MANIFEST_FILE):
        assert (small_model_dir / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_eval_files_with_the_same_name_are_both_kept(tiny, tmp_path):
    from click.testing import CliRunner

    from rolematch.cli import cli

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    tiny.to_csv(tmp_path / "train.csv", index=False)
    tiny[tiny.label != "other"].to_csv(tmp_path / "a" / "dev.csv", index=False)
    tiny[tiny.label == "other"].to_csv(tmp_path / "b" / "dev.csv", index=False)
    a, b = str(tmp_path / "a" / "dev.csv"), str(tmp_path / "b" / "dev.csv")
    res = CliRunner().invoke(cli, ["train", str(tmp_path / "train.csv"), "-o", str(tmp_path / "m"),
                                   "--eval", a, "--eval", b])
    assert res.exit_code == 0, res.output
    evaluation = json.loads((tmp_path / "m" / "manifest.json").read_text())["evaluation"]
    assert set(evaluation) == {a, b} and evaluation[a]["n_other"] == 0 and evaluation[b]["n_other"] == 2
    assert f"{a}: macro-F1" in res.output
    assert f"{b}: " in res.output and "out of scope: 2 rows labelled other, " in res.output  # no NaN macro-F1
    assert "nan" not in res.output


@pytest.mark.parametrize("c", ["0", "-1", "nan", "inf"])
def test_train_c_must_be_a_finite_number_above_zero(c, tmp_path):
    from click.testing import CliRunner

    from rolematch.cli import cli

    res = CliRunner().invoke(cli, ["train", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "m"), "-C", c])
    assert res.exit_code == 2 and "Invalid value for '-C'" in res.output and "not a finite number above 0" in res.output
    with pytest.raises(TrainingError, match="C must be a finite number above 0"):
        train(pd.DataFrame({"text": ["a", "b"], "label": ["other", "ml_engineer"]}), params={"C": float(c)})


@pytest.mark.parametrize(("key", "value", "message"), [
    ("file", 3, "manifest's 'file' is int, expected a string"),
    ("versions", "x", "manifest's 'versions' is str, expected an object"),
    ("sha256", None, "manifest's 'sha256' is NoneType, expected a string"),
    ("versions", {"scikit-learn": None}, "'versions' does not name the scikit-learn the model was trained with"),
])
def test_a_manifest_with_wrong_types_is_a_clean_model_error(small_model_dir, tmp_path, key, value, message):
    from conftest import model_copy
    from rolematch.api import RoleModel
    from rolematch.errors import ModelError

    d = model_copy(small_model_dir, tmp_path / "m", **{key: value})
    with pytest.raises(ModelError, match=message):
        RoleModel.load(d)


def test_a_version_mismatch_warning_is_one_line_at_the_cli(small_model_dir, tmp_path):
    from click.testing import CliRunner

    from conftest import EXAMPLES, model_copy
    from rolematch.cli import cli

    d = model_copy(small_model_dir, tmp_path / "m", versions={"rolematch": "0.0.7"})
    res = CliRunner().invoke(cli, ["classify", str(EXAMPLES / "posting_en.txt"), "--model", str(d), "--json"])
    assert res.exit_code == 0, res.output
    warning = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(warning) == 1 and warning[0].startswith(f"Warning: {d}/model.joblib: trained with rolematch 0.0.7")


def test_training_data_in_utf8_with_a_stray_cp1252_byte_is_read(tmp_path):
    line = "Nous recherchons un data scientist pour nos études de churn avec Python et SQL."
    f = tmp_path / "mixed.csv"
    f.write_bytes(f"text,label\n{line},data_scientist\n".encode() + "Café ".encode("cp1252")
                  + f"{line},data_scientist\n".encode())
    assert list(read_labelled(f)["text"]) == [line, "Café " + line]


def test_a_failed_save_leaves_the_previous_model_loadable(small_model_dir, tmp_path, monkeypatch):
    """Model and manifest change together: a failure between the two renames used to leave a new
    model beside the old manifest, refused as tampered."""
    import shutil

    import rolematch.persist as persist
    from rolematch.api import RoleModel
    from rolematch.model import RoleClassifier

    d = tmp_path / "m"
    shutil.copytree(small_model_dir, d)
    before = RoleModel.load(d).estimator.predict_proba(["Deploy models to production with Kubernetes."])
    est = RoleClassifier(cv=2, sentence_weight=0).fit(
        ["Deploy models on Kubernetes and monitor them.", "Build dashboards in SQL for sales.",
         "Ship models to production and serve them.", "Report revenue in Excel and Tableau."],
        ["ml_engineer", "other", "ml_engineer", "other"])
    real = os.replace

    def failing(src, dst):
        if str(dst).endswith(persist.MANIFEST_FILE) and not str(src).endswith(".previous"):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(persist.os, "replace", failing)
    with pytest.raises(ModelError, match="cannot write the model: No space left on device"):
        persist.save_model(est, d)
    monkeypatch.setattr(persist.os, "replace", real)
    assert sorted(p.name for p in d.iterdir()) == sorted(p.name for p in small_model_dir.iterdir())  # no temp file
    after = RoleModel.load(d).estimator.predict_proba(["Deploy models to production with Kubernetes."])
    np.testing.assert_array_equal(after, before)


def test_train_checks_labels_folds_and_tiny_classes(tiny, tmp_path):
    df = tiny.rename(columns={"description": "text"})[["text", "label"]]
    with pytest.raises(TrainingError, match="unknown label\\(s\\) 'MLE'"):
        train(df.assign(label=df["label"].replace({"ml_engineer": "MLE"})))
    _, manifest = train(df, eval_sets={"same": df})  # two postings per label: 2 folds, not the 5 asked for
    assert manifest["cross_validation"]["folds"] == 2
    assert manifest["evaluation"]["same"]["n_in_scope"] == 6  # evaluated without saving too
    one = pd.concat([df[df["label"] != "ml_scientist"], df[df["label"] == "ml_scientist"].head(1)])
    with pytest.warns(UserWarning, match="label\\(s\\) 'ml_scientist' have only 1 posting: no cross-validation"):
        _, manifest = train(one)
    assert "cross_validation" not in manifest
    singles = df.groupby("label").head(1)  # every label thin: every one is named, not the first alone
    with pytest.warns(UserWarning, match="have only 1 posting") as got:
        train(singles)
    message = next(str(w.message) for w in got if "only 1 posting" in str(w.message))
    assert all(repr(label) in message for label in singles["label"])


def test_repeated_and_conflicting_postings_are_warned_about(tiny):
    """An export appended twice made cross-validation test on copies of its training rows (0.84 -> 0.97)."""
    import warnings

    df = tiny.rename(columns={"description": "text"})[["text", "label"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no copy, no warning
        from rolematch.train import _warn_duplicates
        _warn_duplicates(df)
    twice = pd.concat([df, df.head(3).assign(label="other"), df.head(2)])
    with pytest.warns(UserWarning, match="5 posting\\(s\\) repeat an earlier one .*; 3 of the repeated postings carry "
                                         "different labels"):
        train(twice)


def test_a_model_trained_into_its_data_folder_leaves_the_folder_readable(tiny, tmp_path):
    data = tmp_path / "project"
    data.mkdir()
    tiny.to_csv(data / "labelled.csv", index=False)
    train(read_labelled(data), data)
    assert (data / "manifest.json").is_file()
    again = read_labelled(data)  # the manifest is the model's, not data
    assert len(again) == len(tiny)


def test_a_data_file_named_manifest_json_is_read_and_never_written_over(tiny, tmp_path):
    """Skipping any manifest.json beside a model.joblib lost a user's data file, and training into its folder
    wrote the model's manifest over it (helper 106)."""
    from rolematch.persist import check_model_dir

    data = tmp_path / "project"
    data.mkdir()
    records = tiny.rename(columns={"description": "text"})[["text", "label"]].to_dict("records")
    (data / "manifest.json").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    (data / "model.joblib").write_bytes(b"another tool's model")
    before = (data / "manifest.json").read_bytes()
    assert len(read_labelled(data)) == len(tiny)
    with pytest.raises(ModelError, match="manifest.json: not a rolematch model manifest .*if it is a damaged rolematch "
                                         "model, delete model.joblib and manifest.json there"):
        check_model_dir(data)
    (data / "manifest.json").unlink()
    with pytest.raises(ModelError, match="model.joblib: no rolematch manifest beside it"):
        check_model_dir(data)
    (data / "manifest.json").write_bytes(before)
    (data / "model.joblib").unlink()
    with pytest.raises(ModelError, match="not a rolematch model manifest"):
        train(read_labelled(data), data)
    assert (data / "manifest.json").read_bytes() == before


def test_a_dangling_symlink_output_is_refused_before_the_fit(tmp_path):
    from rolematch.persist import check_model_dir

    (tmp_path / "link").symlink_to(tmp_path / "gone")
    with pytest.raises(ModelError, match="a symbolic link to .*gone, which does not exist"):
        check_model_dir(tmp_path / "link")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("labels", ["a", "b"], "manifest's 'labels' \\(\\['a', 'b'\\]\\) does not describe the model file"),
    ("class", "builtins.dict", "manifest's 'class'"),
    ("size_bytes", 5, "manifest's 'size_bytes' \\(5\\)"),
    ("temperature", 50.0, "manifest's 'temperature' \\(50.0\\)"),
])
def test_a_manifest_that_misdescribes_its_model_is_refused(small_model_dir, tmp_path, key, value, message):
    from conftest import model_copy
    from rolematch.api import RoleModel

    with pytest.raises(ModelError, match=message):
        RoleModel.load(model_copy(small_model_dir, tmp_path / "m", **{key: value}))


def test_training_refuses_texts_that_are_not_text_naming_rows(tiny, tmp_path):
    records = json.loads(tiny.to_json(orient="records"))
    records[1]["description"], records[3]["description"], records[4]["description"] = ["a", "b"], 42, None
    (tmp_path / "odd.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(TrainingError, match=r"2 row\(s\) whose 'description' is not text \(int, list; line 2, 4\)"):
        read_labelled(tmp_path / "odd.jsonl")
    kept = read_labelled(tmp_path / "odd.jsonl", keep_unusable=True)  # evaluation: they count, as unscorable
    assert len(kept) == len(records)


def test_json_lines_errors_name_the_lines_of_the_file(tiny, tmp_path):
    """Blank lines (and CSV's multi-line cells) make a row's number differ from its line: JSON Lines name lines."""
    lines = [json.dumps(r) for r in json.loads(tiny.to_json(orient="records"))[:4]]
    lines[2] = lines[2].replace('"label":"', '"label":"ML Engineer').replace('"label": "', '"label": "ML Engineer')
    (tmp_path / "blank.jsonl").write_text(lines[0] + "\n\n\n" + "\n".join(lines[1:]) + "\n")
    with pytest.raises(TrainingError, match=r"unknown label\(s\) 'ML Engineer.*\(1 row\(s\): line 5\)"):
        read_labelled(tmp_path / "blank.jsonl")


def test_training_leaves_out_rows_score_would_refuse_naming_them(tiny, tmp_path):
    """A German posting was learned as English, and an oversized text was learned at all."""
    records = json.loads(tiny.to_json(orient="records"))
    records[1]["description"] = ("Wir suchen einen erfahrenen Machine Learning Engineer für unser Team in Berlin. Sie "
                                 "entwickeln und betreiben Modelle in der Produktion und arbeiten mit Python.")
    records[2]["description"] = "word " * 210_000
    (tmp_path / "odd.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    with pytest.warns(UserWarning, match=r"2 row\(s\) left out, as score would refuse them \(language looks like "
                                         r"'de'; posting too large; line 2, 3\)"):
        got = read_labelled(tmp_path / "odd.jsonl")
    assert len(got) == len(records) - 2 and "Wir suchen" not in " ".join(got.text)
    assert len(read_labelled(tmp_path / "odd.jsonl", keep_unusable=True)) == len(records)  # evaluation counts them


def test_evaluate_counts_labelled_rows_it_cannot_score(tiny, tmp_path, small_model_dir):
    from click.testing import CliRunner
    from rolematch.cli import cli

    df = tiny.copy()
    df.loc[0, "description"] = ""
    df.loc[1, "description"] = "Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen."
    df.loc[len(df)] = {"id": "blank", "lang": "", "label": "", "title": "", "description": ""}  # Excel's tail
    df.to_csv(tmp_path / "dev.csv", index=False)
    res = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "dev.csv"), "--model", str(small_model_dir), "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert rep["n"] == 8 and rep["errors"] == 2  # the empty text and the German one; the blank row left out
    assert rep["confusion"]["matrix"][3][3] >= 0 and sum(map(sum, rep["confusion"]["matrix"])) == 8
    res = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "dev.csv"), "--model", str(small_model_dir)])
    assert "2 rows could not be scored (counted as other)" in res.output
    # the calibration error is about the model's probabilities: rows it never scored are left out of it
    scored = df.iloc[2:len(df) - 1]
    scored.to_csv(tmp_path / "scored.csv", index=False)
    alone = json.loads(CliRunner().invoke(cli, ["evaluate", str(tmp_path / "scored.csv"), "--model",
                                                str(small_model_dir), "--json"]).output)
    assert rep["ece"] == pytest.approx(alone["ece"]) and rep["in_scope_flagged_other"] > 0


def test_a_report_with_no_scored_row_has_null_calibration_not_nan(tmp_path, small_model_dir):
    """Unscorable rows have no confidence; with only those, ECE is null (a bare NaN is not JSON) and the
    text report says n/a."""
    from click.testing import CliRunner
    from rolematch.cli import cli

    german = "Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen in der Firma."
    pd.DataFrame({"description": [german], "label": ["data_scientist"]}).to_csv(tmp_path / "de.csv", index=False)
    res = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "de.csv"), "--model", str(small_model_dir), "--json"])
    rep = json.loads(res.output, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert rep["ece"] is None and rep["ece_all"] is None and rep["errors"] == 1
    res = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "de.csv"), "--model", str(small_model_dir)])
    assert res.exit_code == 0 and "ECE n/a" in res.output


def test_training_on_rows_all_left_out_says_so(tmp_path):
    german = "Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen in der Firma."
    pd.DataFrame({"description": [german] * 4, "label": ["data_scientist", "other"] * 2}).to_csv(
        tmp_path / "de.csv", index=False)
    with pytest.warns(UserWarning, match="4 row"), pytest.raises(TrainingError, match="no postings to train on"):
        train(read_labelled(tmp_path / "de.csv"))


def test_json_lines_for_training_are_read_as_score_reads_them(tiny, tmp_path):
    """pandas read a trailing comma as valid JSON and gave character positions (or a Python error) for bad lines."""
    lines = [json.dumps(r) for r in json.loads(tiny.to_json(orient="records"))]
    cases = {"trailing_comma": lines[1][:-1] + ",}", "array": '["not", "an", "object"]', "number": "42",
             "cut": lines[1][:40]}
    for name, bad in cases.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(lines[:3] + [bad] + lines[3:]) + "\n")
        with pytest.raises(TrainingError, match=r"1 unreadable line\(s\): line 4: (invalid JSON|expected a JSON "
                                                r"object)"):
            read_labelled(path)
    good = tmp_path / "good.jsonl"
    good.write_text("\r".join(lines) + "\r")
    assert len(read_labelled(good)) == len(lines)


def test_report_keys_do_not_depend_on_the_rows():
    keys = set(classification_report(["other"], ["other"], [0.9], ["en"]))
    assert keys == set(classification_report(["ml_engineer"], ["ml_engineer"], [0.9], ["en"]))
    only_other = classification_report(["other"], ["other"], [0.9], ["en"])
    assert only_other["per_class"] is None and only_other["macro_f1"] is None and only_other["other_recall"] == 1.0
    assert classification_report(["ml_engineer"], ["ml_engineer"], [0.9])["other_recall"] is None
    assert set(only_other["by_language"]["en"]) == {"n", "accuracy", "macro_f1", "other_recall"}


def test_unknown_labels_are_all_counted_and_their_rows_named(tiny, tmp_path):
    df = tiny.copy()
    df["label"] = ["a", "b", "c", "d", "e", "f", "g", "other"]
    df.to_csv(tmp_path / "unk.csv", index=False)
    with pytest.raises(TrainingError,
                       match=r"'a', 'b', 'c', 'd', 'e' and 2 more .* \(7 row\(s\): data row 1, 2, 3, 4, 5, \.\.\.\)"):
        read_labelled(tmp_path / "unk.csv")


def test_unscorable_rows_are_counted_under_the_language_they_look_like(tiny, small_model_dir):
    from rolematch.api import RoleModel

    df = tiny.rename(columns={"description": "text"})[["text", "label", "lang"]].copy()  # as read_labelled gives it
    df.loc[0, "text"] = "Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen in der Firma."
    df.loc[0, "lang"] = None
    rep = evaluate(RoleModel.load(small_model_dir), df)
    assert rep["errors"] == 1 and rep["by_language"]["de"]["n"] == 1


def test_a_model_with_fewer_labels_still_gives_every_probability(tiny):
    from rolematch.api import RoleModel

    two = tiny[tiny.label.isin(["ml_engineer", "data_scientist"])].rename(columns={"description": "text"})
    est, _ = train(two[["text", "label"]].reset_index(drop=True), params={"cv": 2})
    res = RoleModel(est).classify(two.text.iloc[0])
    assert list(res.probabilities) == ["ml_engineer", "ml_scientist", "data_scientist", "other"]
    assert res.probabilities["ml_scientist"] == 0.0 and res.probabilities["other"] == 0.0


def test_role_model_refuses_a_label_set_of_its_own(tiny):
    """score's columns and in_scope are defined over rolematch's labels: integer labels would score as
    probability 0.0 for every role."""
    from rolematch.api import RoleModel
    from rolematch.errors import ModelError
    from rolematch.model import RoleClassifier

    df = tiny.rename(columns={"description": "text"})
    codes = df.label.map({"ml_engineer": 0, "ml_scientist": 1, "data_scientist": 2, "other": 3})
    est = RoleClassifier(cv=2, sentence_weight=0).fit(df.text.tolist(), codes.tolist())
    assert est.predict_proba(df.text.tolist()[:1]).shape == (1, 4)
    with pytest.raises(ModelError, match="trained on rolematch's labels.*has 0, 1, 2, 3"):
        RoleModel(est)


def test_breakdown_languages_are_told_as_classify_tells_them():
    """The per-language breakdown told an HTML row's language from its markup, classify from its text."""
    from rolematch.train import text_language

    french = ("Nous recherchons un data scientist pour notre équipe à Paris. Vous construirez des modèles de "
              "prévision avec les équipes métier et vous présenterez vos résultats à la direction.")
    html = "<html><head><style>body { font-family: Arial; } .the-and-of { color: red }</style></head><body><p>" \
           + french + "</p></body></html>"
    import rolematch

    assert text_language(html) == rolematch.classify(html).lang == "fr"
    assert text_language("") == text_language(None) == "unknown"
