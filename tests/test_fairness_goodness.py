"""Fairness and Goodness (Kumar, Spezzano, Subrahmanian and Faloutsos, ICDM 2016) against a
small example computed by hand, and EigenTrust against PageRank."""

import numpy as np
import pytest

from simnet.validation.baselines import eigentrust_scores, fairness_goodness_scores
from simnet.validation.otc import Ratings

# Three traders: 0 rates 1 at +0.5 and 2 at +1.0; 1 rates 2 at -0.5.
RATER = np.array([0, 0, 1])
RATEE = np.array([1, 2, 2])
W = np.array([0.5, 1.0, -0.5])


def test_first_iteration_by_hand():
    # from f = g = 1: g(1) = 1 * 0.5 = 0.5; g(2) = (1 * 1.0 + 1 * -0.5) / 2 = 0.25;
    # f(0) = 1 - (|0.5 - 0.5| + |1.0 - 0.25|) / 4 = 0.8125; f(1) = 1 - |-0.5 - 0.25| / 2
    f, g, it = fairness_goodness_scores(3, RATER, RATEE, W, max_iter=1)
    assert it == 1
    assert f == pytest.approx([0.8125, 0.625, 1.0])
    assert g == pytest.approx([0.0, 0.5, 0.25])  # node 0 is rated by nobody: g = 0


def test_second_iteration_by_hand():
    # g(1) = 0.8125 * 0.5; g(2) = (0.8125 - 0.625 * 0.5) / 2 = 0.25;
    # f(0) = 1 - (|0.5 - 0.40625| + 0.75) / 4 = 0.7890625; f(1) unchanged
    f, g, _ = fairness_goodness_scores(3, RATER, RATEE, W, max_iter=2)
    assert f == pytest.approx([0.7890625, 0.625, 1.0])
    assert g == pytest.approx([0.0, 0.40625, 0.25])


def test_fixed_point_by_hand():
    # At convergence g1 = f0 / 2, g2 = (f0 - f1 / 2) / 2, f1 = 1 - (0.5 + g2) / 2 and
    # f0 = 1 - ((0.5 - g1) + (1 - g2)) / 4: solved, f0 = 32/41, f1 = 26/41, g1 = 16/41,
    # g2 = 19/82.
    f, g, it = fairness_goodness_scores(3, RATER, RATEE, W, tol=1e-14)
    assert it < 1000
    assert f == pytest.approx([32 / 41, 26 / 41, 1.0], abs=1e-12)
    assert g == pytest.approx([0.0, 16 / 41, 19 / 82], abs=1e-12)


def test_ranges_on_random_graphs():
    rng = np.random.default_rng(3)
    n, m = 50, 400
    f, g, _ = fairness_goodness_scores(n, rng.integers(0, n, m), rng.integers(0, n, m),
                                       rng.uniform(-1, 1, m))
    assert (f >= 0).all() and (f <= 1).all()
    assert (g >= -1).all() and (g <= 1).all()


def test_eigentrust_is_pagerank_of_positive_ratings():
    nx = pytest.importorskip("networkx")
    rng = np.random.default_rng(5)
    n, m = 30, 120
    rater = rng.integers(0, n, m)
    ratee = (rater + rng.integers(1, n, m)) % n
    code = np.unique(rater * n + ratee)
    rater, ratee = code // n, code % n
    rating = rng.choice([-3, -1, 1, 2, 5, 10], size=rater.size)
    ratings = Ratings(n, rater.astype(np.int32), ratee.astype(np.int32),
                      rating.astype(np.int8), np.arange(rater.size, dtype=float),
                      np.arange(n))
    t = eigentrust_scores(ratings, alpha=0.15)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    for a, b, r in zip(rater, ratee, rating, strict=True):
        if r > 0:
            graph.add_edge(int(a), int(b), weight=float(r))
    pr = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-14, max_iter=10_000)
    assert t / n == pytest.approx([pr[i] for i in range(n)], abs=1e-9)
