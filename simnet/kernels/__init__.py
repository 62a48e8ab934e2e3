"""Numba kernels: pure functions over arrays, each with a NumPy twin in reference.py.

Graphs are symmetric CSR arrays: ``indptr`` int64[n + 1], ``indices`` int32[nnz] (rows sorted
ascending, no self-loops or duplicates), ``strength`` float64[nnz] (tie strengths in (0, 1]).
"""

from simnet.kernels.cascade import cascade
from simnet.kernels.gossip import propagate_step, propagate_step_parallel
from simnet.kernels.graph import (
    count_common_neighbors,
    csr_from_edges,
    local_clustering,
    second_degree_reach,
)
from simnet.kernels.linear import propagate_linear

__all__ = [
    "cascade",
    "count_common_neighbors",
    "csr_from_edges",
    "local_clustering",
    "propagate_linear",
    "propagate_step",
    "propagate_step_parallel",
    "second_degree_reach",
]
