"""Rank statistics: the discordant pairs of Kendall's tau (:func:`simnet.stats.
kendall_tau_b`), and the whole tau-b in one kernel (the reputation accuracy metric)."""

import numpy as np
from numba import njit

from simnet.kernels.sort import float_keys, stable_order

__all__ = ["count_inversions", "kendall_tau_b"]


@njit(cache=True, no_cfunc_wrapper=True)
def count_inversions(ranks):
    """int: the number of pairs ``i < j`` with ``ranks[i] > ranks[j]``.

    ``ranks`` int64[m]: dense ranks, values in [1, r] for some r <= m. One pass with a
    Fenwick tree of counts over the ranks: O(m log m).
    """
    m = ranks.shape[0]
    size = 1
    for i in range(m):
        if ranks[i] > size:
            size = ranks[i]
    tree = np.zeros(size + 1, dtype=np.int64)
    inversions = 0
    for i in range(m):
        # earlier ranks at most ranks[i]
        at_most = 0
        k = ranks[i]
        while k > 0:
            at_most += tree[k]
            k -= k & -k
        inversions += i - at_most
        k = ranks[i]
        while k <= size:
            tree[k] += 1
            k += k & -k
    return inversions


@njit(cache=True, no_cfunc_wrapper=True)
def _dense_ranks(sorted_values):
    """int64[m]: 1-based dense ranks of values already sorted ascending."""
    m = sorted_values.shape[0]
    ranks = np.empty(m, dtype=np.int64)
    r = 0
    for i in range(m):
        if i == 0 or sorted_values[i] != sorted_values[i - 1]:
            r += 1
        ranks[i] = r
    return ranks


@njit(cache=True, no_cfunc_wrapper=True)
def _pairs_in_runs(a, b):
    """int: pairs ``i < j`` inside runs of consecutive equal ``(a[i], b[i])`` (int64[m]
    each; ``b`` may be ``a`` to count runs of ``a`` alone)."""
    pairs = 0
    run = 1
    for i in range(1, a.shape[0] + 1):
        if i < a.shape[0] and a[i] == a[i - 1] and b[i] == b[i - 1]:
            run += 1
        else:
            pairs += run * (run - 1) // 2
            run = 1
    return pairs


@njit(cache=True, no_cfunc_wrapper=True)
def kendall_tau_b(x, y):
    """Kendall's tau-b of ``x`` and ``y`` (float64[m] each, no NaN): concordant minus
    discordant pairs over the geometric mean of the pairs untied in x and in y, clipped
    to [-1, 1]; NaN when m < 2 or either is constant.

    The same counts and the same float as :func:`simnet.stats.kendall_tau_b` (its NumPy
    twin; Knight's algorithm: sort by y, then stably by x, count the inversions of y's
    ranks), in one call instead of about twenty NumPy ones.
    """
    m = x.shape[0]
    if m < 2:
        return np.nan
    tot = m * (m - 1) // 2
    # both sorts by the shared stable sort (np.argsort's quicksort and merge sort compile
    # into far more code); the order of ties in y does not change a count below
    perm = stable_order(float_keys(y))
    xs = x[perm]
    yr = _dense_ranks(y[perm])
    perm = stable_order(float_keys(xs))
    xr = _dense_ranks(xs[perm])
    yr = yr[perm]
    dis = count_inversions(yr)
    ntie = _pairs_in_runs(xr, yr)  # pairs tied in both
    xtie = _pairs_in_runs(xr, xr)
    counts = np.zeros(m + 1, dtype=np.int64)
    for i in range(m):
        counts[yr[i]] += 1
    ytie = 0
    for r in range(m + 1):
        ytie += counts[r] * (counts[r] - 1) // 2
    if xtie == tot or ytie == tot:
        return np.nan
    con_minus_dis = tot - xtie - ytie + ntie - 2 * dis
    tau = con_minus_dis / np.sqrt(np.float64(tot - xtie)) / np.sqrt(np.float64(tot - ytie))
    return min(1.0, max(-1.0, tau))
