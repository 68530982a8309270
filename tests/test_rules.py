from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rolematch.errors import RulesError
from rolematch.lemmas import CACHE_NAME, LemmaForms, compile_token_pattern, forms_from_tables, pattern_lemmas
from rolematch.resources import rules_dir
from rolematch.rules import Taxonomy, load_rule_files, load_rules

GOOD = {"id": "my_tool", "kind": "tool", "category": "tools", "roles": ["ml_engineer"], "lang": "any",
        "origin": "user", "pattern": "my tool"}


def write_rules(tmp_path: Path, lines: list) -> Path:
    d = tmp_path / "user_rules"
    d.mkdir(exist_ok=True)
    (d / "mine.jsonl").write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return d


def test_shipped_rules_are_valid_and_cover_every_core_id_in_both_languages():
    rules = load_rules()
    taxonomy = Taxonomy.load()
    assert len(taxonomy.entries) == 67
    for lang in ("en", "fr"):
        ids = {r.id for r in rules if r.applies_to(lang)}
        assert set(taxonomy.entries) <= ids, f"{lang}: missing {sorted(set(taxonomy.entries) - ids)}"


def test_every_pattern_records_its_metadata_and_origin():
    rules = load_rules()
    seeds = {"000", "001", "002", "003", "004"}
    for r in rules:
        assert r.kind in ("skill", "responsibility", "tool") and r.category
        if r.origin.startswith("seed:"):
            assert set(r.origin[5:].split("|")) <= seeds, r.name
        else:
            assert r.origin == "extension", r.name
    assert any(r.origin == "extension" for r in rules), "real-world vocabulary extends the seeds"
    core = Taxonomy.load().entries
    assert all(r.origin.startswith("seed:") for r in rules if r.id in core and r.origin != "extension")


def test_lemma_cache_is_up_to_date_with_the_rules():
    cache = json.loads((rules_dir() / CACHE_NAME).read_text(encoding="utf-8"))
    for r in load_rules():
        if isinstance(r.pattern, list):
            for lang in (("en", "fr") if r.lang == "any" else (r.lang,)):
                missing = pattern_lemmas(r.pattern) - set(cache.get(lang, {}))
                assert not missing, f"{r.name}: run `rolematch rules compile` ({missing})"


def test_lemma_patterns_compile_to_the_lookup_tables_forms():
    assert {"deploy", "deployed", "deploying", "deploys"} <= set(forms_from_tables("en", "deploy"))
    assert {"déploie", "déployons"} <= set(forms_from_tables("fr", "déployer"))
    compiled = compile_token_pattern([{"LEMMA": "model"}, {"LOWER": "x"}], "en", LemmaForms())
    assert "models" in compiled[0]["LOWER"]["IN"] and compiled[1] == {"LOWER": "x"}


@pytest.mark.parametrize("line,reason", [
    ('{"id": "x", ', "invalid JSON"),
    ([1, 2], "must be a JSON object"),
    (dict(GOOD, colour="red"), "unknown key"),
    ({k: v for k, v in GOOD.items() if k != "kind"}, "missing key"),
    (dict(GOOD, kind="gadget"), "kind must be"),
    (dict(GOOD, lang="de"), "lang must be"),
    (dict(GOOD, roles=["astronaut"]), "roles must be"),
    (dict(GOOD, origin="internet"), "origin must be"),
    (dict(GOOD, id="Bad-Id"), "snake_case"),
    (dict(GOOD, pattern=""), "empty phrase"),
    (dict(GOOD, pattern=[{"LOWR": "x"}]), "invalid token pattern"),
    (dict(GOOD, pattern=[{"LOWER": {"REGEX": "(("}}]), "bad REGEX '(('"),
    (dict(GOOD, pattern=[{"OP": "*"}]), "matches any text"),
    (dict(GOOD, pattern=[{}]), "matches any text"),
    (dict(GOOD, pattern=[{"LOWER": "x", "OP": "?"}, {"IS_ALPHA": True, "OP": "{0,3}"}]), "matches any text"),
    (dict(GOOD, pattern=[{"LOWER": "the", "OP": "!"}]), "matches any text"),  # every token but one
    (dict(GOOD, pattern=[{"_": {"x": {"NOT_IN": ["a"]}}}, {"TEXT": {"REGEX": "[a-"}}]), "bad REGEX"),
    ('{"id": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
    (dict(GOOD, pattern=[{"LEMMA": "Deploy"}]), "lower-case"),
    (dict(GOOD, pattern=[]), "non-empty list"),
    (dict(GOOD, id="statistics", kind="tool"), "core id"),
])
def test_invalid_rules_are_reported_with_file_and_line(tmp_path, line, reason):
    d = write_rules(tmp_path, [GOOD, line])
    with pytest.raises(RulesError) as exc:
        load_rule_files([d], Taxonomy.load())
    # named by the path given (here absolute) and the line
    problems = exc.value.problems
    assert any(p.startswith(f"{d.as_posix()}/mine.jsonl:2: ") and reason in p for p in problems), problems


def test_inconsistent_metadata_for_one_id(tmp_path):
    d = write_rules(tmp_path, [GOOD, dict(GOOD, category="other", pattern="my other tool")])
    with pytest.raises(RulesError, match="mine.jsonl:2: id 'my_tool'"):
        load_rule_files([d])


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    d = write_rules(tmp_path, ["nope", dict(GOOD, kind="x"), GOOD, dict(GOOD, lang="xx")])
    with pytest.raises(RulesError) as exc:
        load_rule_files([d])
    assert [p.split(":")[1] for p in exc.value.problems] == ["1", "2", "4"]


def test_user_rules_merge_with_ours(tmp_path):
    d = write_rules(tmp_path, [GOOD])
    rules = load_rules([d])
    assert "my_tool" in {r.id for r in rules} and len(rules) == len(load_rules()) + 1


def test_a_rule_file_with_a_bom_crlf_and_a_line_separator_in_a_string(tmp_path):
    d = tmp_path / "user_rules"
    d.mkdir()
    other = dict(GOOD, id="my_other_tool", pattern="my\u2028other tool")  # U+2028 inside a JSON string
    (d / "mine.jsonl").write_bytes(("\ufeff" + json.dumps(GOOD) + "\r\n"
                                    + json.dumps(other, ensure_ascii=False) + "\r\n").encode("utf-8"))
    assert {"my_tool", "my_other_tool"} <= {r.id for r in load_rules([d])}


def test_missing_or_empty_dirs(tmp_path):
    with pytest.raises(RulesError, match="no such file"):
        load_rule_files([tmp_path / "nope"])
    with pytest.raises(RulesError, match="no \\*.jsonl"):
        load_rule_files([tmp_path])


def test_a_rule_file_that_is_not_utf8_names_its_line(tmp_path):
    d = write_rules(tmp_path, [GOOD])
    (d / "mine.jsonl").write_bytes((d / "mine.jsonl").read_bytes() + b'{"id": "caf\xe9"}\n')
    with pytest.raises(RulesError) as exc:
        load_rule_files([d])
    assert exc.value.problems == [f"{d.as_posix()}/mine.jsonl:2: not UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_hidden_copies_are_skipped_and_upper_case_extensions_read(tmp_path):
    d = write_rules(tmp_path, [GOOD])
    (d / ".ipynb_checkpoints").mkdir()
    (d / ".ipynb_checkpoints" / "mine-checkpoint.jsonl").write_text(json.dumps(dict(GOOD, roles=["ml_scientist"])))
    (d / "MORE.JSONL").write_text(json.dumps(dict(GOOD, id="my_more_tool", pattern="more tool")))
    ids = {r.id: r.file for r in load_rules([d])}
    assert ids["my_tool"].endswith("user_rules/mine.jsonl") and "my_more_tool" in ids  # no conflict with the copy


def test_user_rule_files_are_named_by_the_path_given(tmp_path, monkeypatch):
    d = write_rules(tmp_path, [GOOD])
    monkeypatch.chdir(d)
    assert {r.file for r in load_rule_files(["."])} == {"mine.jsonl"}  # not "/mine.jsonl"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "tools.jsonl").write_text(json.dumps(GOOD))
    mine = [r for r in load_rules(["rules"]) if r.id == "my_tool"][0]
    assert mine.file == str((tmp_path / "rules" / "tools.jsonl").resolve())  # never read as our rules/tools.jsonl


def test_rules_check_reports_lemma_problems_with_the_others(tmp_path):
    from click.testing import CliRunner

    from rolematch.cli import cli

    d = write_rules(tmp_path, [dict(GOOD, kind="tools"), dict(GOOD, id="my_deploy", pattern=[{"LEMMA": "deployed"}])])
    res = CliRunner().invoke(cli, ["rules", "check", str(d)])
    assert res.exit_code == 1 and "mine.jsonl:1: kind must be" in res.output and "LEMMA 'deployed'" in res.output
    d = write_rules(tmp_path, [dict(GOOD, id="my_deploy", pattern=[{"LEMMA": "deployed"}])])
    with pytest.warns(UserWarning, match="LEMMA 'deployed' matches no en word.*never matches"):
        load_rules([d])


def test_a_model_keeps_its_rules_wherever_it_is_used(tmp_path, monkeypatch, training_rows):
    import pandas as pd

    import rolematch
    from rolematch.errors import ModelError
    from rolematch.train import train

    d = write_rules(tmp_path, [dict(GOOD, id="zorblax", pattern="zorblax")])
    monkeypatch.chdir(tmp_path)
    rows = [r for r in training_rows if r["lang"] == "en"]
    df = pd.DataFrame([r for lab in ("ml_engineer", "data_scientist")
                       for r in [x for x in rows if x["label"] == lab][:20]])
    train(df[["text", "label"]], tmp_path / "model", params={"cv": 2, "rules": ("user_rules",)})
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "user_rules").mkdir(parents=True)
    (elsewhere / "user_rules" / "x.jsonl").write_text(json.dumps(dict(GOOD, id="other_tool", pattern="zorblax")))
    monkeypatch.chdir(elsewhere)  # a folder with the same relative name must not stand in for the model's
    got = rolematch.load_model(tmp_path / "model").classify("We deploy models with Zorblax and Python. " * 5)
    assert "zorblax" in got.skills.counts and "other_tool" not in got.skills.counts
    (d / "mine.jsonl").write_text(json.dumps(dict(GOOD, id="zorblax", pattern="zorblax engine")))
    with pytest.warns(UserWarning, match="changed since") as caught:
        rolematch.api.RoleModel.load(tmp_path / "model")
    assert caught[0].filename == __file__  # the warning names the caller's line, not rolematch's
    d.rename(tmp_path / "moved")
    with pytest.raises(ModelError, match="trained with the rules in .*user_rules, which is missing"):
        rolematch.api.RoleModel.load(tmp_path / "model")


def test_extract_skills_reads_edited_rules_again(tmp_path):
    import os

    import rolematch

    d = write_rules(tmp_path, [dict(GOOD, id="zorblax", pattern="zorblax")])
    text = "You will deploy models with Zorblax and Snarfle every day in production. " * 3
    assert "snarfle" not in rolematch.extract_skills(text, rules=d).counts
    (d / "more.jsonl").write_text(json.dumps(dict(GOOD, id="snarfle", pattern="snarfle")))
    os.utime(d / "more.jsonl")
    assert "snarfle" in rolematch.extract_skills(text, rules=d).counts


def test_train_cli_takes_rules_and_records_them(tmp_path, monkeypatch, training_rows):
    import pandas as pd
    from click.testing import CliRunner

    from rolematch.cli import cli

    d = write_rules(tmp_path, [dict(GOOD, id="zorblax", pattern="zorblax")])
    rows = [r for r in training_rows if r["lang"] == "en"]
    pd.DataFrame([r for lab in ("other", "data_scientist") for r in [x for x in rows if x["label"] == lab][:10]]
                 )[["text", "label"]].to_csv(tmp_path / "train.csv", index=False)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["train", "train.csv", "-o", "m", "--rules", "user_rules"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["rules"]["paths"] == [str(d.resolve())] and len(manifest["rules"]["sha256"]) == 64


def test_unbounded_wildcards_are_a_check_problem_and_a_load_warning(tmp_path):
    from click.testing import CliRunner

    from rolematch.cli import cli

    slow = dict(GOOD, id="my_slow", pattern=[{"LOWER": "deploy"}, {"IS_ALPHA": True, "OP": "*"}, {"LOWER": "models"}])
    slow2 = dict(slow, pattern=[{"LOWER": "the"}, {"IS_ALPHA": True, "OP": "{0,}"}, {"LOWER": "and"}])
    d = write_rules(tmp_path, [slow, slow2])
    res = CliRunner().invoke(cli, ["rules", "check", str(d)])
    assert res.exit_code == 1 and res.output.count("an unbounded OP") == 2
    with pytest.warns(UserWarning, match="unbounded OP"):
        assert "my_slow" in {r.id for r in load_rules([d])}  # still loaded: valid spaCy, only slow
    # problems come in line order, whichever check found them (helper 122)
    (tmp_path / "ordered").mkdir()
    d = write_rules(tmp_path / "ordered", [GOOD, slow, dict(GOOD, pattern=[{}])])
    res = CliRunner().invoke(cli, ["rules", "check", str(d)])
    lines = [int(m) for m in re.findall(r"mine\.jsonl:(\d+):", res.output)]
    assert res.exit_code == 1 and lines == [2, 3], res.output


def test_a_rule_problem_is_warned_once_whichever_path_loads_it(tmp_path, monkeypatch, recwarn):
    slow = dict(GOOD, id="my_slow", pattern=[{"LOWER": "the"}, {"IS_ALPHA": True, "OP": "{2,}"}, {"LOWER": "and"}])
    d = write_rules(tmp_path, [slow])
    monkeypatch.chdir(tmp_path)
    load_rules(["user_rules"])
    load_rules([str(d.resolve())])  # as a model records it
    assert [str(w.message) for w in recwarn].count(
        "user_rules/mine.jsonl:1: an unbounded OP ('*', '+', '{n,}') can make matching very slow on long postings; "
        'bound it, e.g. "OP": "{0,3}"') == 1 and len(recwarn) == 1


def test_load_model_notices_edits_to_the_rules_a_model_records(tmp_path, training_rows):
    """The cached model of load_model/classify/score_frame is loaded again when its recorded rules change."""
    import pandas as pd

    import rolematch
    from rolematch.errors import ModelError
    from rolematch.train import train

    d = write_rules(tmp_path, [dict(GOOD, id="zorblax", pattern="zorblax")])
    rows = [r for r in training_rows if r["lang"] == "en"]
    df = pd.DataFrame([r for lab in ("ml_engineer", "data_scientist")
                       for r in [x for x in rows if x["label"] == lab][:20]])
    train(df[["text", "label"]], tmp_path / "model", params={"cv": 2, "rules": (str(d),)})
    text = "We deploy models with Zorblax and Snarfle and Python in production. " * 4
    assert "snarfle" not in rolematch.load_model(tmp_path / "model").classify(text).skills.counts
    (d / "more.jsonl").write_text(json.dumps(dict(GOOD, id="snarfle", pattern="snarfle")))
    with pytest.warns(UserWarning, match="changed since"):
        assert "snarfle" in rolematch.load_model(tmp_path / "model").classify(text).skills.counts
    import shutil

    shutil.rmtree(d)
    with pytest.raises(ModelError, match="which is missing"):
        rolematch.load_model(tmp_path / "model")


def test_a_rule_file_reached_twice_is_loaded_once(tmp_path):
    from rolematch.rules import load_rules
    from rolematch.resources import rules_dir

    d = tmp_path / "mine" / "en"
    d.mkdir(parents=True)
    (d / "x.jsonl").write_text(json.dumps(dict(GOOD, id="zorblax_tool", pattern="zorblax")) + "\n")
    shipped = len(load_rules([]))
    assert len(load_rules([rules_dir()])) == shipped  # the shipped folder given again
    assert len(load_rules([tmp_path / "mine", d, d / "x.jsonl"])) == shipped + 1  # nested and repeated
