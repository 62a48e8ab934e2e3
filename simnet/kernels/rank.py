"""Rank statistics: the discordant pairs of Kendall's tau (the reputation accuracy metric,
:func:`simnet.stats.kendall_tau_b`)."""

import numpy as np
from numba import njit

__all__ = ["count_inversions"]


@njit(cache=True)
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
