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


# Loop indices are cast to unsigned types where they index arrays: Numba then omits the
# negative-index wraparound code, which otherwise costs about a third of a sparse product.
# The row loops are written out in the prange body (as helper calls they ran ~20% slower).


@njit(cache=True, parallel=True, no_cfunc_wrapper=True)
def _hop(indptr, indices, strength, x, xv, decay, y, yv, acc, accumulate):
    """One hop, parallel over rows: ``y = decay * (W @ x)``, each entry summed in CSR order;
    if ``accumulate``, also ``acc += y``. ``x``, ``y``, ``acc`` are float64[n, c]
    (C-contiguous); ``xv`` and ``yv`` are the float64[n] views of ``x`` and ``y`` used when
    ``c == 1``."""
    n = indptr.shape[0] - 1
    c = x.shape[1]
    for i in prange(n):
        if c == 1:
            a = 0.0
            for p in range(np.uint64(indptr[i]), np.uint64(indptr[i + 1])):
                a += strength[p] * xv[np.uint32(indices[p])]
            v = decay * a
            yv[i] = v
            if accumulate:
                acc[i, 0] += v
        else:
            for col in range(c):
                y[i, col] = 0.0
            for p in range(np.uint64(indptr[i]), np.uint64(indptr[i + 1])):
                j = np.uint32(indices[p])
                s = strength[p]
                for col in range(c):
                    y[i, col] += s * x[j, col]
            for col in range(c):
                y[i, col] *= decay
            if accumulate:
                for col in range(c):
                    acc[i, col] += y[i, col]


@njit(cache=True, no_cfunc_wrapper=True)
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
        pruning and no echo rule. Each entry is summed in CSR order by one thread, so results
        do not depend on the thread count.
    """
    n = indptr.shape[0] - 1
    c = evidence.shape[1]
    x = np.ascontiguousarray(evidence)
    if hops < 1:
        return np.zeros((n, c), dtype=np.float64)
    acc = x  # replaced by the first hop's result; not read before that
    for h in range(hops):
        y = np.empty((n, c), dtype=np.float64)
        # ``h > 0`` is a runtime bool: a constant True/False would make Numba compile _hop
        # once per value
        _hop(indptr, indices, strength, x, x.reshape(n * c), decay, y, y.reshape(n * c), acc,
             h > 0)
        if h == 0:
            if hops == 1:
                return y
            acc = y.copy()
        x = y
    return acc
