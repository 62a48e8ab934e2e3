"""A small stable sort shared by the kernels, in place of ``np.argsort``.

Numba compiles ``np.argsort`` (its quicksort and its merge sort) into a lot of code: about
3 s of CPU on a cold cache for the merge sorts of the spread and of the retelling budget
alone. This bottom-up merge sort compiles in a fraction of that and gives what
``np.argsort(kind="stable")`` gives (a stable order is unique).
"""

import numpy as np
from numba import njit

__all__ = ["stable_order"]

_INSERTION_MAX = 16


@njit(cache=True)
def stable_order(a, lo, hi):
    """int64[hi - lo]: the stable ascending order of ``a[lo:hi]`` (1-D array of ints or
    floats, no NaN), as positions counted from ``lo``: ``np.argsort(a[lo:hi],
    kind="stable")``. Runs of up to 16 by insertion, then merged bottom-up; O(m log m)
    time, 16 bytes of scratch per item."""
    m = hi - lo
    order = np.empty(m, dtype=np.int64)
    for t in range(m):
        order[t] = t
    if m < 2:
        return order
    # insertion sort of each run of _INSERTION_MAX
    for start in range(0, m, _INSERTION_MAX):
        end = min(start + _INSERTION_MAX, m)
        for t in range(start + 1, end):
            x = order[t]
            kx = a[lo + x]
            s = t - 1
            while s >= start and a[lo + order[s]] > kx:
                order[s + 1] = order[s]
                s -= 1
            order[s + 1] = x
    if m <= _INSERTION_MAX:
        return order
    other = np.empty(m, dtype=np.int64)
    width = _INSERTION_MAX
    while width < m:
        for start in range(0, m, 2 * width):
            mid = min(start + width, m)
            end = min(start + 2 * width, m)
            i = start
            j = mid
            for t in range(start, end):
                if i < mid and (j >= end or a[lo + order[i]] <= a[lo + order[j]]):
                    other[t] = order[i]
                    i += 1
                else:
                    other[t] = order[j]
                    j += 1
        order, other = other, order
        width *= 2
    return order
