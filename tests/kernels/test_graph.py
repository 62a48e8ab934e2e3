"""Graph kernels vs their NumPy twins and networkx."""

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import (
    count_common_neighbors,
    csr_from_edges,
    local_clustering,
    reach_and_clustering,
    second_degree_reach,
)
from simnet.kernels import reference as ref

from .strategies import graphs


def _nx(indptr, indices):
    n = indptr.shape[0] - 1
    g = nx.Graph()
    g.add_nodes_from(range(n))
    rows = np.repeat(np.arange(n), np.diff(indptr))
    g.add_edges_from(zip(rows.tolist(), indices.tolist(), strict=True))
    return g


@settings(max_examples=80, deadline=None)
@given(graph=graphs(max_n=30), seed=st.integers(0, 2**32 - 1))
def test_graph_kernels_match_twin_and_networkx(graph, seed):
    indptr, indices, _ = graph
    n = indptr.shape[0] - 1
    rng = np.random.default_rng(seed)
    k = int(rng.integers(0, 40)) if n else 0
    u = rng.integers(0, max(n, 1), k).astype(np.int32)
    v = rng.integers(0, max(n, 1), k).astype(np.int32)

    cn = count_common_neighbors(indptr, indices, u, v)
    assert cn.dtype == np.int32
    np.testing.assert_array_equal(cn, ref.count_common_neighbors(indptr, indices, u, v))
    reach = second_degree_reach(indptr, indices)
    assert reach.dtype == np.int64 and reach.shape == (n,)
    np.testing.assert_array_equal(reach, ref.second_degree_reach(indptr, indices))
    clus = local_clustering(indptr, indices)
    assert clus.dtype == np.float64 and clus.shape == (n,)
    np.testing.assert_allclose(clus, ref.local_clustering(indptr, indices), rtol=1e-14)
    both = reach_and_clustering(indptr, indices)
    np.testing.assert_array_equal(both[0], reach)
    np.testing.assert_array_equal(both[1], clus)
    twin = ref.reach_and_clustering(indptr, indices)
    np.testing.assert_array_equal(both[0], twin[0])
    np.testing.assert_allclose(both[1], twin[1], rtol=1e-14)
    for build in (False, True):  # small graphs run serial unless told: both builds agree
        np.testing.assert_array_equal(second_degree_reach(indptr, indices, build), reach)
        np.testing.assert_array_equal(local_clustering(indptr, indices, build), clus)
        forced = reach_and_clustering(indptr, indices, parallel=build)
        np.testing.assert_array_equal(forced[0], reach)
        np.testing.assert_array_equal(forced[1], clus)

    g = _nx(indptr, indices)
    for a, b, c in zip(u.tolist(), v.tolist(), cn.tolist(), strict=True):
        assert c == len(set(g[a]) & set(g[b]))
    for i in range(n):
        ball = nx.single_source_shortest_path_length(g, i, cutoff=2)
        assert reach[i] == len(ball) - 1
    want = nx.clustering(g)
    np.testing.assert_allclose(clus, [want[i] for i in range(n)], rtol=1e-12)


def test_hand_made():
    # triangle 0-1-2 with a tail 2-3-4
    indptr, indices, _ = csr_from_edges(5, [0, 1, 2, 2, 3], [1, 2, 0, 3, 4])
    np.testing.assert_array_equal(second_degree_reach(indptr, indices), [3, 3, 4, 4, 2])
    np.testing.assert_allclose(local_clustering(indptr, indices), [1, 1, 1 / 3, 0, 0])
    u = np.array([0, 0, 3, 4], np.int32)
    v = np.array([1, 3, 1, 4], np.int32)
    np.testing.assert_array_equal(count_common_neighbors(indptr, indices, u, v), [1, 1, 1, 1])


def test_csr_from_edges_canonical():
    indptr, indices, s = csr_from_edges(4, [2, 0, 1, 0, 3, 2], [0, 2, 2, 1, 3, 1],
                                        [0.5, 0.9, 0.25, 1.0, 0.7, 0.3])
    assert indptr.dtype == np.int64 and indices.dtype == np.int32 and s.dtype == np.float64
    np.testing.assert_array_equal(indptr, [0, 2, 4, 6, 6])
    np.testing.assert_array_equal(indices, [1, 2, 0, 2, 0, 1])
    # duplicates keep their first listing; self-loops dropped; symmetric
    np.testing.assert_array_equal(s, [1.0, 0.5, 1.0, 0.25, 0.5, 0.25])
