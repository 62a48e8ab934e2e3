"""The tie table's sorted insertion (:class:`simnet.ties.TieTable`), in one pass.

The table holds each tie once as a row ``u < v``, sorted by the key ``u * n + v``; its
columns are ``keys`` int64[m], ``u`` int32[m], ``v`` int32[m], ``strength`` float64[m]
and ``last_contact`` int32[m]. The plain-NumPy twin is
:func:`simnet.kernels.reference.insert_ties` (one ``np.insert`` per column).
"""

import numpy as np
from numba import njit

__all__ = ["insert_ties"]


@njit(cache=True, no_cfunc_wrapper=True)
def insert_ties(keys, u, v, strength, last_contact, new_keys, new_strength, step, n):
    """The table's columns with new ties merged in, in key order.

    Parameters
    ----------
    keys : int64[m]
        Sorted ascending keys ``u * n + v`` of the ties held; ``u``, ``v`` int32[m],
        ``strength`` float64[m], ``last_contact`` int32[m] their other columns.
    new_keys : int64[k]
        Keys of the new ties, sorted ascending, none of them held already.
    new_strength : float64[k]
        Their strengths.
    step : int
        Their ``last_contact``.
    n : int
        Number of agents (``u = key // n``, ``v = key % n``).

    Returns
    -------
    keys, u, v, strength, last_contact : new arrays of length m + k, the same dtypes.

    One merge of the two sorted key lists, instead of five ``np.insert`` calls (each
    a search, a copy and several small arrays: most of a 150-agent step's tie upkeep).
    """
    m = keys.shape[0]
    k = new_keys.shape[0]
    out_keys = np.empty(m + k, dtype=np.int64)
    out_u = np.empty(m + k, dtype=np.int32)
    out_v = np.empty(m + k, dtype=np.int32)
    out_strength = np.empty(m + k, dtype=np.float64)
    out_last = np.empty(m + k, dtype=np.int32)
    i = 0
    j = 0
    for o in range(m + k):
        if j >= k or (i < m and keys[i] < new_keys[j]):
            out_keys[o] = keys[i]
            out_u[o] = u[i]
            out_v[o] = v[i]
            out_strength[o] = strength[i]
            out_last[o] = last_contact[i]
            i += 1
        else:
            key = new_keys[j]
            out_keys[o] = key
            out_u[o] = np.int32(key // n)
            out_v[o] = np.int32(key % n)
            out_strength[o] = new_strength[j]
            out_last[o] = np.int32(step)
            j += 1
    return out_keys, out_u, out_v, out_strength, out_last
