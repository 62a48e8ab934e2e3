"""propagate_linear and cascade vs their twins; linear mode vs propagate_step."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import cascade, csr_from_edges, propagate_linear, propagate_step
from simnet.kernels import reference as ref

from .strategies import graphs


@settings(max_examples=60, deadline=None)
@given(
    graph=graphs(),
    c=st.integers(1, 9),
    decay=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    hops=st.integers(0, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_linear_matches_twin(graph, c, decay, hops, seed):
    n = graph[0].shape[0] - 1
    evidence = np.random.default_rng(seed).random((n, c))
    got = propagate_linear(*graph, evidence, decay, hops)
    assert got.shape == (n, c) and got.dtype == np.float64
    np.testing.assert_allclose(got, ref.propagate_linear(*graph, evidence, decay, hops),
                               rtol=1e-12, atol=1e-300)


def test_linear_non_contiguous_evidence():
    graph = csr_from_edges(5, [0, 1, 2, 3], [1, 2, 3, 4])
    ev = np.arange(20.0).reshape(5, 4)[:, ::2]
    np.testing.assert_allclose(propagate_linear(*graph, ev, 0.5, 3),
                               ref.propagate_linear(*graph, ev, 0.5, 3), rtol=1e-14)


@settings(max_examples=60, deadline=None)
@given(graph=graphs(), seed=st.integers(0, 2**32 - 1),
       pass_on=st.sampled_from([0.0, 0.3, 0.7, 1.0]))
def test_cascade_matches_twin(graph, seed, pass_on):
    indptr, indices, _ = graph
    n = indptr.shape[0] - 1
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, max(n, 1), int(rng.integers(0, 3)) if n else 0).astype(np.int32)
    uniforms = rng.random(indices.shape[0])
    hop = cascade(indptr, indices, seeds, uniforms, pass_on)
    assert hop.dtype == np.int32 and hop.shape == (n,)
    np.testing.assert_array_equal(hop, ref.cascade(indptr, indices, seeds, uniforms, pass_on))


def _random_graph(n, deg, seed):
    rng = np.random.default_rng(seed)
    m = n * deg // 2
    return csr_from_edges(n, rng.integers(0, n, m), rng.integers(0, n, m), 1.0 - rng.random(m))


def test_linear_thread_invariance():
    graph = _random_graph(4000, 10, 3)
    ev = np.random.default_rng(4).random((4000, 3))
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = propagate_linear(*graph, ev, 0.05, 4)
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(propagate_linear(*graph, ev, 0.05, 4), one)


@pytest.mark.parametrize("hops", [1, 2, 4])
@pytest.mark.parametrize("kind", ["good", "bad", "mixed"])
def test_gossip_without_pruning_or_echo_is_the_linear_series(hops, kind):
    """H calls of propagate_step (echo_rule off, min_weight 0, one decay) heard in total
    exactly what the linear mode computes: sum_{h=1..H} (decay W)^h E, where column s of E
    holds the fresh news about subject s."""
    n = 300
    indptr, indices, strength = _random_graph(n, 6, 11)
    rng = np.random.default_rng(12)
    subjects = np.array([0, 5, 17, 299])
    evidence = np.zeros((n, subjects.size))
    mask = rng.random(evidence.shape) < 0.2
    evidence[mask] = rng.uniform(0.5, 2.0, mask.sum())
    holder, col = np.nonzero(evidence)
    k = holder.size
    if kind == "good":
        is_bad = np.zeros(k, bool)
    elif kind == "bad":
        is_bad = np.ones(k, bool)
    else:
        is_bad = rng.random(k) < 0.5
    frontier = (holder.astype(np.int32), np.full(k, -1, np.int32),
                subjects[col].astype(np.int32), is_bad, evidence[holder, col],
                np.zeros(k, np.int32))
    decay = 0.3
    heard = np.zeros((n, n))
    for _ in range(hops):
        out = propagate_step(indptr, indices, strength, *frontier, decay, decay, hops, 0.0, False)
        viewer, subj, good, bad = out[:4]
        np.add.at(heard, (viewer, subj), good + bad)
        frontier = out[4:]
    assert frontier[0].size == 0  # max_hops reached
    want = propagate_linear(indptr, indices, strength, evidence, decay, hops)
    np.testing.assert_allclose(heard[:, subjects], want, rtol=1e-12, atol=1e-300)
    others = np.setdiff1d(np.arange(n), subjects)
    assert not heard[:, others].any()
