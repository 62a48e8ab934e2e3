"""Kendall's tau: the inversion count (kernel vs twin), the statistic (vs scipy) and the
whole statistic in one kernel (vs its twin, the NumPy statistic)."""

import numpy as np
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import count_inversions
from simnet.kernels import kendall_tau_b as tau_kernel
from simnet.kernels import reference as ref
from simnet.stats import kendall_tau_b


@settings(max_examples=150, deadline=None)
@given(ranks=st.lists(st.integers(1, 8), max_size=40))
def test_inversions_match_the_pairwise_twin(ranks):
    ranks = np.array(ranks, dtype=np.int64)
    assert count_inversions(ranks) == ref.count_inversions(ranks)


def test_inversions_by_hand():
    assert count_inversions(np.array([3, 2, 1], dtype=np.int64)) == 3
    assert count_inversions(np.array([1, 1, 2, 2], dtype=np.int64)) == 0
    assert count_inversions(np.array([2, 1, 2, 1], dtype=np.int64)) == 3


values = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),  # many ties
                   st.floats(0, 1, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(values, values), max_size=60))
def test_tau_b_is_scipys_statistic(pairs):
    """The same float as scipy.stats.kendalltau (ties in x, in y and in both), NaN where
    it is NaN (a constant side, fewer than two pairs)."""
    x = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs], dtype=float)
    got = kendall_tau_b(x, y)
    want = scipy.stats.kendalltau(x, y).statistic if len(pairs) >= 2 else float("nan")
    if np.isnan(want):
        assert np.isnan(got)
    else:
        assert got == want


def test_tau_b_at_the_model_size():
    rng = np.random.default_rng(1)
    x = np.round(rng.random(5000), 2)
    y = x + rng.normal(0, 0.2, 5000)
    assert kendall_tau_b(x, y) == scipy.stats.kendalltau(x, y).statistic


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(values, values), max_size=60))
def test_tau_b_kernel_is_the_numpy_statistic_bit_for_bit(pairs):
    """The kernel and its twin: the same float (or both NaN), ties and all."""
    x = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs], dtype=float)
    got, want = tau_kernel(x, y), ref.kendall_tau_b(x, y)
    assert (np.isnan(got) and np.isnan(want)) or got == want
