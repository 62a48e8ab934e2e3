"""Bounded per-agent memory: the evidence each agent holds, in a fixed number of slots.

Agent ``v`` holds evidence about at most ``K`` others. Its slots are row ``v`` of:

- ``subject`` int32[n, K]: whom each slot is about; the first ``count[v]`` slots are used
  (compacted, in no particular order), the rest are -1;
- ``values`` float32[n, K, 4]: the evidence of each slot (seen good, seen bad, heard good,
  heard bad; weights);
- ``count`` int32[n]: used slots per agent.

Adding evidence about someone an agent holds no slot for takes a free slot; when all ``K``
are used, the new evidence replaces the weakest slot (smallest total) if it is stronger,
and is otherwise not remembered. Each agent's additions are applied in their input order,
so results do not depend on the number of threads.
"""

import numpy as np
from numba import config, get_thread_id, njit, prange

from simnet.kernels._builds import serial_and_parallel, use_parallel
from simnet.kernels._chunks import chunk_bounds, group_by_owner

__all__ = ["slots_add", "slots_find", "slots_forget"]

_N_CHUNKS = 256
# Below this much work (rows added or looked up, slots aged) a kernel runs on one thread:
# waking the others costs more than it saves (a 150-agent model's calls all stay below)
_PARALLEL_MIN_ROWS = 16_384
_PARALLEL_MIN_SLOTS = 65_536


def _parallel(work, threshold, parallel):
    """Whether to run the parallel build: ``parallel`` if given, else by the work (and
    never on one thread: see :func:`simnet.kernels._builds.use_parallel`)."""
    return use_parallel(work, threshold, parallel)


@njit(cache=True, no_cfunc_wrapper=True)
def _find_in_row(subject, count, v, s):
    """Slot of ``s`` in agent ``v``'s row, or -1."""
    row = subject[v]
    for k in range(count[v]):
        if row[k] == s:
            return k
    return -1


@njit(cache=True, no_cfunc_wrapper=True)
def _weakest(values, v, count_v):
    """(slot, total) of agent ``v``'s weakest used slot: the smallest float32 total, the
    first on ties."""
    weakest = 0
    weakest_total = np.float32(np.inf)
    for j in range(count_v):
        t = values[v, j, 0] + values[v, j, 1] + values[v, j, 2] + values[v, j, 3]
        if t < weakest_total:
            weakest_total = t
            weakest = j
    return weakest, weakest_total


@njit(cache=True, no_cfunc_wrapper=True)
def _add_row(subject, values, count, v, about, delta, first, order, lo, hi, slot_of):
    """Apply agent ``v``'s additions ``order[lo:hi]`` (rows of ``about`` and ``delta``, whose
    columns are added to the slot's columns ``first``, ``first + 1`` ...) in order.
    ``slot_of`` int32[n] is a scratch map from subject to slot, all -1 on entry and on
    return: filled from the row first, so that finding a subject's slot costs one look-up
    instead of a scan of the row. A full row's weakest slot is remembered between
    additions: adding to any other slot cannot make it weaker, so evidence too weak to be
    remembered costs no scan."""
    capacity = subject.shape[1]
    width = delta.shape[1]
    for k in range(count[v]):
        slot_of[subject[v, k]] = k
    known = False  # whether (weakest, weakest_total) is current
    weakest = 0
    weakest_total = np.float32(0.0)
    for t in range(lo, hi):
        i = order[t]
        s = about[i]
        k = slot_of[s]
        if k < 0:
            if count[v] < capacity:
                k = count[v]
                count[v] += 1
            else:
                # full: replace the weakest slot if the new evidence is stronger
                if not known:
                    weakest, weakest_total = _weakest(values, v, capacity)
                    known = True
                new_sum = 0.0
                for c in range(width):
                    new_sum += delta[i, c]
                new_total = np.float32(new_sum)
                if not new_total > weakest_total:
                    continue
                k = weakest
                slot_of[subject[v, k]] = -1
                known = False
            subject[v, k] = s
            slot_of[s] = k
            for c in range(4):
                values[v, k, c] = 0.0
        elif k == weakest:
            known = False
        for c in range(width):
            values[v, k, first + c] += np.float32(delta[i, c])
            if delta[i, c] < 0.0:  # a slot that lost weight may now be the weakest
                known = False
    for k in range(count[v]):
        slot_of[subject[v, k]] = -1


@njit(cache=True, parallel=True, no_cfunc_wrapper=True)
def _slots_add_parallel(subject, values, count, viewer, about, delta, first, slot_maps):
    n = subject.shape[0]
    ptr, order = group_by_owner(viewer, n)  # each viewer's additions, in input order
    cum = np.empty(n + 1, dtype=np.float64)
    cum[0] = 0.0
    for v in range(n):
        cum[v + 1] = cum[v] + (ptr[v + 1] - ptr[v]) + count[v]
    chunks = chunk_bounds(cum, np.int64(_N_CHUNKS))  # one signature: int64, not a literal
    for c in prange(_N_CHUNKS):
        slot_of = slot_maps[get_thread_id()]
        for v in range(chunks[c], chunks[c + 1]):
            if ptr[v + 1] > ptr[v]:
                _add_row(subject, values, count, v, about, delta, first, order, ptr[v],
                         ptr[v + 1], slot_of)


@njit(cache=True, no_cfunc_wrapper=True)
def _slots_add_serial(subject, values, count, viewer, about, delta, first, slot_of):
    """``_slots_add_parallel`` on one thread with one scratch map ``slot_of`` int32[ids]:
    a separate kernel, not a serial build of it, because get_thread_id in a build loaded
    from Numba's cache before its threads start is unlinked (the process crashes)."""
    ptr, order = group_by_owner(viewer, subject.shape[0])
    for v in range(subject.shape[0]):
        if ptr[v + 1] > ptr[v]:
            _add_row(subject, values, count, v, about, delta, first, order, ptr[v],
                     ptr[v + 1], slot_of)


def thread_slot_maps(ids, threads=None):
    """int32[threads, ids] of -1: one subject-to-slot scratch map per Numba thread (the
    kernels fill a row's entries, use them and set them back to -1); ``threads``: all of
    Numba's by default, 1 for a kernel's serial build."""
    rows = config.NUMBA_NUM_THREADS if threads is None else threads
    return np.full((rows, max(ids, 1)), -1, dtype=np.int32)


def slots_add(subject, values, count, viewer, about, delta, first=0, parallel=None):
    """Add evidence to the agents' memories, in place.

    ``viewer`` int64[m] in [0, n), ``about`` int64[m] >= 0: who learns, about whom;
    ``delta`` float64[m, w]: the weights added to the slot's columns ``first`` to
    ``first + w - 1`` (the columns: seen good, seen bad, heard good, heard bad; so
    ``w = 4, first = 0`` gives all four, ``w = 2, first = 2`` what was heard). Rows of one
    viewer are applied in input order; viewers in parallel (each thread with its own
    subject-to-slot scratch map, int32 over every subject id) from ``_PARALLEL_MIN_ROWS``
    rows on, or as ``parallel`` (bool) says; the same results either way.
    """
    if viewer.size == 0:
        return
    ids = max(subject.shape[0], int(about.max()) + 1, int(subject.max()) + 1)
    # one compiled signature: a read-only ``about`` (a broadcast subject, say) would
    # otherwise compile the kernel a second time (about 2 s on a cold cache)
    about = about.view()
    about.flags.writeable = False
    if _parallel(viewer.size, _PARALLEL_MIN_ROWS, parallel):
        _slots_add_parallel(subject, values, count, viewer, about, delta, int(first),
                            thread_slot_maps(ids))
    else:
        _slots_add_serial(subject, values, count, viewer, about, delta, int(first),
                          thread_slot_maps(ids, 1)[0])


def _slots_find(subject, count, viewer, about):
    m = viewer.shape[0]
    out = np.empty(m, dtype=np.int64)
    for i in prange(m):
        out[i] = _find_in_row(subject, count, viewer[i], about[i])
    return out


_slots_find_serial, _slots_find_parallel = serial_and_parallel(_slots_find)


def slots_find(subject, count, viewer, about, parallel=None):
    """int64[m]: the slot holding each viewer's evidence about each subject (``viewer``,
    ``about`` int64[m]), or -1 where it holds none. Look-ups in parallel from
    ``_PARALLEL_MIN_ROWS`` on, or as ``parallel`` (bool) says."""
    kernel = (_slots_find_parallel if _parallel(viewer.shape[0], _PARALLEL_MIN_ROWS, parallel)
              else _slots_find_serial)
    return kernel(subject, count, viewer, about)


def _slots_forget(subject, values, count, keep, min_total):
    n = subject.shape[0]
    keep32 = np.float32(keep)
    for v in prange(n):
        used = 0
        for k in range(count[v]):
            t = np.float32(0.0)
            for c in range(4):
                values[v, k, c] *= keep32
                t += values[v, k, c]
            if np.float64(t) >= min_total:
                if used != k:
                    subject[v, used] = subject[v, k]
                    for c in range(4):
                        values[v, used, c] = values[v, k, c]
                used += 1
        for k in range(used, count[v]):
            subject[v, k] = -1
            for c in range(4):
                values[v, k, c] = 0.0
        count[v] = used


_slots_forget_serial, _slots_forget_parallel = serial_and_parallel(_slots_forget)


def slots_forget(subject, values, count, keep, min_total, parallel=None):
    """Age every memory in place: multiply the weights by ``keep`` and free the slots whose
    total falls below ``min_total``, keeping each row's used slots first (in their order).
    Rows in parallel from ``_PARALLEL_MIN_SLOTS`` slots (n * K) on, or as ``parallel``
    (bool) says."""
    kernel = (_slots_forget_parallel if _parallel(subject.size, _PARALLEL_MIN_SLOTS, parallel)
              else _slots_forget_serial)
    kernel(subject, values, count, keep, min_total)
