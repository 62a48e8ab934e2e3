"""The kernels against known mathematics (design brief section 8).

- Linear mode = the truncated power series sum_{h=1..H} (decay W)^h E (scipy.sparse).
- Many hops with decay * lambda_max(W) < 1 -> Katz centrality: networkx's Katz solves
  x = alpha W x + beta 1, so x = beta sum_{h>=0} (alpha W)^h 1
  = beta (1 + propagate_linear(W, 1, decay=alpha, H)) as H -> infinity.
- Personalised PageRank with damping alpha and personalisation p (a distribution) is
  pi = (1 - alpha) sum_{h>=0} (alpha W D^-1)^h p, D = diag(weighted degrees). With the
  symmetrically normalised strengths A = D^-1/2 W D^-1/2 (largest eigenvalue 1, so any
  alpha < 1 is below 1 / lambda_max) and (W D^-1)^h = D^1/2 A^h D^-1/2:
  pi = (1 - alpha) D^1/2 (q + propagate_linear(A, q, decay=alpha, H)), q = D^-1/2 p.
  In words: PageRank is word of mouth in which every agent splits what it passes on among
  its ties in proportion to their strength.
- A one-shot cascade with pass-on probability T on an Erdős–Rényi graph of mean degree c:
  the share reached by a major outbreak tends to S = 1 - exp(-c T S) (0.797 at c=4, T=0.5).
"""

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.optimize import brentq

from simnet.kernels import cascade, csr_from_edges, propagate_linear


def _random_graph(n, deg, seed, connected=False):
    rng = np.random.default_rng(seed)
    m = n * deg // 2
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    if connected:  # add a ring so that no node is isolated (no dangling nodes in PageRank)
        u = np.concatenate([u, np.arange(n)])
        v = np.concatenate([v, (np.arange(n) + 1) % n])
    return csr_from_edges(n, u, v, 1.0 - rng.random(u.size))


def _scipy(indptr, indices, strength):
    n = indptr.shape[0] - 1
    return sp.csr_matrix((strength, indices, indptr), shape=(n, n))


def _nx(indptr, indices, strength):
    n = indptr.shape[0] - 1
    rows = np.repeat(np.arange(n), np.diff(indptr))
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(zip(rows.tolist(), indices.tolist(), strength.tolist(),
                                  strict=True))
    return g


def test_linear_mode_is_the_scipy_power_series():
    graph = _random_graph(3000, 12, 1)
    w = _scipy(*graph)
    evidence = np.random.default_rng(2).random((3000, 5))
    decay, hops = 0.08, 7
    x = evidence
    want = np.zeros_like(evidence)
    for _ in range(hops):
        x = decay * (w @ x)
        want += x
    got = propagate_linear(*graph, evidence, decay, hops)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=0)


def test_many_hops_give_katz_centrality():
    graph = _random_graph(400, 8, 3)
    lam = spla.eigsh(_scipy(*graph), k=1, which="LA")[0][0]
    alpha = 0.6 / lam  # decay * lambda_max = 0.6: the series converges
    hops = 80  # 0.6 ** 80 ~ 1e-18
    got = 1.0 + propagate_linear(*graph, np.ones((400, 1)), alpha, hops)[:, 0]
    katz = nx.katz_centrality_numpy(_nx(*graph), alpha=alpha, beta=1.0, normalized=False,
                                    weight="weight")
    np.testing.assert_allclose(got, [katz[i] for i in range(400)], rtol=1e-10)


def test_many_hops_give_personalized_pagerank():
    n = 400
    indptr, indices, strength = _random_graph(n, 6, 5, connected=True)
    d = np.bincount(np.repeat(np.arange(n), np.diff(indptr)), weights=strength, minlength=n)
    rows = np.repeat(np.arange(n), np.diff(indptr))
    a_strength = strength / np.sqrt(d[rows] * d[indices])  # D^-1/2 W D^-1/2
    rng = np.random.default_rng(6)
    p = np.zeros(n)
    p[rng.choice(n, 5, replace=False)] = rng.random(5)
    p /= p.sum()
    alpha = 0.85
    hops = 250  # 0.85 ** 250 ~ 2e-18
    q = p / np.sqrt(d)
    series = q + propagate_linear(indptr, indices, a_strength, q[:, None], alpha, hops)[:, 0]
    got = (1 - alpha) * np.sqrt(d) * series
    assert abs(got.sum() - 1.0) < 1e-12
    ppr = nx.pagerank(_nx(indptr, indices, strength), alpha=alpha,
                      personalization=dict(enumerate(p)), weight="weight",
                      tol=1e-15, max_iter=5000)
    np.testing.assert_allclose(got, [ppr[i] for i in range(n)], rtol=1e-8, atol=1e-14)


def _erdos_renyi(n, c, rng):
    m = rng.binomial(n * (n - 1) // 2, c / (n - 1))
    u = rng.integers(0, n, 2 * m)
    v = rng.integers(0, n, 2 * m)
    keep = u != v
    lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
    _, first = np.unique(lo * n + hi, return_index=True)
    first = np.sort(first)[:m]  # the first m distinct pairs: uniform without replacement
    return csr_from_edges(n, lo[first], hi[first])


def test_cascade_final_share_matches_closed_form():
    n, c, pass_on = 20_000, 4.0, 0.5
    share = brentq(lambda s: s - 1 + np.exp(-c * pass_on * s), 1e-6, 1.0)
    assert abs(share - 0.797) < 1e-3
    rng = np.random.default_rng(20240601)
    sizes = []
    for _ in range(6):  # graphs
        indptr, indices, _ = _erdos_renyi(n, c, rng)
        assert abs(indices.size / n - c) < 0.1
        for _ in range(10):  # outbreaks per graph
            seeds = rng.integers(0, n, 1).astype(np.int32)
            uniforms = rng.random(indices.size)
            sizes.append((cascade(indptr, indices, seeds, uniforms, pass_on) >= 0).sum() / n)
    sizes = np.array(sizes)
    major = sizes[sizes > 0.1]  # minor outbreaks stay tiny (O(log n) agents)
    assert major.size >= 20
    assert np.all(sizes[sizes <= 0.1] < 0.01)
    print(f"major outbreaks {major.size}/{sizes.size}: mean share {major.mean():.4f}, "
          f"closed form {share:.4f}")
    assert abs(major.mean() - share) < 0.02, (major.mean(), share)
