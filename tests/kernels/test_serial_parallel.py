"""Kernels built both serial and parallel (small inputs run on one thread): the two builds
are cached apart, the serial ones run in a fresh process, and a model gives the same
results with every kernel forced onto its parallel build. (Each kernel's builds against
its NumPy twin: in the kernel's own test module.)"""

import numpy as np
import pytest

from simnet.kernels import graph, paths, retell, slots, spread, summary

# (slots_add and views_along_ties have serial kernels of their own: see
# test_serial_builds_run_first_in_a_fresh_process)
PAIRS = [(slots._slots_find_serial, slots._slots_find_parallel),
         (summary._counts_serial, summary._counts_parallel),
         (slots._slots_forget_serial, slots._slots_forget_parallel),
         (graph._two_hop_serial, graph._two_hop_parallel),
         (paths._bfs_serial, paths._bfs_parallel),
         (spread._spread_serial, spread._spread_parallel),
         (retell._retell_rows_serial, retell._retell_rows_parallel)]


@pytest.mark.parametrize(("serial", "parallel"), PAIRS)
def test_builds_are_cached_apart(serial, parallel):
    """Numba names a cache entry by the function's qualified name, not its flags: one
    name for both builds made whichever was cached first serve both."""
    assert not serial.targetoptions.get("parallel")
    assert parallel.targetoptions.get("parallel")
    assert serial._cache._cache_file._index_name != parallel._cache._cache_file._index_name
    assert serial.py_func.__code__ is parallel.py_func.__code__  # one kernel, two builds


def test_the_serial_and_parallel_builds_agree_on_a_model():
    """A 150-agent model (every call below the thresholds) and the same run with every
    kernel forced onto its parallel build: the same evidence and ties."""
    from simnet import ReputationModel

    def run(force):
        thresholds = [(slots, "_PARALLEL_MIN_ROWS"), (slots, "_PARALLEL_MIN_SLOTS"),
                      (summary, "_PARALLEL_MIN_WORK"), (summary, "_PARALLEL_MIN_ROWS"),
                      (graph, "_PARALLEL_MIN_WORK"), (paths, "_PARALLEL_MIN_WORK"),
                      (spread, "_PARALLEL_MIN_RELAXATIONS"), (retell, "_PARALLEL_MIN_ROWS")]
        saved = [getattr(module, name) for module, name in thresholds]
        if force:
            for module, name in thresholds:
                setattr(module, name, 0)
        try:
            model = ReputationModel(n_agents=150, rng=3, create_agents=False)
            for _ in range(6):
                model.step()
        finally:
            for (module, name), value in zip(thresholds, saved, strict=True):
                setattr(module, name, value)
        return model

    a, b = run(False), run(True)
    np.testing.assert_array_equal(a.world.evidence.slot_values, b.world.evidence.slot_values)
    np.testing.assert_array_equal(a.world.evidence.subject, b.world.evidence.subject)
    np.testing.assert_array_equal(a.world.ties.strength, b.world.ties.strength)
    assert a.model_table().equals(b.model_table())


def test_serial_builds_run_first_in_a_fresh_process():
    """The serial builds, loaded from Numba's cache before any parallel kernel has started
    Numba's threads, must not call into the threading layer (get_thread_id is linked only
    when the threads start: calling it unlinked crashed the process)."""
    import subprocess
    import sys

    code = """
import numpy as np
from simnet.kernels import slots_add, views_along_ties
from simnet.kernels.graph import csr_from_edges
indptr, indices, _ = csr_from_edges(3, np.array([0, 1]), np.array([1, 2]), np.ones(2))
store = (np.full((3, 2), -1, np.int32), np.zeros((3, 2, 4), np.float32), np.zeros(3, np.int32))
for _ in range(2):  # the second time from the cache if the first compiled
    slots_add(*store, np.array([0, 1]), np.array([1, 2]), np.eye(2, 4), parallel=False)
    views = views_along_ties(indptr, indices, *store, 1.0, 1.0, parallel=False)
print(views.tolist())
"""
    for _ in range(2):  # the first process may compile; the second loads from the cache
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "[0.75, 0.5, 0.25, 0.5]"  # 2 good; none; 2 bad; none


def test_one_thread_calls_the_serial_builds(monkeypatch):
    """On one Numba thread (a sweep's worker) every kernel takes its serial build whatever
    the size, so a sweep never compiles a parallel one; an explicit ``parallel=True``
    still gets the parallel build."""
    import numba

    from simnet import ReputationModel
    from simnet.kernels._builds import on_one_thread, use_parallel

    def refuse(*args, **kwargs):
        raise AssertionError("a parallel build was called on one thread")

    for module, name in [(slots, "_PARALLEL_MIN_ROWS"), (slots, "_PARALLEL_MIN_SLOTS"),
                         (summary, "_PARALLEL_MIN_WORK"), (summary, "_PARALLEL_MIN_ROWS"),
                         (graph, "_PARALLEL_MIN_WORK"), (paths, "_PARALLEL_MIN_WORK"),
                         (spread, "_PARALLEL_MIN_RELAXATIONS"), (retell, "_PARALLEL_MIN_ROWS")]:
        monkeypatch.setattr(module, name, 0)
    for module, name in [(slots, "_slots_add_parallel"), (slots, "_slots_find_parallel"),
                         (slots, "_slots_forget_parallel"), (summary, "_views_parallel"),
                         (summary, "_counts_parallel"), (graph, "_two_hop_parallel"),
                         (paths, "_bfs_parallel"), (spread, "_spread_parallel"),
                         (retell, "_retell_rows_parallel")]:
        monkeypatch.setattr(module, name, refuse)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        assert on_one_thread()
        assert not use_parallel(10**9, 0) and use_parallel(0, 10**9, parallel=True)
        model = ReputationModel(n_agents=150, rng=3, create_agents=False)
        for _ in range(4):
            model.step()
        model.model_table()
    finally:
        numba.set_num_threads(before)
    if before > 1:
        assert not on_one_thread() and use_parallel(10, 10)
