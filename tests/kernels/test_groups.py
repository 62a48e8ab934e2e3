"""Per-group sums of per-agent columns: kernel vs NumPy twin (the same floats)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import group_sums
from simnet.kernels import reference as ref


@settings(max_examples=150, deadline=None)
@given(n=st.integers(0, 40), c=st.integers(1, 5), k=st.integers(1, 4),
       seed=st.integers(0, 2**32 - 1), unknown=st.sampled_from([0.0, 0.2, 1.0]))
def test_group_sums_match_twin(n, c, k, seed, unknown):
    rng = np.random.default_rng(seed)
    values = rng.choice([0.0, -0.0, 1.5, -2.25, 1e300, 1e-300], (c, n)) + rng.random((c, n))
    values[rng.random((c, n)) < unknown] = rng.choice([np.nan, np.inf, -np.inf])
    codes = rng.integers(0, k, n).astype(np.int64)
    got = group_sums(values, codes, k)
    want = ref.group_sums(values, codes, k)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)
        assert np.array_equal(np.signbit(g), np.signbit(w))
