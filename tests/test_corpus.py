"""The training corpus: its shape, and that nothing in it comes from the evaluation postings."""

from __future__ import annotations

import collections
import json
import re

import pytest

from conftest import EVAL_DEV, REPO

LABELS = {"ml_engineer", "ml_scientist", "data_scientist", "other"}

# titles any employer uses: a role name with a seniority, a level or a French (H/F) tag
_GENERIC_TITLE = re.compile(
    r"^(?:(?:junior|senior|staff|lead|principal|associate|sr|jr)\s+)?"
    r"(?:data scientist|machine learning engineer|ml engineer|machine learning scientist|ml scientist|mlops engineer"
    r"|ml ops engineer|data engineer|data analyst|ai ml engineer|deep learning engineer|research scientist"
    r"|applied scientist|ai engineer|frontend engineer|backend engineer|software engineer"
    r"|machine learning platform engineer|machine learning infrastructure engineer|ingénieur machine learning"
    r"|software engineer machine learning|software engineer ml)"
    r"(?:\s+(?:i|ii|iii|iv|1|2|3))?(?:\s+(?:h f|f h|cdi))*$")
_WORD = re.compile(r"\w+")


def _norm(title: str) -> str:
    return " ".join(_WORD.findall(str(title).lower()))


@pytest.fixture(scope="module")
def all_rows(training_rows) -> list[dict]:
    """Every posting we wrote: the training files and the shelved slices."""
    shelved = [json.loads(line) for f in sorted((REPO / "training_data" / "shelved").glob("*.jsonl"))
               for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert shelved
    return training_rows + shelved


def test_corpus_shape(training_rows):
    """At least 200 postings per label, 30% French, unique ids, full-length texts."""
    assert {r["label"] for r in training_rows} == LABELS
    per_label = collections.Counter(r["label"] for r in training_rows)
    assert min(per_label.values()) >= 200, per_label
    assert sum(r["lang"] == "fr" for r in training_rows) / len(training_rows) >= 0.30
    ids = [r["id"] for r in training_rows]
    assert len(ids) == len(set(ids))
    words = sorted(len(r["text"].split()) for r in training_rows)
    assert words[len(words) // 2] >= 250  # median posting is full length


@pytest.mark.skipif(not EVAL_DEV.exists(), reason="../shared/eval not present")
def test_no_title_copied_from_the_eval_postings(all_rows):
    """A training title may equal an eval title only when it is generic ("Senior Data Scientist")."""
    import pandas as pd

    eval_titles = {_norm(t) for t in pd.read_csv(EVAL_DEV, usecols=["title"])["title"]}
    copied = sorted({r["title"] for r in all_rows
                     if _norm(r["title"]) in eval_titles and not _GENERIC_TITLE.match(_norm(r["title"]))})
    assert not copied


@pytest.mark.skipif(not EVAL_DEV.exists(), reason="../shared/eval not present")
def test_no_body_text_copied_from_the_eval_postings(all_rows):
    """At most a fifth of a training posting's 12-word runs occur in the eval postings.

    Legal and recruiting formulas (equal-opportunity, pay-transparency and
    work-authorisation sentences) are shared by many employers, so some overlap
    is expected (at most a tenth now); a copied paragraph would exceed a fifth.
    """
    import pandas as pd

    def runs(text: str) -> set[str]:
        w = _WORD.findall(text.lower())
        return {" ".join(w[i:i + 12]) for i in range(len(w) - 11)}

    exam: set[str] = set()
    for text in pd.read_csv(EVAL_DEV, usecols=["description"])["description"].dropna():
        exam |= runs(text)
    worst = max((len(got & exam) / len(got), r["id"]) for r in all_rows if (got := runs(r["text"])))
    assert worst[0] <= 0.2, worst
