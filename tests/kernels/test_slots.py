"""Bounded per-agent memory (slots_add, slots_find, slots_forget): kernels vs NumPy twins,
on any thread count and in their serial and parallel builds, and the memory bound
itself."""

from functools import partial

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from simnet.evidence import EvidenceStore
from simnet.kernels import reference as ref
from simnet.kernels import (
    slots_add,
    slots_counts,
    slots_find,
    slots_forget,
    slots_subject_totals,
    views_along_ties,
)

from .strategies import graphs, on_one_thread


def empty(n, capacity):
    return (np.full((n, capacity), -1, np.int32), np.zeros((n, capacity, 4), np.float32),
            np.zeros(n, np.int32))


@st.composite
def additions(draw, n, max_m=80):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    m = draw(st.integers(0, max_m))
    subjects = draw(st.integers(1, max(n, 1) + 3))  # few subjects: many repeats
    viewer = rng.integers(0, n, m).astype(np.int64)
    about = rng.integers(0, subjects, m).astype(np.int64)
    delta = np.zeros((m, 4))
    col = rng.integers(0, 4, m)
    delta[np.arange(m), col] = rng.choice([0.0, 0.05, 0.5, 1.0, 2.5], m) if draw(
        st.booleans()) else rng.uniform(0, 3, m)
    return viewer, about, delta


@settings(max_examples=120, deadline=None)
@given(data=st.data(), n=st.integers(1, 8), capacity=st.integers(1, 5),
       keep=st.sampled_from([1.0, 0.9, 0.5]), min_total=st.sampled_from([0.0, 0.1, 0.6]))
def test_kernels_match_twins_on_any_thread_count(data, n, capacity, keep, min_total):
    """The kernels on one thread and on all, and their serial and parallel builds (small
    inputs run serial unless told), against the twins."""
    batches = [data.draw(additions(n)) for _ in range(3)]
    want, one, many = empty(n, capacity), empty(n, capacity), empty(n, capacity)
    serial, parallel = empty(n, capacity), empty(n, capacity)
    for batch in batches:
        ref.slots_add(*want, *batch)
        on_one_thread(partial(slots_add, parallel=True), *one, *batch)
        slots_add(*many, *batch)
        slots_add(*serial, *batch, parallel=False)
        slots_add(*parallel, *batch, parallel=True)
        ref.slots_forget(*want, keep, min_total)
        on_one_thread(partial(slots_forget, parallel=True), *one, keep, min_total)
        slots_forget(*many, keep, min_total)
        slots_forget(*serial, keep, min_total, parallel=False)
        slots_forget(*parallel, keep, min_total, parallel=True)
        for store in (one, many, serial, parallel):
            for got, expected in zip(store, want, strict=True):
                np.testing.assert_array_equal(got, expected)
        viewer, about, _ = batch
        found = ref.slots_find(want[0], want[2], viewer, about)
        weights = ref.slots_counts(*want, viewer, about, 1.0, 0.3)
        for build in (None, False, True):
            np.testing.assert_array_equal(
                slots_find(want[0], want[2], viewer, about, parallel=build), found)
            got = slots_counts(*want, viewer, about, 1.0, 0.3, parallel=build)
            for g, w in zip(got, weights, strict=True):
                assert g.dtype == np.float64
                np.testing.assert_array_equal(g, w)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(1, 8), capacity=st.integers(1, 5),
       first=st.sampled_from([0, 1, 2]))
def test_a_few_columns_add_as_the_whole_row_would(data, n, capacity, first):
    """Adding a (m, 2) delta to columns first and first + 1 is adding the (m, 4) delta that
    holds it there and zeros elsewhere, in the kernel and in its twin."""
    batches = [data.draw(additions(n)) for _ in range(3)]
    whole, part, twin = empty(n, capacity), empty(n, capacity), empty(n, capacity)
    for viewer, about, delta in batches:
        narrow = delta[:, :2]
        wide = np.zeros_like(delta)
        wide[:, first:first + 2] = narrow
        slots_add(*whole, viewer, about, wide)
        slots_add(*part, viewer, about, narrow, first)
        ref.slots_add(*twin, viewer, about, narrow, first)
        for a, b, c in zip(whole, part, twin, strict=True):
            np.testing.assert_array_equal(b, a)
            np.testing.assert_array_equal(c, a)


def test_memory_is_bounded_and_keeps_the_strongest():
    """Agent 0 hears faint news about 10 others and strong evidence about one more; with
    room for 4 it keeps the strongest 4 it was told, whatever the order."""
    store = EvidenceStore(20, capacity=4)
    rng = np.random.default_rng(1)
    weights = rng.permutation(np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 5.0]))
    store.add(np.zeros(11, np.int64), np.arange(1, 12), np.zeros(11), weights, heard=True)
    assert store.count[0] == 4 and len(store) == 4
    kept = np.sort(store.heard_bad[:4])
    np.testing.assert_allclose(kept, [0.8, 0.9, 1.0, 5.0], rtol=1e-6)
    # weaker news than everything held is not remembered
    store.add(np.array([0]), np.array([15]), np.array([0.05]), np.array([0.0]), heard=True)
    assert store.find(np.array([0]), np.array([15]))[0] == -1
    # evidence about someone already held adds up instead of taking a slot
    store.add(np.array([0]), np.array([store.subject[0, 0]]), np.array([1.0]),
              np.array([0.0]), heard=False)
    assert store.count[0] == 4


def test_memory_does_not_grow_with_time():
    """Steps of random evidence for 50 agents: the store's arrays never change size."""
    store = EvidenceStore(50, capacity=10)
    size = store.nbytes
    rng = np.random.default_rng(2)
    for _ in range(30):
        store.add(rng.integers(0, 50, 400), rng.integers(0, 50, 400), rng.random(400),
                  rng.random(400), heard=bool(rng.random() < 0.5))
        store.forget(0.95, 0.05)
        assert store.nbytes == size and store.count.max() <= 10


@settings(max_examples=80, deadline=None)
@given(data=st.data(), n=st.integers(1, 8), capacity=st.integers(1, 5),
       saw_weight=st.sampled_from([1.0, 0.5, 2.0]), heard_weight=st.sampled_from([1.0, 0.3]))
def test_subject_totals_match_their_twin(data, n, capacity, saw_weight, heard_weight):
    """Per-subject totals over every viewer's slots: the kernel adds in the twin's order
    (viewers ascending, slots in order), so the floats are equal, not just close."""
    store = empty(n, capacity)
    viewer, about, delta = data.draw(additions(n))
    keep = about < n  # subjects are agents
    ref.slots_add(*store, viewer[keep], about[keep], delta[keep])
    got = slots_subject_totals(*store, saw_weight, heard_weight)
    want = ref.slots_subject_totals(*store, saw_weight, heard_weight)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    assert got[0].sum() == store[2].sum()  # every used slot is one viewer of its subject


@settings(max_examples=80, deadline=None)
@given(data=st.data(), capacity=st.integers(1, 5), saw_weight=st.sampled_from([1.0, 0.5]),
       heard_weight=st.sampled_from([1.0, 0.3]))
def test_views_along_ties_match_their_twin_on_any_thread_count(data, capacity, saw_weight,
                                                               heard_weight):
    """Each agent's view of each contact, aligned with the CSR entries: equal floats to the
    twin's slot-by-slot look-ups, on one thread and on all."""
    indptr, indices, _ = data.draw(graphs(max_n=12))
    n = indptr.size - 1
    assume(n > 0)
    store = empty(n, capacity)
    viewer, about, delta = data.draw(additions(n))
    keep = about < n
    ref.slots_add(*store, viewer[keep], about[keep], delta[keep])
    want = ref.views_along_ties(indptr, indices, *store, saw_weight, heard_weight)
    for got in (views_along_ties(indptr, indices, *store, saw_weight, heard_weight),
                on_one_thread(partial(views_along_ties, parallel=True), indptr, indices,
                              *store, saw_weight, heard_weight),
                views_along_ties(indptr, indices, *store, saw_weight, heard_weight,
                                 parallel=False),
                views_along_ties(indptr, indices, *store, saw_weight, heard_weight,
                                 parallel=True)):
        np.testing.assert_array_equal(got, want)
