"""The kernels' shared stable sort and float keys against their NumPy twins: many ties,
runs longer than the insertion sort's; float keys order like the floats (ties, -0.0 and
0.0 alike, infinities)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import reference as ref
from simnet.kernels.sort import float_keys, stable_order

ints = st.one_of(st.integers(-3, 3), st.integers(-(2**63), 2**63 - 1))
floats = st.one_of(st.sampled_from([0.0, -0.0, 0.5, -0.5, 1.0, np.inf, -np.inf]),
                   st.floats(allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(ints, max_size=120))
def test_the_stable_order_is_numpys(values):
    key = np.array(values, dtype=np.int64)
    got = stable_order(key)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, ref.stable_order(key))
    np.testing.assert_array_equal(got, np.argsort(key, kind="stable"))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(floats, max_size=80))
def test_float_keys_sort_like_the_floats(values):
    x = np.array(values, dtype=np.float64)
    keys = float_keys(x)
    np.testing.assert_array_equal(keys, ref.float_keys(x))
    np.testing.assert_array_equal(stable_order(keys), np.argsort(x, kind="stable"))
    for i in range(len(values)):  # every pair: the same comparison
        np.testing.assert_array_equal(keys[i] < keys, x[i] < x)
        np.testing.assert_array_equal(keys[i] == keys, x[i] == x)


def test_long_runs_with_ties():
    rng = np.random.default_rng(5)
    for n in (16, 17, 33, 1000, 4097):
        a = rng.integers(0, 7, n).astype(np.int64)
        np.testing.assert_array_equal(stable_order(a), np.argsort(a, kind="stable"))
        b = np.round(rng.normal(size=n), 1)
        np.testing.assert_array_equal(stable_order(float_keys(b)),
                                      np.argsort(b, kind="stable"))
