"""The breadth-first kernels (hop distances, connected components) vs their NumPy twins
and scipy."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components, shortest_path

from simnet.kernels import component_summary, hop_distance_totals
from simnet.kernels import reference as ref

from .strategies import graphs


def _scipy_totals(indptr, indices, sources):
    n = indptr.shape[0] - 1
    graph = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))
    dist = shortest_path(graph, directed=False, unweighted=True, indices=sources)
    finite = np.isfinite(dist) & (dist > 0)
    return (np.where(finite, dist, 0).sum(axis=1).astype(np.int64),
            finite.sum(axis=1).astype(np.int64))


@settings(max_examples=80, deadline=None)
@given(graph=graphs(max_n=30), seed=st.integers(0, 2**32 - 1))
def test_hop_distance_totals_match_twin_and_scipy(graph, seed):
    indptr, indices, _ = graph
    n = indptr.shape[0] - 1
    if n == 0:
        return
    rng = np.random.default_rng(seed)
    sources = rng.choice(n, size=int(rng.integers(1, min(n, 8) + 1)), replace=False)
    sources = sources.astype(np.int64)
    total, reached = hop_distance_totals(indptr, indices, sources)
    assert total.dtype == np.int64 and reached.dtype == np.int64
    assert total.shape == reached.shape == sources.shape
    twin = ref.hop_distance_totals(indptr, indices, sources)
    np.testing.assert_array_equal(total, twin[0])
    np.testing.assert_array_equal(reached, twin[1])
    for build in (False, True):  # small graphs run serial unless told: both builds agree
        forced = hop_distance_totals(indptr, indices, sources, parallel=build)
        np.testing.assert_array_equal(forced[0], twin[0])
        np.testing.assert_array_equal(forced[1], twin[1])
    expected = _scipy_totals(indptr, indices, sources)
    np.testing.assert_array_equal(total, expected[0])
    np.testing.assert_array_equal(reached, expected[1])


@settings(max_examples=80, deadline=None)
@given(graph=graphs(max_n=30))
def test_component_summary_matches_twin_and_scipy(graph):
    indptr, indices, _ = graph
    n = indptr.shape[0] - 1
    got = component_summary(indptr, indices)
    assert got == ref.component_summary(indptr, indices)
    if n:
        graph = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))
        count, labels = connected_components(graph, directed=False)
        assert got == (count, np.bincount(labels).max())
    else:
        assert got == (0, 0)


def test_mean_path_length_equals_scipy_on_a_model():
    from simnet import ReputationModel
    from simnet.metrics import mean_path_length

    model = ReputationModel(n_agents=400, mean_degree=6, rng=4, create_agents=False)
    for _ in range(3):
        model.step()
    world = model.world
    csr = world.ties.csr()
    sources = np.unique(np.linspace(0, world.n - 1, 16).astype(np.int64))
    graph = sp.csr_matrix((np.ones(csr.indices.size), csr.indices, csr.indptr),
                          shape=(world.n, world.n))
    dist = shortest_path(graph, directed=False, unweighted=True, indices=sources)
    finite = np.isfinite(dist) & (dist > 0)
    assert mean_path_length(world) == float(dist[finite].mean())
