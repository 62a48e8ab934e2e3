"""The hop's per-row kernels (simnet.kernels.hop) against their NumPy twins."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import hop
from simnet.kernels import reference as ref


def segments(rng, n_events, max_len):
    ptr = np.zeros(n_events + 1, dtype=np.int64)
    np.cumsum(rng.integers(0, max_len + 1, n_events), out=ptr[1:])
    return ptr


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_events=st.integers(0, 30), max_len=st.integers(0, 9),
       min_weight=st.sampled_from([0.0, 0.01, 0.3, 2.0]))
def test_kernels_match_twins(seed, n_events, max_len, min_weight):
    rng = np.random.default_rng(seed)
    ptr = segments(rng, n_events, max_len)
    h = int(ptr[-1])
    weight = rng.random(h)
    weight[rng.random(h) < 0.2] = min_weight  # on the boundary
    hops_left = rng.random(n_events) < 0.7
    decay = rng.choice([1.0, 0.5, 0.9], n_events)
    got = hop.go_on_rows(ptr, weight, hops_left, decay, min_weight)
    np.testing.assert_array_equal(got, ref.go_on_rows(ptr, weight, hops_left, decay,
                                                      min_weight))
    mask = rng.random(h) < 0.5
    np.testing.assert_array_equal(hop.true_per_segment(ptr, mask),
                                  ref.true_per_segment(ptr, mask))
    keep = rng.random(n_events) < 0.6
    for dtype in (np.int32, np.float64):
        data = rng.integers(0, 100, h).astype(dtype)
        a, b = data.copy(), data.copy()
        m = hop.compact_segments(ptr, a, keep)
        assert m == ref.compact_segments(ptr, b, keep)
        np.testing.assert_array_equal(a[:m], b[:m])
        np.testing.assert_array_equal(a[:m], data[np.repeat(keep, np.diff(ptr))])


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_events=st.integers(1, 30), max_len=st.integers(0, 6))
def test_rows_of_is_a_slice_of_the_whole_repeat(seed, n_events, max_len):
    from simnet.news import rows_of

    rng = np.random.default_rng(seed)
    ptr = segments(rng, n_events, max_len)
    values = rng.integers(0, 1000, n_events).astype(np.int32)
    whole = np.repeat(values, np.diff(ptr))
    for _ in range(5):
        lo, hi = sorted(rng.integers(0, ptr[-1] + 1, 2))
        np.testing.assert_array_equal(rows_of(ptr, values, lo, hi), whole[lo:hi])
