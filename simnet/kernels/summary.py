"""Reading the evidence slots (the memory of :mod:`simnet.kernels.slots`) in bulk: what the
whole population thinks of each agent, and what each agent thinks of each of its contacts,
each in one pass without materialising the used slots as rows."""

import numpy as np
from numba import get_thread_id, njit, prange

from simnet.kernels._builds import serial_and_parallel, use_parallel
from simnet.kernels._chunks import chunk_bounds
from simnet.kernels.slots import _find_in_row, thread_slot_maps

__all__ = ["slots_counts", "slots_subject_totals", "views_along_ties"]

_N_CHUNKS = 256
# Below this much work (ties plus slots) views_along_ties runs on one thread: waking the
# others costs more than it saves (a 150-agent model stays below)
_PARALLEL_MIN_WORK = 65_536
# slots_counts: below this many look-ups, on one thread (as slots_find)
_PARALLEL_MIN_ROWS = 16_384


@njit(cache=True, no_cfunc_wrapper=True)
def _weighted(values, v, k, saw_weight, heard_weight):
    """(good, bad) float64 of slot ``k`` of agent ``v``: seen and heard weights combined."""
    good = saw_weight * np.float64(values[v, k, 0]) + heard_weight * np.float64(values[v, k, 2])
    bad = saw_weight * np.float64(values[v, k, 1]) + heard_weight * np.float64(values[v, k, 3])
    return good, bad


@njit(cache=True, no_cfunc_wrapper=True)
def slots_subject_totals(subject, values, count, saw_weight, heard_weight):
    """Per subject, totals over the viewers that hold a slot about it.

    Parameters
    ----------
    subject : int32[n, K]
        Whom each slot is about (subjects are agents, ids in [0, n)); the first ``count[v]``
        slots of row ``v`` are used.
    values : float32[n, K, 4]
        Seen good, seen bad, heard good, heard bad weights of each slot.
    count : int32[n]
    saw_weight, heard_weight : float
        Weights of seen and heard evidence.

    Returns
    -------
    visibility : int64[n]
        Viewers holding a slot about each subject.
    reputation_sum : float64[n]
        Sum over those viewers of their Beta reputation ``(g + 1) / (g + b + 2)`` of the
        subject, with ``g = saw_weight * seen good + heard_weight * heard good`` (float64)
        and ``b`` likewise.
    good, bad : float64[n]
        Sums of ``g`` and ``b`` over those viewers.

    Serial, viewers ascending and each row's slots in order, so the sums are added in
    one fixed order whatever the thread count.
    """
    n = subject.shape[0]
    visibility = np.zeros(n, dtype=np.int64)
    reputation_sum = np.zeros(n, dtype=np.float64)
    good = np.zeros(n, dtype=np.float64)
    bad = np.zeros(n, dtype=np.float64)
    for v in range(n):
        for k in range(count[v]):
            s = subject[v, k]
            g, b = _weighted(values, v, np.int64(k), saw_weight, heard_weight)  # one signature
            visibility[s] += 1
            reputation_sum[s] += (g + 1.0) / (g + b + 2.0)
            good[s] += g
            bad[s] += b
    return visibility, reputation_sum, good, bad


@njit(cache=True, no_cfunc_wrapper=True)
def _views_of(indptr, indices, subject, values, count, saw_weight, heard_weight, u, slot_of,
              out):
    """Agent ``u``'s views of its contacts into ``out`` (its CSR entries), through the
    scratch map ``slot_of`` (int32[ids], all -1 on entry and on return)."""
    for k in range(count[u]):
        slot_of[subject[u, k]] = k
    for p in range(indptr[u], indptr[u + 1]):
        k = slot_of[indices[p]]
        if k < 0:
            out[p] = 0.5
        else:
            g, b = _weighted(values, u, np.int64(k), saw_weight, heard_weight)  # one signature
            out[p] = (g + 1.0) / (g + b + 2.0)
    for k in range(count[u]):
        slot_of[subject[u, k]] = -1


@njit(cache=True, parallel=True, no_cfunc_wrapper=True)
def _views_parallel(indptr, indices, subject, values, count, saw_weight, heard_weight,
                    slot_maps):
    n = indptr.shape[0] - 1
    out = np.empty(indices.shape[0], dtype=np.float64)
    cum = np.empty(n + 1, dtype=np.float64)
    cum[0] = 0.0
    for u in range(n):
        cum[u + 1] = cum[u] + (indptr[u + 1] - indptr[u]) + count[u] + 1.0
    chunks = chunk_bounds(cum, np.int64(_N_CHUNKS))  # one signature: int64, not a literal
    for c in prange(_N_CHUNKS):
        slot_of = slot_maps[get_thread_id()]
        for u in range(chunks[c], chunks[c + 1]):
            _views_of(indptr, indices, subject, values, count, saw_weight, heard_weight, u,
                      slot_of, out)
    return out


@njit(cache=True, no_cfunc_wrapper=True)
def _views_serial(indptr, indices, subject, values, count, saw_weight, heard_weight,
                  slot_of):
    """``_views_parallel`` on one thread with one scratch map ``slot_of`` int32[ids] (a
    separate kernel: see ``slots._slots_add_serial``)."""
    out = np.empty(indices.shape[0], dtype=np.float64)
    for u in range(indptr.shape[0] - 1):
        _views_of(indptr, indices, subject, values, count, saw_weight, heard_weight, u,
                  slot_of, out)
    return out


def views_along_ties(indptr, indices, subject, values, count, saw_weight, heard_weight,
                     parallel=None):
    """float64[nnz]: each agent's perceived reputation of each of its contacts, aligned with
    the CSR entries: entry ``p`` of row ``u`` is ``u``'s view of ``indices[p]``, the Beta
    reputation ``(g + 1) / (g + b + 2)`` of its slot (``g = saw_weight * seen good +
    heard_weight * heard good``, float64; ``b`` likewise), 0.5 without one.

    ``indptr`` int64[n + 1], ``indices`` int32[nnz]: the ties (CSR); ``subject`` int32[n, K],
    ``values`` float32[n, K, 4], ``count`` int32[n]: the slots (subjects in [0, n)). Rows in
    parallel, each thread with its own subject-to-slot map (int32[n]), so a look-up costs
    one read instead of a scan of the row; results do not depend on the thread count. On
    one thread below ``_PARALLEL_MIN_WORK`` (ties plus n * K slots), or as ``parallel``
    (bool) says.
    """
    work = indices.shape[0] + subject.size
    use = use_parallel(work, _PARALLEL_MIN_WORK, parallel)
    kernel = _views_parallel if use else _views_serial
    maps = thread_slot_maps(indptr.shape[0] - 1, None if use else 1)
    return kernel(indptr, indices, subject, values, count, float(saw_weight),
                  float(heard_weight), maps if use else maps[0])


def _slots_counts(subject, values, count, viewer, about, saw_weight, heard_weight):
    m = viewer.shape[0]
    good = np.zeros(m, dtype=np.float64)
    bad = np.zeros(m, dtype=np.float64)
    seen = np.zeros(m, dtype=np.float64)
    for i in prange(m):
        v = viewer[i]
        k = _find_in_row(subject, count, v, about[i])
        if k >= 0:
            good[i], bad[i] = _weighted(values, v, k, saw_weight, heard_weight)
            seen[i] = np.float64(values[v, k, 0]) + np.float64(values[v, k, 1])
    return good, bad, seen


_counts_serial, _counts_parallel = serial_and_parallel(_slots_counts)


def slots_counts(subject, values, count, viewer, about, saw_weight, heard_weight,
                 parallel=None):
    """What each viewer holds about each subject, in one look-up per pair.

    ``subject`` int32[n, K], ``values`` float32[n, K, 4], ``count`` int32[n]: the slots;
    ``viewer``, ``about`` int64[m]: the pairs; ``saw_weight``, ``heard_weight``: float.
    Returns float64[m] each: ``good = saw_weight * seen good + heard_weight * heard
    good`` and ``bad`` likewise (evidence weights), and ``seen``, what the viewer saw
    itself (seen good + seen bad); all 0.0 where the viewer holds no slot about the
    subject. Pairs in parallel from ``_PARALLEL_MIN_ROWS`` on, or as ``parallel`` (bool)
    says; the same results either way.
    """
    use = use_parallel(viewer.shape[0], _PARALLEL_MIN_ROWS, parallel)
    kernel = _counts_parallel if use else _counts_serial
    return kernel(subject, values, count, viewer, about, float(saw_weight),
                  float(heard_weight))
