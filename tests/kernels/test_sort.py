"""The kernels' shared stable sort against its NumPy twin (``np.argsort(kind="stable")``):
ints and floats, many ties, any sub-range, runs longer than the insertion sort's."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import reference as ref
from simnet.kernels.sort import stable_order

DTYPES = {"int32": st.integers(-3, 3), "int64": st.integers(-(2**62), 2**62),
          "float64": st.one_of(st.sampled_from([0.0, -0.0, 0.5, 1.0, 1.5]),
                               st.floats(-1e6, 1e6, allow_nan=False))}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(sorted(DTYPES)))
def test_the_stable_order_is_numpys(data, dtype):
    values = data.draw(st.lists(DTYPES[dtype], max_size=120))
    a = np.array(values, dtype=dtype)
    lo = data.draw(st.integers(0, a.size))
    hi = data.draw(st.integers(lo, a.size))
    got = stable_order(a, lo, hi)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, ref.stable_order(a, lo, hi))


def test_long_runs_with_ties():
    rng = np.random.default_rng(5)
    for n in (16, 17, 33, 1000, 4097):
        a = rng.integers(0, 7, n).astype(np.int32)
        np.testing.assert_array_equal(stable_order(a, 0, n), ref.stable_order(a, 0, n))
        b = rng.random(n)
        np.testing.assert_array_equal(stable_order(b, 3, n), ref.stable_order(b, 3, n))
