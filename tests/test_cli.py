from __future__ import annotations

import codecs
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, REPO
from rolematch.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")
EN = EXAMPLES / "posting_en.txt"
FR = EXAMPLES / "posting_fr.txt"


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def walk(group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if hasattr(cmd, "commands"):
            yield from walk(cmd, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in walk(cli)], ids=lambda p: " ".join(p))
def test_every_command_has_help_with_example_and_is_in_readme(path):
    res = run(*path, "--help")
    assert res.exit_code == 0, res.output
    assert "Example:" in res.output
    assert f"rolematch {' '.join(path)}" in README, f"README does not document `rolematch {' '.join(path)}`"


def test_top_level_help_has_example():
    res = run("--help")
    assert res.exit_code == 0 and "Example:" in res.output


def test_classify_human_and_json():
    res = run("classify", str(EN), str(FR))
    assert res.exit_code == 0, res.output
    assert f"{EN}: ml_engineer" in res.output and f"{FR}: data_scientist" in res.output
    assert "evidence for ml_engineer" in res.output
    res = run("classify", str(EN), "--json", "--title", "ML Engineer")
    obj = json.loads(res.output)
    assert obj["label"] == "ml_engineer" and obj["lang"] == "en" and obj["in_scope"] is True
    assert set(obj) >= {"label", "confidence", "probabilities", "evidence", "skills", "skill_counts", "source"}


def test_human_evidence_says_how_many_spans_it_leaves_out(tmp_path):
    posting = tmp_path / "p.txt"
    posting.write_text("We deploy models to production with Kubernetes.\n" * 5
                       + "As a Machine Learning\nEngineer you will run Kubernetes clusters.\n", encoding="utf-8")
    res = run("classify", str(posting))
    assert res.exit_code == 0, res.output
    assert re.search(r"\[kubernetes @\d+-\d+,\d+-\d+,\d+-\d+ \+3 more\]", res.output), res.output
    assert "[this role: Machine Learning Engineer @" in res.output  # one line: whitespace folded


def test_classify_stdin():
    res = run("classify", "-", input=EN.read_bytes())
    assert res.exit_code == 0 and "<stdin>: ml_engineer" in res.output


def test_skills_human_and_json():
    res = run("skills", str(FR))
    assert res.exit_code == 0 and "responsibility:" in res.output and "[fr]" in res.output
    res = run("skills", str(EN), "--json")
    obj = json.loads(res.output)
    text = EN.read_text(encoding="utf-8")
    assert obj["lang"] == "en" and obj["matches"]
    for m in obj["matches"]:
        assert text[m["start"]:m["end"]] == m["text"]
        assert {"id", "kind", "category", "rule", "lang"} <= set(m)


def test_rules_check_ok_and_errors(tmp_path):
    res = run("rules", "check")
    assert res.exit_code == 0 and res.output.startswith("OK:")
    from rolematch.resources import rules_dir

    again = run("rules", "check", str(rules_dir()), str(rules_dir()))  # a folder given twice counts once
    assert again.exit_code == 0 and again.output.split(" in ")[0] == res.output.split(" in ")[0]
    d = tmp_path / "bad"
    d.mkdir()
    (d / "r.jsonl").write_text('{"id": "x"}\n{"id": "y", "kind": "tool", "category": "t", "roles": [], "lang": "en", '
                               '"origin": "user", "pattern": [{"NOPE": 1}]}\n')
    res = run("rules", "check", str(d))
    assert res.exit_code == 1
    assert "bad/r.jsonl:1: missing key" in res.output and "bad/r.jsonl:2: invalid token pattern" in res.output
    assert "Traceback" not in res.output
    (d / "r.jsonl").write_text('{"id": "y", "kind": "tool", "category": "t", "roles": [], "lang": "en", '
                               '"origin": "user", "pattern": [{"LEMMA": "deployed"}]}\n')
    res = run("rules", "check", str(d))
    assert res.exit_code == 1 and "bad/r.jsonl:1: LEMMA 'deployed' matches no en word" in res.output


def test_train_then_evaluate_end_to_end(small_training, tmp_path):
    out = tmp_path / "model"
    res = run("train", str(small_training), "-o", str(out), "--title-column", "title")
    assert res.exit_code == 0, res.output
    assert (out / "manifest.json").exists() and "cross-validation" in res.output
    cv = json.loads((out / "manifest.json").read_text())["cross_validation"]
    assert f"other flagged {cv['other_recall']:.3f}" in res.output  # what tells a user the prior fits their data
    res = run("evaluate", str(small_training), "--model", str(out), "--text-column", "text", "--json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert rep["n"] > 0 and 0 <= rep["macro_f1"] <= 1 and "by_language" in rep
    res = run("evaluate", str(small_training), "--model", str(out), "--text-column", "text")
    assert "macro-F1" in res.output and "confusion" in res.output


def test_score_command(tmp_path):
    out = tmp_path / "scored.csv"
    res = run("score", str(EXAMPLES / "postings.csv"), "-o", str(out), "-j", "1", "--title-column", "title",
              "--id-column", "id")
    assert res.exit_code == 0, res.output
    assert "scored 5 rows (1 error)" in res.output
    assert "postings.csv, id=p5: line 6: empty posting" in res.output
    lines = out.read_text().splitlines()
    assert lines[0].endswith("rolematch_skills,rolematch_error")


def _make(tmp_path: Path, kind: str) -> Path:
    p = tmp_path / f"{kind}.txt"
    if kind == "binary":
        p.write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "directory":
        p.mkdir()
    elif kind == "missing":
        pass
    elif kind == "no_permission":
        p.write_text("Python and SQL for a data scientist.")
        p.chmod(0)
    elif kind == "huge":
        with open(p, "wb") as fh:
            fh.write(b"data scientist python " * (50 * 1024 * 1024 // 22))
    elif kind == "undecodable":
        p.write_bytes("Ingénieur données ".encode() + b"\xff\xfe\xfa" + " très bien".encode())
    elif kind == "german":
        p.write_text("Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen.")
    return p


@pytest.mark.parametrize("kind,message", [
    ("binary", "binary file"), ("empty", "empty file"), ("directory", "is a directory"),
    ("missing", "no such file"), ("no_permission", "permission denied"), ("huge", "too large"),
    ("german", "language looks like 'de'"),
])
@pytest.mark.parametrize("command", ["classify", "skills"])
def test_bad_files_give_one_line_errors(tmp_path, monkeypatch, kind, message, command):
    p = _make(tmp_path, kind)
    if kind == "no_permission" and os.geteuid() == 0:  # root reads anything: simulate the OS refusal
        real = Path.open

        def refuse(self, *args, **kwargs):
            if self == p:
                raise PermissionError(13, "Permission denied")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    res = run(command, str(p))
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert lines[0].startswith(f"Error: {p}: ") and message in lines[0]
    assert "Traceback" not in res.output


@pytest.mark.parametrize("command", ["classify", "skills"])
def test_a_table_is_pointed_to_score_not_read_as_one_posting(tmp_path, command):
    """A CSV export given to classify would be one long "posting": refused, naming the score command."""
    table = tmp_path / "export.csv"
    table.write_bytes((EXAMPLES / "postings.csv").read_bytes())
    res = run(command, str(table), str(EN))
    assert res.exit_code == 1
    assert f"Error: {table}: a CSV table of postings" in res.output
    assert f"rolematch score {table} -o scored.csv" in res.output
    assert "Traceback" not in res.output
    assert str(EN) in res.output  # the good file is still reported


def test_bad_file_among_good_ones_still_reports_the_good(tmp_path):
    res = run("classify", str(EN), str(tmp_path / "nope.txt"))
    assert res.exit_code == 1
    assert f"{EN}: ml_engineer" in res.output and "nope.txt: no such file" in res.output


@pytest.mark.parametrize("content,message", [
    (b"id,title\n1,x\n", "no text column found"),
    (b"", "empty file"),
])
def test_score_unusable_inputs(tmp_path, content, message):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    res = run("score", str(src), "-o", str(tmp_path / "o.csv"), "-j", "1")
    assert res.exit_code == 1 and message in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o.csv").exists()


def test_score_nan_and_mixed_encoding_cells_become_error_rows(tmp_path):
    src = tmp_path / "in.csv"
    good = EN.read_text(encoding="utf-8").replace('"', "'")
    src.write_bytes(b'id,description\n1,"' + good.encode() + b'"\n2,\n3,NaN\n')
    res = run("score", str(src), "-o", str(tmp_path / "o.jsonl"), "-j", "1")
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [o["id"] for o in out] == ["1", "2", "3"]
    assert out[0]["rolematch_label"] == "ml_engineer"
    assert out[1]["rolematch_error"] and out[2]["rolematch_error"]


@pytest.mark.parametrize("command", ["classify", "skills"])
def test_mixed_bytes_are_read_as_score_reads_them(tmp_path, command):
    """UTF-8 with a few cp1252 bytes, or cut inside a character: each bad byte is read as cp1252, as in `score`."""
    text = FR.read_text(encoding="utf-8")
    p = tmp_path / "mixed.txt"
    p.write_bytes(text.encode() + " Salaire négocié.".encode("cp1252"))
    res = run(command, str(p), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["lang"] == "fr"
    cut = tmp_path / "cut.txt"
    cut.write_bytes(text.encode() + "é".encode()[:1])
    assert run(command, str(cut)).exit_code == 0
    if command == "classify":
        src = tmp_path / "mixed.csv"
        src.write_bytes(b'id,description\n1,"' + p.read_bytes().replace(b'"', b'""') + b'"\n')
        assert run("score", str(src), "-o", str(tmp_path / "o.csv"), "-q").exit_code == 0
        import pandas as pd

        scored = pd.read_csv(tmp_path / "o.csv")
        assert scored.loc[0, "rolematch_p_data_scientist"] == round(json.loads(res.stdout)["probabilities"]["data_scientist"], 4)
    res = run(command, str(p), "--encoding", "rot13")
    assert res.exit_code == 2 and "unknown encoding 'rot13'" in res.output


def test_a_too_long_title_is_one_usage_error_before_any_file(tmp_path):
    res = run("classify", str(EN), str(EN), "--title", "x" * 10_001)
    assert res.exit_code == 2 and res.output.count("title too long") == 1 and "Invalid value for '--title'" in res.output


def test_score_exits_1_when_no_row_could_be_scored_but_writes_every_row(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,description\n1,\n2,Wir suchen einen Data Scientist für unser Team in Berlin und München.\n")
    res = run("score", str(src), "-o", str(tmp_path / "o.csv"), "-j", "1", "-q")
    assert res.exit_code == 1 and "no row of" in res.output and "could be scored" in res.output
    out = (tmp_path / "o.csv").read_text().splitlines()
    assert len(out) == 3 and out[1].startswith("1,") and out[2].startswith("2,")
    src.write_text("id,description\n")  # a header alone is not a failure
    assert run("score", str(src), "-o", str(tmp_path / "o.csv"), "-q").exit_code == 0


def test_readme_starts_with_two_commands():
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", README, re.S)
    first = blocks[0]
    assert "pip install" in first and "rolematch classify examples/posting_en.txt" in first
    assert "pip install" in blocks[1] and "pytest" in blocks[1]
    ci = (REPO / ".ci/run").read_text()
    test_cmd = [ln for ln in blocks[1].splitlines() if ln.strip()][-1].strip()
    assert test_cmd in ci


@pytest.mark.parametrize("index", [0, 2])
def test_readme_python_examples_run(index):
    """The README's Python API and spaCy examples run as written, from the repository root.

    (The GridSearchCV example, block 1, fits 5 models: test_model.py covers it with a smaller grid.)
    """
    import subprocess
    import sys

    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(blocks) == 3 and "GridSearchCV" in blocks[1]
    res = subprocess.run([sys.executable, "-c", blocks[index]], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip()


def test_a_bad_user_rule_stops_score_before_any_output(tmp_path):
    """A rule whose REGEX does not compile is named by file and line, before workers start or output is written."""
    d = tmp_path / "my_rules"
    d.mkdir()
    (d / "mine.jsonl").write_text(json.dumps({"id": "my_tool", "kind": "tool", "category": "tools",
                                              "roles": ["ml_engineer"], "lang": "en", "origin": "user",
                                              "pattern": [{"LOWER": {"REGEX": "(("}}]}) + "\n")
    for cmd in (["rules", "check", str(d)], ["score", str(EXAMPLES / "postings.csv"), "-o", "-", "-q", "--rules", str(d)]):
        res = run(*cmd)
        assert res.exit_code == 1, cmd
        assert "my_rules/mine.jsonl:1: invalid token pattern: bad REGEX '(('" in res.output, res.output
        assert "rolematch_label" not in res.output and "Traceback" not in res.output


def test_a_forced_wrong_encoding_is_named_when_no_language_is_left(tmp_path):
    src = tmp_path / "fr.txt"
    data = FR.read_bytes()
    src.write_bytes(data[:len(data) // 2 * 2])  # an even length: it decodes, as CJK-looking garbage
    res = run("classify", str(src), "--encoding", "utf-16")
    assert res.exit_code == 1 and "read as utf-16: is --encoding right?" in res.output


def test_lang_option_is_read_in_any_case():
    res = run("classify", str(EXAMPLES / "posting_en.txt"), "--lang", "EN", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["lang"] == "en"


@pytest.mark.parametrize("command", ["classify", "score"])
def test_a_bad_model_folder_is_named_as_given(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    args = [str(EXAMPLES / "posting_en.txt")] if command == "classify" else [
        str(EXAMPLES / "postings.csv"), "-o", "out.csv", "-q"]
    res = run(command, *args, "--model", "nowhere")
    assert res.exit_code == 1
    assert "Error: nowhere: not a model directory" in res.output, res.output


@pytest.mark.parametrize("command", ["classify", "skills"])
def test_json_gives_one_line_per_file_in_order_failures_included(tmp_path, command):
    missing, german = tmp_path / "missing.txt", tmp_path / "de.txt"
    german.write_text("Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen.")
    res = run(command, str(EN), str(missing), str(FR), str(german), "--json")
    assert res.exit_code == 1
    lines = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert [ln["source"] for ln in lines] == [str(EN), str(missing), str(FR), str(german)]
    assert "error" not in lines[0] and "lang" in lines[0]
    assert lines[1]["error"] == "no such file" and "language looks like 'de'" in lines[3]["error"]
    assert f"Error: {missing}: no such file" in res.stderr


def test_a_full_disk_on_stdout_is_named_not_an_unexpected_error():
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "rolematch", "classify", str(EN)], stdout=full,
                              stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 1 and "cannot write the output: No space left on device" in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", ["classify", "evaluate"])
def test_a_closed_stdout_is_an_error_not_a_silent_success(tmp_path, command):
    import subprocess
    import sys

    import pandas as pd

    data = EN
    if command == "evaluate":
        data = tmp_path / "labelled.csv"
        pd.DataFrame({"description": [EN.read_text(encoding="utf-8")], "label": ["ml_engineer"]}).to_csv(data, index=False)
    code = "import sys; sys.argv = ['rolematch'] + sys.argv[1:]; from rolematch.cli import main; main()"
    proc = subprocess.run([sys.executable, "-c", code, command, str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, pass_fds=(), close_fds=True,
                          preexec_fn=lambda: os.close(1))
    assert proc.returncode == 1 and "standard output is closed" in proc.stderr


@pytest.mark.parametrize("stdin", ["closed", "write-only"])
def test_an_unreadable_stdin_is_one_bad_file_and_the_later_files_are_still_classified(stdin):
    import subprocess
    import sys

    code = "import sys; sys.argv = ['rolematch'] + sys.argv[1:]; from rolematch.cli import main; main()"
    args = [sys.executable, "-c", code, "classify", str(EN), "-", str(FR), "--json"]
    if stdin == "closed":  # Python then starts with sys.stdin None
        proc = subprocess.run(args, capture_output=True, text=True, preexec_fn=lambda: os.close(0))
    else:
        with open(os.devnull, "w") as sink:
            proc = subprocess.run(args, stdin=sink, capture_output=True, text=True)
    lines = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert [ln["source"] for ln in lines] == [str(EN), "<stdin>", str(FR)], proc.stderr
    assert lines[1]["error"].startswith("cannot read:") and lines[2]["label"] == "data_scientist"
    assert proc.returncode == 1 and "Error: <stdin>: cannot read:" in proc.stderr and "Traceback" not in proc.stderr


def test_a_file_name_that_is_not_utf8_is_escaped_in_json(tmp_path):
    name = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(name, "wb") as fh:
        fh.write(EN.read_bytes())
    res = run("classify", os.fsdecode(name), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["source"].endswith("caf\\udce9.txt")
    res.stdout_bytes.decode("utf-8")  # valid UTF-8


def test_a_device_with_no_size_is_read_up_to_the_limit():
    res = run("classify", "/dev/zero")
    assert res.exit_code == 1 and "too large (over 4,000,000 bytes)" in res.output


def test_a_given_encoding_reads_as_score_reads(tmp_path):
    """A UTF-8 BOM is stripped with --encoding utf-8 too (offsets as without it), and a BOM-less UTF-16
    big-endian file gets its byte order, as in score."""
    text = EN.read_text(encoding="utf-8")
    bom = tmp_path / "bom.txt"
    bom.write_bytes(codecs.BOM_UTF8 + text.encode())
    plain = json.loads(run("skills", str(bom), "--json").stdout)["matches"]
    given = json.loads(run("skills", str(bom), "--json", "--encoding", "utf-8").stdout)["matches"]
    assert [(m["start"], m["end"]) for m in given] == [(m["start"], m["end"]) for m in plain]
    be = tmp_path / "be.txt"
    be.write_bytes(text.encode("utf-16-be"))
    res = run("classify", str(be), "--json", "--encoding", "utf-16")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["label"] == json.loads(run("classify", str(EN), "--json").stdout)["label"]


def test_a_few_nul_bytes_do_not_make_a_posting_binary(tmp_path):
    p = tmp_path / "nul.txt"
    p.write_bytes(EN.read_bytes()[:300] + b"\x00" * 4 + EN.read_bytes()[300:])
    assert run("classify", str(p)).exit_code == 0


def test_evaluate_predictions_give_every_row_where_it_is_and_what_it_was_called(tmp_path):
    import pandas as pd

    import rolematch

    data = tmp_path / "data"
    data.mkdir()
    en, fr = EN.read_text(encoding="utf-8"), FR.read_text(encoding="utf-8")
    pd.DataFrame({"id": ["a", "b", "c"], "note": ["x", None, "z"], "description": [en, "   ", fr],
                  "label": ["ml_engineer", "data_scientist", "data_scientist"]}).to_csv(data / "1.csv", index=False)
    (data / "2.jsonl").write_text(json.dumps({"description": fr, "label": "data_scientist", "n": 3}) + "\n\n"
                                  + json.dumps({"description": en, "label": "ml_scientist", "n": [1]}) + "\n",
                                  encoding="utf-8")
    out = tmp_path / "preds.jsonl"
    res = run("evaluate", str(data), "--predictions", str(out), "--json")
    assert res.exit_code == 0, res.output
    assert f"{out}: 5 row(s) with their predictions" in res.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(Path(r["rolematch_file"]).name, r["rolematch_row"]) for r in rows] == [
        ("1.csv", 1), ("1.csv", 2), ("1.csv", 3), ("2.jsonl", 1), ("2.jsonl", 3)]  # JSON Lines: the line
    assert [r["label"] for r in rows] == ["ml_engineer", "data_scientist", "data_scientist", "data_scientist",
                                         "ml_scientist"]
    assert [r["id"] for r in rows] == ["a", "b", "c", None, None]  # the files' columns, each row all of them
    assert [r["note"] for r in rows] == ["x", None, "z", None, None] and [r["n"] for r in rows] == [None] * 3 + [3, [1]]
    assert list(rows[0])[:6] == ["rolematch_file", "rolematch_row", "id", "note", "description", "label"]
    assert rows[0]["description"] == en and rows[1]["description"] == "   "
    expected = rolematch.classify(en)
    assert rows[0]["rolematch_label"] == rows[4]["rolematch_label"] == expected.label
    assert rows[0]["rolematch_confidence"] == round(expected.confidence, 4)
    assert rows[1]["rolematch_label"] is None and "empty" in rows[1]["rolematch_error"]
    assert rows[2]["rolematch_label"] == rolematch.classify(fr).label and rows[2]["rolematch_error"] is None
    rep = json.loads(res.output[res.output.index("{"):])
    assert rep["n"] == 5 and rep["errors"] == 1


@pytest.mark.parametrize("case", ["stdout", "the data file", "inside the data folder", "already scored", "txt"])
def test_evaluate_predictions_refuse_before_scoring_and_leave_files_as_they_were(tmp_path, case):
    import pandas as pd

    data = tmp_path / "data"
    data.mkdir()
    frame = pd.DataFrame({"description": [EN.read_text(encoding="utf-8")], "label": ["ml_engineer"]})
    if case == "already scored":
        frame["rolematch_label"] = ["ml_engineer"]
    frame.to_csv(data / "d.csv", index=False)
    out = {"stdout": "-", "the data file": str(data / "d.csv"), "inside the data folder": str(data / "p.csv"),
           "already scored": str(tmp_path / "p.csv"), "txt": str(tmp_path / "p.txt")}[case]
    if out != "-":
        Path(out).write_text("keep me", encoding="utf-8") if case != "the data file" else None
    before = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    res = run("evaluate", str(data if case != "the data file" else data / "d.csv"), "--predictions", out)
    assert res.exit_code == 1 and "Traceback" not in res.output and "macro-F1" not in res.output
    assert f"Error: {out}" in res.output or f"Error: {data}" in res.output
    assert {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before  # no temporary file either


def test_evaluate_predictions_keep_a_parquet_list_column_as_a_list(tmp_path):
    import pandas as pd

    pytest.importorskip("pyarrow")
    en = EN.read_text(encoding="utf-8")
    pd.DataFrame({"description": [en, en], "label": ["ml_engineer"] * 2, "tags": [["a", "b"], None],
                  "n": [1.5, None]}).to_parquet(tmp_path / "d.parquet")
    res = run("evaluate", str(tmp_path / "d.parquet"), "--predictions", str(tmp_path / "p.jsonl"))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["rolematch_row"], r["tags"], r["n"]) for r in rows] == [(1, ["a", "b"], 1.5), (2, None, None)]
