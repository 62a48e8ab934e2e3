"""Word of mouth counted once: one hop of every piece of news in flight.

A piece of news is one *event*: what one witness saw of one subject in one step (good or
bad, with a weight). It spreads like an independent cascade: each agent who heard it in the
previous hop (its *frontier*) tells each of its contacts with probability ``share`` (good or
bad news; scaled down by ``fanout / degree`` for a teller with more than ``fanout``
contacts), and the contact hears it with weight ``weight * strength * decay`` of the
teller's copy. An agent hears an event at most once: whoever already heard it (the event's *visited*
set, which starts as the witness and the subject, so news never returns to its witness nor
reaches its subject) is skipped, and an agent reached along several paths in the same hop
keeps the heaviest copy (the most credible teller). So the same observation is never added
twice to one hearer, and never passed on twice by anyone.

The pass-on draws are a counter-based hash of the event's random ``key`` (drawn by the caller
from the model's Generator) and the directed pair (teller, hearer): deterministic, independent
of the order of work, so results do not depend on the number of threads, and the same for
the NumPy twin. With ``min_weight = 0`` and enough hops one event reaches exactly the agents
a one-shot cascade (:func:`simnet.kernels.cascade`) reaches with the same per-edge uniforms.

Inputs, for ``E`` events on the symmetric CSR graph (``indptr`` int64[n + 1], ``indices``
int32[nnz], ``strength`` float64[nnz]):

- ``key`` uint64[E]: each event's random key; ``is_bad`` bool[E];
- ``fptr`` int64[E + 1], ``f_node`` int32[F], ``f_weight`` float64[F]: event ``e``'s frontier
  is ``f_node[fptr[e]:fptr[e + 1]]`` with the weight each heard it at;
- ``vptr`` int64[E + 1], ``v_node`` int32[V]: event ``e``'s visited set, sorted ascending,
  ``v_node[vptr[e]:vptr[e + 1]]`` (it includes the frontier).
"""

from typing import NamedTuple

import numba
import numpy as np
from numba import njit, prange

from simnet.kernels._builds import serial_and_parallel, use_parallel
from simnet.kernels._chunks import append_in_place, chunk_bounds
from simnet.kernels.sort import stable_order

__all__ = ["SpreadDetail", "pass_on_uniform", "spread_events", "spread_events_parallel"]

# splitmix64 constants (Steele, Lea and Flood, OOPSLA 2014).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2 ** -53
_INSERTION_MAX = 32
_N_CHUNKS = 256
# Below this many relaxations the public kernel runs on one thread.
_PARALLEL_MIN_RELAXATIONS = 200_000
# spread_events spreads at most this many offers per kernel call: 16 bytes of scratch each
# (about 67 MB), whatever the number of agents
_BATCH_OFFERS = 1 << 22


@njit(cache=True, no_cfunc_wrapper=True)
def pass_on_uniform(key, teller, hearer):
    """The uniform in [0, 1) that decides whether ``teller`` passes the event with random
    ``key`` (uint64) to ``hearer`` (ints): splitmix64 of the three, its top 53 bits."""
    z = key + np.uint64(teller + 1) * _GOLDEN + np.uint64(hearer + 1) * _MIX2
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * _TO_UNIT


@njit(cache=True, no_cfunc_wrapper=True)
def _relax_event(e, indptr, indices, strength, key, is_bad, fptr, f_node, f_weight, vptr,
                 v_node, share_good, share_bad, decay_good, decay_bad, min_weight, fanout,
                 by_strength, mark, slot, c_node, c_weight, c_teller, c_at, detail, r_node,
                 r_teller, r_at):
    """Tell event ``e``'s frontier's contacts; write its new hearers, each once with its
    heaviest copy (the first offered among equally heavy ones) and that copy's teller, at
    ``c_node[c_at:]``, ``c_weight[c_at:]``, ``c_teller[c_at:]`` in the order first offered,
    and return how many there are; with ``detail`` also write the redundant copies (told to
    someone who had already heard the event, or who keeps a better copy of this hop) as
    (hearer, the teller of the copy not kept) at ``r_node[r_at:]``, ``r_teller[r_at:]``,
    returning their count too.

    ``mark`` int64[n] and ``slot`` int64[n] are the caller's scratch, unique to this event
    (``mark`` never holds ``2e`` or ``2e + 1`` from another event): the event's visited set
    is marked ``2e`` here, a new hearer ``2e + 1`` with its place ``slot``; a membership
    test is then one look-up, not a search of the visited set."""
    for i in range(vptr[e], vptr[e + 1]):
        mark[v_node[i]] = 2 * e
    share = share_bad if is_bad[e] else share_good
    decay = decay_bad if is_bad[e] else decay_good
    k = key[e]
    c = 0
    r = 0
    for t in range(fptr[e], fptr[e + 1]):
        h = f_node[t]
        x0 = f_weight[t] * decay
        degree = indptr[h + 1] - indptr[h]
        # a teller tells about ``fanout`` of its contacts at most, on average
        told_h = share
        if degree > fanout:
            told_h = share * (fanout / degree)
        for p in range(indptr[h], indptr[h + 1]):
            x = x0 * strength[p]
            if x < min_weight:
                continue
            w = indices[p]
            # people tell close contacts first: the tie's strength tilts the chance
            told = told_h * (1.0 - by_strength + by_strength * strength[p])
            if told < 1.0 and pass_on_uniform(k, h, w) >= told:
                continue
            seen = mark[w]
            if seen == 2 * e + 1:  # heard this hop already: keep the heavier copy
                s = c_at + slot[w]
                loser = h
                if x > c_weight[s]:
                    loser = c_teller[s]
                    c_weight[s] = x
                    c_teller[s] = h
                if detail:
                    r_node[r_at + r] = w
                    r_teller[r_at + r] = loser
                    r += 1
                continue
            if seen == 2 * e:  # heard it before this hop
                if detail:
                    r_node[r_at + r] = w
                    r_teller[r_at + r] = h
                    r += 1
                continue
            mark[w] = 2 * e + 1
            slot[w] = c
            c_node[c_at + c] = w
            c_weight[c_at + c] = x
            c_teller[c_at + c] = h
            c += 1
    return c, r


@njit(cache=True, no_cfunc_wrapper=True)
def _sort_hearers(node, weight, teller, lo, hi):
    """Sort the distinct ``node[lo:hi]`` ascending, carrying ``weight`` and ``teller``
    along."""
    m = hi - lo
    if m <= _INSERTION_MAX:
        for t in range(lo + 1, hi):
            a = node[t]
            b = weight[t]
            d = teller[t]
            s = t - 1
            while s >= lo and node[s] > a:
                node[s + 1] = node[s]
                weight[s + 1] = weight[s]
                teller[s + 1] = teller[s]
                s -= 1
            node[s + 1] = a
            weight[s + 1] = b
            teller[s + 1] = d
        return
    # a hand-written sort and loops, not np.argsort and slice assignments: the same
    # order (the nodes are distinct), for a fraction of the compile (see kernels/sort.py)
    key = np.empty(m, dtype=np.int64)
    for t in range(m):
        key[t] = node[lo + t]
    order = stable_order(key)
    nodes = np.empty(m, dtype=node.dtype)
    weights = np.empty(m, dtype=weight.dtype)
    tellers = np.empty(m, dtype=teller.dtype)
    for t in range(m):
        k = lo + order[t]
        nodes[t] = node[k]
        weights[t] = weight[k]
        tellers[t] = teller[k]
    for t in range(m):
        node[lo + t] = nodes[t]
        weight[lo + t] = weights[t]
        teller[lo + t] = tellers[t]


@njit(cache=True, no_cfunc_wrapper=True)
def _sort_redundant(r_node, r_teller, lo, hi):
    """Sort the redundant copies ``[lo, hi)`` by (hearer, teller): one order whatever the
    order they were found in."""
    if hi - lo < 2:
        return
    key = np.empty(hi - lo, dtype=np.int64)
    for t in range(lo, hi):
        key[t - lo] = (np.int64(r_node[t]) << 32) | np.int64(r_teller[t])
    # every (hearer, teller) pair has its own key, so any sort of the keys gives one
    # order; the stable one shared with _sort_hearers compiles once
    order = stable_order(key)
    nodes = np.empty(hi - lo, dtype=r_node.dtype)
    tellers = np.empty(hi - lo, dtype=r_teller.dtype)
    for t in range(hi - lo):
        nodes[t] = r_node[lo + order[t]]
        tellers[t] = r_teller[lo + order[t]]
    for t in range(hi - lo):
        r_node[lo + t] = nodes[t]
        r_teller[lo + t] = tellers[t]


def _spread_impl(indptr, indices, strength, key, is_bad, fptr, f_node, f_weight, vptr,
                 v_node, share_good, share_bad, decay_good, decay_bad, min_weight, fanout,
                 by_strength, detail, n_chunks, keep_visited):
    n_nodes = indptr.shape[0] - 1
    n_events = key.shape[0]
    # upper bound of offers per event: the degrees of its frontier
    bound = np.zeros(n_events + 1, dtype=np.int64)
    cum = np.zeros(n_events + 1, dtype=np.float64)
    for e in range(n_events):
        b = 0
        for t in range(fptr[e], fptr[e + 1]):
            h = f_node[t]
            b += indptr[h + 1] - indptr[h]
        bound[e + 1] = bound[e] + b
        cum[e + 1] = cum[e] + b + (vptr[e + 1] - vptr[e]) + 1.0
    # scratch with room for every offer; each chunk writes its events' new hearers one
    # after the other from its own first offer on, so only as much is touched as is heard
    c_node = np.empty(bound[n_events], dtype=np.int32)
    c_weight = np.empty(bound[n_events], dtype=np.float64)
    c_teller = np.empty(bound[n_events], dtype=np.int32)
    r_size = bound[n_events] if detail else 0
    r_node = np.empty(r_size, dtype=np.int32)
    r_teller = np.empty(r_size, dtype=np.int32)
    c_start = np.empty(n_events, dtype=np.int64)
    r_start = np.empty(n_events, dtype=np.int64)
    n_new = np.zeros(n_events, dtype=np.int64)
    n_told_again = np.zeros(n_events, dtype=np.int64)
    chunks = chunk_bounds(cum, n_chunks)
    for c in prange(n_chunks):
        if chunks[c] == chunks[c + 1]:
            continue
        # one pair of marks per chunk (events never share a mark value)
        mark = np.empty(n_nodes, dtype=np.int64)
        for i in range(n_nodes):
            mark[i] = -1
        slot = np.empty(n_nodes, dtype=np.int64)
        c_at = bound[chunks[c]]
        r_at = c_at
        for e in range(chunks[c], chunks[c + 1]):
            m, r = _relax_event(e, indptr, indices, strength, key, is_bad, fptr, f_node,
                                f_weight, vptr, v_node, share_good, share_bad, decay_good,
                                decay_bad, min_weight, fanout, by_strength, mark, slot,
                                c_node, c_weight, c_teller, c_at, detail, r_node, r_teller,
                                r_at)
            _sort_hearers(c_node, c_weight, c_teller, c_at, c_at + m)
            if detail:
                _sort_redundant(r_node, r_teller, r_at, r_at + r)
            c_start[e] = c_at
            r_start[e] = r_at
            n_new[e] = m
            n_told_again[e] = r
            c_at += m
            r_at += r
    hptr = np.zeros(n_events + 1, dtype=np.int64)
    vptr2 = np.zeros(n_events + 1, dtype=np.int64)
    rptr = np.zeros(n_events + 1, dtype=np.int64)
    for e in range(n_events):
        hptr[e + 1] = hptr[e] + n_new[e]
        if keep_visited[e]:
            vptr2[e + 1] = vptr2[e] + (vptr[e + 1] - vptr[e]) + n_new[e]
        else:
            vptr2[e + 1] = vptr2[e]
        rptr[e + 1] = rptr[e] + n_told_again[e]
    h_node = np.empty(hptr[n_events], dtype=np.int32)
    h_weight = np.empty(hptr[n_events], dtype=np.float64)
    h_teller = np.empty(hptr[n_events], dtype=np.int32)
    v_node2 = np.empty(vptr2[n_events], dtype=np.int32)
    again_node = np.empty(rptr[n_events], dtype=np.int32)
    again_teller = np.empty(rptr[n_events], dtype=np.int32)
    for c in prange(n_chunks):
        for e in range(chunks[c], chunks[c + 1]):
            base = c_start[e]
            out = hptr[e]
            for t in range(n_new[e]):
                h_node[out + t] = c_node[base + t]
                h_weight[out + t] = c_weight[base + t]
                h_teller[out + t] = c_teller[base + t]
            out = rptr[e]
            for t in range(n_told_again[e]):
                again_node[out + t] = r_node[r_start[e] + t]
                again_teller[out + t] = r_teller[r_start[e] + t]
            if not keep_visited[e]:
                continue
            # merge the sorted visited set with the sorted, disjoint new hearers
            i = vptr[e]
            i_end = vptr[e + 1]
            j = base
            j_end = base + n_new[e]
            o = vptr2[e]
            while i < i_end or j < j_end:
                if j >= j_end or (i < i_end and v_node[i] < c_node[j]):
                    v_node2[o] = v_node[i]
                    i += 1
                else:
                    v_node2[o] = c_node[j]
                    j += 1
                o += 1
    return (hptr, h_node, h_weight, h_teller, vptr2, v_node2, rptr, again_node,
            again_teller)


_spread_serial, _spread_parallel = serial_and_parallel(_spread_impl)


def spread_events_parallel(indptr, indices, strength, key, is_bad, fptr, f_node, f_weight,
                           vptr, v_node, share_good, share_bad, decay_good, decay_bad,
                           min_weight, fanout=np.inf, by_strength=0.0, detail=False):
    """:func:`spread_events` on all Numba threads (same results as on one)."""
    relaxations = int(np.diff(indptr)[f_node].sum())
    out = _spread_parallel(indptr, indices, strength, key, is_bad, fptr, f_node, f_weight,
                           vptr, v_node, float(share_good), float(share_bad),
                           float(decay_good), float(decay_bad), float(min_weight),
                           float(fanout), float(by_strength), bool(detail),
                           _chunks_for(relaxations, indptr.size - 1, True),
                           np.ones(key.shape[0], dtype=bool))
    return _shape_output(out, detail)


def _shape_output(out, detail):
    """The kernel's nine outputs, or (without ``detail``) the five of the plain hop."""
    if detail:
        return SpreadDetail(*out)
    hptr, h_node, h_weight, _, vptr2, v_node2 = out[:6]
    return hptr, h_node, h_weight, vptr2, v_node2


class SpreadDetail(NamedTuple):
    """One hop with who told whom (:func:`spread_events` with ``detail=True``).

    ``hptr`` int64[E + 1], ``h_node`` int32[H], ``h_weight`` float64[H], ``h_teller``
    int32[H]: each event's new hearers, the weight of the heaviest copy and the teller of
    that copy (the first offered among equally heavy copies); ``vptr2``, ``v_node2``: the
    visited sets with the new hearers merged in; ``rptr`` int64[E + 1], ``again_node``
    int32[R], ``again_teller`` int32[R]: the redundant copies (told to someone who had
    already heard the event, or who heard a better copy in the same hop), per event
    sorted by (hearer, teller).
    """

    hptr: np.ndarray
    h_node: np.ndarray
    h_weight: np.ndarray
    h_teller: np.ndarray
    vptr2: np.ndarray
    v_node2: np.ndarray
    rptr: np.ndarray
    again_node: np.ndarray
    again_teller: np.ndarray


def spread_events(indptr, indices, strength, key, is_bad, fptr, f_node, f_weight, vptr,
                  v_node, share_good, share_bad, decay_good, decay_bad, min_weight,
                  fanout=np.inf, by_strength=0.0, detail=False, batch_offers=None,
                  keep_visited=None):
    """One hop of every event in flight (see the module docstring for the inputs).

    ``share_good``, ``share_bad``: probability a teller passes good / bad news to each
    contact, times ``min(1, fanout / degree)`` for a teller with more than ``fanout``
    contacts (people tell a bounded number of others, not all their contacts), times
    ``1 - by_strength + by_strength * strength`` of the tie (``by_strength`` in [0, 1]:
    0 tells weak and strong contacts alike, 1 in proportion to the tie's strength);
    ``decay_good``, ``decay_bad``: weight kept per hop (times the tie strength); offers
    lighter than ``min_weight`` are dropped.

    Returns ``(hptr, h_node, h_weight, vptr2, v_node2)``: the new hearers of event ``e`` are
    ``h_node[hptr[e]:hptr[e + 1]]`` (int32, ascending, none of them visited before) with the
    weight each heard it at (float64, the largest over the tellers); ``v_node2`` (int32,
    ranges ``vptr2``, int64[E + 1]) is each event's visited set with its new hearers merged
    in, sorted. With ``detail=True`` a :class:`SpreadDetail` also says who told each new
    hearer and lists the redundant copies. Work above a size threshold runs on all Numba
    threads; results are the same.

    The kernel's scratch is 16 bytes per offer (24 with ``detail``), an offer being a
    (frontier agent, contact) pair, so the events are spread in consecutive batches of at
    most ``batch_offers`` offers (default ``_BATCH_OFFERS``; an event with more is a batch
    of its own) and the batches' outputs joined: the same results as one call, in bounded
    scratch (at 1,000,000 agents of mean degree 20, about 300 million offers a step).

    ``keep_visited`` (bool[E], default all): the events whose merged visited set is
    wanted; the kernel does not write the others' (empty ranges in ``vptr2``), so the sets
    of events that stop here (no hops left) are never made.
    """
    degree = np.diff(indptr)
    # offers per event, cumulative: int64[E + 1]
    f_cum = np.zeros(f_node.size + 1, dtype=np.int64)
    if f_node.size:
        np.cumsum(degree[f_node], out=f_cum[1:])
    del degree
    bound = f_cum[fptr]
    del f_cum
    limit = _BATCH_OFFERS if batch_offers is None else max(1, int(batch_offers))
    args = (float(share_good), float(share_bad), float(decay_good), float(decay_bad),
            float(min_weight), float(fanout), float(by_strength), bool(detail))
    n_events = key.shape[0]
    keep = (np.ones(n_events, dtype=bool) if keep_visited is None
            else np.ascontiguousarray(keep_visited, dtype=bool))
    if n_events == 0 or bound[-1] <= limit:
        out = _spread_batch(indptr, indices, strength, key, is_bad, fptr, f_node, f_weight,
                            vptr, v_node, args, int(bound[-1]), keep)
        return _shape_output(out, detail)
    # output fields: pointers (0: hptr, 4: vptr2, 6: rptr) and the data they index
    fields = range(9) if detail else (0, 1, 2, 4, 5)
    joined = [None] * 9
    a = 0
    while a < n_events:
        b = int(np.searchsorted(bound, bound[a] + limit, side="right")) - 1
        b = min(max(b, a + 1), n_events)
        f0, f1, v0, v1 = fptr[a], fptr[b], vptr[a], vptr[b]
        out = _spread_batch(indptr, indices, strength, key[a:b], is_bad[a:b],
                            fptr[a:b + 1] - f0, f_node[f0:f1], f_weight[f0:f1],
                            vptr[a:b + 1] - v0, v_node[v0:v1], args,
                            int(bound[b] - bound[a]), keep[a:b])
        # each batch's output is appended as soon as it is made: only one batch's
        # output is held beside the joined arrays, never all the parts at once
        for f in fields:
            joined[f] = _grow(joined[f], out[f], f in (0, 4, 6))
        del out
        a = b
    return _shape_output(tuple(joined), detail)


def _spread_batch(indptr, indices, strength, key, is_bad, fptr, f_node, f_weight, vptr,
                  v_node, args, relaxations, keep_visited):
    """One kernel call over these events; on all threads when there is enough work."""
    parallel = use_parallel(relaxations, _PARALLEL_MIN_RELAXATIONS)
    kernel = _spread_parallel if parallel else _spread_serial
    return kernel(indptr, indices, strength, key, is_bad, fptr, f_node, f_weight, vptr,
                  v_node, *args, _chunks_for(relaxations, indptr.size - 1, parallel),
                  keep_visited)


def _chunks_for(relaxations: int, n_nodes: int, parallel: bool) -> int:
    """How many chunks of events the kernel makes (the results do not depend on it): one
    on one thread; on several, enough to share the work out, but each chunk marks all
    ``n_nodes`` agents once, so not many more than the work pays for."""
    if not parallel:
        return 1
    wanted = relaxations // max(4 * n_nodes, 1)
    return int(min(_N_CHUNKS, max(4 * numba.get_num_threads(), wanted)))


def _grow(out, part, pointers):
    """``out`` with ``part`` (one dtype) appended in place (:func:`append_in_place`;
    ``out`` is this function's own, so without the reference check). With ``pointers``,
    both are offsets (int64[E_b + 1], each starting at 0) and ``part``'s are shifted to
    continue ``out``'s. ``out`` None: a NumPy-owned copy of ``part`` (the kernel's arrays
    are not resizable)."""
    if out is None:
        return part.copy()
    if pointers:
        part = part[1:] + out[-1]
    return append_in_place(out, part, refcheck=False)
