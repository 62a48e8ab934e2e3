"""Per-row work of one word-of-mouth hop (:meth:`simnet.news.NewsInFlight.hop`) without
per-row index arrays: the rows are grouped by event with offsets, so each kernel walks the
segments instead of materialising an event index (4 bytes a heard row, tens of millions of
rows at 1,000,000 agents).

Segments: ``ptr`` int64[E + 1], nondecreasing, ``ptr[0] == 0``; segment ``e`` is rows
``ptr[e]:ptr[e + 1]``.
"""

import numpy as np
from numba import njit

__all__ = ["compact_segments", "go_on_rows", "true_per_segment"]


@njit(cache=True, no_cfunc_wrapper=True)
def go_on_rows(ptr, weight, hops_left, decay, min_weight):
    """bool[H]: whether each heard row could travel on: its event (segment) has hops left
    (``hops_left`` bool[E]) and its weight (``weight`` float64[H]) times its event's decay
    (``decay`` float64[E], weight kept per hop) is at least ``min_weight`` (float)."""
    out = np.zeros(weight.shape[0], dtype=np.bool_)
    for e in range(ptr.shape[0] - 1):
        if not hops_left[e]:
            continue
        d = decay[e]
        for r in range(ptr[e], ptr[e + 1]):
            out[r] = weight[r] * d >= min_weight
    return out


@njit(cache=True, no_cfunc_wrapper=True)
def true_per_segment(ptr, mask):
    """int64[E]: how many rows of each segment are set in ``mask`` (bool[H])."""
    n = ptr.shape[0] - 1
    out = np.zeros(n, dtype=np.int64)
    for e in range(n):
        c = 0
        for r in range(ptr[e], ptr[e + 1]):
            if mask[r]:
                c += 1
        out[e] = c
    return out


@njit(cache=True, no_cfunc_wrapper=True)
def compact_segments(ptr, data, keep):
    """Move the kept segments (``keep`` bool[E]) of ``data`` (1-D, any dtype) to its
    front, in order, in place; returns how many entries they fill. The data before the
    returned length is the kept segments end to end; after it, unspecified."""
    out = 0
    for e in range(ptr.shape[0] - 1):
        if not keep[e]:
            continue
        for r in range(ptr[e], ptr[e + 1]):
            data[out] = data[r]
            out += 1
    return out
