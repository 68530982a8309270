"""Shared fixtures: the shipped model (loaded once), tiny files, the shared/ folder when present."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EVAL_DEV = SHARED / "eval" / "real_postings_dev.csv"
SEEDS = SHARED / "seeds"
EXAMPLES = REPO / "examples"

# CI runs every property with 2,000 examples; locally 200 keeps the loop quick.
settings.register_profile("ci", max_examples=2000, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def model():
    from rolematch.api import load_model

    return load_model()


@pytest.fixture(scope="session")
def extractor():
    from rolematch.extract import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def training_rows() -> list[dict]:
    rows = []
    for f in sorted((REPO / "training_data").glob("*.jsonl")):
        rows += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


@pytest.fixture(scope="session")
def small_training(training_rows, tmp_path_factory) -> Path:
    """A small labelled JSONL (8 postings per label and language mix) for train/evaluate tests."""
    picked: dict[str, list[dict]] = {}
    for r in training_rows:
        bucket = picked.setdefault(r["label"], [])
        if len(bucket) < 8 and (r["lang"] == "fr") == (len(bucket) % 4 == 3):
            bucket.append(r)
    path = tmp_path_factory.mktemp("data") / "small.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for rs in picked.values() for r in rs),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_model_dir(small_training, tmp_path_factory) -> Path:
    from rolematch.train import read_labelled, train

    out = tmp_path_factory.mktemp("models") / "small"
    train(read_labelled(small_training, title_column="title"), out, params={"cv": 2})
    return out


def model_copy(src: Path, dst: Path, **manifest_changes) -> Path:
    """A copy of the model directory ``src`` at ``dst``, with ``manifest_changes`` applied to its manifest
    (a dict value updates the manifest's dict of that name)."""
    import shutil

    from rolematch.persist import MANIFEST_FILE

    shutil.copytree(src, dst)
    manifest = json.loads((dst / MANIFEST_FILE).read_text())
    for key, value in manifest_changes.items():
        if isinstance(value, dict) and isinstance(manifest.get(key), dict):
            manifest[key].update(value)
        else:
            manifest[key] = value
    (dst / MANIFEST_FILE).write_text(json.dumps(manifest))
    return dst
