"""The role classifier: a scikit-learn estimator over rolematch's hashed features.

``RoleClassifier`` takes raw postings (strings, ``{"text", "title"}`` dicts or a
DataFrame with ``text``/``title`` columns), analyses them with the extractor
(tokens + rule matches), weights the hashed counts (sublinear TF-IDF, L2 per
block), fits a multinomial logistic regression and calibrates its
probabilities with a temperature fitted on cross-validated scores.
"""

from __future__ import annotations

import numbers

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from rolematch.csr import CSR
from rolematch.scoring import (MARKET_PRIOR, RoleScorer, ScoringMixin, _chunks, _softmax,  # noqa: F401
                               iter_postings, mean_segment_log_proba)

if TYPE_CHECKING:
    from rolematch.extract import Extractor
    from rolematch.features import Analysed


def fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of ``softmax(scores / T)``."""
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        p = _softmax(scores / np.exp(log_t))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y_idx)), y_idx], 1e-12, None))))

    res = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(res.x))


class RoleClassifier(ScoringMixin, ClassifierMixin, BaseEstimator):
    """Classify job postings into roles (any label set; rolematch uses the four role labels).

    With an out-of-scope label (``out_label``, default ``other``) among several
    roles, the model has two stages: a *scope* model (is there data/ML
    substance? It sees rule evidence, role mentions, the title and, lightly,
    words -- not the character n-grams that carry generic style) and a *role*
    model trained on in-scope postings only. ``P(other) = s``,
    ``P(role) = (1 - s) * P(role | in scope)``. Each stage's probabilities are
    calibrated with a temperature fitted on cross-validated scores.

    With ``sentence_weight`` above 0 (the default, 1), a *sentence expert* is
    fitted too: the same kind of model over the word and word-pair counts of
    each segment (sentence, line, bullet item; see :mod:`rolematch.segments`),
    each labelled with its posting's label. A posting's final log-probabilities
    are the posting model's plus ``sentence_weight`` times the mean of its
    segments' log-probabilities, over a temperature fitted on cross-validated
    fused scores (the expert refitted without each fold's postings).

    ``class_prior`` re-weights the calibrated probabilities from the training
    class balance (our corpus is balanced by design) to the balance expected in
    use; :data:`MARKET_PRIOR` is rolematch's default for real job-board exports,
    where research scientists are rare and most postings are in scope.

    Like any scikit-learn estimator it scores every item it is given: an empty text, ``None`` or a
    language rolematch does not support is featurized as it is (unsupported languages as English).
    :class:`rolematch.api.RoleModel` checks input and reports unusable postings per row.

    Parameters are stored as given; everything is validated and built in :meth:`fit`.
    """

    def __init__(self, C: float = 0.5, word_bits: int = 18, char_bits: int = 18,
                 char_ngrams: tuple[int, int] = (3, 5),
                 block_weights: tuple[float, float, float, float, float] = (1.0, 1.0, 0.7, 0.5, 1.0),
                 boilerplate: bool = True, use_rules: bool = True, use_mentions: bool = True, title_dropout: float = 0.5,
                 calibration: str = "temperature", cv: int = 5, rules: tuple[str, ...] = (),
                 scope_weights: tuple[float, float, float, float, float] = (1.0, 1.0, 0.7, 0.5, 0.7),
                 scope_C: float | None = 0.7, out_label: str = "other", class_prior: dict[str, float] | None = None,
                 sentence_weight: float = 1.0, random_state: int = 0) -> None:
        self.C = C
        self.word_bits = word_bits
        self.char_bits = char_bits
        self.char_ngrams = char_ngrams
        self.block_weights = block_weights
        self.boilerplate = boilerplate
        self.use_rules = use_rules
        self.use_mentions = use_mentions
        self.title_dropout = title_dropout
        self.calibration = calibration
        self.cv = cv
        self.rules = rules
        self.scope_weights = scope_weights
        self.scope_C = scope_C
        self.out_label = out_label
        self.class_prior = class_prior
        self.sentence_weight = sentence_weight
        self.random_state = random_state

    def _lr(self, C: float) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=C, max_iter=3000, tol=1e-4)

    def _fit_stage(self, X: sp.csr_matrix, y: np.ndarray, C: float) -> tuple[sp.csr_matrix, np.ndarray, float, np.ndarray | None]:
        """Fit one logistic stage; returns (coef, intercept, temperature, cross-validated calibrated scores)."""
        from sklearn.model_selection import StratifiedKFold

        k = int(y.max()) + 1

        def scores_of(model: Any, Xs: sp.csr_matrix) -> np.ndarray:
            dec = model.decision_function(Xs)
            return dec if dec.ndim == 2 else np.column_stack([-dec / 2, dec / 2])

        # only the columns some posting uses: the others' weights are 0 anyway (L2 penalty, no data), and
        # the solver's work per iteration grows with the number of weights (2**19 hashed columns and more)
        width = X.shape[1]
        used = np.flatnonzero(np.bincount(X.indices, minlength=width))
        X = X[:, used]
        lr = self._lr(C).fit(X, y)
        coef = np.zeros((k, width))
        coef[:, used] = lr.coef_ if k > 2 else np.vstack([-lr.coef_[0] / 2, lr.coef_[0] / 2])
        intercept = lr.intercept_ if k > 2 else np.array([-lr.intercept_[0] / 2, lr.intercept_[0] / 2])
        coef[np.abs(coef) < 1e-5] = 0.0
        temperature, cv_scores = 1.0, None
        folds = min(self.cv, int(np.bincount(y).min()))
        if self.calibration == "temperature" and folds >= 2:
            cv_scores = np.zeros((len(y), k))
            skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
            for tr, te in skf.split(np.zeros(len(y)), y):
                cv_scores[te] = scores_of(self._lr(C).fit(X[tr], y[tr]), X[te])
            temperature = fit_temperature(cv_scores, y)
            cv_scores = cv_scores / temperature
        return sp.csr_matrix(coef.astype(np.float32)), intercept.astype(np.float64), temperature, cv_scores

    def fit(self, X: Any, y: Any) -> "RoleClassifier":
        """Fit on postings ``X`` and labels ``y``."""
        y_arr = np.asarray(list(y) if not hasattr(y, "__array__") else y)
        if y_arr.ndim != 1:
            raise ValueError("y must be one-dimensional")
        n = len(y_arr)
        self.classes_, y_idx = np.unique(y_arr, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least 2 classes to fit, got {len(self.classes_)}")
        w = self.sentence_weight
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, numbers.Real) or not np.isfinite(w) or w < 0:
            raise ValueError(f"sentence_weight must be a finite number >= 0 (0 turns the sentence expert off), got {w!r}")
        rng = np.random.default_rng(self.random_state)
        drop = rng.random(n) < self.title_dropout
        for stale in ("cv_proba_", "cv_labels_"):  # a refit must not reuse the previous fit's scores
            self.__dict__.pop(stale, None)
        counts, seg_counts, seg_doc = self._training_counts(self.analyse(X, drop_titles=drop))
        if counts.shape[0] != n:
            raise ValueError(f"X has {counts.shape[0]} postings but y has {n} labels")
        self._fit_counts(counts, y_idx)
        self.sentence_model_: RoleScorer | None = None
        self.fusion_temperature_ = 1.0
        if self.sentence_weight:
            self._fit_sentence_expert(seg_counts, seg_doc, y_idx)
        return self

    #: Postings featurized at a time while training (bounds the memory of the analysed documents).
    TRAIN_CHUNK = 256

    def _training_counts(self, analysed: Iterable["Analysed"]) -> tuple[CSR, CSR, np.ndarray]:
        """Posting count rows, segment count rows (when the sentence expert is on) and each segment's posting."""
        fz = self._get_featurizer()
        parts, seg_parts, seg_docs = [], [], []
        n = 0
        for chunk in _chunks(analysed, self.TRAIN_CHUNK):
            if self.sentence_weight:
                counts, seg, doc = fz.transform_both(chunk)
                seg_parts.append(seg)
                seg_docs.append(doc + n)
            else:
                counts = fz.transform(chunk)
            parts.append(counts)
            n += len(chunk)
        width = fz.space.n_features
        seg_doc = np.concatenate(seg_docs) if seg_docs else np.zeros(0, dtype=np.int64)
        return CSR.vstack(parts, width), CSR.vstack(seg_parts, width), seg_doc

    def _fit_counts(self, counts: CSR, y_idx: np.ndarray) -> None:
        """Fit the posting model (one or two logistic stages) on raw counts; ``classes_`` is set."""
        n = len(y_idx)
        self.n_features_ = counts.shape[1]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        Xw = self._weight(counts).to_scipy()
        out = np.flatnonzero(self.classes_ == self.out_label)
        self.two_stage_ = bool(len(out)) and len(self.classes_) >= 3
        cv_proba = np.zeros((n, len(self.classes_)))
        self.train_prior_ = np.bincount(y_idx, minlength=len(self.classes_)) / n
        if self.two_stage_:
            o = int(out[0])
            self.out_index_ = o
            self.role_index_ = np.array([i for i in range(len(self.classes_)) if i != o])
            is_out = (y_idx == o).astype(int)
            Xs = self._weight(counts, self.scope_weights).to_scipy()
            self.scope_coef_, self.scope_intercept_, self.scope_temperature_, s_cv = self._fit_stage(
                Xs, is_out, self.scope_C if self.scope_C is not None else self.C)
            inside = np.flatnonzero(is_out == 0)
            remap = {c: j for j, c in enumerate(self.role_index_)}
            y_role = np.array([remap[c] for c in y_idx[inside]])
            self.coef_, self.intercept_, self.temperature_, r_cv = self._fit_stage(Xw[inside], y_role, self.C)
            if s_cv is not None and r_cv is not None:
                # role probabilities for out-of-scope rows come from a model that never saw them: use the full role model
                full_role = _softmax((np.asarray((Xw @ self.coef_.T).toarray()) + self.intercept_) / self.temperature_)
                full_role[inside] = _softmax(r_cv)
                cv_proba = self._combine(_softmax(s_cv)[:, 1], full_role)
        else:
            self.coef_, self.intercept_, self.temperature_, cv = self._fit_stage(Xw, y_idx, self.C)
            if cv is not None:
                cv_proba = _softmax(cv)
        if self.calibration == "temperature" and cv_proba.any():
            self.cv_proba_ = self._shift(cv_proba)
            self.cv_labels_ = y_idx

    def _fit_sentence_expert(self, seg_counts: CSR, seg_doc: np.ndarray, y_idx: np.ndarray) -> None:
        """Fit the sentence expert on segments labelled with their posting's label, and the fusion temperature.

        The temperature is fitted on cross-validated fused scores: the posting
        model's out-of-fold probabilities times out-of-fold experts' (fitted
        without the held-out postings' segments).
        """
        from sklearn.base import clone
        from sklearn.model_selection import StratifiedKFold

        k = len(self.classes_)
        seg_y = y_idx[seg_doc]
        if len(np.unique(seg_y)) < k:  # a class without any segment: no expert
            return
        inner = clone(self).set_params(calibration="none", class_prior=None, sentence_weight=0.0,
                                       use_rules=False, use_mentions=False)

        def expert(rows: np.ndarray) -> RoleScorer:
            model = clone(inner)
            model.classes_ = self.classes_
            model._fit_counts(seg_counts.take(rows), seg_y[rows])
            return model.to_scorer()

        self.sentence_model_ = expert(np.arange(len(seg_y)))
        n = len(y_idx)
        folds = min(self.cv, int(np.bincount(y_idx).min()))
        if not hasattr(self, "cv_proba_") or folds < 2:
            return
        mean_log = np.zeros((n, k))
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        for tr, te in skf.split(np.zeros(n), y_idx):
            train_rows = np.flatnonzero(np.isin(seg_doc, tr))
            if len(np.unique(seg_y[train_rows])) < k:
                continue
            test_rows = np.flatnonzero(np.isin(seg_doc, te))
            got = mean_segment_log_proba(expert(train_rows), seg_counts.take(test_rows), seg_doc[test_rows], n)
            mean_log[te] = got[te]
        z = np.log(np.clip(self.cv_proba_, 1e-12, None)) + self.sentence_weight * mean_log
        self.fusion_temperature_ = fit_temperature(z, y_idx)
        self.cv_proba_ = _softmax(z / self.fusion_temperature_)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self, "coef_")
        return self._proba(X)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable label per posting."""
        check_is_fitted(self, "coef_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def to_scorer(self) -> RoleScorer:
        """The fitted model without scikit-learn: what :func:`rolematch.persist.save_model` writes."""
        check_is_fitted(self, "coef_")
        state = {k: v for k, v in self.__getstate__().items() if not k.startswith("cv_")}
        state.pop("_sklearn_version", None)
        state["weights_"] = self._weights().copy()  # dense numpy weights: loading a model needs no scipy
        state.pop("coef_", None)
        state.pop("scope_coef_", None)
        state["params_"] = self.get_params()
        return RoleScorer(state)

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.non_deterministic = False
        return tags
