"""Work splitting shared by the parallel kernels."""

import numpy as np
from numba import njit


@njit(cache=True)
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
