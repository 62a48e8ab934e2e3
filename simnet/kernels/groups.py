"""Per-group sums of per-agent columns (the tidy per-step table, :func:`simnet.metrics.
group_rows`), in one pass. The plain-NumPy twin is
:func:`simnet.kernels.reference.group_sums` (one ``np.bincount`` over (column, group)
pairs)."""

import numpy as np
from numba import njit

__all__ = ["group_sums"]


@njit(cache=True, no_cfunc_wrapper=True)
def group_sums(values, codes, k):
    """Sums and counts of the finite values of each column per group.

    Parameters
    ----------
    values : float64[c, n]
        ``c`` per-agent columns (NaN or inf where a value is unknown).
    codes : int64[n]
        Each agent's group, in [0, k).
    k : int
        Number of groups.

    Returns
    -------
    sums : float64[c, k]
        Per column and group, the sum of the finite values, added in agent order from
        0.0 (as ``np.bincount`` adds its weights, so the floats are the same).
    known : float64[c, k]
        How many of them are finite.
    counts : int64[k]
        Agents per group.
    """
    c, n = values.shape
    sums = np.zeros((c, k), dtype=np.float64)
    known = np.zeros((c, k), dtype=np.float64)
    counts = np.zeros(k, dtype=np.int64)
    for i in range(n):
        counts[codes[i]] += 1
    for j in range(c):
        for i in range(n):
            x = values[j, i]
            if np.isfinite(x):
                sums[j, codes[i]] += x
                known[j, codes[i]] += 1.0
            else:
                sums[j, codes[i]] += 0.0  # as bincount adds the zeroed weight
    return sums, known, counts
