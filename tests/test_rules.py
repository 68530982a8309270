from __future__ import annotations

import json
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
    assert any(p.startswith("user_rules/mine.jsonl:2: ") and reason in p for p in exc.value.problems), exc.value.problems


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
    assert exc.value.problems == ["user_rules/mine.jsonl:2: not UTF-8 (byte 0xe9); save the file as UTF-8"]
