"""Training and evaluation: read labelled postings, fit, measure, report.

Labels are ``ml_engineer``, ``ml_scientist``, ``data_scientist`` and ``other``.
Evaluation scores the three roles (per-class precision/recall/F1, macro-F1
with a bootstrap 95% interval, accuracy, confusion matrix, per-language
breakdown, expected calibration error) and counts out-of-scope calls separately: rows labelled ``other`` count
toward the out-of-scope figures only.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence, Union

import numpy as np

from rolematch.errors import InputError, TrainingError, caller_stacklevel
from rolematch.results import LABELS, ROLES

if TYPE_CHECKING:
    import pandas as pd

    from rolematch.api import RoleModel
    from rolematch.model import RoleClassifier
    from rolematch.results import RoleResult

PathLike = Union[str, Path]
#: The column :func:`read_labelled` adds with ``origin``: each row's ``(file, data row or line, cells)``.
ORIGIN = "_origin"


def read_labelled(path: PathLike, text_column: str | None = None, label_column: str = "label",
                  title_column: str | None = None, keep_unusable: bool = False,
                  origin: bool = False) -> "pd.DataFrame":
    """Labelled postings as a DataFrame with ``text``, ``label`` and (optional) ``title``, ``lang``.

    ``path`` is a CSV/TSV/JSONL/JSON/Parquet file or a folder of them (read
    file by file, in name order). ``text_column`` defaults to the first column
    named like a posting text (``description``, ``text``, ``job_description``...),
    as in ``score``, found in each file. Rows with an empty text are left out (rows with neither text
    nor label always: the empty rows a spreadsheet leaves at the end). A text that is not text (a JSON
    list, number or boolean) is an error naming its data rows. With ``keep_unusable`` (evaluation:
    every labelled row counts) rows with an empty or non-text text are kept instead, to be counted as
    rows that cannot be scored. An empty label is an error naming the file and its data rows; an
    unknown label is an error naming the labels and their rows. With ``origin``, column :data:`ORIGIN`
    tells where each row comes from: ``(file, row, cells)``, its data row counted from 1 (its line in
    JSON Lines) and all its cells by column name (missing ones ``None``), for :mod:`rolematch.predictions`.
    """
    import pandas as pd

    from rolematch.table import table_files

    p = Path(path)
    if not p.is_dir():
        return _labelled_file(p, text_column, label_column, title_column, keep_unusable, origin)
    files = table_files(p)
    if not files:
        raise TrainingError(f"{p}: no .csv, .tsv, .jsonl, .json or .parquet files in this folder")
    return pd.concat([_labelled_file(f, text_column, label_column, title_column, keep_unusable, origin)
                      for f in files],
                     ignore_index=True)


def _data_rows(mask: Any, lines: Sequence[int] | None = None) -> str:
    """``data row 1, 2, 3, 4, 5, ...`` for the rows where ``mask`` is true; ``line 3, 7, ...`` when each row's
    line in the file is known (JSON Lines, JSON arrays)."""
    rows = np.flatnonzero(np.asarray(mask))
    more = ", ..." if len(rows) > 5 else ""
    if lines is not None:
        return "line " + ", ".join(str(lines[i]) for i in rows[:5]) + more
    return "data row " + ", ".join(str(i + 1) for i in rows[:5]) + more


def _labelled_file(p: Path, text_column: str | None, label_column: str, title_column: str | None,
                   keep_unusable: bool = False, origin: bool = False) -> "pd.DataFrame":
    """:func:`read_labelled` for one file."""
    from rolematch.table import find_text_column, read_table

    try:
        df = read_table(p)
        text_column = find_text_column(list(df.columns), text_column, str(p))
        lines = df.attrs.get("lines")
    except InputError as exc:
        raise TrainingError(str(exc)) from None
    for col in (label_column, title_column):
        if col is not None and col not in df.columns:
            raise TrainingError(f"{p}: no column {col!r}; columns are: {', '.join(map(str, df.columns))}")
    if label_column == text_column:
        raise TrainingError(f"{p}: {label_column!r} cannot be both the text column and the label column")
    out = df[[text_column, label_column]].rename(columns={text_column: "text", label_column: "label"}).copy()
    if title_column:
        out["title"] = df[title_column]
    if "lang" in df.columns:
        out["lang"] = df["lang"]
    if origin:
        out[ORIGIN] = _origins(df, str(p), lines)
    text = out["text"]
    is_text = text.map(lambda v: isinstance(v, str))
    empty = text.isna() | (is_text & (text.astype(str).str.strip() == ""))
    if empty.all():
        raise TrainingError(f"{p}: every {text_column!r} cell is empty")
    no_label = out["label"].isna() | (out["label"].astype(str).str.strip() == "")
    odd = ~is_text & ~empty  # a JSON list, number or boolean: score refuses it as a posting, so does training
    if odd.any() and not keep_unusable:
        kinds = sorted({type(v).__name__ for v in text[odd]})
        raise TrainingError(f"{p}: {int(odd.sum())} row(s) whose {text_column!r} is not text ({', '.join(kinds)}; "
                            f"{_data_rows(odd, lines)}); fix or remove them")
    missing = no_label & ~empty  # a text without a label (rows with neither are the spreadsheet's tail)
    if missing.any():
        raise TrainingError(f"{p}: {int(missing.sum())} row(s) with an empty {label_column!r} ({_data_rows(missing, lines)}); "
                            "label them or leave them out")
    # rows without a text are left out (such as the empty rows Excel leaves at the end); when evaluating,
    # only those without a label either: a labelled row that cannot be scored still counts
    drop = (empty & no_label) if keep_unusable else empty
    labels = out["label"].astype(str).str.strip()
    unknown = ~drop & ~labels.isin(LABELS)
    if unknown.any():
        bad = list(dict.fromkeys(labels[unknown]))
        names = ", ".join(map(repr, bad[:5])) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise TrainingError(f"{p}: unknown label(s) {names} in column {label_column!r} ({int(unknown.sum())} row(s): "
                            f"{_data_rows(unknown, lines)}); expected one of {', '.join(LABELS)}")
    out["label"] = labels
    if not keep_unusable:  # what score would refuse (another language, an oversized text or title) is not learned
        unusable = _unusable(out, ~drop)
        if unusable:
            refused = np.isin(np.arange(len(out)), list(unusable))
            reasons = sorted(set(unusable.values()))
            warnings.warn(f"{p}: {len(unusable)} row(s) left out, as score would refuse them "
                          f"({'; '.join(reasons)}; {_data_rows(refused, lines)})",  # a few kinds of reason at most
                          stacklevel=caller_stacklevel())
            drop = drop | refused
    return out[~drop].reset_index(drop=True)


def _origins(df: "pd.DataFrame", name: str, lines: Sequence[int] | None) -> list[tuple[str, int, dict[str, Any]]]:
    """``(file, data row or line, cells)`` for each row of ``df`` (missing cells ``None``, not NaN)."""
    import pandas as pd

    def cell(v: Any) -> Any:  # (a list or an array, from JSON or a Parquet list column, is a value: a list)
        if pd.api.types.is_scalar(v):
            return None if pd.isna(v) else v
        return v.tolist() if hasattr(v, "tolist") else v

    columns = [str(c) for c in df.columns]
    return [(name, lines[i] if lines is not None else i + 1, {c: cell(v) for c, v in zip(columns, values)})
            for i, values in enumerate(df.itertuples(index=False, name=None))]


def _unusable(df: "pd.DataFrame", candidates: Any) -> dict[int, str]:
    """Rows among ``candidates`` that score would give an error (why, by position): an unusable title, a text
    that cannot be prepared (too long, binary) or in a language rolematch does not read."""
    from rolematch.extract import resolve_language
    from rolematch.scoring import check_title
    from rolematch.text import prepare

    titles = df["title"].tolist() if "title" in df.columns else [None] * len(df)
    out = {}
    for i in np.flatnonzero(np.asarray(candidates)).tolist():
        try:
            check_title(titles[i])
            resolve_language(prepare(str(df["text"].iat[i])).text, None)  # a text (odd ones are refused before)
        except InputError as exc:
            out[i] = re.split(r" \(|[:;]", exc.message)[0]  # the kind of problem, not its details
    return out


def data_hash(df: "pd.DataFrame") -> str:
    """sha256 over the (text, title, label) rows, order-independent."""
    rows = sorted(json.dumps([str(r.text), str(getattr(r, "title", "") or ""), str(r.label)], ensure_ascii=False)
                  for r in df.itertuples(index=False))
    h = hashlib.sha256()
    for r in rows:
        h.update(r.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width confidence bins: sum over bins of |accuracy - confidence| weighted by size."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    scored = ~np.isnan(confidence)  # a row the model could not score has no confidence
    confidence, correct = confidence[scored], correct[scored]
    if len(confidence) == 0:
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - confidence[m].mean())
    return float(ece)


def bootstrap_macro_f1(y_true: Sequence[str], y_pred: Sequence[str], rounds: int = 1000, level: float = 0.95,
                       seed: int = 0) -> list[float]:
    """Percentile bootstrap interval of the macro-F1 over the roles (rows resampled with replacement).

    With a few dozen postings of a role, one or two predictions move its F1 by
    a few points: the interval says how much of a difference is noise.
    """
    codes = {lab: i for i, lab in enumerate(LABELS)}
    k = len(LABELS)
    t = np.array([codes.get(str(v), k - 1) for v in y_true])
    p = np.array([codes.get(str(v), k - 1) for v in y_pred])
    roles = [codes[r] for r in ROLES]
    rng = np.random.default_rng(seed)
    scores = np.empty(rounds)
    for b in range(rounds):
        idx = rng.integers(0, len(t), len(t))
        cm = np.bincount(t[idx] * k + p[idx], minlength=k * k).reshape(k, k)
        f1s = []
        for r in roles:
            support, predicted, tp = cm[r].sum(), cm[:, r].sum(), cm[r, r]
            if support:
                f1s.append(2 * tp / (support + predicted))
        scores[b] = np.mean(f1s) if f1s else np.nan
    lo, hi = np.nanpercentile(scores, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return [float(lo), float(hi)]


def classification_report(y_true: Sequence[str], y_pred: Sequence[str], confidence: Sequence[float],
                          langs: Sequence[str] | None = None) -> dict[str, Any]:
    """The evaluation report as a dict (see module docstring)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    yt = np.asarray(y_true, dtype=object)
    yp = np.asarray(y_pred, dtype=object)
    conf = np.asarray(confidence, dtype=float)
    in_scope = yt != "other"
    rep: dict[str, Any] = {"n": int(len(yt)), "n_in_scope": int(in_scope.sum()), "n_other": int((~in_scope).sum()),
                           # every key is always there: None where the rows give no figure (no in-scope rows, no
                           # rows labelled other), so tooling reading the JSON does not meet a KeyError
                           "per_class": None, "macro_f1": None, "macro_f1_ci": None, "accuracy": None, "ece": None,
                           "in_scope_flagged_other": None, "other_recall": None}
    if in_scope.any():
        t, p = yt[in_scope], yp[in_scope]
        prec, rec, f1, sup = precision_recall_fscore_support(t, p, labels=list(ROLES), zero_division=0)
        rep["per_class"] = {r: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                                "support": int(sup[i])} for i, r in enumerate(ROLES)}
        present = [i for i, r in enumerate(ROLES) if sup[i] > 0]
        rep["macro_f1"] = float(np.mean(f1[present]))  # some role has support: in-scope rows are role rows
        rep["macro_f1_ci"] = bootstrap_macro_f1(t, p)
        rep["accuracy"] = float(np.mean(t == p))
        rep["ece"] = _figure(expected_calibration_error(conf[in_scope], t == p))  # None: no in-scope row scored
        rep["in_scope_flagged_other"] = float(np.mean(p == "other"))
    rep["confusion"] = {"labels": list(LABELS),
                        "matrix": confusion_matrix(yt, yp, labels=list(LABELS)).tolist()}
    if (~in_scope).any():
        rep["other_recall"] = float(np.mean(yp[~in_scope] == "other"))
    rep["ece_all"] = _figure(expected_calibration_error(conf, yt == yp))
    if langs is not None:
        la = np.asarray([_given_lang(v) or "unknown" for v in langs], dtype=object)
        rep["by_language"] = {}
        for lang in sorted(set(la.tolist())):
            m = la == lang
            sub: dict[str, Any] = {"n": int(m.sum()), "accuracy": None, "macro_f1": None, "other_recall": None}
            mi = m & in_scope
            if mi.any():
                sub["accuracy"] = float(np.mean(yt[mi] == yp[mi]))
                _, _, f1l, supl = precision_recall_fscore_support(yt[mi], yp[mi], labels=list(ROLES), zero_division=0)
                sub["macro_f1"] = float(np.mean([f for f, s in zip(f1l, supl) if s > 0]))
            mo = m & ~in_scope
            if mo.any():
                sub["other_recall"] = float(np.mean(yp[mo] == "other"))
            rep["by_language"][str(lang)] = sub
    return rep


def _figure(value: float) -> float | None:
    """A figure for the report, ``None`` (JSON ``null``) when the rows give none (NaN is not JSON)."""
    return None if math.isnan(value) else value


def _given_lang(value: Any) -> str | None:
    """A ``lang`` cell as a stripped, lower-case string ("EN" is "en"), or None when empty or missing (NaN, None, "")."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip().lower()
    return text or None


def row_languages(df: "pd.DataFrame", detected: Sequence[str] | None = None) -> list[str] | None:
    """Each row's language for the per-language breakdown, or None when ``df`` has no ``lang`` column.

    A row whose ``lang`` cell is empty (or a JSON record without one) gets the
    detected language: ``detected[i]`` when given, else one told from its text.
    """
    if "lang" not in df.columns:
        return None
    out = []
    for i, (value, text) in enumerate(zip(df["lang"].tolist(), df["text"].tolist())):
        given = _given_lang(value)
        if given is None:
            given = detected[i] if detected is not None else text_language(text)
        out.append(given)
    return out


def text_language(text: Any) -> str:
    """The language a posting's text is classified in (told after HTML and entities are read, as ``classify``
    does), or what it looks like when it cannot be prepared; ``unknown`` for no text."""
    from rolematch.lang import detect_language
    from rolematch.text import prepare

    if not isinstance(text, str) or not text.strip():
        return "unknown"
    try:
        return detect_language(prepare(text).text)
    except InputError:
        return detect_language(text)


def evaluate(model: "RoleModel", df: "pd.DataFrame", use_title: bool = False) -> dict[str, Any]:
    """Classify ``df`` (columns text, label, optional title/lang) and report."""
    return report(df, predict_labelled(model, df, use_title))


def predict_labelled(model: "RoleModel", df: "pd.DataFrame", use_title: bool = False
                     ) -> Iterator["RoleResult | InputError"]:
    """Each row's result (an :class:`InputError` for a row that cannot be scored), in order, lazily."""
    titles = df["title"].tolist() if use_title and "title" in df.columns else None
    return model.classify_many(df["text"].tolist(), titles)


def report(df: "pd.DataFrame", results: Iterable["RoleResult | InputError"]) -> dict[str, Any]:
    """The evaluation report of ``results`` against ``df``'s labels (see :func:`classification_report`)."""
    texts = df["text"].tolist()
    preds, confs, langs, errors = [], [], [], 0
    for i, res in enumerate(results):
        if isinstance(res, InputError):  # counted as predicted other, under the language its text looks like
            errors += 1
            preds.append("other")
            confs.append(float("nan"))  # no probability: left out of the calibration error
            langs.append(text_language(texts[i]))
        else:
            preds.append(res.label)
            confs.append(res.confidence)
            langs.append(res.lang)
    lang_col = row_languages(df, langs) or langs
    rep = classification_report(df["label"].tolist(), preds, confs, lang_col)
    rep["errors"] = errors
    return rep


def _unknown_labels(labels: Iterable[Any]) -> list[str]:
    """The labels that are not rolematch's, sorted."""
    return sorted(set(map(str, labels)) - set(LABELS))


def _warn_duplicates(df: "pd.DataFrame") -> None:
    """Warn about postings given twice (cross-validation then tests on copies of training rows) and about one
    text given two labels."""
    key = df["text"].astype(str).str.strip()
    if "title" in df.columns:
        key = df["title"].fillna("").astype(str).str.strip() + "\x00" + key
    copies = int(key.duplicated().sum())
    if not copies:
        return
    labels = df.groupby(key.to_numpy(), sort=False)["label"].nunique()
    conflicting = int((labels > 1).sum())
    message = (f"{copies} posting(s) repeat an earlier one (same title and text): cross-validation figures are "
               "optimistic, as copies fall on both sides of a fold")
    if conflicting:
        message += f"; {conflicting} of the repeated postings carry different labels"
    warnings.warn(message, stacklevel=3)


def train(df: "pd.DataFrame", out_dir: PathLike | None = None, params: dict[str, Any] | None = None,
          eval_sets: dict[str, "pd.DataFrame"] | None = None) -> tuple["RoleClassifier", dict[str, Any]]:
    """Fit a :class:`RoleClassifier` on ``df``; save it (with its manifest) when ``out_dir`` is given."""
    from rolematch.model import RoleClassifier

    if out_dir is not None:
        from rolematch.persist import check_model_dir

        check_model_dir(out_dir)  # before the fit, not after it
    c = (params or {}).get("C")
    if c is not None and not (isinstance(c, (int, float)) and math.isfinite(c) and c > 0):
        raise TrainingError(f"C must be a finite number above 0, not {c!r}")
    if "label" not in df.columns or "text" not in df.columns:
        raise TrainingError("need 'text' and 'label' columns (read_labelled makes them); got "
                            + ", ".join(map(str, df.columns)))
    bad = _unknown_labels(df["label"])
    if bad:  # as read_labelled refuses them: a model with other labels would score 0 for every role
        raise TrainingError(f"unknown label(s) {', '.join(map(repr, bad[:5]))}; use {', '.join(LABELS)}")
    counts = df["label"].value_counts()
    if not len(df):
        raise TrainingError("no postings to train on (every row was empty, or left out: see the warnings)")
    if len(counts) < 2:
        raise TrainingError("need postings of at least two labels to train")
    _warn_duplicates(df)
    params = dict(params or {})
    rules_info = None
    if params.get("rules"):  # recorded with the model: absolute (it may be used from anywhere), checked now
        from rolematch.rules import load_rules, rule_paths, rules_digest

        given = rule_paths(params["rules"])
        load_rules(given)  # checked (and warned about) by the names the caller gave
        params["rules"] = tuple(str(Path(r).resolve()) for r in given)
        rules_info = {"paths": list(params["rules"]), "sha256": rules_digest(params["rules"])}
    est = RoleClassifier(**params)
    X = df[["text", "title"]] if "title" in df.columns else df[["text"]]
    est.fit(X, df["label"])
    info: dict[str, Any] = {"training_data": {"sha256": data_hash(df), "n": int(len(df)),
                                              "labels": {k: int(v) for k, v in counts.items()}}}
    if rules_info is not None:
        info["rules"] = rules_info
    if hasattr(est, "cv_proba_"):
        proba = est.cv_proba_
        pred = est.classes_[proba.argmax(1)]
        info["cross_validation"] = classification_report(
            est.classes_[est.cv_labels_].tolist(), pred.tolist(), proba.max(1).tolist(),
            row_languages(df))
        info["cross_validation"]["folds"] = min(est.cv, int(counts.min()))  # as fitted
        info["temperature"] = est.temperature_
        if getattr(est, "sentence_model_", None) is not None:
            info["fusion_temperature"] = est.fusion_temperature_
    elif counts.min() < 2:
        thin = ", ".join(repr(k) for k, v in counts.items() if v < 2)
        warnings.warn(f"label(s) {thin} have only 1 posting: no cross-validation, and the probabilities are not "
                      "calibrated; give every label at least 2 postings (better: 20 or more)", stacklevel=2)
    if eval_sets:  # reported in the returned manifest, saved or not
        from rolematch.api import RoleModel

        model = RoleModel(est)
        info["evaluation"] = {name: evaluate(model, e) for name, e in eval_sets.items()}
    manifest: dict[str, Any] = dict(info)
    if out_dir is not None:
        from rolematch.persist import save_model

        manifest = save_model(est, out_dir, info)
    return est, manifest
