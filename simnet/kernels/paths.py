"""Breadth-first searches over the symmetric CSR graph: hop distances (the mean path length
metric) and connected components (the component metrics).

Same graph convention as :mod:`simnet.kernels.graph`; the plain-NumPy twins are
:func:`simnet.kernels.reference.hop_distance_totals` and
:func:`simnet.kernels.reference.component_summary`.
"""

import numpy as np
from numba import njit, prange

from simnet.kernels._builds import serial_and_parallel, use_parallel

__all__ = ["component_summary", "hop_distance_totals"]

# Below this much work (sources times nodes plus ties) the searches run on one thread:
# waking the others costs more than it saves (a 150-agent model stays below)
_PARALLEL_MIN_WORK = 200_000


@njit(cache=True, no_cfunc_wrapper=True)
def _visit(indptr, indices, node, seen, queue, tail):
    """Queue ``node``'s neighbours not yet ``seen`` (marking them) at ``queue[tail:]``;
    returns the new tail."""
    for p in range(indptr[node], indptr[node + 1]):
        j = indices[p]
        if seen[j] == 0:
            seen[j] = 1
            queue[tail] = j
            tail += 1
    return tail


def hop_distance_totals(indptr, indices, sources, parallel=None):
    """Per source, the sum and the number of hop distances to the other nodes it reaches.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
    sources : int64[k]
        Start nodes (one breadth-first search each, in parallel).

    Returns
    -------
    total : int64[k]
        Sum of the shortest-path lengths (hops) from each source to every node it reaches,
        itself excluded.
    reached : int64[k]
        How many nodes each source reaches, itself excluded.

    Integer sums, so results do not depend on the thread count; the mean path length is
    ``total.sum() / reached.sum()``. On one thread below ``_PARALLEL_MIN_WORK``, or as
    ``parallel`` (bool) says.
    """
    work = sources.shape[0] * (indptr.shape[0] + indices.shape[0])
    use = use_parallel(work, _PARALLEL_MIN_WORK, parallel)
    return (_bfs_parallel if use else _bfs_serial)(indptr, indices, sources)


def _hop_distance_totals(indptr, indices, sources):
    n = indptr.shape[0] - 1
    k = sources.shape[0]
    total = np.zeros(k, dtype=np.int64)
    reached = np.zeros(k, dtype=np.int64)
    for s in prange(k):
        # level by level, so only a byte per node is touched at random (fits in cache)
        seen = np.zeros(n, dtype=np.uint8)
        queue = np.empty(n, dtype=np.int32)
        src = sources[s]
        seen[src] = 1
        queue[0] = src
        head, tail, hops, acc = 0, 1, 0, 0
        while head < tail:
            hops += 1
            end = tail
            while head < end:
                tail = _visit(indptr, indices, queue[head], seen, queue, tail)
                head += 1
            acc += hops * (tail - end)
        total[s] = acc
        reached[s] = tail - 1
    return total, reached


_bfs_serial, _bfs_parallel = serial_and_parallel(_hop_distance_totals)


@njit(cache=True, no_cfunc_wrapper=True)
def component_summary(indptr, indices):
    """Connected components of the graph: how many, and the size of the largest.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
        Symmetric CSR graph.

    Returns
    -------
    n_components : int
        Connected components (an isolated node is one); 0 when n is 0.
    largest : int
        Nodes in the largest component; 0 when n is 0.

    One breadth-first search per component, serial (the model's metrics ask at every
    collected step: at 150 agents scipy's ``connected_components`` on a fresh sparse
    matrix cost several times the search itself).
    """
    n = indptr.shape[0] - 1
    seen = np.zeros(n, dtype=np.uint8)
    queue = np.empty(n, dtype=np.int32)
    n_components = 0
    largest = 0
    for root in range(n):
        if seen[root]:
            continue
        n_components += 1
        seen[root] = 1
        queue[0] = root
        head, tail = 0, 1
        while head < tail:
            tail = _visit(indptr, indices, queue[head], seen, queue, tail)
            head += 1
        largest = max(largest, tail)
    return n_components, largest
