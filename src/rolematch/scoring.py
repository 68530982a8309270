"""Scoring with a fitted role model: analysis, features, calibrated probabilities.

Nothing here imports scikit-learn or scipy (sparse rows are
:class:`rolematch.csr.CSR`), so loading and using a saved model stays cheap
(the cold start of ``rolematch classify``, the batch workers' memory). :class:`RoleScorer` is what
model files hold; :class:`rolematch.model.RoleClassifier` (the scikit-learn
estimator) shares the same scoring code and produces it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import numpy as np

from rolematch.boilerplate import header_title
from rolematch.csr import CSR
from rolematch.errors import InputError, ModelError
from rolematch.features import Analysed, Featurizer, FeatureSpace
from rolematch.mentions import MENTION_HEADS, find_mentions
from rolematch.pieces import starts_in
from rolematch.text import clean_title

if TYPE_CHECKING:
    from rolematch.extract import Extractor

#: Expected share of each label among real postings of data/ML job searches (used by the default model).
MARKET_PRIOR = {"ml_engineer": 0.4, "data_scientist": 0.4, "ml_scientist": 0.08, "other": 0.12}


def iter_postings(X: Any) -> Iterator[tuple[str, str | None]]:
    """(text, title) pairs from strings, dicts, tuples or a DataFrame with text/title columns.

    Raises ``ValueError`` for a single string (it would be read one character per posting).
    """
    if isinstance(X, (str, bytes)):
        raise ValueError("expected an iterable of postings (a list of texts), got a single string; "
                         "wrap it in a list")
    if hasattr(X, "columns"):  # DataFrame
        if "text" not in X.columns:
            raise ValueError("a DataFrame of postings needs a 'text' column (and optionally 'title'); columns are: "
                             + ", ".join(map(str, X.columns)))
        titles = X["title"] if "title" in X.columns else None
        for i, text in enumerate(X["text"]):
            t = titles.iloc[i] if titles is not None else None
            yield _as_text(text), (t if isinstance(t, str) and t.strip() else None)
        return
    for x in X:
        if isinstance(x, dict):
            t = x.get("title")
            yield _as_text(x.get("text")), (t if isinstance(t, str) and t.strip() else None)
        elif isinstance(x, tuple):
            yield _as_text(x[0]), (x[1] if len(x) > 1 and isinstance(x[1], str) and x[1].strip() else None)
        elif isinstance(x, np.ndarray):  # a row of a 2-D array of strings
            yield _as_text(x[0] if x.ndim else x.item()), None
        else:
            yield _as_text(x), None


#: Longest title accepted, in characters: a title is a line, not a posting (real ones are < 200).
MAX_TITLE_CHARS = 10_000


def is_missing(value: Any) -> bool:
    """True for the values tables use for "no value": ``None``, NaN, ``pd.NA``, ``pd.NaT``."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    pd = sys.modules.get("pandas")  # only a DataFrame's values can be pandas' missing markers
    return pd is not None and (value is pd.NA or value is pd.NaT)


def check_title(title: Any, source: str | None = None) -> str | None:
    """A given title as the text to use, ``None`` when missing (``None``, NaN, ``pd.NA``) or blank.

    A number (a JSON or Parquet cell) is read as its text, as a CSV cell would be. Raises
    :class:`InputError` for a title of another type (bytes, lists...) or longer than
    :data:`MAX_TITLE_CHARS`.
    """
    if is_missing(title):
        return None
    if isinstance(title, (int, float, np.integer, np.floating)) and not isinstance(title, (bool, np.bool_)):
        title = str(title)
    if not isinstance(title, str):
        raise InputError(f"title must be text (str) or None, got {type(title).__name__}", source)
    if len(title) > MAX_TITLE_CHARS:
        raise InputError(f"title too long ({len(title):,} characters; the limit is {MAX_TITLE_CHARS:,})", source)
    return str.__str__(title) if title.strip() else None  # a plain str (numpy.str_ is a subclass)


def posting_title(title: str | None, text: str) -> str | None:
    """The title used as a feature: the one given, else the title in the text's header (:func:`header_title`)."""
    given = clean_title(title) if title else None
    return given if given else header_title(text)


def _as_text(value: Any) -> str:
    if is_missing(value):
        return ""
    return value if isinstance(value, str) else str(value)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _scaled(X: CSR, block: np.ndarray, weights: Sequence[float]) -> CSR:
    """``X`` with each stored value multiplied by its block's weight (new values, shared structure)."""
    return X.with_data(X.data * np.asarray(weights, dtype=np.float64)[block])


class ScoringMixin:
    """Scoring behaviour shared by the estimator and the saved scorer (needs the fitted attributes)."""

    classes_: np.ndarray
    coef_: Any  # scipy.sparse in a fitted RoleClassifier; in scorers saved by earlier builds (format 1) too
    rules: tuple[str, ...]
    word_bits: int
    char_bits: int
    char_ngrams: tuple[int, int]
    block_weights: Sequence[float]
    scope_weights: Sequence[float]
    boilerplate: bool
    use_rules: bool
    use_mentions: bool
    class_prior: dict[str, float] | None
    sentence_weight: float
    fusion_temperature_: float
    idf_: np.ndarray
    intercept_: np.ndarray
    temperature_: float
    train_prior_: np.ndarray
    scope_coef_: Any
    scope_intercept_: np.ndarray
    scope_temperature_: float
    out_index_: int
    role_index_: np.ndarray

    # -- analysis -----------------------------------------------------------------
    def _space(self) -> FeatureSpace:
        return FeatureSpace(word_bits=self.word_bits, char_bits=self.char_bits, char_ngrams=tuple(self.char_ngrams))  # type: ignore[arg-type]

    def _get_extractor(self) -> "Extractor":
        ex = getattr(self, "_extractor", None)
        if ex is None:
            from rolematch.extract import Extractor

            ex = Extractor(self.rules)
            self._extractor = ex
        return ex

    def _get_featurizer(self) -> Featurizer:
        fz = getattr(self, "_featurizer", None)
        if fz is None:
            fz = Featurizer(self._space(), boilerplate=self.boilerplate)
            self._featurizer = fz
        return fz

    def __getstate__(self) -> dict[str, Any]:
        parent = getattr(super(), "__getstate__", None)
        state = dict((parent() if parent else None) or self.__dict__)
        state.pop("_extractor", None)
        state.pop("_featurizer", None)
        state.pop("_dense", None)
        state.pop("_class_weights", None)
        return state

    def analyse(self, X: Any, drop_titles: np.ndarray | None = None) -> Iterator[Analysed]:
        """Analysed postings (tokens, rule matches, title) for ``X``, streaming."""
        from rolematch.extract import resolve_language
        from rolematch.text import prepare

        ex = self._get_extractor()
        for i, (text, title) in enumerate(iter_postings(X)):
            try:
                prepared = prepare(text)
            except InputError:  # empty/oversized text: scored as an empty posting
                prepared = None
            body = prepared.text if prepared is not None else ""
            try:
                lang = resolve_language(body, None)
            except InputError:
                lang = "en"
            keep_title = drop_titles is None or i >= len(drop_titles) or not drop_titles[i]  # (more X than y: fit says so)
            yield self.analysed_item(ex, prepared, lang, posting_title(title, body) if keep_title else None)

    def analysed_item(self, ex: "Extractor", prepared: Any, lang: str, title: str | None, doc: Any = None,
                      matches: Sequence[Any] | None = None) -> Analysed:
        """Build the :class:`Analysed` of one prepared posting (reusing ``doc``/``matches`` when given)."""
        nlp = ex.nlp(lang)
        if doc is None:
            doc = nlp.make_doc(prepared.text if prepared is not None else "")
        if matches is None:
            matches = ex.report(doc, prepared, lang).matches if (prepared is not None and self.use_rules) else ()
        elif not self.use_rules:
            matches = ()
        title_doc = nlp.make_doc(title) if title else None
        text = prepared.text if prepared is not None else ""
        return Analysed(doc=doc, text=text, matches=matches, title=title, title_doc=title_doc, lang=lang,
                        mentions=find_mentions(text, starts_in(doc, MENTION_HEADS, text)) if self.use_mentions else ())

    # -- weighting ----------------------------------------------------------------
    def _normalized(self, counts: CSR) -> tuple[CSR, np.ndarray]:
        """Sublinear TF-IDF, L2-normalised per block; also returns each stored value's block."""
        X = counts.with_data(np.log1p(counts.data.astype(np.float64)))
        X.data *= self.idf_[X.indices]
        offsets = np.array(self._space().offsets)
        nb = len(offsets)
        block = np.searchsorted(offsets, X.indices, side="right") - 1
        flat = X.row_ids() * nb + block
        norms = np.sqrt(np.bincount(flat, weights=X.data ** 2, minlength=X.shape[0] * nb))
        norms[norms == 0] = 1.0
        X.data /= norms[flat]
        return X, block

    def _weight(self, counts: CSR, weights: Sequence[float] | None = None) -> CSR:
        """Sublinear TF-IDF, L2-normalised per block, times the block weights."""
        X, block = self._normalized(counts)
        return _scaled(X, block, self.block_weights if weights is None else weights)

    def transform_counts(self, analysed: Iterable[Analysed]) -> CSR:
        """Raw hashed counts of analysed postings."""
        return self._get_featurizer().transform(analysed)

    def _proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities of postings ``X``, one thread at a time (pipelines and caches are shared)."""
        with self._get_extractor().lock:
            parts = [self.proba_of(chunk)[0] for chunk in _chunks(self.analyse(X), 256)]
        return np.concatenate(parts) if parts else np.zeros((0, len(self.classes_)))

    def proba_of(self, analysed: Sequence[Analysed]) -> tuple[np.ndarray, CSR]:
        """Calibrated probabilities of analysed postings, and their raw count rows (for evidence)."""
        if self._sentence_expert() is None:
            counts = self.transform_counts(analysed)
            return self.proba_from_counts(counts), counts
        counts, seg_counts, seg_doc = self._get_featurizer().transform_both(analysed)
        return self.fuse(self.proba_from_counts(counts), seg_counts, seg_doc), counts

    def _sentence_expert(self) -> "RoleScorer | None":
        expert = self.__dict__.get("sentence_model_")
        return expert if expert is not None and self.__dict__.get("sentence_weight", 0.0) else None

    def fuse(self, proba: np.ndarray, seg_counts: CSR, seg_doc: np.ndarray) -> np.ndarray:
        """The posting model's probabilities times the sentence expert's, weighted and recalibrated.

        ``log p = (log p_posting + w * mean_segments(log p_segment)) / T``, normalised;
        ``w`` is ``sentence_weight`` and ``T`` a temperature fitted on cross-validated scores.
        """
        expert = self._sentence_expert()
        assert expert is not None
        z = np.log(np.clip(proba, 1e-12, None)) + self.sentence_weight * mean_segment_log_proba(
            expert, seg_counts, seg_doc, len(proba))
        return _softmax(z / self.__dict__.get("fusion_temperature_", 1.0))

    # -- sklearn API --------------------------------------------------------------
    def _combine(self, p_out: np.ndarray, p_roles: np.ndarray) -> np.ndarray:
        proba = np.zeros((len(p_out), len(self.classes_)))
        proba[:, self.out_index_] = p_out
        proba[:, self.role_index_] = (1.0 - p_out)[:, None] * p_roles
        return proba

    def _shift(self, proba: np.ndarray) -> np.ndarray:
        """Re-weight calibrated probabilities from the training class balance to ``class_prior``."""
        if not self.class_prior:
            return proba
        target = np.array([float(self.class_prior.get(str(c), p)) for c, p in zip(self.classes_, self.train_prior_)])
        if target.sum() <= 0 or (target < 0).any():
            return proba
        target = target / target.sum()
        w = target / np.maximum(self.train_prior_, 1e-12)
        out = proba * w
        return out / out.sum(axis=1, keepdims=True)

    def _weights(self) -> np.ndarray:
        """Dense (feature x class) float32 weights: the role model's classes, then the scope model's.

        Saved scorers hold this matrix (``weights_``) and nothing sparse; a fitted
        estimator builds it from its sparse coefficients, once per fit (cached).
        """
        stored = self.__dict__.get("weights_")
        if stored is not None:
            return stored
        parts = [self.coef_] + ([self.scope_coef_] if getattr(self, "two_stage_", False) else [])
        got = self.__dict__.get("_dense")
        if got is None or len(got[0]) != len(parts) or any(a is not b for a, b in zip(got[0], parts)):
            dense = np.empty((parts[0].shape[1], sum(c.shape[0] for c in parts)), dtype=np.float32)
            col = 0
            for coef in parts:  # filled one class at a time: no full-size temporaries
                for j in range(coef.shape[0]):
                    dense[:, col] = coef[j:j + 1].toarray().ravel()
                    col += 1
            got = self.__dict__["_dense"] = (parts, dense)
        return got[1]

    def proba_from_counts(self, counts: CSR) -> np.ndarray:
        """Calibrated probabilities from raw counts (columns in ``classes_`` order)."""
        Xn, block = self._normalized(counts)
        k = len(self.intercept_)
        W = self._weights()
        # block weight of each (block, class column): the role model's for its classes, the scope model's after
        col_weights = np.array([list(self.block_weights)] * k + [list(self.scope_weights)] * (W.shape[1] - k),
                               dtype=np.float32).T
        factors = np.take(col_weights, block, axis=0) * Xn.data.astype(np.float32)[:, None]
        # one gather of every stored value's class weights (np.take: much quicker than W[indices])
        z = Xn.row_sums(np.take(W, Xn.indices, axis=0) * factors)
        roles = _softmax((z[:, :k] + self.intercept_) / self.temperature_)
        if not getattr(self, "two_stage_", False):
            return self._shift(roles)
        s = (z[:, k:] + self.scope_intercept_) / self.scope_temperature_
        return self._shift(self._combine(_softmax(s)[:, 1], roles))

    def class_weights(self) -> dict[str, tuple[np.ndarray, Sequence[float]]]:
        """Per class: the weight vector behind its evidence and the block weights it applies to.

        Role classes use their role-model weights relative to the average role;
        ``other`` uses the scope model's weights toward out-of-scope. Cached per
        fitted model and block weights: every explained posting needs them.
        """
        dense = self._weights()
        key = (tuple(self.block_weights), tuple(self.scope_weights))
        got = self.__dict__.get("_class_weights")
        if got is not None and got[0] is dense and got[1] == key:
            return got[2]
        out = self._build_class_weights(dense)
        self.__dict__["_class_weights"] = (dense, key, out)
        return out

    def _build_class_weights(self, dense: np.ndarray) -> dict[str, tuple[np.ndarray, Sequence[float]]]:
        k = len(self.intercept_)
        W = dense[:, :k].T
        W = W - W.mean(axis=0, keepdims=True)
        if not getattr(self, "two_stage_", False):
            return {str(c): (W[i], self.block_weights) for i, c in enumerate(self.classes_)}
        out = {str(self.classes_[r]): (W[j], self.block_weights) for j, r in enumerate(self.role_index_)}
        out[str(self.classes_[self.out_index_])] = (dense[:, k + 1] - dense[:, k], self.scope_weights)
        return out


def mean_segment_log_proba(expert: "ScoringMixin", seg_counts: CSR, seg_doc: np.ndarray, n: int) -> np.ndarray:
    """Per posting (``n`` of them), the mean of ``expert``'s log-probabilities over its segments (zeros: none)."""
    out = np.zeros((n, len(expert.classes_)))
    if seg_counts.shape[0]:
        np.add.at(out, seg_doc, np.log(np.clip(expert.proba_from_counts(seg_counts), 1e-12, None)))
        per = np.bincount(seg_doc, minlength=n)
        out[per > 0] /= per[per > 0, None]
    return out


class RoleScorer(ScoringMixin):
    """A fitted role model without its training machinery: what model files contain."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getstate__(self) -> dict[str, Any]:
        """The state with its two big arrays packed (what a model file holds).

        Most rows of the hashed weight matrix are zero (buckets no training
        n-gram fell into) and the idf vector has few distinct values, so the file
        keeps only the non-zero rows and an idf code book: a third of the bytes,
        loaded without decompression.
        """
        state = super().__getstate__()
        W = state.pop("weights_", None)
        if W is not None:
            rows = np.flatnonzero(np.any(W != 0, axis=1)).astype(np.int32)
            state["weights_rows_"] = (W.shape, rows, np.ascontiguousarray(W[rows]))
        idf = state.get("idf_")
        if idf is not None:
            table, codes = np.unique(idf, return_inverse=True)
            if len(table) <= np.iinfo(np.uint16).max:
                del state["idf_"]
                state["idf_codes_"] = (table, codes.astype(np.uint16).reshape(idf.shape))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        packed = state.pop("weights_rows_", None)
        if packed is not None:
            shape, rows, values = packed
            W = np.zeros(shape, dtype=values.dtype)
            W[rows] = values
            state["weights_"] = W
        codes = state.pop("idf_codes_", None)
        if codes is not None:
            state["idf_"] = codes[0][codes[1]]
        self.__dict__.update(state)

    def _check(self) -> None:
        if not hasattr(self, "weights_") and not hasattr(self, "coef_"):
            raise ModelError("this scorer holds no fitted model")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities, columns in ``classes_`` order."""
        self._check()
        return self._proba(X)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable label per posting."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def get_params(self) -> dict[str, Any]:
        """The estimator parameters the model was trained with."""
        return dict(self.__dict__.get("params_", {}))
