"""Who passes on which hearsay: a per-person budget of news retold per step.

A person who heard ``m`` pieces of news in a step passes on at most ``cap`` of them: all of
them when ``m <= cap``; else warnings first (bad news, chosen at random among the bad when
there is more than ``cap`` of it), then good news chosen at random. People pass on what
they saw of someone's bad conduct to warn others, even at a cost to themselves (Feinberg,
Willer, Stellar and Keltner, *J. Pers. Soc. Psychol.* 2012, "The virtues of gossip").
"At random" is by ``u = pass_on_uniform(key, -1, person)``, a counter-based hash of the
event's random ``key`` and the person (no teller is -1, so it is independent of every
pass-on draw): the smallest ``u`` go first. The choice is therefore deterministic,
independent of the order of work, and the same in the NumPy twin
(:func:`simnet.kernels.reference.choose_retold`).
"""

import numpy as np
from numba import njit, prange

from simnet.kernels._builds import serial_and_parallel, use_parallel
from simnet.kernels._chunks import chunk_bounds, group_by_owner
from simnet.kernels.sort import float_keys, stable_order
from simnet.kernels.spread import pass_on_uniform

__all__ = ["choose_retold", "retell_rows"]

_N_CHUNKS = 64
# Below this many candidate rows the budget is applied on one thread
_PARALLEL_MIN_ROWS = 65_536


@njit(cache=True, no_cfunc_wrapper=True)
def _drop_beyond_cap(items, events, key, is_bad, cap, person, keep):
    """Clear ``keep[items[j]]`` for the pieces ``person`` does not pass on: ``items``
    int64[m] (m > cap) its pieces in input order, ``events`` int64[m] the index of each
    piece's event in ``key`` and ``is_bad``."""
    m = items.shape[0]
    draw = np.empty(m, dtype=np.float64)
    for j in range(m):
        e = events[j]
        # u < 1, so every piece of bad news ranks before every piece of good news
        # int32 people, as the spread passes them: one compiled signature
        u = pass_on_uniform(key[e], np.int32(-1), np.int32(person))
        draw[j] = u + (0.0 if is_bad[e] else 1.0)
    # stable: equal draws keep the input order (np.argsort(kind="stable")'s order;
    # the shared hand-written sort compiles in a fraction of NumPy's merge sort)
    ranked = stable_order(float_keys(draw))
    for j in range(cap, m):
        keep[items[ranked[j]]] = False


@njit(cache=True, no_cfunc_wrapper=True)
def _choose_retold(holder, key, is_bad, cap, n_nodes):
    k = holder.shape[0]
    keep = np.empty(k, dtype=np.bool_)  # np.empty and a loop: np.ones is a compile more
    for i in range(k):
        keep[i] = True
    ptr, order = group_by_owner(holder, n_nodes)
    for o in range(n_nodes):
        lo = ptr[o]
        hi = ptr[o + 1]
        if hi - lo > cap:
            _drop_beyond_cap(order[lo:hi], order[lo:hi], key, is_bad, cap, o, keep)
    return keep


def _retell_rows_impl(go_on, holder, hptr, key, is_bad, cap, lo, hi, n_chunks):
    span = hi - lo
    ptr = np.zeros(span + 1, dtype=np.int64)
    for r in range(go_on.shape[0]):
        if go_on[r] and lo <= holder[r] < hi:
            ptr[holder[r] - lo + 1] += 1
    for o in range(span):
        ptr[o + 1] += ptr[o]
    # the candidate rows grouped by hearer, in row order, with each row's event: the rows
    # are grouped by event, so walking the segments gives it without a search
    pos = ptr[:span].copy()
    rows = np.empty(ptr[span], dtype=np.int64)
    events = np.empty(ptr[span], dtype=np.int64)
    for e in range(hptr.shape[0] - 1):
        for r in range(hptr[e], hptr[e + 1]):
            if go_on[r] and lo <= holder[r] < hi:
                o = holder[r] - lo
                rows[pos[o]] = r
                events[pos[o]] = e
                pos[o] += 1
    cum = np.empty(span + 1, dtype=np.float64)
    for o in range(span + 1):
        cum[o] = ptr[o]
    chunks = chunk_bounds(cum, n_chunks)
    for c in prange(n_chunks):
        for o in range(chunks[c], chunks[c + 1]):
            if ptr[o + 1] - ptr[o] > cap:
                _drop_beyond_cap(rows[ptr[o]:ptr[o + 1]], events[ptr[o]:ptr[o + 1]], key,
                                 is_bad, cap, o + lo, go_on)


_retell_rows_serial, _retell_rows_parallel = serial_and_parallel(_retell_rows_impl)


def retell_rows(go_on, holder, hptr, key, is_bad, cap, lo, hi, count, parallel=None):
    """Apply the retelling budget to one hop's heard rows, in place: clear ``go_on``
    (bool[H]) for the rows whose hearer, in ``[lo, hi)``, does not pass them on, as
    :func:`choose_retold` chooses over each hearer's rows with ``go_on`` set, in row order.

    ``holder`` int32[H]: each row's hearer; ``hptr`` int64[E + 1]: the rows grouped by
    event (rows ``hptr[e]:hptr[e + 1]`` heard event ``e``); ``key`` uint64[E], ``is_bad``
    bool[E]: the events'; ``cap`` int >= 0; ``count``: how many rows have ``go_on`` set
    and a hearer in ``[lo, hi)`` (the kernel's scratch is 16 bytes each): none, nothing
    to do; hearers in parallel from ``_PARALLEL_MIN_ROWS`` on, or as ``parallel`` (bool)
    says; the same results either way.
    """
    if count == 0:
        return
    parallel = use_parallel(count, _PARALLEL_MIN_ROWS, parallel)
    kernel = _retell_rows_parallel if parallel else _retell_rows_serial
    kernel(go_on, holder, hptr, key, is_bad, int(cap), int(lo), int(hi),
           _N_CHUNKS if parallel else 1)


def choose_retold(holder, key, is_bad, cap, n_nodes):
    """bool[k]: which of ``k`` pieces of news are passed on when each person passes on at
    most ``cap`` (int >= 0) of them per step.

    ``holder`` int32[k]: the person who would pass the piece on, in [0, ``n_nodes``);
    ``key`` uint64[k]: its event's random key; ``is_bad`` bool[k]: bad news. Per holder
    with more than ``cap`` pieces, bad news first, and within bad and within good news the
    smallest ``pass_on_uniform(key, -1, holder)`` first (input order on equal draws).
    """
    holder = np.ascontiguousarray(holder, dtype=np.int32)
    if holder.size == 0:
        return np.ones(0, dtype=bool)
    return _choose_retold(holder, np.ascontiguousarray(key, dtype=np.uint64),
                          np.ascontiguousarray(is_bad, dtype=np.bool_), int(cap), int(n_nodes))
