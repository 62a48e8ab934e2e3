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
from numba import njit

from simnet.kernels._chunks import group_by_owner
from simnet.kernels.sort import float_keys, stable_order
from simnet.kernels.spread import pass_on_uniform

__all__ = ["choose_retold"]


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
        m = hi - lo
        if m <= cap:
            continue
        items = order[lo:hi]
        draw = np.empty(m, dtype=np.float64)
        for j in range(m):
            i = items[j]
            # u < 1, so every piece of bad news ranks before every piece of good news
            # int32 people, as the spread passes them: one compiled signature
            u = pass_on_uniform(key[i], np.int32(-1), np.int32(o))
            draw[j] = u + (0.0 if is_bad[i] else 1.0)
        # stable: equal draws keep the input order (np.argsort(kind="stable")'s order;
        # the shared hand-written sort compiles in a fraction of NumPy's merge sort)
        ranked = stable_order(float_keys(draw))
        for j in range(cap, m):
            keep[items[ranked[j]]] = False
    return keep


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
