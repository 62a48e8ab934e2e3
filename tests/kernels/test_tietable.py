"""The tie table's sorted insertion kernel vs its NumPy twin, and through TieTable.add."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import insert_ties
from simnet.kernels import reference as ref
from simnet.ties import TieTable


@settings(max_examples=100, deadline=None)
@given(n=st.integers(2, 30), seed=st.integers(0, 2**32 - 1), share=st.floats(0, 1),
       step=st.integers(0, 1000))
def test_insert_ties_matches_twin(n, seed, share, step):
    rng = np.random.default_rng(seed)
    u, v = np.triu_indices(n, 1)
    keys = (u * n + v).astype(np.int64)
    held = rng.random(keys.size) < share
    new = ~held & (rng.random(keys.size) < 0.5)
    table = (keys[held], u[held].astype(np.int32), v[held].astype(np.int32),
             rng.random(held.sum()), rng.integers(0, 50, held.sum()).astype(np.int32))
    args = (keys[new], rng.random(new.sum()), step, n)
    got = insert_ties(*table, *args)
    want = ref.insert_ties(*table, *args)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    assert np.all(np.diff(got[0]) > 0)


def test_tie_table_add_keeps_the_table_sorted_and_complete():
    table = TieTable(10, np.array([0, 2, 5]), np.array([1, 3, 9]), np.array([0.5, 0.6, 0.7]))
    made = table.add(np.array([3, 1, 0, 4, 4, 9]), np.array([2, 0, 9, 8, 8, 8]),
                     np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), step=7)
    # (3, 2) and (1, 0) are held; the second (4, 8) repeats the first
    np.testing.assert_array_equal(made, [False, False, True, True, False, True])
    np.testing.assert_array_equal(table.u, [0, 0, 2, 4, 5, 8])
    np.testing.assert_array_equal(table.v, [1, 9, 3, 8, 9, 9])
    np.testing.assert_array_equal(table.keys, table.u * 10 + table.v)
    np.testing.assert_array_equal(table.strength, [0.5, 0.3, 0.6, 0.4, 0.7, 0.6])
    np.testing.assert_array_equal(table.last_contact, [0, 7, 0, 7, 0, 7])
    assert table.u.dtype == table.v.dtype == table.last_contact.dtype == np.int32
