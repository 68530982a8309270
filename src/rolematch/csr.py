"""Sparse rows without scipy: what scoring needs, in numpy.

Scoring a posting needs a handful of sparse operations (build count rows,
scale values, sum per-value products within rows). Doing them in numpy keeps
``scipy.sparse`` (0.15-0.25 s to import, 20 MiB per process) out of
``rolematch classify`` and the batch workers; training converts to scipy with
:meth:`CSR.to_scipy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


_VALUE_BITS = 16  # whole counts below 65,536 are packed with their key for sorting


@dataclass
class CSR:
    """Compressed sparse rows: row ``i`` holds ``data[indptr[i]:indptr[i+1]]`` at columns ``indices[...]``.

    Indices within a row are sorted and unique when built by :meth:`from_entries`.
    """

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_entries(cls, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> "CSR":
        """Rows from (row, column, value) entries; values at the same position are summed."""
        n, m = shape
        keys = rows.astype(np.int64) * m + cols.astype(np.int64)
        if not len(keys):
            return cls.empty(shape)
        small = _VALUE_BITS + max(1, n * m).bit_length() < 63
        if small and values.min() >= 0 and values.max() < 1 << _VALUE_BITS and np.all(values == np.floor(values)):
            # small whole counts (what featurizing makes): sort (key, value) packed in one int64,
            # which is quicker than np.unique's argsort, then sum each run of equal keys (exactly, in
            # integers: differences of a running total, quicker than np.add.reduceat)
            packed = np.sort((keys << _VALUE_BITS) | values.astype(np.int64))
            keys = packed >> _VALUE_BITS
            last = np.flatnonzero(np.concatenate((keys[1:] != keys[:-1], [True])))  # each run's last entry
            uniq = keys[last]
            totals = np.cumsum(packed & ((1 << _VALUE_BITS) - 1))[last]
            data = np.diff(totals, prepend=0).astype(np.float64)
        else:
            uniq, inverse = np.unique(keys, return_inverse=True)
            data = np.bincount(inverse.ravel(), weights=values, minlength=len(uniq)).astype(np.float64)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(uniq // m, minlength=n), out=indptr[1:])
        return cls(data, uniq % m, indptr, (n, m))

    @classmethod
    def empty(cls, shape: tuple[int, int]) -> "CSR":
        return cls(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(shape[0] + 1, dtype=np.int64), shape)

    @property
    def nnz(self) -> int:
        return len(self.data)

    def with_data(self, data: np.ndarray) -> "CSR":
        """The same structure holding ``data`` (shared indices)."""
        return CSR(data, self.indices, self.indptr, self.shape)

    def row_ids(self) -> np.ndarray:
        """The row of each stored value."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def __getitem__(self, rows: slice) -> "CSR":
        """Rows ``start:stop`` (a contiguous slice)."""
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            raise TypeError("CSR supports contiguous row slices only")
        start, stop, _ = rows.indices(self.shape[0])
        stop = max(start, stop)
        a, b = int(self.indptr[start]), int(self.indptr[stop])
        return CSR(self.data[a:b], self.indices[a:b], self.indptr[start:stop + 1] - a, (stop - start, self.shape[1]))

    def take(self, rows: np.ndarray) -> "CSR":
        """The rows at the (integer) positions ``rows``, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        lens = self.indptr[rows + 1] - self.indptr[rows]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lens, out=indptr[1:])
        at = np.repeat(self.indptr[rows] - indptr[:-1], lens) + np.arange(int(indptr[-1]))
        return CSR(self.data[at], self.indices[at], indptr, (len(rows), self.shape[1]))

    @classmethod
    def vstack(cls, parts: "list[CSR]", n_columns: int) -> "CSR":
        """The rows of ``parts``, one after another."""
        if not parts:
            return cls.empty((0, n_columns))
        shifts = np.cumsum([0] + [p.nnz for p in parts[:-1]])
        indptr = np.concatenate([np.zeros(1, dtype=np.int64)] + [p.indptr[1:] + s for p, s in zip(parts, shifts)])
        return cls(np.concatenate([p.data for p in parts]), np.concatenate([p.indices for p in parts]), indptr,
                   (sum(p.shape[0] for p in parts), n_columns))

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.data.dtype)
        out[self.row_ids(), self.indices] = self.data
        return out

    def row_sums(self, per_value: np.ndarray) -> np.ndarray:
        """Sum ``per_value`` (one row per stored value, any number of columns) within each row of ``self``."""
        out = np.zeros((self.shape[0], per_value.shape[1]), dtype=per_value.dtype)
        filled = np.flatnonzero(np.diff(self.indptr))
        if len(filled):
            out[filled] = np.add.reduceat(per_value, self.indptr[filled], axis=0)
        return out

    def to_scipy(self) -> Any:
        """A ``scipy.sparse.csr_matrix`` with the same values (for training)."""
        import scipy.sparse as sp

        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)
