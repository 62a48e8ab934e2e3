"""Breadth-first hop distances over the symmetric CSR graph (the mean path length metric).

Same graph convention as :mod:`simnet.kernels.graph`; the plain-NumPy twin is
:func:`simnet.kernels.reference.hop_distance_totals`.
"""

import numpy as np
from numba import prange

from simnet.kernels._builds import serial_and_parallel

__all__ = ["hop_distance_totals"]

# Below this much work (sources times nodes plus ties) the searches run on one thread:
# waking the others costs more than it saves (a 150-agent model stays below)
_PARALLEL_MIN_WORK = 200_000


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
    use = work >= _PARALLEL_MIN_WORK if parallel is None else bool(parallel)
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
                node = queue[head]
                head += 1
                for p in range(indptr[node], indptr[node + 1]):
                    j = indices[p]
                    if seen[j] == 0:
                        seen[j] = 1
                        queue[tail] = j
                        tail += 1
            acc += hops * (tail - end)
        total[s] = acc
        reached[s] = tail - 1
    return total, reached


_bfs_serial, _bfs_parallel = serial_and_parallel(_hop_distance_totals)
