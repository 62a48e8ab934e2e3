"""A small stable sort shared by the kernels, in place of ``np.argsort``.

Numba compiles ``np.argsort`` (its quicksort and its merge sort) into a lot of code: about
3 s of CPU on a cold cache for the merge sorts of the spread and of the retelling budget
alone. This bottom-up merge sort compiles in a fraction of that and gives what
``np.argsort(kind="stable")`` gives (a stable order is unique). It sorts int64 keys only,
so it is compiled once (each argument type would be a compile of its own); float64 values
are sorted by :func:`float_keys`.
"""

import numpy as np
from numba import njit

__all__ = ["float_keys", "insertion_sort", "stable_order"]

_INSERTION_MAX = 16


@njit(cache=True, no_cfunc_wrapper=True)
def insertion_sort(idx, key, lo, hi):
    """Stably sort ``idx[lo:hi]`` (int64) by ``key[idx[...]]`` (int64 keys), in place, by
    insertion: for short runs (up to about 16 items)."""
    for t in range(lo + 1, hi):
        x = idx[t]
        kx = key[x]
        s = t - 1
        while s >= lo and key[idx[s]] > kx:
            idx[s + 1] = idx[s]
            s -= 1
        idx[s + 1] = x


@njit(cache=True, no_cfunc_wrapper=True)
def stable_order(key):
    """int64[m]: the stable ascending order of ``key`` (int64[m]), i.e.
    ``np.argsort(key, kind="stable")``. Runs of up to 16 by insertion, then merged
    bottom-up: O(m log m) time, 16 bytes of scratch per item."""
    m = key.shape[0]
    order = np.empty(m, dtype=np.int64)
    for t in range(m):
        order[t] = t
    for start in range(0, m, _INSERTION_MAX):
        insertion_sort(order, key, start, min(start + _INSERTION_MAX, m))
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
                if i < mid and (j >= end or key[order[i]] <= key[order[j]]):
                    other[t] = order[i]
                    i += 1
                else:
                    other[t] = order[j]
                    j += 1
        order, other = other, order
        width *= 2
    return order


@njit(cache=True, no_cfunc_wrapper=True)
def float_keys(x):
    """int64[m]: keys that sort like ``x`` (float64[m], no NaN): equal keys for equal
    values (``-0.0`` and ``0.0`` alike), a smaller key for a smaller value. The bits of
    each float as an int64, with the other 63 bits flipped for negative values."""
    m = x.shape[0]
    clean = np.empty(m, dtype=np.float64)
    for i in range(m):
        clean[i] = x[i] + 0.0  # -0.0 + 0.0 is 0.0
    bits = clean.view(np.int64)
    keys = np.empty(m, dtype=np.int64)
    for i in range(m):
        b = bits[i]
        keys[i] = b ^ ((b >> 63) & 0x7FFFFFFFFFFFFFFF)
    return keys
