"""The retelling budget (choose_retold): kernel vs NumPy twin, and what the budget means."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import choose_retold
from simnet.kernels import reference as ref
from simnet.kernels.retell import retell_rows


def random_keys(rng, k):
    return rng.integers(0, 2**63, k, dtype=np.int64).astype(np.uint64)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), k=st.integers(0, 200),
       cap=st.integers(0, 12), repeated_keys=st.booleans(), bad_share=st.sampled_from(
           [0.0, 0.3, 1.0]))
def test_kernel_matches_twin(seed, n, k, cap, repeated_keys, bad_share):
    rng = np.random.default_rng(seed)
    holder = rng.integers(0, n, k).astype(np.int32)
    is_bad = rng.random(k) < bad_share
    # repeated keys make equal draws for one holder: the tie-break (input order) is tested
    keys = (rng.integers(0, 3, k).astype(np.uint64) if repeated_keys
            else random_keys(rng, k))
    got = choose_retold(holder, keys, is_bad, cap, n)
    want = ref.choose_retold(holder, keys, is_bad, cap, n)
    np.testing.assert_array_equal(got, want)
    # the budget: nobody passes on more than cap, and whoever heard at most cap passes all
    heard = np.bincount(holder, minlength=n)
    passed = np.bincount(holder[got], minlength=n)
    np.testing.assert_array_equal(passed, np.minimum(heard, cap))
    # warnings first: a holder drops good news before any bad news
    bad_heard = np.bincount(holder[is_bad], minlength=n)
    bad_passed = np.bincount(holder[got & is_bad], minlength=n)
    np.testing.assert_array_equal(bad_passed, np.minimum(bad_heard, cap))


def test_the_choice_is_a_uniform_sample_within_good_and_within_bad_news():
    """40 pieces of good and 8 of bad news, a budget of 18: all the bad news is retold,
    and each piece of good news with probability 10/40, whatever its position (binomial
    s.d. about 0.007 over 4,000 key draws). With 30 pieces of bad news, each is retold with
    probability 18/30 and no good news is."""
    rng = np.random.default_rng(3)
    for n_bad, want_bad, want_good in ((8, 1.0, 10 / 40), (30, 18 / 30, 0.0)):
        is_bad = np.zeros(40 + n_bad, bool)
        is_bad[rng.choice(is_bad.size, n_bad, replace=False)] = True
        holder = np.zeros(is_bad.size, np.int32)
        counts = np.zeros(is_bad.size)
        trials = 4000
        for _ in range(trials):
            counts += choose_retold(holder, random_keys(rng, is_bad.size), is_bad, 18, 1)
        share = counts / trials
        assert np.all(np.abs(share[is_bad] - want_bad) < 0.035), share[is_bad]
        assert np.all(np.abs(share[~is_bad] - want_good) < 0.035), share[~is_bad]


def test_the_choice_does_not_depend_on_input_order():
    rng = np.random.default_rng(5)
    holder = rng.integers(0, 5, 300).astype(np.int32)
    keys, is_bad = random_keys(rng, 300), rng.random(300) < 0.2
    kept = choose_retold(holder, keys, is_bad, 7, 5)
    perm = rng.permutation(300)
    np.testing.assert_array_equal(choose_retold(holder[perm], keys[perm], is_bad[perm], 7, 5),
                                  kept[perm])


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), n_events=st.integers(0, 30),
       cap=st.integers(0, 6), bad_share=st.sampled_from([0.0, 0.3, 1.0]),
       parallel=st.booleans())
def test_budget_over_a_hops_rows_matches_twin(seed, n, n_events, cap, bad_share, parallel):
    # the hop's rows grouped by event; the budget applied to a range of hearers at a time
    # (as NewsInFlight does for bounded scratch) is the budget applied to all at once
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 8, n_events)
    hptr = np.zeros(n_events + 1, np.int64)
    np.cumsum(sizes, out=hptr[1:])
    holder = rng.integers(0, n, int(hptr[-1])).astype(np.int32)
    go_on = rng.random(holder.size) < 0.8
    key = random_keys(rng, n_events)
    is_bad = rng.random(n_events) < bad_share
    want = ref.retell_rows(go_on, holder, hptr, key, is_bad, cap, 0, n)
    cut = int(rng.integers(0, n + 1))
    got = go_on.copy()
    for lo, hi in ((0, cut), (cut, n)):
        count = int((go_on & (holder >= lo) & (holder < hi)).sum())
        np.testing.assert_array_equal(
            ref.retell_rows(got, holder, hptr, key, is_bad, cap, lo, hi),
            ref.retell_rows(go_on, holder, hptr, key, is_bad, cap, lo, hi) & got)
        retell_rows(got, holder, hptr, key, is_bad, cap, lo, hi, count, parallel=parallel)
    np.testing.assert_array_equal(got, want)
    # the budget: nobody passes on more than cap of the rows it could pass on
    passed = np.bincount(holder[got], minlength=n)
    could = np.bincount(holder[go_on], minlength=n)
    np.testing.assert_array_equal(passed, np.minimum(could, cap))
