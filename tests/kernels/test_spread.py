"""spread_events (word of mouth counted once): kernel vs NumPy twin, the diamond, the
cascade closed form's kernel, and each event heard at most once per agent."""

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.kernels import (
    cascade,
    csr_from_edges,
    pass_on_uniform,
    spread_events,
    spread_events_parallel,
)
from simnet.kernels import reference as ref
from simnet.news import NewsInFlight

from .strategies import graphs, on_one_thread


def spread_one_thread(*args):
    return on_one_thread(spread_events_parallel, *args)


@st.composite
def events(draw, n, max_events=12):
    """Events in flight on ``n`` nodes: keys, badness, frontiers within sorted visited sets."""
    k = 0 if n == 0 else draw(st.integers(0, max_events))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    key = rng.integers(0, 2**63 - 1, k, dtype=np.int64).astype(np.uint64)
    is_bad = rng.random(k) < 0.5
    f_nodes, f_weights, v_nodes = [], [], []
    for _ in range(k):
        visited = np.unique(rng.integers(0, n, int(rng.integers(1, n + 1))))
        frontier = rng.choice(visited, size=int(rng.integers(1, visited.size + 1)),
                              replace=False)
        f_nodes.append(np.sort(frontier))
        f_weights.append(rng.choice([0.5, 1.0, 2.0], frontier.size) if rng.random() < 0.5
                         else rng.uniform(1e-3, 3.0, frontier.size))
        v_nodes.append(visited)

    def flat(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)

    def ptr(parts):
        out = np.zeros(k + 1, dtype=np.int64)
        np.cumsum([p.size for p in parts], out=out[1:])
        return out

    return (key, is_bad, ptr(f_nodes), flat(f_nodes, np.int32), flat(f_weights, np.float64),
            ptr(v_nodes), flat(v_nodes, np.int32))


params = st.fixed_dictionaries({
    "share_good": st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    "share_bad": st.sampled_from([0.2, 0.8, 1.0]),
    "decay_good": st.sampled_from([0.0, 0.5, 0.8, 1.0]),
    "decay_bad": st.sampled_from([0.3, 1.0]),
    "min_weight": st.sampled_from([0.0, 0.0, 0.05, 0.4]),
    "fanout": st.sampled_from([np.inf, 1.0, 2.5, 4.0]),
    "by_strength": st.sampled_from([0.0, 0.0, 0.5, 1.0]),
})


def run(kernel, graph, ev, p, detail=False):
    return kernel(*graph, *ev, p["share_good"], p["share_bad"], p["decay_good"],
                  p["decay_bad"], p["min_weight"], p["fanout"], p.get("by_strength", 0.0),
                  detail)


def assert_same(got, want, exact=True):
    assert len(got) == len(want)
    assert len(got) in (5, 9)
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        assert a.dtype == b.dtype, (i, a.dtype, b.dtype)
        np.testing.assert_array_equal(a, b, err_msg=f"output {i}")


@settings(max_examples=150, deadline=None)
@given(data=st.data(), p=params)
def test_kernel_matches_twin_on_any_thread_count(data, p):
    graph = data.draw(graphs())
    ev = data.draw(events(graph[0].shape[0] - 1))
    want = run(ref.spread_events, graph, ev, p)
    one = run(spread_one_thread, graph, ev, p)
    assert_same(one, want)  # same products in the same order: bit for bit
    assert_same(run(spread_events_parallel, graph, ev, p), one)
    assert_same(run(spread_events, graph, ev, p), one)
    detail = run(spread_events, graph, ev, p, detail=True)
    assert_same(detail, run(ref.spread_events, graph, ev, p, detail=True))
    assert_same(run(spread_events_parallel, graph, ev, p, detail=True), detail)
    # the plain hop is the detailed one without tellers and redundant copies
    assert_same(tuple(detail[i] for i in (0, 1, 2, 4, 5)), one)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), p=params, chunks=st.sampled_from([1, 2, 7, 256]))
def test_how_the_events_are_chunked_changes_nothing(data, p, chunks):
    # each chunk of events has its own marks and scratch: any number of chunks, on either
    # build, gives what the twin gives
    from simnet.kernels.spread import _spread_parallel, _spread_serial

    graph = data.draw(graphs())
    ev = data.draw(events(graph[0].shape[0] - 1))
    for detail in (False, True):
        want = run(ref.spread_events, graph, ev, p, detail)
        for kernel in (_spread_serial, _spread_parallel):
            got = kernel(*graph, *ev, p["share_good"], p["share_bad"], p["decay_good"],
                         p["decay_bad"], p["min_weight"], p["fanout"], p["by_strength"],
                         detail, chunks, np.ones(ev[0].shape[0], dtype=bool))
            assert_same(got if detail else tuple(got[i] for i in (0, 1, 2, 4, 5)), want)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), p=params, batch=st.sampled_from([1, 2, 5, 17, 64]))
def test_spreading_in_batches_of_offers_changes_nothing(data, p, batch):
    # spread_events splits the events into batches of at most ``batch`` offers (an event
    # with more alone) and joins the outputs: the same as one call, detail or not
    graph = data.draw(graphs())
    ev = data.draw(events(graph[0].shape[0] - 1))
    for detail in (False, True):
        whole = run(spread_events, graph, ev, p, detail)
        batched = spread_events(*graph, *ev, p["share_good"], p["share_bad"],
                                p["decay_good"], p["decay_bad"], p["min_weight"], p["fanout"],
                                p["by_strength"], detail, batch_offers=batch)
        assert_same(batched, whole)
        if detail:
            assert_same(batched, run(ref.spread_events, graph, ev, p, detail))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), p=params)
def test_every_teller_was_on_the_frontier_and_is_tied_to_its_hearer(data, p):
    graph = data.draw(graphs())
    indptr, indices = graph[0], graph[1]
    ev = data.draw(events(graph[0].shape[0] - 1))
    d = run(spread_events, graph, ev, p, detail=True)
    fptr, f_node, vptr, v_node = ev[2], ev[3], ev[5], ev[6]
    for e in range(ev[0].size):
        frontier = set(f_node[fptr[e]:fptr[e + 1]].tolist())
        visited = set(v_node[vptr[e]:vptr[e + 1]].tolist())
        pairs = [*zip(d.h_teller[d.hptr[e]:d.hptr[e + 1]], d.h_node[d.hptr[e]:d.hptr[e + 1]],
                      strict=True),
                 *zip(d.again_teller[d.rptr[e]:d.rptr[e + 1]],
                      d.again_node[d.rptr[e]:d.rptr[e + 1]], strict=True)]
        for teller, hearer in pairs:
            assert teller in frontier
            assert hearer in indices[indptr[teller]:indptr[teller + 1]]
        # redundant copies went to agents who had heard the event already, or who heard
        # a better copy of it in this hop
        new = set(d.h_node[d.hptr[e]:d.hptr[e + 1]].tolist())
        assert set(d.again_node[d.rptr[e]:d.rptr[e + 1]].tolist()) <= visited | new
        # every copy offered is either the one kept or redundant: no teller tells twice
        assert len(pairs) == len(set(pairs))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), p=params)
def test_new_hearers_were_not_visited_and_visited_grows_by_them(data, p):
    graph = data.draw(graphs())
    ev = data.draw(events(graph[0].shape[0] - 1))
    hptr, h_node, h_weight, vptr2, v_node2 = run(spread_events, graph, ev, p)
    vptr, v_node = ev[5], ev[6]
    for e in range(ev[0].size):
        new = h_node[hptr[e]:hptr[e + 1]]
        old = v_node[vptr[e]:vptr[e + 1]]
        assert np.all(np.diff(new) > 0)  # sorted, each hearer once
        assert not np.isin(new, old).any()
        merged = v_node2[vptr2[e]:vptr2[e + 1]]
        np.testing.assert_array_equal(merged, np.union1d(old, new))
    assert np.all(h_weight >= p["min_weight"])


def test_pass_on_uniform_twin_and_range():
    rng = np.random.default_rng(3)
    key = rng.integers(0, 2**63 - 1, 500, dtype=np.int64).astype(np.uint64)
    teller, hearer = rng.integers(0, 10**6, 500), rng.integers(0, 10**6, 500)
    want = ref.pass_on_uniform(key, teller, hearer)
    got = np.array([pass_on_uniform(k, t, h) for k, t, h in zip(key, teller, hearer,
                                                                  strict=True)])
    np.testing.assert_array_equal(got, want)
    assert want.min() >= 0.0 and want.max() < 1.0
    # roughly uniform: a directed pair's draws over many keys
    many = ref.pass_on_uniform(rng.integers(0, 2**63 - 1, 20_000, dtype=np.int64)
                               .astype(np.uint64), 5, 7)
    assert abs(many.mean() - 0.5) < 0.01 and abs((many < 0.2).mean() - 0.2) < 0.01


# ------------------------------------------------------------------ the diamond
def diamond():
    """X - A, A - B, A - C, B - D, C - D (X=0, A=1, B=2, C=3, D=4), all strength 0.5."""
    u, v = [0, 1, 1, 2, 3], [1, 2, 3, 4, 4]
    return as_csr(csr_from_edges(5, np.array(u), np.array(v), np.full(5, 0.5)))


def as_csr(arrays):
    """The (indptr, indices, strength) arrays as the tie table's CSR view."""
    indptr, indices, strength = arrays
    return SimpleNamespace(indptr=indptr, indices=indices, strength=strength)


class WoM:
    fanout = np.inf
    share_good = share_bad = 1.0
    decay_good = decay_bad = 0.8
    min_weight = 0.0
    max_hops = 6
    retell_max = None  # one event: a budget would never bind


def test_diamond_d_hears_as_one_observation_once():
    """A saw X once; D is reached along A-B-D and A-C-D but hears it exactly once."""
    csr = diamond()
    news = NewsInFlight()
    news.add_fresh([1], [0], [True], [1.0], np.random.default_rng(0))
    heard = []
    for _ in range(4):
        viewer, _, _, weight = news.advance(csr, WoM)
        heard += list(zip(viewer.tolist(), weight.tolist(), strict=True))
    viewers = [v for v, _ in heard]
    assert sorted(viewers) == [2, 3, 4]           # B, C, D; never X (subject) nor A
    d_weight = [w for v, w in heard if v == 4]
    assert d_weight == [pytest.approx((0.5 * 0.8) ** 2)]  # one copy, not two summed
    assert len(news) == 0                         # nothing left to tell


def test_diamond_linear_mode_counts_both_paths():
    """The linear kernel (the power series) adds D's two paths: the contrast."""
    csr = diamond()
    indptr, indices, strength = csr.indptr, csr.indices, csr.strength
    out = ref.propagate_step(indptr, indices, strength, np.array([1], np.int32),
                             np.array([-1], np.int32), np.array([0], np.int32),
                             np.array([True]), np.array([1.0]), np.array([0], np.int32),
                             0.8, 0.8, 6, 0.0, True)
    out = ref.propagate_step(indptr, indices, strength, *out[4:], 0.8, 0.8, 6, 0.0, True)
    d = out[0].tolist().index(4)
    assert out[3][d] == pytest.approx(2 * (0.5 * 0.8) ** 2)


# ------------------------------------------------------------------ cascade equivalence
@pytest.mark.parametrize("pass_on", [0.3, 0.6, 1.0])
def test_one_event_reaches_what_a_one_shot_cascade_reaches(pass_on):
    """With no weight threshold, many hops and pass-on probability T, one event is the
    independent cascade of :func:`simnet.kernels.cascade` with the same per-edge draws."""
    rng = np.random.default_rng(11)
    n, m = 400, 900
    indptr, indices, strength = csr_from_edges(n, rng.integers(0, n, m), rng.integers(0, n, m),
                                               np.ones(m))
    witness, subject = 0, int(indices[indptr[0]]) if indptr[1] > indptr[0] else 1
    news = NewsInFlight()
    news.add_fresh([witness], [subject], [True], [1.0], rng)
    key = news.key[0]

    class P(WoM):
        share_good = share_bad = pass_on
        decay_good = decay_bad = 1.0
        max_hops = n

    csr = as_csr((indptr, indices, strength))
    reached = {witness}
    while len(news):
        viewer, *_ = news.advance(csr, P)
        assert not reached & set(viewer.tolist())  # nobody hears it twice
        reached |= set(viewer.tolist())
    # the cascade, with the subject removed (it is never told) and the same uniforms
    rows = np.repeat(np.arange(n), np.diff(indptr))
    uniforms = ref.pass_on_uniform(np.full(indices.size, key), rows, indices)
    uniforms[indices == subject] = 1.0  # nobody tells the subject
    uniforms[rows == subject] = 1.0     # so it passes nothing on
    hop = cascade(indptr, indices, np.array([witness], np.int32), uniforms, pass_on)
    assert reached == set(np.flatnonzero(hop >= 0).tolist())


def test_fanout_bounds_how_many_a_hub_tells():
    """A hub with 200 contacts and fanout 10 tells about 10 of them; a teller with 5
    contacts tells all 5."""
    hub = as_csr(csr_from_edges(207, np.concatenate([np.zeros(200, np.int64),
                                                     np.full(5, 201)]),
                                np.concatenate([np.arange(1, 201), np.arange(202, 207)]),
                                np.ones(205)))

    class P(WoM):
        fanout = 10.0

    told = []
    for seed in range(40):
        for witness in (0, 201):
            news = NewsInFlight()
            news.add_fresh([witness], [205 if witness == 0 else 202], [True], [1.0],
                           np.random.default_rng(seed))
            viewer, *_ = news.advance(hub, P)
            told.append((witness, viewer.size))
    hub_told = np.mean([k for w, k in told if w == 0])
    assert 8 < hub_told < 12
    assert all(k == 4 for w, k in told if w == 201)  # 5 contacts, one is the subject


def test_news_grows_in_place_and_equals_a_concatenation():
    # the second start appends in place; the third, with a view of v_node alive, cannot
    # resize and concatenates: the arrays are the same either way
    rng = np.random.default_rng(3)
    news, plain = NewsInFlight(), []
    for k in (4, 3, 5):
        origin, subject = rng.integers(0, 50, k), rng.integers(0, 50, k)
        bad, weight = rng.random(k) < 0.5, rng.random(k)
        seen = news.aware(0) if len(news) else None
        news.start(origin, subject, bad, weight, np.random.default_rng(k))
        plain.append(NewsInFlight())
        plain[-1].start(origin, subject, bad, weight, np.random.default_rng(k))
        del seen
    for name in ("subject", "is_bad", "key", "hops", "tag", "f_node", "f_weight", "v_node"):
        expect = np.concatenate([getattr(p, name) for p in plain])
        np.testing.assert_array_equal(getattr(news, name), expect)
        assert getattr(news, name).dtype == expect.dtype
    for ptr, data in (("fptr", "f_node"), ("vptr", "v_node")):
        sizes = np.concatenate([np.diff(getattr(p, ptr)) for p in plain])
        np.testing.assert_array_equal(np.diff(getattr(news, ptr)), sizes)
        assert getattr(news, ptr)[-1] == getattr(news, data).size


@settings(max_examples=100, deadline=None)
@given(data=st.data(), p=params, batch=st.sampled_from([1, 5, 64, None]))
def test_visited_sets_left_out_are_only_those(data, p, batch):
    # keep_visited leaves some events' merged visited sets out (empty ranges); the rest of
    # the output is the same, in batches or not
    graph = data.draw(graphs())
    ev = data.draw(events(graph[0].shape[0] - 1))
    keep = np.random.default_rng(data.draw(st.integers(0, 99))).random(ev[0].size) < 0.5
    for detail in (False, True):
        whole = run(spread_events, graph, ev, p, detail)
        got = spread_events(*graph, *ev, p["share_good"], p["share_bad"], p["decay_good"],
                            p["decay_bad"], p["min_weight"], p["fanout"], p["by_strength"],
                            detail, batch_offers=batch, keep_visited=keep)
        at = (4, 5) if detail else (3, 4)  # vptr2, v_node2
        for i in range(len(got)):
            if i not in at:
                np.testing.assert_array_equal(got[i], whole[i], err_msg=f"output {i}")
                assert got[i].dtype == whole[i].dtype
        vptr2, v_node2, wptr, w_node = got[at[0]], got[at[1]], whole[at[0]], whole[at[1]]
        np.testing.assert_array_equal(np.diff(vptr2), np.where(keep, np.diff(wptr), 0))
        np.testing.assert_array_equal(v_node2, w_node[np.repeat(keep, np.diff(wptr))])
        assert v_node2.dtype == w_node.dtype and vptr2.dtype == np.int64


def test_arrays_grow_in_place_unless_numpy_refuses():
    """append_in_place keeps the array object (realloc) when nothing else refers to it and
    concatenates otherwise; the news in flight grows its own arrays in place."""
    from simnet.kernels._chunks import append_in_place
    from simnet.news import NewsInFlight

    def grown_in_place():
        a = np.arange(5, dtype=np.int64)
        start = id(a)
        a = append_in_place(a, np.arange(3, dtype=np.int64), refcheck=False)
        return id(a) == start, a

    same, a = grown_in_place()
    assert same and a.tolist() == [0, 1, 2, 3, 4, 0, 1, 2]
    base = np.arange(4)
    view = base[:2]
    out = append_in_place(base, np.arange(2))
    assert out is not base and out.tolist() == [0, 1, 2, 3, 0, 1] and view.tolist() == [0, 1]

    news = NewsInFlight()
    news.key = np.arange(10, dtype=np.uint64)
    start = id(news.key)
    news._extend("key", np.arange(3, dtype=np.uint64))
    assert id(news.key) == start and news.key.size == 13


def test_told_hearers_start_in_the_visited_set():
    """add_fresh(told=...): a hearer a witness told at once is in its event's visited set
    (sorted, once), and only in that event's; events without told hearers are as before."""
    news = NewsInFlight()
    # events: (1 saw 0, bad), (1 saw 0, good), (4 saw 4 ... itself), (2 saw 3, bad)
    news.add_fresh([1, 1, 4, 2], [0, 0, 4, 3], [True, False, True, True], [1.0] * 4,
                   np.random.default_rng(0),
                   told=([1, 2, 9], [0, 3, 9], [True, True, True], [7, 3, 5]))
    sets = [news.v_node[news.vptr[e]:news.vptr[e + 1]].tolist() for e in range(len(news))]
    by_event = dict(zip(zip(news.subject.tolist(), news.is_bad.tolist(),
                            news.f_node.tolist(), strict=True), sets, strict=True))
    assert by_event[(0, True, 1)] == [0, 1, 7]      # told 7
    assert by_event[(0, False, 1)] == [0, 1]        # the good event of the same pair: not
    assert by_event[(3, True, 2)] == [2, 3]         # told its own subject: no repeat
    assert by_event[(4, True, 4)] == [4]            # (9, 9) matches no event: ignored


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 30), t=st.integers(0, 40),
       n=st.integers(1, 12))
def test_visited_sets_start_as_origin_subject_and_told(seed, k, t, n):
    """Each new event's visited set is {origin, subject} plus its told hearers, sorted,
    each once, whatever repeats and overlaps the told pairs have."""
    from simnet.news import _visited_sets

    rng = np.random.default_rng(seed)
    origin = rng.integers(0, n, k).astype(np.int64)
    subject = rng.integers(0, n, k).astype(np.int64)
    told = (rng.integers(0, k, t).astype(np.int64), rng.integers(0, n, t).astype(np.int64))
    vptr, visited = _visited_sets(origin, subject, told if t else None)
    assert vptr.dtype == np.int64 and visited.dtype == np.int64
    for e in range(k):
        want = {int(origin[e]), int(subject[e])} | {int(h) for ev, h in zip(*told, strict=True)
                                                    if ev == e}
        assert visited[vptr[e]:vptr[e + 1]].tolist() == sorted(want)
