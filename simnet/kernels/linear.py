"""Linear word of mouth: the truncated power series of the tie-strength matrix.

With no pruning and no echo rule, what word of mouth spreads in ``H`` hops is linear in
the evidence: ``sum_{h=1..H} (decay * W)^h @ evidence``, where ``W`` is the n x n matrix of
tie strengths (``W[i, indices[p]] = strength[p]`` for ``p`` in row ``i``). This module
computes that series directly; it is the validation bridge to Katz centrality and
personalised PageRank (see ``tests/kernels/test_validation.py``) and a fast mode for users
who want the linear model.
"""

import numpy as np
from numba import njit, prange

__all__ = ["propagate_linear"]


@njit(cache=True)
def _row_times(i, indptr, indices, strength, x, decay, y, acc, accumulate):
    """``y[i, :] = decay * (W @ x)[i, :]``, summed in CSR order; if ``accumulate``, also
    ``acc[i, :] += y[i, :]``. Columns are processed four at a time in registers."""
    c = x.shape[1]
    lo = indptr[i]
    hi = indptr[i + 1]
    col = 0
    while col + 4 <= c:
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        for p in range(lo, hi):
            j = indices[p]
            s = strength[p]
            a0 += s * x[j, col]
            a1 += s * x[j, col + 1]
            a2 += s * x[j, col + 2]
            a3 += s * x[j, col + 3]
        y[i, col] = decay * a0
        y[i, col + 1] = decay * a1
        y[i, col + 2] = decay * a2
        y[i, col + 3] = decay * a3
        col += 4
    while col < c:
        a0 = 0.0
        for p in range(lo, hi):
            a0 += strength[p] * x[indices[p], col]
        y[i, col] = decay * a0
        col += 1
    if accumulate:
        for col in range(c):
            acc[i, col] += y[i, col]


@njit(cache=True, parallel=True)
def propagate_linear(indptr, indices, strength, evidence, decay, hops):
    """Linear word of mouth over ``hops`` hops, parallel over rows.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
    strength : float64[nnz]
        CSR matrix ``W`` (the tie strengths; for the model, the symmetric tie graph).
    evidence : float64[n, c]
        ``c`` evidence columns: ``evidence[j, s]`` is what agent ``j`` witnessed, e.g. about
        subject ``s``, or good and bad counts about one subject.
    decay : float
        Per-hop decay (no separate bad-news factor: use one call per factor).
    hops : int
        Number of hops ``H`` (0 gives zeros).

    Returns
    -------
    float64[n, c]
        ``sum_{h=1..H} (decay * W)^h @ evidence``: what each agent heard in total. No
        pruning and no echo rule. Each row is summed in CSR order by one thread, so results
        do not depend on the thread count.
    """
    n = indptr.shape[0] - 1
    c = evidence.shape[1]
    x = np.ascontiguousarray(evidence)
    if hops < 1:
        return np.zeros((n, c), dtype=np.float64)
    y = np.empty((n, c), dtype=np.float64)
    for i in prange(n):
        _row_times(i, indptr, indices, strength, x, decay, y, y, False)
    if hops == 1:
        return y
    acc = y.copy()
    x = y
    for _ in range(hops - 1):
        y = np.empty((n, c), dtype=np.float64)
        for i in prange(n):
            _row_times(i, indptr, indices, strength, x, decay, y, acc, True)
        x = y
    return acc
