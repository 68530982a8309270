from __future__ import annotations

import csv
import gzip
import codecs
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import EXAMPLES, REPO
from rolematch.batch import score_file
from rolematch.batch_io import open_source
from rolematch.errors import InputError
from rolematch.table import OUTPUT_COLUMNS

EN = (EXAMPLES / "posting_en.txt").read_text(encoding="utf-8")
FR = (EXAMPLES / "posting_fr.txt").read_text(encoding="utf-8")
DE = "Wir suchen einen Data Scientist für unser Team und die Entwicklung von Modellen in der Firma."


def rows(n: int) -> list[dict]:
    cycle = [EN, "", FR, DE, "  "]
    return [{"id": str(i), "title": f"t{i}", "description": cycle[i % 5]} for i in range(n)]


def write_csv(path: Path, data: list[dict], sep: str = ",", encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]), delimiter=sep)
        w.writeheader()
        w.writerows(data)
    return path


def read_out(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_row_once_in_order_with_error_rows(tmp_path, jobs):
    src = write_csv(tmp_path / "in.csv", rows(23))
    summary = score_file(str(src), str(tmp_path / "out.csv"), jobs=jobs, chunk_size=4, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out["id"]) == [str(i) for i in range(23)]
    assert list(out.columns) == ["id", "title", "description", *OUTPUT_COLUMNS]
    assert summary.rows == 23 and summary.errors == sum(1 for i in range(23) if i % 5 in (1, 3, 4))
    for i, r in out.iterrows():
        if i % 5 in (1, 3, 4):
            assert r["rolematch_label"] == "" and r["rolematch_error"]
        else:
            assert r["rolematch_label"] in ("ml_engineer", "data_scientist") and r["rolematch_error"] == ""
            probs = [float(r[f"rolematch_p_{k}"]) for k in ("ml_engineer", "ml_scientist", "data_scientist", "other")]
            assert abs(sum(probs) - 1) <= 2e-4 and max(probs) == float(r["rolematch_confidence"])  # all four, rounded
    assert out.loc[3, "rolematch_error"].startswith("language looks like 'de'")
    assert list(out["description"]) == [r["description"] for r in rows(23)]


def test_french_excel_export_semicolon_cp1252_bom(tmp_path):
    data = [{"Intitulé": "Data scientist (H/F)", "Descriptif": FR}, {"Intitulé": "ML", "Descriptif": EN}]
    src = tmp_path / "export.csv"
    body = "Intitulé;Descriptif\r\n" + "".join(
        f'"{d["Intitulé"]}";"{d["Descriptif"]}"\r\n' for d in data)
    src.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    score_file(str(src), str(tmp_path / "o1.csv"), text_column="Descriptif", jobs=1, progress=False)
    out = read_out(tmp_path / "o1.csv")
    assert list(out["Intitulé"]) == ["Data scientist (H/F)", "ML"]
    src2 = tmp_path / "export_cp1252.csv"
    src2.write_bytes(body.replace("€", "EUR").encode("cp1252"))
    score_file(str(src2), str(tmp_path / "o2.csv"), text_column="Descriptif", jobs=1, progress=False)
    out2 = read_out(tmp_path / "o2.csv")
    assert out2.loc[0, "Descriptif"].startswith("Data Scientist (H/F)") or "Mutuelle" in out2.loc[0, "Descriptif"]
    assert list(out2["rolematch_language"]) == ["fr", "en"]


@pytest.mark.parametrize("encoding,sep", [("utf-16", "\t"), ("utf-16-be", ","), ("utf-32", ";")])
def test_utf16_and_utf32_exports_with_bom(tmp_path, encoding, sep):
    """Excel's "Unicode text" export is UTF-16 with a BOM and tabs; every row comes out decoded."""
    from rolematch.table import read_table

    data = [{"Intitulé": "Data scientist (H/F)", "Descriptif": FR}, {"Intitulé": "ML", "Descriptif": EN}]
    src = tmp_path / "export.csv"
    body = write_csv(tmp_path / "plain.csv", data, sep=sep).read_text(encoding="utf-8")
    bom = {"utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    src.write_bytes(bom + body.encode(encoding))
    score_file(str(src), str(tmp_path / "out.csv"), text_column="Descriptif", jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out["Intitulé"]) == ["Data scientist (H/F)", "ML"]
    assert list(out["Descriptif"]) == [FR, EN]
    assert list(out["rolematch_language"]) == ["fr", "en"]
    assert list(read_table(src)["Descriptif"]) == [FR, EN]


def test_repeated_column_names_keep_every_value(tmp_path):
    """A header naming a column twice (or leaving two names empty) loses no value: repeats get ".1", ".2" as in pandas."""
    src = tmp_path / "dup.csv"
    src.write_text("id,description,description,,\n1,%s,second,x,y\n" % EN.replace("\n", " ").replace(",", ";"),
                   encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        header, row = list(csv.reader(fh))
    assert header[:5] == ["id", "description", "description.1", "Unnamed: 3", "Unnamed: 4"]
    assert header[:5] == list(pd.read_csv(src).columns)  # blank names too, as pandas reads them
    assert row[2:5] == ["second", "x", "y"]
    assert row[header.index("rolematch_label")] == "ml_engineer"


def test_broken_quoting_and_field_counts_are_error_rows(tmp_path):
    src = tmp_path / "broken.csv"
    src.write_text(
        'id,description\n'
        '1,"We deploy ML models to production with Docker and Kubernetes, and monitor them in real time."\n'
        '2,"This line never closes its quote\n'
        '3,Data scientist to analyse data and build dashboards for the business teams with SQL.\n'
        '4,too,many,fields\n'
        '5\n', encoding="utf-8")
    summary = score_file(str(src), str(tmp_path / "out.jsonl"), jobs=1, progress=False)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == ["1", "2", "3", "4", "5"]
    assert out[0]["rolematch_error"] is None and out[2]["rolematch_error"] is None
    assert "line 3: broken quoting" in out[1]["rolematch_error"]
    assert "line 5: expected 2 fields, got 4" in out[3]["rolematch_error"]
    assert out[3]["description"] == "too,many,fields"
    assert "line 6" in out[4]["rolematch_error"]
    assert summary.errors == 3


def test_a_quote_inside_an_unquoted_field_is_a_character(tmp_path):
    """`27" monitor` does not open a quoted field (as csv and pandas read it): no row is swallowed."""
    src = tmp_path / "inches.csv"
    lines = ["id,title,description"] + [f'{i},Analyst {20 + i}" screen,{EN.splitlines()[0]}' for i in range(1, 6)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out["id"]) == ["1", "2", "3", "4", "5"] and summary.rows == 5
    assert list(out["title"]) == [f'Analyst {20 + i}" screen' for i in range(1, 6)]
    assert list(out) == list(pd.read_csv(src, dtype=str)) + list(OUTPUT_COLUMNS)


def test_a_long_quoted_cell_with_line_breaks_stays_one_row(tmp_path):
    big = ("We deploy models.\n" * 300_000)  # 5.4 MB: beyond any posting, still one cell
    src = write_csv(tmp_path / "big.csv", [{"id": "1", "description": EN}, {"id": "2", "description": big},
                                          {"id": "3", "description": FR}])
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out["id"]) == ["1", "2", "3"]
    assert out.loc[1, "description"] == big and "too large" in out.loc[1, "rolematch_error"]


def test_blank_lines_of_a_one_column_file_are_empty_rows(tmp_path):
    src = tmp_path / "one.csv"
    src.write_text(f"description\n{EN.splitlines()[0]}\n\n{EN.splitlines()[0]}\n\n\n", encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    # the blank line between two postings is an empty cell; the blank lines that end the file are not rows
    assert list(out["description"] != "") == [True, False, True]
    assert out.loc[1, "rolematch_error"].startswith("empty posting")


def test_separator_inside_quoted_header_names_is_not_counted(tmp_path):
    src = tmp_path / "quoted.csv"
    src.write_text('"Réf, interne";"Intitulé, poste";description\n"A, 1";"Data, Scientist";%s\n'
                   % EN.splitlines()[0], encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out.columns[:3]) == ["Réf, interne", "Intitulé, poste", "description"]
    assert out.loc[0, "Intitulé, poste"] == "Data, Scientist"


def test_extra_fields_are_joined_with_the_files_separator(tmp_path):
    src = tmp_path / "semi.csv"
    src.write_text("id;description\n1;part one;part two;part three\n", encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    assert read_out(tmp_path / "out.csv").loc[0, "description"] == "part one;part two;part three"


@pytest.mark.parametrize("ext", ["jsonl", "parquet", "tsv"])
def test_format_round_trips(tmp_path, ext):
    df = pd.DataFrame(rows(7))
    src = tmp_path / f"in.{ext}"
    if ext == "jsonl":
        df.to_json(src, orient="records", lines=True, force_ascii=False)
    elif ext == "parquet":
        df.to_parquet(src)
    else:
        df.to_csv(src, sep="\t", index=False)
    dst = tmp_path / f"out.{ext}"
    summary = score_file(str(src), str(dst), jobs=1, progress=False)
    # the summary names the first bad record (the second): row 2 of a Parquet file, the line it starts on in text
    assert re.match(r"row 2: " if ext == "parquet" else r"line \d+: empty posting", summary.examples[0])
    assert ext != "jsonl" or summary.examples[0].startswith("line 2: ")
    if ext == "jsonl":
        out = pd.read_json(dst, lines=True, dtype=False)
    elif ext == "parquet":
        out = pd.read_parquet(dst)
    else:
        out = pd.read_csv(dst, sep="\t", dtype=str, keep_default_na=False)
    assert list(out["id"].astype(str)) == list(df["id"])
    assert list(out["description"].fillna("")) == list(df["description"])
    assert out["rolematch_label"].iloc[0] == "ml_engineer"


def test_jsonl_bad_lines_are_kept(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": EN}) + "\n{not json\n" + json.dumps([1, 2]) + "\n")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert len(out) == 3
    assert "line 2: invalid JSON" in out.loc[1, "rolematch_error"]
    assert "expected a JSON object" in out.loc[2, "rolematch_error"]


def test_json_array_export_every_item_kept(tmp_path):
    """A .json export holding one array of objects is scored item by item; a non-object item keeps its place."""
    from rolematch.table import read_table

    src = tmp_path / "export.json"
    items = [{"id": 1, "description": EN}, 7, {"id": 3, "description": FR, "extra": True}]
    src.write_bytes(b"\xef\xbb\xbf" + json.dumps(items, indent=2, ensure_ascii=False).encode("utf-8"))
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out.columns[:3]) == ["id", "description", "extra"]
    assert list(out["rolematch_label"]) == ["ml_engineer", "", "data_scientist"]
    assert out.loc[1, "rolematch_error"].startswith("line 6: item 2 is not a JSON object")
    src.write_text("\ufeff" + json.dumps([items[0], items[2]], indent=2), encoding="utf-8")  # train/evaluate read it whole
    assert list(read_table(src)["description"]) == [EN, FR]
    lines = tmp_path / "export.jsonl"
    lines.write_text("\ufeff" + "".join(json.dumps(x) + "\n" for x in (items[0], items[2])), encoding="utf-8")
    assert list(read_table(lines)["description"]) == [EN, FR]
    packed = tmp_path / "export.json.gz"  # an array, gzip-compressed: its "[" is only seen decompressed
    packed.write_bytes(gzip.compress(json.dumps([items[0], items[2]]).encode("utf-8")))
    assert list(read_table(packed)["description"]) == [EN, FR]
    score_file(str(lines), str(tmp_path / "out2.csv"), jobs=1, progress=False)
    assert list(read_out(tmp_path / "out2.csv")["rolematch_label"]) == ["ml_engineer", "data_scientist"]


def test_broken_json_array_is_refused_with_its_line(tmp_path):
    src = tmp_path / "broken.json"
    src.write_text('[{"description": "a"},\n {"description": ]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: invalid JSON array"):
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    assert not (tmp_path / "out.csv").exists()
    src.write_text('[{"description": "a"}]\n[{"description": "b"}]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"text after the closing"):
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    src.write_text('[\n  {\n    "id": "a1",\n    "description": "x"\n    "salary": "60k"\n  }\n]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 5: invalid JSON array \(Expecting ',' delimiter\)"):  # not 2
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)


def test_a_truncated_json_line_is_named_for_what_it_is(tmp_path):
    """Parsed without its line break: a cut-off line is an unterminated string, and the column is the line's."""
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "description": EN}) + '\n{"id": null, "description": "cut off her\n'
                   + '{"description": "no close", "x": 1\n', encoding="utf-8")
    summary = score_file(str(src), str(tmp_path / "out.jsonl"), jobs=1, progress=False, id_column="id")
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert out[1]["rolematch_error"] == "line 2: invalid JSON (Unterminated string starting at: column 29)"
    assert out[2]["rolematch_error"] == "line 3: invalid JSON (Expecting ',' delimiter: column 35)"
    assert out[1]["_raw"] == '{"id": null, "description": "cut off her'
    assert summary.examples[0] == "line 2: invalid JSON (Unterminated string starting at: column 29)"  # no "id=None"


@pytest.mark.parametrize("block", [1, 2, 5, 64])
def test_json_array_stream_equals_json_load(block):
    """Items are the same as json.loads gives, whatever the read size (items and numbers cut between reads)."""
    import io

    from rolematch.batch_io import _json_array

    items = [{"text": "a]\n,{\"b\"", "n": [1, {"x": "]"}]}, 123456, -1.5e10, "s", None, True, [], {"k": [2]}]
    parts = [json.dumps(x, indent=2) for x in items]
    text = "\n [ " + ",\n".join(parts) + " ]\n"
    starts = [2 + sum(p.count("\n") + 1 for p in parts[:i]) for i in range(len(parts))]
    got = list(_json_array(io.StringIO(text), "t", block))
    assert [x for _, x in got] == json.loads(text) == items
    assert [line for line, _ in got] == starts


def test_text_column_detection_and_errors(tmp_path):
    src = write_csv(tmp_path / "in.csv", [{"ref": "1", "Job_Description": EN}])
    score_file(str(src), str(tmp_path / "o.csv"), jobs=1, progress=False)
    assert read_out(tmp_path / "o.csv").loc[0, "rolematch_label"] == "ml_engineer"
    bad = write_csv(tmp_path / "bad.csv", [{"ref": "1", "body_html": EN}])
    with pytest.raises(InputError, match="no text column found.*columns are: ref, body_html"):
        score_file(str(bad), str(tmp_path / "o2.csv"), jobs=1, progress=False)
    assert not (tmp_path / "o2.csv").exists()


def test_failed_run_keeps_existing_output(tmp_path):
    dst = tmp_path / "out.csv"
    dst.write_text("precious\n")
    bad = write_csv(tmp_path / "bad.csv", [{"x": "1"}])
    with pytest.raises(InputError):
        score_file(str(bad), str(dst), jobs=1, progress=False)
    assert dst.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir() if "rolematch-tmp" in p.name] == []


@pytest.mark.parametrize("signum, background", [(signal.SIGINT, False), (signal.SIGTERM, False),
                                                (signal.SIGHUP, False), (signal.SIGTERM, True),
                                                (signal.SIGINT, "twice")])
def test_interrupted_run_leaves_no_output(tmp_path, signum, background):
    """Ctrl-C, and kill / timeout / a closed terminal, stop the run without leaving a temporary file
    (also as a script's background job, where SIGINT is ignored; and with a second Ctrl-C right after
    the first, as ``timeout`` passes one on to the process group)."""
    # far more rows than it can score before the signal comes: a run that finished would prove nothing
    src = write_csv(tmp_path / "in.csv", [{"id": str(i), "description": EN} for i in range(40_000)])
    dst = tmp_path / "out.csv"
    # the child gets Ctrl-C's default handling even when this test runs where SIGINT is ignored
    # (a background job of a non-interactive shell): an ignored SIGINT would let the run finish
    sigint = signal.SIG_IGN if background is True else signal.SIG_DFL
    proc = subprocess.Popen([sys.executable, "-m", "rolematch", "score", str(src), "-o", str(dst),
                             "-j", "2" if background else "1", "-q"],
                            cwd=tmp_path, stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
    deadline = time.time() + 60
    while time.time() < deadline and not any("rolematch-tmp" in p.name for p in tmp_path.iterdir()):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signum)
    if background == "twice":
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)  # until stderr closes: no orphaned worker may keep it open
    assert proc.returncode == (130 if signum == signal.SIGINT else 128 + signum)
    assert not dst.exists()
    assert [p.name for p in tmp_path.iterdir() if "rolematch-tmp" in p.name] == []
    assert b"Traceback" not in err and (b"Interrupted." in err or b"Terminated (signal" in err)
    assert b"leaked semaphore" not in err  # -j 2: the resource tracker (it holds stderr too) stays quiet
    assert err.count(b"\n") == 1, err  # one line: no "Aborted!" after it


def test_a_swallowed_ctrl_c_still_stops_the_run(capsys):
    """spaCy's Cython callbacks can drop a KeyboardInterrupt ("Exception ignored"): the latch raises it again."""
    from rolematch.batch import sigint_latch

    outer = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even where it is ignored
    before = signal.getsignal(signal.SIGINT), sys.unraisablehook
    try:
        _swallow_one_ctrl_c(sigint_latch)
    finally:
        assert (signal.getsignal(signal.SIGINT), sys.unraisablehook) == before
        signal.signal(signal.SIGINT, outer)
    assert "KeyboardInterrupt" not in capsys.readouterr().err


def _swallow_one_ctrl_c(sigint_latch) -> None:
    import os

    with sigint_latch() as check:
        check()  # nothing yet
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:  # what a C extension does with it: report, drop, go on
            sys.unraisablehook(type("Info", (), {"exc_type": KeyboardInterrupt, "exc_value": KeyboardInterrupt(),
                                                  "exc_traceback": None, "err_msg": None, "object": "x"})())
        with pytest.raises(KeyboardInterrupt):
            check()


def _sigint_disposition() -> str:
    return str(signal.getsignal(signal.SIGINT))


def test_workers_leave_ctrl_c_to_the_parent():
    """A worker interrupted while it loads the model printed "Exception in initializer" and a traceback."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from rolematch.batch import _init_worker

    with ProcessPoolExecutor(1, mp_context=mp.get_context("forkserver"), initializer=_init_worker,
                             initargs=(None, ())) as pool:
        assert pool.submit(_sigint_disposition).result(timeout=120) == str(signal.SIG_IGN)


def test_open_source_streams(tmp_path):
    src = write_csv(tmp_path / "in.csv", rows(5))
    s = open_source(str(src))
    assert s.columns == ["id", "title", "description"]
    first = next(s.records)
    assert first.line == 2 and first.values["id"] == "0"


@pytest.mark.slow
def test_dask_engine_output_equals_local(tmp_path, monkeypatch):
    """Same output; relative --rules paths mean the caller's folder, wherever the workers run."""
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    src = write_csv(tmp_path / "in.csv", rows(30))
    (tmp_path / "my_rules").mkdir()
    (tmp_path / "my_rules" / "mine.jsonl").write_text(json.dumps(
        {"id": "my_tool", "kind": "tool", "category": "tools", "roles": ["ml_engineer"], "lang": "any",
         "origin": "user", "pattern": "kubernetes"}) + "\n", encoding="utf-8")
    monkeypatch.chdir(REPO)  # the workers start here, where there is no "my_rules"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster):
            monkeypatch.chdir(tmp_path)
            score_file(str(src), str(tmp_path / "local.csv"), jobs=1, chunk_size=7, rules=["my_rules"], progress=False)
            score_file(str(src), str(tmp_path / "dask.csv"), engine="dask", scheduler=cluster.scheduler_address,
                       chunk_size=7, rules=["my_rules"], progress=False)
    assert "my_tool" in (tmp_path / "local.csv").read_text()
    assert (tmp_path / "local.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()


@pytest.mark.slow
def test_the_local_dask_cluster_workers_leave_ctrl_c_and_hangups_to_the_main_process():
    """A terminal's Ctrl-C reaches the whole process group: workers that took it printed tracebacks (helper 125)."""
    pytest.importorskip("dask.distributed")
    from rolematch.batch import _dask_client

    before = signal.getsignal(signal.SIGINT)
    client = _dask_client(None, 1)
    try:
        got = client.run(lambda: (signal.getsignal(signal.SIGINT) == signal.SIG_IGN,
                                  signal.getsignal(signal.SIGHUP) == signal.SIG_IGN))
    finally:
        client.close()
        client._rolematch_cluster.close()
    assert list(got.values()) == [(True, True)]
    assert signal.getsignal(signal.SIGINT) is before  # the main process's own handling is back


@pytest.mark.slow
def test_a_dask_cluster_that_cannot_run_the_tasks_is_refused(tmp_path, monkeypatch):
    """No worker, or workers with another rolematch: both used to wait for ever; now a one-line error, no output."""
    pytest.importorskip("dask.distributed")
    import rolematch
    import rolematch.batch
    from dask.distributed import Client, LocalCluster

    src = write_csv(tmp_path / "in.csv", rows(3))
    out = tmp_path / "out.csv"
    monkeypatch.setattr(rolematch.batch, "DASK_WORKER_WAIT", 0.5)
    with LocalCluster(n_workers=0, processes=True, dashboard_address=None) as cluster:
        with pytest.raises(InputError, match="no Dask worker joined .* in 0 s"):
            score_file(str(src), str(out), engine="dask", scheduler=cluster.scheduler_address, progress=False)
        cluster.scale(1)
        with Client(cluster) as client:
            client.wait_for_workers(1, timeout=60)
        real = rolematch.__version__
        monkeypatch.setattr(rolematch, "__version__", "0.0.1")  # the workers run the real one
        with pytest.raises(InputError, match=r"Dask worker tcp://.*: version .*; every worker needs rolematch 0\.0\.1"):
            score_file(str(src), str(out), engine="dask", scheduler=cluster.scheduler_address, progress=False)
        monkeypatch.setattr(rolematch, "__version__", real)
        rule_file = tmp_path / "mine.jsonl"  # --rules may name a file, not only a folder
        rule_file.write_text("", encoding="utf-8")
        with Client(cluster) as client:
            rolematch.batch._check_dask_workers(client, cluster.scheduler_address, None, (str(rule_file),))
            with pytest.raises(InputError, match=r"Dask worker tcp://.*: version .*; no .*gone\.jsonl"):
                rolematch.batch._check_dask_workers(client, cluster.scheduler_address, None,
                                                    (str(tmp_path / "gone.jsonl"),))
    assert not out.exists()


def test_a_bad_dask_scheduler_address_is_a_clear_error(tmp_path):
    pytest.importorskip("dask.distributed")
    src = write_csv(tmp_path / "in.csv", rows(2))
    with pytest.raises(InputError, match="--scheduler: cannot connect to a Dask scheduler at 'notaurl'"):
        score_file(str(src), str(tmp_path / "out.csv"), engine="dask", scheduler="notaurl", progress=False)


def _late_cp1252(path: Path, rows: int = 50) -> Path:
    """A cp1252 export that is plain ASCII for its first ~100 KB, then has a ’ (byte 0x92) on line 52."""
    line = " ".join(EN.split()).replace(",", ";")
    assert line.isascii()
    body = "".join(f"{i},{line}\n" for i in range(rows)) + f"{rows},{line} l\u2019\u00e9quipe\n"
    path.write_bytes(("id,description\n" + body).encode("cp1252"))
    return path


def test_encoding_detected_past_the_sniffed_head(tmp_path):
    src = _late_cp1252(tmp_path / "late.csv")
    assert src.stat().st_size > 65536
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert len(out) == 51 and out["description"].iloc[-1].endswith("l\u2019\u00e9quipe")


def test_a_wrong_given_encoding_names_the_exact_line(tmp_path):
    src = _late_cp1252(tmp_path / "late.csv")
    with pytest.raises(InputError, match=r"line 52: undecodable bytes for utf-8.*--encoding"):
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, encoding="utf-8", progress=False)
    assert not (tmp_path / "out.csv").exists()


def test_a_given_8_bit_encoding_is_named_in_its_decoding_error(tmp_path):
    """Python calls every 8-bit codec "charmap"; the message names the one given, and does not ask for --encoding again."""
    src = tmp_path / "in.csv"
    src.write_bytes(b"id,description\n1,caf\x81 " + b"data scientist " * 5 + b"\n")
    with pytest.raises(InputError, match=r"line 2: undecodable bytes for cp1252 .*or leave --encoding out") as info:
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, encoding="cp1252", progress=False)
    assert "charmap" not in str(info.value)


@pytest.mark.parametrize("encoding, bom, given", [
    ("utf-8", "\ufeff", "utf-8"),       # Excel's UTF-8 (with a byte-order mark), the encoding given
    ("utf-16-le", "", None),            # UTF-16 without a byte-order mark
    ("utf-16-be", "", None),
])
def test_bom_and_utf16_without_bom(tmp_path, encoding, bom, given):
    src = tmp_path / "in.csv"
    src.write_bytes((bom + "id,description\n1," + " ".join(EN.split()).replace(",", ";") + "\n").encode(encoding))
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, id_column="id", encoding=given, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out.columns[:2]) == ["id", "description"] and out.loc[0, "rolematch_label"] == "ml_engineer"


@pytest.mark.parametrize("option, value, message", [
    ("encoding", "utf8x", "--encoding: unknown encoding 'utf8x'"),
    ("sep", ";;", "--sep: ;; is not one character"),
])
def test_bad_sep_or_encoding_is_a_clear_error(tmp_path, option, value, message):
    src = write_csv(tmp_path / "in.csv", rows(2))
    with pytest.raises(InputError, match=re.escape(message)):
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False, **{option: value})


@pytest.mark.parametrize("sep", ["\\t", "tab", "Tab", "\t"])
def test_tab_separator_spellings(tmp_path, sep):
    src = write_csv(tmp_path / "in.txt.csv", rows(3), sep="\t")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, sep=sep, progress=False)
    assert list(read_out(tmp_path / "out.csv")["id"]) == ["0", "1", "2"]


def test_gzip_input_and_output(tmp_path):
    import gzip

    src = tmp_path / "in.csv.gz"
    plain = write_csv(tmp_path / "in.csv", rows(6))
    src.write_bytes(gzip.compress(plain.read_bytes()))
    score_file(str(src), str(tmp_path / "out.csv.gz"), jobs=1, progress=False)
    score_file(str(plain), str(tmp_path / "out.csv"), jobs=1, progress=False)
    assert gzip.decompress((tmp_path / "out.csv.gz").read_bytes()) == (tmp_path / "out.csv").read_bytes()


def test_output_gets_a_normal_files_mode_or_keeps_the_replaced_ones(tmp_path):
    import os

    src = write_csv(tmp_path / "in.csv", rows(2))
    old = os.umask(0o022)
    try:
        score_file(str(src), str(tmp_path / "new.csv"), jobs=1, progress=False)
        shared = tmp_path / "shared.csv"
        shared.write_text("old")
        shared.chmod(0o664)
        score_file(str(src), str(shared), jobs=1, progress=False)
    finally:
        os.umask(old)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644
    assert shared.stat().st_mode & 0o777 == 0o664 and shared.read_text() != "old"


@pytest.mark.parametrize("output, message", [
    ("folder.csv", "output is a directory"), ("in.csv/out.csv", "is a file"), ("nowhere/out.csv", "does not exist"),
    ("folder", "output is a directory"),  # not "unknown file type": it has no extension either (helper 122)
])
def test_unwritable_outputs_are_refused_up_front(tmp_path, output, message):
    src = write_csv(tmp_path / "in.csv", rows(2))
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match=message):
        score_file(str(src), str(tmp_path / output), jobs=1, progress=False)


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_the_input_file_is_never_the_output(tmp_path, link):
    """`score export.csv -o export.csv` (or a link to it) would replace the user's only copy of the export."""
    src = write_csv(tmp_path / "in.csv", rows(2))
    before = src.read_bytes()
    out = src
    if link == "symlink":
        out = tmp_path / "link.csv"
        out.symlink_to(src)
    elif link == "hardlink":
        out = tmp_path / "hard.csv"
        os.link(src, out)
    with pytest.raises(InputError, match="output is the input file"):
        score_file(str(src), str(out), jobs=1, progress=False)
    assert src.read_bytes() == before


@pytest.mark.parametrize("way", ["stdin", "stdout", "both"])
def test_the_input_file_is_never_the_output_through_a_redirection(tmp_path, way):
    """`score - -o in.csv < in.csv` and `score in.csv -o - >> in.csv` reach the input through fd 0 / fd 1."""
    import subprocess
    import sys

    src = write_csv(tmp_path / "in.csv", rows(2))
    before = src.read_bytes()
    code = "import sys; from rolematch.cli import main; sys.argv = ['rolematch', *sys.argv[1:]]; main()"
    with open(src, "rb") as fin, open(src, "ab") as fout:
        if way == "stdin":
            proc = subprocess.run([sys.executable, "-c", code, "score", "-", "-o", str(src), "-q"], stdin=fin,
                                  capture_output=True, text=True)
        elif way == "stdout":
            proc = subprocess.run([sys.executable, "-c", code, "score", str(src), "-o", "-", "-q"], stdout=fout,
                                  stderr=subprocess.PIPE, text=True)
        else:  # `score - -o - < in.csv >> in.csv` read its own output until the disk was full
            proc = subprocess.run([sys.executable, "-c", code, "score", "-", "-o", "-", "-q"], stdin=fin, stdout=fout,
                                  stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 1 and "output is the input file" in proc.stderr
    assert src.read_bytes() == before


@pytest.mark.parametrize("content, message", [
    ("", "no postings"), ("[]", "no postings"),
    ('{\n  "postings": [\n    {"id": "1", "description": "x"}\n  ]\n}\n', "not JSON Lines"),
])
def test_json_inputs_without_rows_are_named(tmp_path, content, message):
    src = tmp_path / "in.json"
    src.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)


def test_json_lines_keep_bad_lines_and_json_values_in_csv_output(tmp_path):
    src = tmp_path / "in.jsonl"
    good = {"id": "1", "description": EN, "tags": ["python", "sql"], "meta": {"k": 1}}
    src.write_text(json.dumps(good) + "\n{broken\n", encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert json.loads(out.loc[0, "tags"]) == ["python", "sql"] and json.loads(out.loc[0, "meta"]) == {"k": 1}
    assert out.loc[1, "_raw"] == "{broken" and "invalid JSON" in out.loc[1, "rolematch_error"]


def test_an_unclosed_quote_does_not_swallow_rows_up_to_a_later_inch_mark(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,description\n1,%s\n2,"You will deploy models and build pipelines.\n3,%s\n4,Work on a 27" screen. %s\n'
                   % (EN.splitlines()[0], " ".join(EN.split()).replace(",", ";"), " ".join(EN.split()).replace(",", ";")),
                   encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out["id"]) == ["1", "2", "3", "4"]
    assert "broken quoting" in out.loc[1, "rolematch_error"] and out.loc[3, "description"].startswith('Work on a 27"')


def test_a_damaged_gzip_input_is_named(tmp_path):
    import gzip

    plain = write_csv(tmp_path / "in.csv", [{"id": str(i), "description": EN} for i in range(200)])
    data = gzip.compress(plain.read_bytes())
    src = tmp_path / "cut.csv.gz"
    src.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.csv\.gz: .*compressed data is damaged or cut short"):
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    assert [p.name for p in tmp_path.iterdir() if "rolematch-tmp" in p.name] == []


def test_utf8_with_a_few_cp1252_bytes_keeps_its_utf8_accents(tmp_path):
    src = tmp_path / "mixed.csv"
    line = " ".join(FR.split()).replace(",", ";")
    src.write_bytes(("id,description\n1," + line + "\n").encode("utf-8") + b"2," + "Caf\u00e9 ".encode("cp1252")
                    + line.encode("utf-8") + b"\n")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert out.loc[0, "description"] == line and out.loc[1, "description"] == "Caf\u00e9 " + line


@pytest.mark.parametrize("option, value, message", [
    ("encoding", "rot13", "unknown encoding 'rot13'"),
    ("sep", '"', "cannot separate fields"),
])
def test_more_bad_options(tmp_path, option, value, message):
    src = write_csv(tmp_path / "in.csv", rows(2))
    with pytest.raises(InputError, match=message):
        score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False, **{option: value})


def test_parquet_gz_is_not_a_format(tmp_path):
    src = write_csv(tmp_path / "in.csv", rows(2))
    with pytest.raises(InputError, match="unknown file type"):
        score_file(str(src), str(tmp_path / "out.parquet.gz"), jobs=1, progress=False)


def test_parquet_output_without_pyarrow_is_refused_before_scoring(tmp_path, monkeypatch):
    src = write_csv(tmp_path / "in.csv", rows(2))
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed
    with pytest.raises(InputError, match=r"writing Parquet needs pyarrow: pip install 'rolematch\[parquet\]'"):
        score_file(str(src), str(tmp_path / "out.parquet"), jobs=1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_an_old_models_warning_is_shown_once_with_workers(tmp_path, small_model_dir):
    from conftest import model_copy

    model = model_copy(small_model_dir, tmp_path / "m", versions={"rolematch": "0.0.7"})
    src = write_csv(tmp_path / "in.csv", rows(6))
    proc = subprocess.run([sys.executable, "-m", "rolematch", "score", str(src), "-o", str(tmp_path / "out.csv"),
                           "--model", str(model), "-j", "2", "-q"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("trained with rolematch 0.0.7") == 1 and "UserWarning" not in proc.stderr


def test_a_broken_first_json_line_is_an_error_row_not_a_refused_file(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "1", "description": "cut sh\n' + json.dumps({"id": "2", "description": EN}) + "\n",
                   encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.jsonl"), jobs=1, progress=False)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert "invalid JSON" in out[0]["rolematch_error"] and out[1]["rolematch_label"] == "ml_engineer"


def test_excels_sep_line_names_the_separator(tmp_path):
    src = tmp_path / "excel.csv"
    src.write_bytes(("\ufeffsep=;\r\nid;description\r\n1;" + " ".join(EN.split()).replace(";", ",") + "\r\n")
                    .encode("utf-8"))
    summary = score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert summary.rows == 1 and list(out.columns[:2]) == ["id", "description"]
    assert out.loc[0, "rolematch_label"] == "ml_engineer"
    from rolematch.table import read_table  # train and evaluate read it the same way

    assert list(read_table(src).columns) == ["id", "description"]


def test_an_output_symlink_is_written_through(tmp_path):
    src = write_csv(tmp_path / "in.csv", rows(3))
    target = tmp_path / "shared_report.csv"
    target.write_text("old report\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(target.name)
    score_file(str(src), str(link), jobs=1, progress=False)
    assert link.is_symlink() and list(read_out(target)["id"]) == ["0", "1", "2"]


def test_closed_stdout_is_no_traceback(tmp_path):
    src = write_csv(tmp_path / "in.csv", rows(3))
    for out, code, message in ((str(tmp_path / "out.csv"), 0, ""), ("-", 1, "standard output is closed")):
        proc = subprocess.run([sys.executable, "-m", "rolematch", "score", str(src), "-o", out, "-j", "1", "-q"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
                              preexec_fn=lambda: os.close(1))
        assert proc.returncode == code and "Traceback" not in proc.stderr and message in proc.stderr


@pytest.mark.parametrize("stdin", ["closed", "write-only"])
def test_score_with_an_unreadable_stdin_says_so_and_writes_nothing(tmp_path, stdin):
    out = tmp_path / "o.csv"
    args = [sys.executable, "-m", "rolematch", "score", "-", "-o", str(out), "-j", "1", "-q"]
    if stdin == "closed":
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.close(0))
    else:
        with open(os.devnull, "w") as sink:
            proc = subprocess.run(args, stdin=sink, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "<stdin>: cannot read:" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_a_bad_byte_on_stdin_with_a_given_encoding_is_located_as_well_as_it_can_be(tmp_path):
    data = b"id,description\n" + b"".join(b"%d,plain text row\n" % i for i in range(3000)) + b"3000,caf\xe9\n"
    proc = subprocess.run([sys.executable, "-m", "rolematch", "score", "-", "-o", str(tmp_path / "o.csv"),
                           "--encoding", "utf-8", "-j", "1", "-q"], input=data, capture_output=True, timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and re.search(r"line (\d+) or later: undecodable bytes for utf-8", err), err
    assert int(re.search(r"line (\d+) or later", err).group(1)) <= 3002


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_lone_surrogate_from_a_json_escape_is_scored_and_written(tmp_path, suffix):
    """'\\ud800' is valid JSON but not encodable: the row is scored and written, every row kept, as an escape."""
    if suffix == "parquet":
        pytest.importorskip("pyarrow")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": EN}) + "\n" + json.dumps({"id": 2, "text": EN + " \ud800"}) + "\n"
                   + json.dumps({"id": 3, "text": FR}) + "\n", encoding="utf-8")
    dst = tmp_path / f"out.{suffix}"
    score_file(str(src), str(dst), jobs=1, progress=False)
    if suffix == "jsonl":
        out = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
        assert out[1]["text"] == EN + " \ud800"  # the JSON escape again: the value round-trips exactly
        labels = [r["rolematch_label"] for r in out]
    else:
        out_df = pd.read_parquet(dst) if suffix == "parquet" else read_out(dst)
        assert out_df["text"].iloc[1] == EN + " \\ud800"  # visible, and the file is valid UTF-8
        labels = list(out_df["rolematch_label"])
    assert labels == ["ml_engineer", "ml_engineer", "data_scientist"]


def test_progress_follows_the_rows_written_not_the_rows_read_ahead(tmp_path, monkeypatch):
    import rolematch.batch as B

    calls: list[tuple[int, int]] = []

    class Recorder:
        def __init__(self, source, enabled):
            self.source = source

        def __call__(self, rows, errors, pos=None):
            calls.append((rows, self.source.position() if pos is None else pos))

        def close(self, done=False):
            pass

    monkeypatch.setattr(B, "_Progress", Recorder)
    src = write_csv(tmp_path / "in.csv", [{"id": str(i), "description": EN} for i in range(2000)])
    size = src.stat().st_size
    score_file(str(src), str(tmp_path / "out.csv"), jobs=2, chunk_size=100, progress=True)
    positions = [p for _, p in calls]
    assert [r for r, _ in calls] == list(range(100, 2001, 100)) and positions == sorted(positions)
    # the first 100 rows are 5 % of the file: the bar is near there (plus the reader's buffer), although
    # several chunks were already read and sent to the workers
    assert positions[0] < 0.05 * size + 256 * 1024 < size / 2 and positions[-1] == size


def test_a_surrogate_in_a_json_key_is_written_to_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "n\ud800": "x", "text": EN}) + "\n", encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.parquet"), jobs=1, progress=False)
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert list(out.columns[:3]) == ["id", "n\\ud800", "text"] and out["rolematch_label"].iloc[0] == "ml_engineer"


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_repeated_parquet_column_keeps_both_columns_values(tmp_path, suffix):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array(["1", "2"]), pa.array([EN, FR]), pa.array(["x", "y"])],
                                        names=["id", "description", "id"]), src)
    score_file(str(src), str(tmp_path / f"out.{suffix}"), jobs=1, progress=False)
    out = pd.read_parquet(tmp_path / "out.parquet") if suffix == "parquet" else read_out(tmp_path / "out.csv")
    assert list(out.columns[:3]) == ["id", "description", "id.1"]  # renamed as a CSV header is
    assert list(out["id"]) == ["1", "2"] and list(out["id.1"]) == ["x", "y"]
    assert list(out["rolematch_label"]) == ["ml_engineer", "data_scientist"]


@pytest.mark.parametrize("source", ["parquet", "jsonl"])
def test_jsonl_output_is_strict_json_with_nan_as_null(tmp_path, source):
    if source == "parquet":
        pa = pytest.importorskip("pyarrow")
        import pyarrow.parquet as pq

        src = tmp_path / "in.parquet"
        pq.write_table(pa.table({"salary": [float("nan"), float("inf")], "description": [EN, FR]}), src)
    else:  # Python's json reads NaN and Infinity, as in pandas' exports
        src = tmp_path / "in.jsonl"
        src.write_text(json.dumps({"salary": float("nan"), "extra": [float("-inf")], "description": EN}) + "\n"
                       + json.dumps({"salary": 1.5, "description": FR}) + "\n", encoding="utf-8")
    score_file(str(src), str(tmp_path / "out.jsonl"), jobs=1, progress=False)
    strict = [json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in JSON output"))
              for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert strict[0]["salary"] is None and strict[0]["rolematch_label"] == "ml_engineer"
    assert strict[1]["salary"] == (None if source == "parquet" else 1.5) and strict[1]["rolematch_label"] == "data_scientist"
    if source == "jsonl":
        assert strict[0]["extra"] == [None]


def test_score_warns_once_about_a_slow_user_rule(tmp_path):
    from click.testing import CliRunner

    from rolematch.cli import cli

    rules = tmp_path / "my_rules"
    rules.mkdir()
    (rules / "a.jsonl").write_text(json.dumps({
        "id": "my_slow", "kind": "tool", "category": "tools", "roles": ["ml_engineer"], "lang": "any",
        "origin": "user", "pattern": [{"LOWER": "deploy"}, {"IS_ALPHA": True, "OP": "*"}, {"LOWER": "models"}]}))
    src = write_csv(tmp_path / "in.csv", [{"id": "1", "description": EN}])
    res = CliRunner().invoke(cli, ["score", str(src), "-o", str(tmp_path / "out.csv"), "-j", "1", "-q",
                                   "--rules", str(rules)])
    assert res.exit_code == 0, res.output
    assert res.output.count("an unbounded OP") == 1


def test_the_progress_bar_ends_at_100_percent_when_the_run_is_done(tmp_path, monkeypatch):
    import io

    import rolematch.batch as B

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    src = write_csv(tmp_path / "in.csv", [{"id": str(i), "description": EN} for i in range(50)])
    bar = B._Progress(open_source(str(src)), True)
    bar(40, 0, 100)  # the reader's position can stop short of the end of the file
    bar.close(done=True)
    assert bar.bar.n == bar.bar.total == src.stat().st_size


def test_an_interrupted_cli_run_in_process_gives_the_handlers_back(tmp_path):
    """Inside a Python process (CliRunner, a notebook) a stopped run must not leave Ctrl-C ignored."""
    import os
    import threading

    from click.testing import CliRunner

    from rolematch.cli import cli

    src = write_csv(tmp_path / "in.csv", [{"id": str(i), "description": EN} for i in range(20_000)])
    outer = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even where it is ignored
    timer = threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGINT))
    try:
        timer.start()
        res = CliRunner().invoke(cli, ["score", str(src), "-o", str(tmp_path / "out.csv"), "-j", "1", "-q"])
        timer.join()
        assert res.exit_code == 130 and not (tmp_path / "out.csv").exists()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, outer)


def _stray_byte_then_utf8(path: Path) -> Path:
    """One Word apostrophe (cp1252 0x92) on row 1, 300 ASCII rows, then UTF-8 French: every reader must
    read the French as UTF-8, wherever the first stray byte comes."""
    lines = [b"id,description", b'1,"We\x92re hiring a data scientist to analyse customer data"']
    lines += [f'{i},"Plain ASCII row number {i} about data science and statistics"'.encode() for i in range(2, 300)]
    lines.append(f'300,"{FR}"'.encode())
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_a_stray_cp1252_byte_early_does_not_turn_later_utf8_into_mojibake(tmp_path):
    src = _stray_byte_then_utf8(tmp_path / "mixed.csv")
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert out["description"].iloc[0].startswith("We\u2019re") and out["description"].iloc[-1] == FR
    from rolematch.table import read_table

    assert read_table(src)["description"].iloc[-1] == FR  # train / evaluate read it alike


def test_stdin_reads_what_the_file_reads(tmp_path):
    import subprocess
    import sys

    src = _stray_byte_then_utf8(tmp_path / "mixed.csv")
    code = "import sys; from rolematch.cli import main; sys.argv = ['rolematch', *sys.argv[1:]]; main()"
    with open(src, "rb") as fin:
        piped = subprocess.run([sys.executable, "-c", code, "score", "-", "-o", "-", "-q", "-j", "1"], stdin=fin,
                               capture_output=True)
    assert piped.returncode == 0, piped.stderr
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    assert piped.stdout == (tmp_path / "out.csv").read_bytes()


@pytest.mark.parametrize("variant", ["cp1252", "lone_cr"])
def test_training_jsonl_is_read_as_score_reads_it(tmp_path, variant):
    from rolematch.table import read_table

    lines = [json.dumps({"id": i, "text": t, "label": "data_scientist"}, ensure_ascii=False) for i, t in
             enumerate([FR, EN])]
    if variant == "cp1252":
        data = "\n".join(lines).encode("cp1252", errors="replace") + b"\n"
    else:
        data = "\r".join(lines).encode() + b"\r"
    (tmp_path / "t.jsonl").write_bytes(data)
    got = read_table(tmp_path / "t.jsonl")
    assert list(got["text"]) == [FR.encode("cp1252", errors="replace").decode("cp1252") if variant == "cp1252" else FR, EN]


def test_a_raw_cr_inside_a_jsonl_string_ends_the_line_everywhere(tmp_path):
    """A raw CR cannot stand inside a JSON string: score reads it as a line end (two error rows, nothing
    lost), and train/evaluate's reader, which reads JSON Lines as score does, stops naming
    both lines (pandas read it as valid)."""
    from rolematch.table import read_table

    src = tmp_path / "t.jsonl"
    src.write_bytes(json.dumps({"description": "Senior role", "label": "x"}).encode()[:-1]
                    .replace(b"Senior role", b"Senior\rrole") + b"}\n")
    with pytest.raises(InputError, match=r"2 unreadable line\(s\): line 1: invalid JSON .*; line 2: invalid JSON"):
        read_table(src)
    score_file(str(src), str(tmp_path / "out.csv"), text_column="_raw", jobs=1, progress=False)
    assert read_out(tmp_path / "out.csv")["rolematch_error"].str.startswith("line ").tolist() == [True, True]


def test_a_given_utf16_that_meets_a_utf8_bom_is_a_clear_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(codecs.BOM_UTF8 + b"id,description\n1,text\n")
    for given in ("utf-16", "utf-16-le", "utf-32-be"):
        with pytest.raises(InputError, match=f"--encoding {given}: the file starts with a UTF-8 byte-order mark"):
            score_file(str(src), str(tmp_path / "out.csv"), jobs=1, encoding=given, progress=False)


def test_training_tables_read_cp1252_undefined_bytes_as_score_does(tmp_path):
    """A cp1252 export read with that codec still reads its five undefined bytes (0x81...) as latin-1."""
    from rolematch.table import read_table

    text = "Données « brutes » – été où l’équipe "
    src = tmp_path / "t.csv"
    src.write_bytes(b"id,description\n1," + text.encode("cp1252") * 3 + b"\x81\n")
    assert read_table(src)["description"].iloc[0] == text * 3 + "\x81"
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    assert read_out(tmp_path / "out.csv")["description"].iloc[0] == text * 3 + "\x81"


@pytest.mark.parametrize("variant", ["utf16_cjk", "long_first_row", "mixed"])
def test_cr_only_json_lines_keep_their_rows(tmp_path, variant):
    """Old Mac line ends: every row comes out, in score and in train/evaluate's reader, even when a UTF-16
    character holds a 0x0A byte (上 is U+4E0A), the first row is longer than the sniffed heads (64 KB), or
    files with CR and LF line ends were joined."""
    from rolematch.table import read_table

    rows = [{"id": "1", "title": "ML Engineer 上海", "description": EN}, {"id": "2", "description": FR},
            {"id": "3", "description": EN}]
    if variant == "long_first_row":
        rows[0]["description"] = (EN + " ") * 45
    ends = ["\r", "\n", "\r\n"] if variant == "mixed" else ["\r"] * 3
    text = "".join(json.dumps(r, ensure_ascii=False) + end for r, end in zip(rows, ends))
    src = tmp_path / "cr.jsonl"
    src.write_bytes(text.encode("utf-16") if variant == "utf16_cjk" else text.encode())
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, progress=False)
    out = read_out(tmp_path / "out.csv")
    assert list(out["id"]) == ["1", "2", "3"] and not out["rolematch_error"].any()
    table = read_table(src)
    assert list(table["id"]) == ["1", "2", "3"] and list(table["description"]) == [r["description"] for r in rows]


def test_a_given_utf16_le_drops_the_bom_in_json_lines(tmp_path):
    src = tmp_path / "u16.jsonl"
    src.write_bytes(codecs.BOM_UTF16_LE + (json.dumps({"description": EN}) + "\n").encode("utf-16-le"))
    score_file(str(src), str(tmp_path / "out.csv"), jobs=1, encoding="utf-16-le", progress=False)
    assert read_out(tmp_path / "out.csv")["rolematch_label"].iloc[0] == "ml_engineer"


def test_training_csv_with_extra_fields_on_its_first_row_is_refused(tmp_path):
    """pandas took the extra leading fields as an index: the text was silently a fragment."""
    from rolematch.table import read_table

    src = tmp_path / "extra.csv"
    src.write_text("description,label\nWe build pipelines with Python, PyTorch, Docker,ml_engineer\nplain,other\n")
    with pytest.raises(InputError, match="the first row has more fields than the header has columns"):
        read_table(src)
