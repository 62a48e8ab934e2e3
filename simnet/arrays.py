"""Small array helpers shared by the tie table and the evidence store."""

from __future__ import annotations

import numpy as np

_SORT_QUERIES_ABOVE = 2048


def as_shape(x, shape: tuple, dtype=None) -> np.ndarray:
    """``x`` as an array of ``shape``: itself when it has that shape already, else
    broadcast (read-only). ``np.broadcast_to`` costs a few microseconds a call even when
    there is nothing to broadcast, and the per-step paths call this dozens of times."""
    x = np.asarray(x, dtype=dtype)
    return x if x.shape == shape else np.broadcast_to(x, shape)


def lookup(sorted_keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """int64[k]: position of each query in ``sorted_keys`` (int64[E], ascending, unique),
    or -1 where it is absent.

    Large query arrays are sorted first: NumPy's binary search then walks the keys in
    order, several times faster on arrays bigger than the CPU cache.
    """
    queries = np.asarray(queries, dtype=np.int64)
    if sorted_keys.size == 0:
        return np.full(queries.shape, -1, dtype=np.int64)
    if queries.size > _SORT_QUERIES_ABOVE:
        order = np.argsort(queries, kind="stable")
        pos = np.empty(queries.size, dtype=np.int64)
        pos[order] = np.searchsorted(sorted_keys, queries[order])
    else:
        pos = np.searchsorted(sorted_keys, queries)
    pos = np.minimum(pos, sorted_keys.size - 1)
    return np.where(sorted_keys[pos] == queries, pos, -1)
