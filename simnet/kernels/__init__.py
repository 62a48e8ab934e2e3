"""Numba kernels: pure functions over arrays, each with a NumPy twin in reference.py.

Graphs are symmetric CSR arrays: ``indptr`` int64[n + 1], ``indices`` int32[nnz] (rows sorted
ascending, no self-loops or duplicates), ``strength`` float64[nnz] (tie strengths in (0, 1]).

Every kernel is ``@njit(cache=True, no_cfunc_wrapper=True)``: none is passed to another as a
first-class function, so the C callback wrapper Numba would build for each is not built
(about 5% of what a cold cache compiles).
"""

import os

# Numba's OpenMP threading layer: let idle worker threads sleep rather than spin. With
# spinning workers (the OpenMP default), a parallel region started while another process
# holds the other core waits for the scheduler's time slice: about 8 ms per region, measured
# on a shared 2-core machine, against about 10 us with sleeping workers. Set before the
# threading layer starts (at the first parallel call); a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from simnet.kernels.cascade import cascade
from simnet.kernels.gossip import propagate_step, propagate_step_parallel
from simnet.kernels.graph import (
    count_common_neighbors,
    csr_from_edges,
    local_clustering,
    reach_and_clustering,
    second_degree_reach,
)
from simnet.kernels.groups import group_sums
from simnet.kernels.linear import propagate_linear
from simnet.kernels.paths import component_summary, hop_distance_totals
from simnet.kernels.rank import count_inversions, kendall_tau_b
from simnet.kernels.retell import choose_retold
from simnet.kernels.slots import slots_add, slots_find, slots_forget
from simnet.kernels.spread import (
    SpreadDetail,
    pass_on_uniform,
    spread_events,
    spread_events_parallel,
)
from simnet.kernels.summary import slots_counts, slots_subject_totals, views_along_ties
from simnet.kernels.tietable import insert_ties

__all__ = [
    "SpreadDetail",
    "cascade",
    "choose_retold",
    "component_summary",
    "count_common_neighbors",
    "count_inversions",
    "csr_from_edges",
    "group_sums",
    "hop_distance_totals",
    "insert_ties",
    "kendall_tau_b",
    "local_clustering",
    "pass_on_uniform",
    "propagate_linear",
    "propagate_step",
    "propagate_step_parallel",
    "reach_and_clustering",
    "second_degree_reach",
    "slots_add",
    "slots_counts",
    "slots_find",
    "slots_forget",
    "slots_subject_totals",
    "spread_events",
    "spread_events_parallel",
    "views_along_ties",
]
