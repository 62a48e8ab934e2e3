import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.ties import TieTable, expand_neighbors, random_neighbor


def test_table_normalises_dedupes_and_finds():
    t = TieTable(5, np.array([1, 0, 2, 1, 3]), np.array([0, 1, 2, 4, 4]),
                 np.array([0.5, 0.9, 0.3, 0.2, 0.1]))
    assert len(t) == 3  # (0,1) once, self-loop (2,2) dropped
    assert t.find(np.array([1, 4, 0]), np.array([0, 1, 4])).tolist()[2] == -1
    assert t.strength[t.find(np.array([0]), np.array([1]))[0]] == 0.5


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=40),
       st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=20))
def test_csr_matches_dense_after_adds_and_removes(start, added):
    n = 10
    u = np.array([a for a, _ in start], dtype=np.int64)
    v = np.array([b for _, b in start], dtype=np.int64)
    t = TieTable(n, u, v, np.full(u.size, 0.5))
    a = np.array([x for x, _ in added], dtype=np.int64)
    b = np.array([y for _, y in added], dtype=np.int64)
    t.add(a, b, np.full(a.size, 0.25), step=1)
    t.remove(np.arange(len(t)) % 3 == 0)
    dense = np.zeros((n, n))
    dense[t.u, t.v] = t.strength
    dense[t.v, t.u] = t.strength
    csr = t.csr()
    rebuilt = np.zeros((n, n))
    for i in range(n):
        row = slice(csr.indptr[i], csr.indptr[i + 1])
        assert np.all(np.diff(csr.indices[row]) > 0)
        rebuilt[i, csr.indices[row]] = csr.strength[row]
    np.testing.assert_array_equal(rebuilt, dense)
    assert np.all(np.diff(t.keys) > 0)
    assert csr.degree.sum() == 2 * len(t)


def test_expand_and_random_neighbor():
    t = TieTable(4, np.array([0, 0, 1]), np.array([1, 2, 2]), np.ones(3))
    csr = t.csr()
    owner, entry = expand_neighbors(csr, np.array([2, 3, 0]))
    assert owner.tolist() == [0, 0, 2, 2]
    assert csr.indices[entry].tolist() == [0, 1, 1, 2]
    rng = np.random.default_rng(0)
    picks = random_neighbor(csr, np.array([0] * 50 + [3]), rng)
    assert set(picks[:50].tolist()) == {1, 2}
    assert picks[50] == -1


@settings(max_examples=50, deadline=None)
@given(st.sets(st.integers(0, 10_000), max_size=300),
       st.lists(st.integers(-5, 10_005), max_size=5000))
def test_lookup_finds_exactly_the_present_keys(keys, queries):
    from simnet.arrays import lookup

    sorted_keys = np.array(sorted(keys), dtype=np.int64)
    where = {k: i for i, k in enumerate(sorted(keys))}
    expected = [where.get(q, -1) for q in queries]
    assert lookup(sorted_keys, np.array(queries, dtype=np.int64)).tolist() == expected


def test_world_caches_do_not_keep_an_old_csr_alive():
    import gc
    import weakref

    from simnet import ReputationModel

    world = ReputationModel(n_agents=200, mean_degree=6, rng=1, create_agents=False).world
    world.reach_and_clustering()
    world.contacts_think_badly()
    old = weakref.ref(world.ties.csr().indices)
    assert world.ties.csr().tie.dtype == np.int32
    assert world.ties.last_contact.dtype == np.int32
    drop = np.zeros(len(world.ties), dtype=bool)
    drop[0] = True
    world.ties.remove(drop)
    reach, _ = world.reach_and_clustering()  # the new tie set: recomputed
    world.contacts_think_badly()
    gc.collect()
    assert old() is None
    assert reach is world.reach_and_clustering()[0]  # and cached again
