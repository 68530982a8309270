"""The role classifier: a scikit-learn estimator over rolematch's hashed features.

``RoleClassifier`` takes raw postings (strings, ``{"text", "title"}`` dicts or a
DataFrame with ``text``/``title`` columns), analyses them with the extractor
(tokens + rule matches), weights the hashed counts (sublinear TF-IDF, L2 per
block), fits a multinomial logistic regression and calibrates its
probabilities with a temperature fitted on cross-validated scores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from rolematch.scoring import MARKET_PRIOR, RoleScorer, ScoringMixin, _softmax, iter_postings  # noqa: F401

if TYPE_CHECKING:
    from rolematch.extract import Extractor


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

    ``class_prior`` re-weights the calibrated probabilities from the training
    class balance (our corpus is balanced by design) to the balance expected in
    use; :data:`MARKET_PRIOR` is rolematch's default for real job-board exports,
    where research scientists are rare and most postings are in scope.

    Parameters are stored as given; everything is validated and built in :meth:`fit`.
    """

    def __init__(self, C: float = 0.5, word_bits: int = 18, char_bits: int = 18,
                 char_ngrams: tuple[int, int] = (3, 5),
                 block_weights: tuple[float, float, float, float, float] = (1.0, 1.0, 0.7, 0.5, 1.0),
                 boilerplate: bool = True, use_rules: bool = True, use_mentions: bool = True, title_dropout: float = 0.5,
                 calibration: str = "temperature", cv: int = 5, rules: tuple[str, ...] = (),
                 scope_weights: tuple[float, float, float, float, float] = (1.0, 1.0, 0.7, 0.5, 0.7),
                 scope_C: float | None = 0.7, out_label: str = "other", class_prior: dict[str, float] | None = None,
                 random_state: int = 0) -> None:
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
        rng = np.random.default_rng(self.random_state)
        drop = rng.random(n) < self.title_dropout
        counts = self.transform_counts(self.analyse(X, drop_titles=drop))
        if counts.shape[0] != n:
            raise ValueError(f"X has {counts.shape[0]} postings but y has {n} labels")
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
        return self

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
