import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.evidence import EvidenceStore, beta_reputation


def test_beta_reputation_reference_values():
    assert beta_reputation(8, 2) == pytest.approx(0.75)
    assert beta_reputation(0, 10) == pytest.approx(1 / 12)
    assert beta_reputation(0, 0) == pytest.approx(0.5)


def test_stranger_is_neutral_and_evidence_moves_reputation():
    store = EvidenceStore(5)
    assert store.reputation(np.array([0]), np.array([1]), 1.0, 1.0)[0] == 0.5
    store.add(np.array([0, 0]), np.array([1, 1]), np.array([8.0, 0.0]), np.array([0.0, 2.0]),
              heard=False)
    assert store.reputation(np.array([0]), np.array([1]), 1.0, 1.0)[0] == pytest.approx(0.75)
    # Heard evidence is weighted separately.
    store.add(np.array([0]), np.array([1]), np.array([0.0]), np.array([10.0]), heard=True)
    assert store.reputation(np.array([0]), np.array([1]), 1.0, 0.0)[0] == pytest.approx(0.75)
    assert store.reputation(np.array([0]), np.array([1]), 1.0, 1.0)[0] == pytest.approx(9 / 22)
    assert store.seen_total(np.array([0]), np.array([1]))[0] == pytest.approx(10.0)


def test_forgetting_fades_and_drops_old_evidence():
    store = EvidenceStore(3)
    store.add(np.array([0, 1]), np.array([2, 2]), np.array([1.0, 0.02]), np.zeros(2),
              heard=False)
    store.forget(0.5, min_total=0.05)
    assert len(store) == 1
    assert store.saw_good[0] == pytest.approx(0.5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.floats(0, 5),
                          st.floats(0, 5), st.booleans()), max_size=40))
def test_store_matches_dense_accumulation(events):
    """Any sequence of additions equals a dense (viewer, subject) matrix of sums."""
    n = 7
    store = EvidenceStore(n)
    dense = np.zeros((4, n, n))
    for viewer, subject, good, bad, heard in events:
        store.add(np.array([viewer]), np.array([subject]), np.array([good]), np.array([bad]),
                  heard=heard)
        dense[2 * heard, viewer, subject] += good
        dense[2 * heard + 1, viewer, subject] += bad
    v, s = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    good, bad = store.counts(v.ravel(), s.ravel(), 1.0, 2.0)
    np.testing.assert_allclose(good, (dense[0] + 2 * dense[2]).ravel(), rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(bad, (dense[1] + 2 * dense[3]).ravel(), rtol=1e-6, atol=1e-5)


def test_subject_summary_counts_viewers_and_means():
    store = EvidenceStore(4)
    store.add(np.array([0, 1]), np.array([3, 3]), np.array([8.0, 0.0]), np.array([2.0, 10.0]),
              heard=False)
    visibility, mean, pooled = store.subject_summary(1.0, 1.0)
    assert visibility.tolist() == [0, 0, 0, 2]
    assert mean[3] == pytest.approx((0.75 + 1 / 12) / 2)
    assert pooled[3] == pytest.approx((8 + 1) / (8 + 12 + 2))
    assert np.isnan(mean[0]) and pooled[0] == 0.5
