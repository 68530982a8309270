"""Training and evaluation data as users have it: blank cells, folders of mixed files, Excel's empty rows."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rolematch.errors import TrainingError
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
