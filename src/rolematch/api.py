"""The Python API: load a model once, classify one posting or many.

>>> import rolematch
>>> result = rolematch.classify("We deploy and monitor ML models in production with Docker and Kubernetes...")
>>> result.label, round(result.confidence, 2)          # doctest: +SKIP
('ml_engineer', 0.93)
"""

from __future__ import annotations

import os
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence, Union

import numpy as np

from rolematch.errors import InputError, ModelError, check_batch_size, check_postings
from rolematch.results import LABELS, RoleResult, SkillReport
from rolematch.rules import check_model_rules, model_rule_paths, rule_paths, rules_stamp
from rolematch.scoring import check_title, is_missing, posting_title

if TYPE_CHECKING:
    import pandas as pd

    from rolematch.extract import Extractor
    from rolematch.model import RoleClassifier

PathLike = Union[str, Path]


class RoleModel:
    """A verified model plus the extractor it uses. Build once; reuse for many postings."""

    def __init__(self, estimator: "RoleClassifier", manifest: dict[str, Any] | None = None,
                 extractor: "Extractor | None" = None) -> None:
        from rolematch.extract import Extractor

        labels = [str(c) for c in estimator.classes_]
        foreign = [c.item() if hasattr(c, "item") else c for c in estimator.classes_ if str(c) not in LABELS
                   or not isinstance(c, str)]  # numpy scalars shown as plain values
        if foreign:  # results, score's columns and in_scope are defined over rolematch's labels only
            raise ModelError(f"RoleModel needs a model trained on rolematch's labels ({', '.join(LABELS)}); this one "
                             f"has {', '.join(map(repr, foreign[:5]))}: use the estimator's predict_proba for a "
                             "label set of your own")
        self.estimator = estimator
        self.manifest = manifest or {}
        self.extractor = extractor or Extractor(estimator.rules)
        estimator._extractor = self.extractor
        self.labels = labels

    @classmethod
    def load(cls, path: PathLike | None = None, rules: Sequence[PathLike] | PathLike = ()) -> "RoleModel":
        """Load (and verify) a model directory; the shipped default model when ``path`` is None."""
        from rolematch.extract import Extractor
        from rolematch.persist import load_model as _load
        from rolematch.resources import default_model_dir

        directory = Path(path) if path is not None else default_model_dir()
        est, manifest = _load(directory)
        if not hasattr(est, "proba_of"):
            raise ModelError(f"{directory}: not a rolematch model")
        extra = [*check_model_rules(directory, manifest), *rule_paths(rules)]
        return cls(est, manifest, Extractor(extra))

    # -- one posting ---------------------------------------------------------------
    def classify(self, text: str, title: str | None = None, lang: str | None = None,
                 source: str | None = None, explain: bool = True) -> RoleResult:
        """Classify one posting. Raises :class:`InputError` when it cannot be used.

        ``title``: ``None``, NaN or blank for none (the posting's header may then give one); a
        number is read as its text; another type, or a title over
        :data:`~rolematch.scoring.MAX_TITLE_CHARS` characters, raises :class:`InputError`.
        """
        title = check_title(title, source)
        prepared, language = self.extractor.prepare(text, lang, source)
        with self.extractor.lock:  # the pipelines and the featurizer's caches: one thread at a time
            doc = self.extractor.nlp(language).make_doc(prepared.text)
            return self._results([(doc, prepared, language, title, source)], explain=explain)[0]

    # -- many postings ---------------------------------------------------------------
    def classify_many(self, texts: Iterable[str], titles: Iterable[str | None] | None = None,
                      lang: str | None = None, batch_size: int = 128, explain: bool = False
                      ) -> Iterator[RoleResult | InputError]:
        """Classify a stream of postings lazily, in order; unusable ones yield their :class:`InputError`.

        ``titles``, when given, holds one title (or ``None``) per text: lengths that differ raise
        :class:`InputError` (at once for sized collections, else when the shorter one runs out).
        A title that is not text or is too long makes its row an :class:`InputError`, as
        :meth:`classify` would raise. Results carry label, probabilities and skills; their
        ``evidence`` is empty unless ``explain=True`` (explaining costs about as much as
        classifying, and batch users rarely read it).
        """
        check_batch_size(batch_size)
        for name, given in (("texts", texts), ("titles", titles)):
            check_postings(name, given, "classify")
        if titles is not None and hasattr(texts, "__len__") and hasattr(titles, "__len__"):
            n_texts, n_titles = len(texts), len(titles)  # type: ignore[arg-type]
            if n_texts != n_titles:
                raise InputError(f"{n_titles} title(s) for {n_texts} text(s); give one title (or None) per text")
        if lang is not None:  # a wrong one fails the call, not every row
            from rolematch.extract import resolve_language

            lang = resolve_language("", lang)
        return self._classify_many(_pairs(texts, titles), lang, batch_size, explain)

    def _classify_many(self, pairs: Iterator[tuple[Any, Any]], lang: str | None, batch_size: int, explain: bool
                       ) -> Iterator[RoleResult | InputError]:
        first = 0
        while chunk := list(islice(pairs, batch_size)):
            texts = [None if is_missing(t) else t for t, _ in chunk]  # pd.NA, NaN...: a missing text
            with self.extractor.lock:  # the pipelines and the featurizer's caches: one thread at a time
                analysed = self.extractor.analyse_chunk(texts, first, lang)
                usable = []
                for pos, (res, (_, title)) in enumerate(zip(analysed, chunk)):
                    if not isinstance(res, InputError):
                        source = f"row {first + pos}"
                        try:
                            title = check_title(title, source)
                        except InputError as exc:
                            analysed[pos] = exc
                            continue
                        doc, prepared, language = res
                        usable.append((doc, prepared, language, title, source))
                results = iter(self._results(usable, explain=explain))
            for res in analysed:
                yield res if isinstance(res, InputError) else next(results)
            first += len(chunk)

    #: Postings featurized together: large enough for vectorised work, small enough to keep memory low.
    FEATURE_BATCH = 64

    def _results(self, batch: Sequence[tuple[Any, Any, str, str | None, str | None]], explain: bool) -> list[RoleResult]:
        est = self.estimator
        results: list[RoleResult] = []
        for lo in range(0, len(batch), self.FEATURE_BATCH):
            part = batch[lo:lo + self.FEATURE_BATCH]
            analysed, reports = [], []
            for doc, prepared, language, title, source in part:
                report = self.extractor.report(doc, prepared, language, source)
                analysed.append(est.analysed_item(self.extractor, prepared, language,
                                                  posting_title(title, prepared.text), doc=doc,
                                                  matches=report.matches))
                reports.append(report)
            proba, counts = est.proba_of(analysed)
            for i, (item, report) in enumerate(zip(analysed, reports)):
                results.append(self._result(proba[i], report, part[i][4], item if explain else None,
                                            counts[i:i + 1] if explain else None, part[i][1].to_source))
        return results

    def _result(self, p: np.ndarray, report: SkillReport, source: str | None, item: Any, x: Any,
                to_source: Any = None) -> RoleResult:
        probs = {lab: float(p[j]) for j, lab in enumerate(self.labels)}
        probs = {lab: probs.get(lab, 0.0) for lab in LABELS}  # every label, as score's columns (0.0: one it lacks)
        label = max(probs, key=lambda k: probs[k])
        evidence = {}
        if item is not None:
            from rolematch.explain import explain

            evidence = explain(self.estimator, item, x, to_source=to_source)
        return RoleResult(label=label, confidence=probs[label], probabilities=probs, in_scope=label != "other",
                          lang=report.lang, skills=report, evidence=evidence, source=source)

    def score_frame(self, df: "pd.DataFrame", text_column: str = "description", title_column: str | None = None,
                    lang: str | None = None, batch_size: int = 256, explain: bool = False) -> "pd.DataFrame":
        """A copy of ``df`` with the ``rolematch_*`` columns added (index preserved).

        ``explain`` adds ``rolematch_evidence``: the label's evidence as a list of dicts (``None`` for
        error rows), what ``score --explain`` writes as JSON text; ``json.dumps`` it before ``to_csv``.

        Raises :class:`InputError` when a named column is missing or duplicated, or when ``df``
        already has ``rolematch_*`` columns (already scored?). Missing texts (``None``, NaN,
        ``pd.NA``) and unusable titles give error rows.
        """
        import pandas as pd

        from rolematch.table import FRAME_DTYPES, output_columns, result_columns

        if not (hasattr(df, "columns") and hasattr(df, "iloc") and getattr(df, "ndim", 2) == 2):
            raise InputError(f"score_frame needs a pandas DataFrame, got {type(df).__name__}; "
                             f"for a Series or a list of texts use classify_many()")
        columns = list(df.columns)
        for col in (text_column, title_column):
            if col is None:
                continue
            if col not in columns:
                raise InputError(f"no column {col!r}; columns are: {', '.join(map(str, columns))}")
            if columns.count(col) > 1:
                raise InputError(f"column {col!r} appears {columns.count(col)} times; rename the duplicates")
        levels = getattr(df.columns, "nlevels", 1)  # MultiIndex columns: ours go in as ("rolematch_label", "", ...)
        top = [c[0] for c in columns] if levels > 1 else columns
        clash = [c for c in output_columns(True) if c in top]
        if clash:
            raise InputError(f"input already has column(s) {', '.join(clash)} (already scored?); "
                             "drop them to score again")
        titles = df[title_column].tolist() if title_column else None
        results = self.classify_many(df[text_column].tolist(), titles, lang=lang, batch_size=batch_size,
                                     explain=explain)
        extra = result_columns(results, len(df), explain)
        out = df.copy()
        for col, values in extra.items():  # one dtype per column whatever the rows (an error row, no row)
            out[(col, *[""] * (levels - 1)) if levels > 1 else col] = pd.Series(
                values, index=df.index, dtype=FRAME_DTYPES.get(col, object))
        return out


def _plain(value: Any) -> Any:
    """A pyarrow scalar (iterating a pyarrow ``Array`` or ``ChunkedArray`` gives them) as its Python value."""
    return value.as_py() if hasattr(value, "as_py") and not isinstance(value, str) else value


def _pairs(texts: Iterable[Any], titles: Iterable[Any] | None) -> Iterator[tuple[Any, Any]]:
    """(text, title) pairs; raises :class:`InputError` as soon as one of the two runs out before the other."""
    if titles is None:
        for text in texts:
            yield _plain(text), None
        return
    n = 0
    try:
        for text, title in zip(texts, titles, strict=True):
            yield _plain(text), _plain(title)
            n += 1
    except ValueError as exc:
        if not str(exc).startswith("zip() argument 2"):  # raised by one of the iterables, not by zip
            raise
        got = f"only {n} title(s) for more texts" if "shorter" in str(exc) else f"more titles than the {n} text(s)"
        raise InputError(f"{got}: give one title (or None) per text") from None


@lru_cache(maxsize=4)
def _cached_model(path: str | None, rules: tuple[str, ...], given_rules: tuple[str, ...],
                  stamp: tuple[int, int] | None = None, rule_files: tuple[Any, ...] = ()) -> RoleModel:
    """Keyed by absolute paths (a ``chdir`` changes what a relative path names) and by the rule paths as
    given, which their rules' ``file:line`` names use."""
    return RoleModel.load(path, given_rules)


def _stamp(path: str) -> tuple[int, int] | None:
    """When and how big the model's manifest is: a retrained model (new manifest) is loaded anew, not served stale."""
    from rolematch.persist import MANIFEST_FILE

    try:
        st = os.stat(os.path.join(path, MANIFEST_FILE))
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _key(path: PathLike) -> str:
    """A cache key for a path: absolute, so a relative path means the same folder after a ``chdir``."""
    return os.path.abspath(path)


def _rule_keys(rules: Sequence[PathLike] | PathLike) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rule paths as given (their rules' ``file:line`` names) and as cache keys (absolute)."""
    given = tuple(str(os.fspath(r)) for r in rule_paths(rules))
    return given, tuple(map(_key, given))


def load_model(path: PathLike | None = None, rules: Sequence[PathLike] | PathLike = ()) -> RoleModel:
    """The model at ``path`` (default: shipped), loaded once per process and reused.

    Relative paths are resolved against the current directory at each call; a model
    retrained in place (its manifest rewritten), or whose rule files changed (those it records
    and those given), is loaded again.
    """
    key = _key(path) if path is not None else None
    given, paths = _rule_keys(rules)
    stamp = _stamp(key) if key is not None else None
    # the rules the model records count too: edited or removed, the model is loaded again (and warns or refuses)
    recorded = _recorded_rules(key, stamp) if key is not None else ()
    return _cached_model(key, paths, given, stamp, rules_stamp((*recorded, *paths)))


@lru_cache(maxsize=16)
def _recorded_rules(path: str, stamp: tuple[int, int] | None) -> tuple[str, ...]:
    """The rule paths in the manifest of the model at ``path`` (read once per manifest version)."""
    import json

    from rolematch.persist import MANIFEST_FILE

    try:
        manifest = json.loads(Path(path, MANIFEST_FILE).read_text(encoding="utf-8"))
        return tuple(model_rule_paths(manifest)) if isinstance(manifest, dict) else ()
    except Exception:  # no readable manifest: loading the model says what is wrong
        return ()


@lru_cache(maxsize=4)
def _cached_extractor(rules: tuple[str, ...], given: tuple[str, ...], stamp: tuple[Any, ...] = ()) -> "Extractor":
    """Keyed by absolute paths and by the paths as given (the rules' ``file:line`` names), as :func:`_cached_model`."""
    from rolematch.extract import Extractor

    return Extractor(given)


def extract_skills(text: str, lang: str | None = None, rules: Sequence[PathLike] | PathLike = ()) -> SkillReport:
    """Skills, responsibilities and tools found in one posting, with character offsets."""
    given, paths = _rule_keys(rules)
    return _cached_extractor(paths, given, rules_stamp(paths)).extract(text, lang)  # edited rules are read again


def classify(text: str, title: str | None = None, lang: str | None = None, model: PathLike | None = None) -> RoleResult:
    """Classify one posting with the default (or given) model."""
    return load_model(model).classify(text, title=title, lang=lang)


def score_frame(df: "pd.DataFrame", text_column: str = "description", title_column: str | None = None,
                model: PathLike | None = None, explain: bool = False, *, lang: str | None = None,
                batch_size: int = 256) -> "pd.DataFrame":
    """Score a DataFrame: same rows, same index, ``rolematch_*`` columns added (``rolematch_evidence`` too with
    ``explain``); see :meth:`RoleModel.score_frame`."""
    return load_model(model).score_frame(df, text_column=text_column, title_column=title_column, lang=lang,
                                         batch_size=batch_size, explain=explain)
