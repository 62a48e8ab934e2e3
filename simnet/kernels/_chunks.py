"""Work splitting shared by the parallel kernels, and growing their outputs in place."""

import numba
import numpy as np
from numba import njit


def on_one_thread(kernel, *args):
    """``kernel(*args)`` with Numba limited to one thread (restored afterwards): for small
    inputs, where waking a second thread costs more than it saves."""
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(old)


@njit(cache=True, no_cfunc_wrapper=True)
def chunk_bounds(cum, n_chunks):
    """Split ``m`` items with cumulative work ``cum`` (float64[m + 1], ``cum[0] = 0``) into
    ``n_chunks`` consecutive ranges of about equal work; returns int64[n_chunks + 1]."""
    m = cum.shape[0] - 1
    bounds = np.empty(n_chunks + 1, dtype=np.int64)
    total = cum[m]
    a = 0
    for c in range(n_chunks + 1):
        target = total * c / n_chunks
        while a < m and cum[a] < target:
            a += 1
        bounds[c] = a
    bounds[0] = 0
    bounds[n_chunks] = m
    return bounds


@njit(cache=True, no_cfunc_wrapper=True)
def group_by_owner(owner, n):
    """Stable counting sort of ``k`` items by owner (int array[k], values in [0, n)).

    Returns ``ptr`` int64[n + 1] and ``order`` int64[k]: the items of owner ``o`` are
    ``order[ptr[o]:ptr[o + 1]]``, in their input order."""
    k = owner.shape[0]
    ptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(k):
        ptr[owner[i] + 1] += 1
    for o in range(n):
        ptr[o + 1] += ptr[o]
    pos = ptr[:n].copy()
    order = np.empty(k, dtype=np.int64)
    for i in range(k):
        o = owner[i]
        order[pos[o]] = i
        pos[o] += 1
    return ptr, order


def append_in_place(arr, tail, refcheck=True):
    """``arr`` (1-D) with ``tail`` appended, grown in place by ``ndarray.resize`` (realloc,
    which moves a large block's pages with mremap instead of copying them), so the peak,
    resident or address space, is the result plus ``tail`` rather than twice the result.
    Where NumPy refuses (``arr`` does not own its data, or, with ``refcheck``, something
    else refers to it) the two are concatenated. ``refcheck=False`` only for an array no
    view or other name refers to."""
    at = arr.size
    try:
        arr.resize(at + tail.size, refcheck=refcheck)
    except ValueError:
        return np.concatenate([arr, tail])
    arr[at:] = tail
    return arr
