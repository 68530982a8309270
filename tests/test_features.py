"""Feature matrix assembly."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rolematch.features import _join_rows


def test_join_rows_equals_the_sum_of_blocks_with_disjoint_columns():
    rng = np.random.default_rng(0)
    rows, cols = 7, 50
    a = sp.random(rows, cols, density=0.3, format="csr", random_state=1)
    a.data[:] = rng.integers(1, 5, size=a.nnz)
    b = sp.random(rows, cols, density=0.3, format="csr", random_state=2)
    a = sp.csr_matrix(a.multiply(np.arange(cols) < 20))  # block one: columns 0-19
    b = sp.csr_matrix(b.multiply(np.arange(cols) >= 20))  # block two: columns 20-49
    b = sp.csr_matrix(b.multiply((np.arange(rows) != 3)[:, None]))  # an empty row in one block
    a.eliminate_zeros()
    b.eliminate_zeros()
    assert b[3].nnz == 0
    joined = _join_rows(a, b)
    np.testing.assert_array_equal(joined.toarray(), (a + b).toarray())
    assert joined.nnz == a.nnz + b.nnz  # nothing duplicated, nothing summed


def test_join_rows_with_an_empty_block():
    a = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]]))
    empty = sp.csr_matrix((2, 2))
    np.testing.assert_array_equal(_join_rows(a, empty).toarray(), a.toarray())
    np.testing.assert_array_equal(_join_rows(empty, a).toarray(), a.toarray())
