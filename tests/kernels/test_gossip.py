"""propagate_step: Numba kernels vs the NumPy twin, hand-made cases, thread invariance."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import csr_from_edges, propagate_step, propagate_step_parallel
from simnet.kernels import reference as ref

from .strategies import assert_step_equal, frontiers, graphs, on_one_thread


def propagate_step_one_thread(*args):
    """The kernel on one Numba thread."""
    return on_one_thread(propagate_step_parallel, *args)


KERNELS = [propagate_step, propagate_step_one_thread, propagate_step_parallel]

params = st.fixed_dictionaries(
    {
        "decay_good": st.sampled_from([0.0, 0.3, 0.7, 1.0]),
        "decay_bad": st.sampled_from([0.0, 0.5, 0.9, 1.0]),
        "max_hops": st.integers(1, 4),
        "min_weight": st.sampled_from([0.0, 0.0, 0.05, 0.3, 0.8]),
        "echo_rule": st.booleans(),
    }
)


def run(kernel, graph, frontier, p):
    return kernel(
        *graph, *frontier,
        p["decay_good"], p["decay_bad"], p["max_hops"], p["min_weight"], p["echo_rule"],
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data(), p=params)
def test_kernels_match_twin(data, p):
    graph = data.draw(graphs())
    n = graph[0].shape[0] - 1
    frontier = data.draw(frontiers(n))
    want = run(ref.propagate_step, graph, frontier, p)
    one = run(propagate_step_one_thread, graph, frontier, p)
    assert_step_equal(one, want)
    # all threads, and the dispatcher, are bit-for-bit the one-thread kernel
    assert_step_equal(run(propagate_step_parallel, graph, frontier, p), one, exact=True)
    assert_step_equal(run(propagate_step, graph, frontier, p), one, exact=True)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), p=params)
def test_two_steps_match_twin(data, p):
    """Feeding the next frontier back in (a canonical, merged input) also agrees."""
    graph = data.draw(graphs(kinds=("path", "star", "complete", "random_hub")))
    n = graph[0].shape[0] - 1
    frontier = data.draw(frontiers(n, max_k=15, max_hops=1))
    p = dict(p, max_hops=max(p["max_hops"], 3))
    got = run(propagate_step_parallel, graph, frontier, p)
    want = run(ref.propagate_step, graph, frontier, p)
    got2 = run(propagate_step_parallel, graph, got[4:], p)
    want2 = run(ref.propagate_step, graph, want[4:], p)
    assert_step_equal(got2, want2, rtol=1e-11)


def _is_sorted_lex(*keys):
    order = np.lexsort(keys[::-1])
    return np.array_equal(order, np.arange(order.size))


@settings(max_examples=40, deadline=None)
@given(data=st.data(), p=params)
def test_output_invariants(data, p):
    graph = data.draw(graphs())
    indptr, indices, _ = graph
    n = indptr.shape[0] - 1
    frontier = data.draw(frontiers(n))
    out = run(propagate_step_parallel, graph, frontier, p)
    viewer, hs, hg, hb, fh, fs, fsub, fbad, fw, fhops = out
    # canonical order, one row per (viewer, subject) / merged message
    assert _is_sorted_lex(viewer, hs)
    assert np.all((np.diff(viewer) > 0) | (np.diff(hs) > 0))
    assert _is_sorted_lex(fh, fsub, fbad, fs, fhops)
    assert np.all(hg >= 0) and np.all(hb >= 0) and np.all(fw >= 0)
    assert np.all(fhops < p["max_hops"]) and np.all(fhops >= 1)
    # every forwarded message travels along a tie and was heard by its new holder
    for h, s in zip(fh, fs, strict=True):
        assert s in indices[indptr[h] : indptr[h + 1]]
    heard = set(zip(viewer.tolist(), hs.tolist(), strict=True))
    assert set(zip(fh.tolist(), fsub.tolist(), strict=True)) <= heard
    if p["echo_rule"]:
        assert not np.any(viewer == hs)
        assert not np.any(fh == fsub)


@pytest.mark.parametrize("kernel", KERNELS)
def test_empty_inputs(kernel):
    e32 = np.empty(0, np.int32)
    frontier = (e32, e32, e32, np.empty(0, bool), np.empty(0), e32)
    dtypes = [np.int32, np.int32, np.float64, np.float64,
              np.int32, np.int32, np.int32, np.bool_, np.float64, np.int32]
    # empty graph, and a graph with no frontier
    for graph in (csr_from_edges(0, [], []), csr_from_edges(5, [0, 1], [1, 2])):
        out = kernel(*graph, *frontier, 0.5, 0.5, 3, 0.0, True)
        assert [a.dtype for a in out] == dtypes
        assert all(a.size == 0 for a in out)
    # messages on isolated nodes: nothing happens
    graph = csr_from_edges(4, [0], [1])
    out = kernel(
        *graph, np.array([2, 3], np.int32), np.array([-1, -1], np.int32),
        np.array([0, 1], np.int32), np.array([True, False]), np.array([1.0, 1.0]),
        np.zeros(2, np.int32), 0.5, 0.5, 3, 0.0, True,
    )
    assert all(a.size == 0 for a in out)


# --- hand-made cases on the path A - B - C - D --------------------------------------------
A, B, C, D = 0, 1, 2, 3
PATH = csr_from_edges(4, [A, B, C], [B, C, D], [0.5, 0.8, 0.25])  # A-B 0.5, B-C 0.8, C-D 0.25


def _msg(holder, sender, subject, bad, weight, hops):
    return (
        np.array([holder], np.int32), np.array([sender], np.int32),
        np.array([subject], np.int32), np.array([bad]), np.array([weight], np.float64),
        np.array([hops], np.int32),
    )


@pytest.mark.parametrize("kernel", [*KERNELS, ref.propagate_step])
def test_path_news_travels_one_hop_per_step(kernel):
    # B witnessed A behaving badly: fresh bad news held by B about A
    out = kernel(*PATH, *_msg(B, -1, A, True, 1.0, 0), 0.9, 0.6, 5, 0.0, True)
    viewer, hs, hg, hb, fh, fs, fsub, fbad, fw, fhops = out
    # C hears it (not A: the subject), with weight 1 * 0.8 (B-C) * 0.6 (bad decay)
    assert viewer.tolist() == [C] and hs.tolist() == [A]
    assert hg.tolist() == [0.0] and hb[0] == pytest.approx(0.8 * 0.6, rel=1e-15)
    assert (fh.tolist(), fs.tolist(), fsub.tolist(), fbad.tolist(), fhops.tolist()) == (
        [C], [B], [A], [True], [1])
    assert fw[0] == pytest.approx(0.48, rel=1e-15)
    # next step: D hears it (not B: the echo rule)
    out = kernel(*PATH, *out[4:], 0.9, 0.6, 5, 0.0, True)
    viewer, hs, hg, hb, fh, fs, fsub, fbad, fw, fhops = out
    assert viewer.tolist() == [D] and hs.tolist() == [A]
    assert hb[0] == pytest.approx(0.48 * 0.25 * 0.6, rel=1e-15) and hg[0] == 0.0
    assert (fh.tolist(), fs.tolist(), fhops.tolist()) == ([D], [C], [2])
    # and then it stops: D's only tie is back to its sender
    out = kernel(*PATH, *out[4:], 0.9, 0.6, 5, 0.0, True)
    assert all(a.size == 0 for a in out)


@pytest.mark.parametrize("kernel", [*KERNELS, ref.propagate_step])
def test_path_without_echo_rule_goes_back(kernel):
    out = kernel(*PATH, *_msg(B, -1, A, False, 2.0, 0), 0.9, 0.6, 5, 0.0, False)
    viewer, hs, hg, hb = out[:4]
    assert viewer.tolist() == [A, C] and hs.tolist() == [A, A]
    np.testing.assert_allclose(hg, [2.0 * 0.5 * 0.9, 2.0 * 0.8 * 0.9], rtol=1e-15)
    assert hb.tolist() == [0.0, 0.0]
    out2 = kernel(*PATH, *out[4:], 0.9, 0.6, 5, 0.0, False)
    # A passes back to B; C passes to B and D; B hears from both A and C (summed)
    viewer, hs, hg = out2[:3]
    assert viewer.tolist() == [B, D]
    np.testing.assert_allclose(
        hg, [0.9 * 0.5 * 0.9 + 1.44 * 0.8 * 0.9, 1.44 * 0.25 * 0.9], rtol=1e-14)
    # B holds two messages (from A and from C): different senders are not merged
    assert out2[4].tolist() == [B, B, D] and out2[5].tolist() == [A, C, C]


@pytest.mark.parametrize("kernel", [*KERNELS, ref.propagate_step])
def test_threshold_stops_news(kernel):
    # 1 * 0.8 * 0.6 = 0.48 reaches C; with min_weight 0.5 nobody hears
    out = kernel(*PATH, *_msg(B, -1, A, True, 1.0, 0), 0.9, 0.6, 5, 0.5, True)
    assert all(a.size == 0 for a in out)
    # a threshold exactly at the weight lets it through (skip only when new < min_weight)
    w = 1.0 * 0.8 * 0.6
    out = kernel(*PATH, *_msg(B, -1, A, True, 1.0, 0), 0.9, 0.6, 5, w, True)
    assert out[0].tolist() == [C]
    # good news decays less here, so it passes the same threshold
    out = kernel(*PATH, *_msg(B, -1, A, False, 1.0, 0), 0.9, 0.6, 5, 0.5, True)
    assert out[0].tolist() == [C] and out[2][0] == pytest.approx(0.72)


@pytest.mark.parametrize("kernel", [*KERNELS, ref.propagate_step])
def test_max_hops_stops_forwarding(kernel):
    # with max_hops 1, C hears the fresh news but does not hold it
    out = kernel(*PATH, *_msg(B, -1, A, True, 1.0, 0), 0.9, 0.6, 1, 0.0, True)
    assert out[0].tolist() == [C] and out[4].size == 0
    # news that has travelled 2 hops with max_hops 3 is heard by D and then stops
    out = kernel(*PATH, *_msg(C, B, A, True, 1.0, 2), 0.9, 0.6, 3, 0.0, True)
    assert out[0].tolist() == [D] and out[4].size == 0
    out = kernel(*PATH, *_msg(C, B, A, True, 1.0, 1), 0.9, 0.6, 3, 0.0, True)
    assert out[0].tolist() == [D] and out[4].tolist() == [D] and out[9].tolist() == [2]


@pytest.mark.parametrize("kernel", [*KERNELS, ref.propagate_step])
def test_merging(kernel):
    # star: hub 0 with leaves 1..3; two copies of the same message at leaf 1 from the
    # same sender merge at the hub; good and bad about the same subject share a heard row
    star = csr_from_edges(4, [0, 0, 0], [1, 2, 3])
    holder = np.array([1, 1, 1, 2], np.int32)
    sender = np.array([-1, -1, -1, -1], np.int32)
    subject = np.array([3, 3, 3, 3], np.int32)
    is_bad = np.array([False, False, True, True])
    weight = np.array([1.0, 2.0, 4.0, 8.0])
    hops = np.zeros(4, np.int32)
    out = kernel(*star, holder, sender, subject, is_bad, weight, hops, 1.0, 1.0, 3, 0.0, True)
    viewer, hs, hg, hb, fh, fs, fsub, fbad, fw, fhops = out
    assert viewer.tolist() == [0] and hs.tolist() == [3]
    assert hg.tolist() == [3.0] and hb.tolist() == [12.0]
    assert fh.tolist() == [0, 0, 0] and fs.tolist() == [1, 1, 2]
    assert fbad.tolist() == [False, True, True] and fw.tolist() == [3.0, 4.0, 8.0]
    assert fsub.tolist() == [3, 3, 3] and fhops.tolist() == [1, 1, 1]


def _random_case(n, deg, k, seed, hub=False):
    rng = np.random.default_rng(seed)
    m = n * deg // 2
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    if hub:  # a few hubs, as in a scale-free graph
        v[: m // 4] = rng.integers(0, 5, m // 4)
    graph = csr_from_edges(n, u, v, 1.0 - rng.random(m))
    frontier = (
        rng.integers(0, n, k).astype(np.int32), rng.integers(-1, n, k).astype(np.int32),
        rng.integers(0, n, k).astype(np.int32), rng.random(k) < 0.3,
        rng.uniform(0.5, 1.5, k), rng.integers(0, 3, k).astype(np.int32),
    )
    return graph, frontier


@pytest.mark.parametrize("hub", [False, True])
def test_bit_identical_across_thread_counts(hub):
    graph, frontier = _random_case(3000, 12, 6000, seed=7 + hub, hub=hub)
    args = (*graph, *frontier, 0.8, 0.9, 4, 1e-3, True)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = propagate_step_parallel(*args)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = propagate_step_parallel(*args)
    finally:
        numba.set_num_threads(old)
    assert one[0].size > 1000 and one[4].size > 1000
    assert_step_equal(many, one, exact=True)
    assert_step_equal(propagate_step(*args), one, exact=True)
    assert_step_equal(ref.propagate_step(*args), one)
    # second hop from the (larger, canonical) frontier
    args2 = (*graph, *one[4:], 0.8, 0.9, 4, 1e-3, True)
    numba.set_num_threads(1)
    try:
        two_1 = propagate_step_parallel(*args2)
    finally:
        numba.set_num_threads(old)
    assert_step_equal(propagate_step_parallel(*args2), two_1, exact=True)
    # the dispatcher takes the multi-threaded path here
    assert np.diff(graph[0])[one[4]].sum() >= 100_000
    assert_step_equal(propagate_step(*args2), two_1, exact=True)
    assert_step_equal(ref.propagate_step(*args2), two_1)


@pytest.mark.parametrize("n_subjects", [1, 7, 5000])
def test_long_segments_radix_path(n_subjects):
    """A hub hearing thousands of messages (the radix-sorted path) agrees with the twin."""
    rng = np.random.default_rng(n_subjects)
    n = 6000
    leaves = np.arange(1, n)
    graph = csr_from_edges(n, np.zeros(n - 1, np.int64), leaves, 1.0 - rng.random(n - 1))
    k = 9000
    frontier = (
        rng.integers(1, n, k).astype(np.int32), rng.integers(-1, n, k).astype(np.int32),
        rng.integers(0, n_subjects, k).astype(np.int32), rng.random(k) < 0.5,
        rng.choice([0.5, 1.0], k), rng.integers(0, 2, k).astype(np.int32),
    )
    args = (*graph, *frontier, 0.9, 0.8, 3, 0.0, True)
    got = propagate_step_one_thread(*args)
    assert_step_equal(got, ref.propagate_step(*args))
    assert_step_equal(propagate_step_parallel(*args), got, exact=True)
