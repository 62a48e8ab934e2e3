"""Hypothesis strategies and helpers shared by the kernel tests."""

import numpy as np
from hypothesis import strategies as st

from simnet.kernels import csr_from_edges
from simnet.kernels._chunks import on_one_thread  # noqa: F401 (shared with the tests)

KINDS = ("empty", "path", "star", "complete", "random", "random_hub")


def edges_of(kind, n, rng):
    """Edge list (u, v) of a graph of the given kind on ``n`` nodes."""
    if kind == "empty" or n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if kind == "path":
        a = np.arange(n - 1)
        return a, a + 1
    if kind == "star":
        a = np.arange(1, n)
        return np.zeros(n - 1, np.int64), a
    if kind == "complete":
        u, v = np.triu_indices(n, 1)
        return u, v
    # random: sparse random edges, leaving some nodes isolated; optionally a hub
    m = int(rng.integers(0, 2 * n + 1))
    active = max(2, int(rng.integers(2, n + 1)))  # nodes >= active stay isolated
    u = rng.integers(0, active, m)
    v = rng.integers(0, active, m)
    if kind == "random_hub":
        hub = int(rng.integers(0, n))
        others = rng.choice(n, size=int(rng.integers(1, n)), replace=False)
        u = np.concatenate([u, np.full(others.size, hub)])
        v = np.concatenate([v, others])
    return u, v


@st.composite
def graphs(draw, max_n=24, kinds=KINDS):
    """A symmetric CSR graph ``(indptr, indices, strength)`` with strengths in (0, 1]."""
    kind = draw(st.sampled_from(kinds))
    n = draw(st.integers(0 if kind == "empty" else 1, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    u, v = edges_of(kind, n, rng)
    s_kind = draw(st.sampled_from(("ones", "uniform", "coarse")))
    if s_kind == "ones":
        s = np.ones(len(u))
    elif s_kind == "uniform":
        s = 1.0 - rng.random(len(u))  # (0, 1]
    else:
        s = rng.choice([0.25, 0.5, 1.0], size=len(u))
    return csr_from_edges(n, u, v, s)


@st.composite
def frontiers(draw, n, max_k=40, max_hops=4):
    """A frontier of ``k`` messages on a graph of ``n`` nodes (k == 0 when n == 0)."""
    k = 0 if n == 0 else draw(st.integers(0, max_k))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    holder = rng.integers(0, max(n, 1), k).astype(np.int32)
    sender = rng.integers(-1, max(n, 1), k).astype(np.int32)
    if draw(st.booleans()):  # few distinct subjects / holders: many merges and collisions
        subject = rng.integers(0, min(max(n, 1), 3), k).astype(np.int32)
    else:
        subject = rng.integers(0, max(n, 1), k).astype(np.int32)
    is_bad = rng.random(k) < 0.5
    if draw(st.booleans()):
        weight = rng.choice([0.5, 1.0, 2.0], size=k)
    else:
        weight = rng.uniform(1e-3, 3.0, k)
    hops = rng.integers(0, max_hops, k).astype(np.int32)
    return holder, sender, subject, is_bad, weight.astype(np.float64), hops


def assert_step_equal(got, want, rtol=1e-12, exact=False):
    """Compare two propagate_step results: integers exactly, weights to ``rtol``."""
    assert len(got) == len(want) == 10
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        assert a.dtype == b.dtype, (i, a.dtype, b.dtype)
        assert a.shape == b.shape, (i, a.shape, b.shape)
        if a.dtype == np.float64 and not exact:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=0, err_msg=f"output {i}")
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"output {i}")

