"""Graph kernels over the symmetric CSR representation.

Every kernel here is a pure ``@njit(cache=True)`` function over contiguous arrays; the
two-hop scans are built serial and parallel, and their public functions pick the build by
size (the same results either way).
The graph of ``n`` nodes is given as

- ``indptr``: int64[n + 1], row ``i`` occupies ``indices[indptr[i]:indptr[i + 1]]``;
- ``indices``: int32[nnz], each row's columns sorted ascending, no self-loops, no duplicates,
  and the pattern is symmetric (``j`` in row ``i`` iff ``i`` in row ``j``).

``csr_from_edges`` (plain NumPy, not a kernel) builds that representation from an edge list.
The plain-NumPy twins of the kernels live in :mod:`simnet.kernels.reference`.
"""

import numpy as np
from numba import njit, prange

from simnet.kernels._builds import serial_and_parallel, use_parallel
from simnet.kernels._chunks import chunk_bounds

__all__ = [
    "count_common_neighbors",
    "csr_from_edges",
    "local_clustering",
    "second_degree_reach",
]

# Work chunks of the two-hop scans (each allocates one int32[n] marker array); results do
# not depend on it, nor on the thread count.
_N_CHUNKS = 16
# Below this much work (about the two-hop walk's length) the scans run on one thread:
# waking the others costs more than it saves (a 150-agent model stays below)
_PARALLEL_MIN_WORK = 200_000


def csr_from_edges(n, u, v, strength=None):
    """Build the symmetric CSR arrays of an undirected graph from an edge list.

    Parameters
    ----------
    n : int
        Number of nodes; node ids are ``0 .. n - 1``.
    u, v : int array[m]
        Endpoints of the ``m`` undirected edges. Self-loops are dropped; an edge listed
        several times (in either direction) is kept once, with the strength of its first
        listing.
    strength : float64 array[m], optional
        Tie strength of each edge, in (0, 1]. Defaults to 1.0.

    Returns
    -------
    indptr : int64[n + 1]
    indices : int32[nnz]
        Columns of each row sorted ascending; ``nnz`` is twice the number of distinct edges.
    strength : float64[nnz]
        Symmetric: the strength at (i, j) equals the one at (j, i).
    """
    u = np.asarray(u, dtype=np.int64).ravel()
    v = np.asarray(v, dtype=np.int64).ravel()
    if strength is None:
        s = np.ones(u.shape[0], dtype=np.float64)
    else:
        s = np.asarray(strength, dtype=np.float64).ravel()
    if u.shape != v.shape or u.shape != s.shape:
        raise ValueError("u, v and strength must have the same length")
    if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise ValueError(f"edge endpoints must lie in [0, {n})")
    keep = u != v
    u, v, s = u[keep], v[keep], s[keep]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    _, first = np.unique(lo * max(n, 1) + hi, return_index=True)
    lo, hi, s = lo[first], hi[first], s[first]
    rows = np.concatenate([lo, hi])
    cols = np.concatenate([hi, lo])
    vals = np.concatenate([s, s])
    order = np.lexsort((cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, cols.astype(np.int32), np.ascontiguousarray(vals)


@njit(cache=True, no_cfunc_wrapper=True)
def count_common_neighbors(indptr, indices, u, v):
    """Number of common neighbours of each node pair, by sorted-merge intersection.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
        Symmetric CSR graph, rows sorted ascending.
    u, v : int32[k]
        The ``k`` node pairs.

    Returns
    -------
    int32[k]
        ``|N(u[i]) ∩ N(v[i])|`` for each pair (for ``u[i] == v[i]`` that is the degree).
    """
    k = u.shape[0]
    out = np.zeros(k, dtype=np.int32)
    for i in range(k):
        a = indptr[u[i]]
        a_end = indptr[u[i] + 1]
        b = indptr[v[i]]
        b_end = indptr[v[i] + 1]
        c = 0
        while a < a_end and b < b_end:
            x = indices[a]
            y = indices[b]
            if x == y:
                c += 1
                a += 1
                b += 1
            elif x < y:
                a += 1
            else:
                b += 1
        out[i] = c
    return out


@njit(cache=True, no_cfunc_wrapper=True)
def _chunk_bounds(indptr, n_chunks):
    """Split nodes 0..n-1 into ``n_chunks`` contiguous ranges of about equal sum of
    squared degrees (the work of two-hop scans). Returns int64[n_chunks + 1]."""
    n = indptr.shape[0] - 1
    work = np.empty(n + 1, dtype=np.float64)
    work[0] = 0.0
    for i in range(n):
        d = indptr[i + 1] - indptr[i]
        work[i + 1] = work[i] + d * d + 1.0
    return chunk_bounds(work, n_chunks)


@njit(cache=True, no_cfunc_wrapper=True)
def _stamps(n):
    """int32[n] of -1: a marker array (no node stamped yet). Node i stamps 2i and 2i + 1,
    so n must be below 2**30 (int32 keeps the array in cache)."""
    stamp = np.empty(n, dtype=np.int32)
    for i in range(n):
        stamp[i] = -1
    return stamp


def _two_hop_scan(indptr, indices, want):
    """Per node, in parallel over chunks of nodes (one int32[n] marker array per chunk):
    the number of distinct other nodes within distance 2 (if ``want[0]``, else an empty
    array) and the local clustering coefficient (if ``want[1]``). Both share one compiled
    kernel to halve the compile time (``want`` is a bool[2] array rather than two constant
    arguments, which Numba would compile once per value)."""
    want_reach = want[0]
    want_clustering = want[1]
    n = indptr.shape[0] - 1
    reach = np.zeros(n if want_reach else 0, dtype=np.int64)
    clus = np.zeros(n if want_clustering else 0, dtype=np.float64)
    if n == 0:
        return reach, clus
    n_chunks = min(n, _N_CHUNKS)
    bounds = _chunk_bounds(indptr, n_chunks)
    for c in prange(n_chunks):
        stamp = _stamps(n)
        for i in range(bounds[c], bounds[c + 1]):
            lo = indptr[i]
            hi = indptr[i + 1]
            d = hi - lo
            # One pass over the two-hop walk counts both: a node stamped as i's neighbour
            # closes a triangle; any other node not yet stamped for i is a new
            # second-degree contact (i itself is stamped as already counted).
            neighbour = 2 * i
            counted = 2 * i + 1
            stamp[i] = counted
            for p in range(lo, hi):
                stamp[indices[p]] = neighbour
            t2 = 0  # twice the number of triangles through i
            cnt = d
            for p in range(lo, hi):
                j = indices[p]
                for q in range(indptr[j], indptr[j + 1]):
                    x = indices[q]
                    mark = stamp[x]
                    if mark == neighbour:
                        t2 += 1
                    elif mark != counted:
                        stamp[x] = counted
                        cnt += 1
            if want_clustering and d >= 2:
                clus[i] = t2 / (d * (d - 1.0))
            if want_reach:
                reach[i] = cnt
    return reach, clus


_two_hop_serial, _two_hop_parallel = serial_and_parallel(_two_hop_scan)


def _two_hop(indptr, indices, want, parallel):
    """``_two_hop_scan`` on all threads from ``_PARALLEL_MIN_WORK`` on (``nnz`` times the
    mean degree), or as ``parallel`` (bool) says."""
    n = max(indptr.shape[0] - 1, 1)
    work = indices.shape[0] * (indices.shape[0] // n + 1)
    use = use_parallel(work, _PARALLEL_MIN_WORK, parallel)
    return (_two_hop_parallel if use else _two_hop_serial)(indptr, indices, np.array(want))


def second_degree_reach(indptr, indices, parallel=None):
    """Number of distinct other nodes within distance 2 of each node.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
        Symmetric CSR graph.
    parallel : bool or None
        Run on all Numba threads; by default from a size on (the same results).

    Returns
    -------
    int64[n]
        ``|(N(i) ∪ N(N(i))) \\ {i}|``: first- plus second-degree contacts of node ``i``.
    """
    return _two_hop(indptr, indices, [True, False], parallel)[0]


def local_clustering(indptr, indices, parallel=None):
    """Local clustering coefficient of each node.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
        Symmetric CSR graph.
    parallel : bool or None
        Run on all Numba threads; by default from a size on (the same results).

    Returns
    -------
    float64[n]
        ``2 T_i / (d_i (d_i - 1))`` with ``T_i`` the number of triangles through node ``i``
        and ``d_i`` its degree; 0.0 where ``d_i < 2``.
    """
    return _two_hop(indptr, indices, [False, True], parallel)[1]


def reach_and_clustering(indptr, indices, parallel=None):
    """:func:`second_degree_reach` and :func:`local_clustering` from one two-hop scan.

    Returns (int64[n], float64[n]): what the two kernels return, for half the work when a
    caller needs both (the model's per-step metrics).
    """
    return _two_hop(indptr, indices, [True, True], parallel)
