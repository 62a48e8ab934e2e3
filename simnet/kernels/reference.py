"""Plain-NumPy twins of the kernels: the readable specification.

Each function has the same signature and the same return convention as its Numba kernel,
and is written with vectorised NumPy (no Numba). Tests compare every kernel with its twin;
when they disagree, the twin states what was meant. The twins are slow and memory hungry
(they materialise one row per edge relaxation), so use them on small inputs only.

Graphs are symmetric CSR: ``indptr`` int64[n + 1], ``indices`` int32[nnz] (rows sorted
ascending, no self-loops or duplicates), ``strength`` float64[nnz] (tie strengths in (0, 1]).
"""

import numpy as np

__all__ = [
    "cascade",
    "component_summary",
    "count_common_neighbors",
    "float_keys",
    "group_sums",
    "hop_distance_totals",
    "insert_ties",
    "kendall_tau_b",
    "local_clustering",
    "pass_on_uniform",
    "propagate_linear",
    "propagate_step",
    "second_degree_reach",
    "slots_add",
    "slots_counts",
    "slots_find",
    "slots_forget",
    "spread_events",
    "stable_order",
]


def _expand_rows(indptr, rows):
    """For each entry ``r`` of ``rows`` (int64[k]), all CSR positions of row ``r``.

    Returns ``(which, pos)``, int64 arrays of length ``sum(deg[rows])``: ``pos[t]`` is a CSR
    position in row ``rows[which[t]]``, rows in the order given, positions ascending.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cnt = indptr[rows + 1] - indptr[rows]
    which = np.repeat(np.arange(rows.shape[0], dtype=np.int64), cnt)
    first = np.cumsum(cnt) - cnt
    pos = np.repeat(indptr[rows], cnt) + (np.arange(which.shape[0], dtype=np.int64) - first[which])
    return which, pos


def propagate_step(
    indptr, indices, strength, holder, sender, subject, is_bad, weight, hops,
    decay_good, decay_bad, max_hops, min_weight, echo_rule,
):
    """One hop of word of mouth (NumPy twin of :func:`simnet.kernels.propagate_step`).

    Every message ``i`` (held by ``holder[i]``) is offered to every neighbour ``w`` of its
    holder at CSR position ``p`` with weight
    ``new = weight[i] * strength[p] * (decay_bad if is_bad[i] else decay_good)``.
    The offer is dropped if ``echo_rule`` and ``w`` is the sender or the subject, or if
    ``new < min_weight``. Surviving offers are summed per (viewer, subject) into heard-good
    and heard-bad totals; those with ``hops[i] + 1 < max_hops`` become next-frontier
    messages (holder ``w``, sender ``holder[i]``, same subject and badness, weight ``new``,
    hops ``hops[i] + 1``), merged when they share (holder, sender, subject, is_bad, hops).

    Parameters and returns are those of the kernel: inputs ``holder, sender, subject``
    int32[k], ``is_bad`` bool[k], ``weight`` float64[k], ``hops`` int32[k]; returns
    ``(viewer, heard_subject, heard_good, heard_bad, next_holder, next_sender, next_subject,
    next_is_bad, next_weight, next_hops)`` with int32 / float64 / bool dtypes, the heard rows
    sorted by (viewer, subject) and the frontier sorted by (holder, subject, is_bad, sender,
    hops).
    """
    holder = np.asarray(holder, dtype=np.int64)
    sender = np.asarray(sender, dtype=np.int64)
    subject = np.asarray(subject, dtype=np.int64)
    is_bad = np.asarray(is_bad, dtype=bool)
    weight = np.asarray(weight, dtype=np.float64)
    hops = np.asarray(hops, dtype=np.int64)

    # one row per edge relaxation
    msg, pos = _expand_rows(indptr, holder)
    w = indices[pos].astype(np.int64)
    bad = is_bad[msg]
    new = weight[msg] * strength[pos] * np.where(bad, decay_bad, decay_good)
    keep = ~(new < min_weight)
    if echo_rule:
        keep &= (w != sender[msg]) & (w != subject[msg])
    msg, w, bad, new = msg[keep], w[keep], bad[keep], new[keep]
    subj = subject[msg]

    # heard: sums per (viewer, subject)
    span = int(subj.max()) + 1 if subj.size else 1
    pair, inv = np.unique(w * span + subj, return_inverse=True)
    heard_good = np.bincount(inv, weights=np.where(bad, 0.0, new), minlength=pair.size)
    heard_bad = np.bincount(inv, weights=np.where(bad, new, 0.0), minlength=pair.size)
    viewer = (pair // span).astype(np.int32)
    heard_subject = (pair % span).astype(np.int32)

    # next frontier: merge equal (holder, sender, subject, is_bad, hops), canonical order
    nhops = hops[msg] + 1
    fwd = nhops < max_hops
    f_holder, f_sender, f_subject = w[fwd], holder[msg][fwd], subj[fwd]
    f_bad, f_weight, f_hops = bad[fwd], new[fwd], nhops[fwd]
    order = np.lexsort((f_hops, f_sender, f_bad, f_subject, f_holder))
    cols = [a[order] for a in (f_holder, f_subject, f_bad, f_sender, f_hops)]
    f_weight = f_weight[order]
    if f_weight.size:
        change = np.zeros(f_weight.size, dtype=bool)
        change[0] = True
        for c in cols:
            change[1:] |= c[1:] != c[:-1]
        starts = np.flatnonzero(change)
        f_weight = np.add.reduceat(f_weight, starts)
        cols = [c[starts] for c in cols]
    f_holder, f_subject, f_bad, f_sender, f_hops = cols
    return (
        viewer,
        heard_subject,
        heard_good.astype(np.float64),
        heard_bad.astype(np.float64),
        f_holder.astype(np.int32),
        f_sender.astype(np.int32),
        f_subject.astype(np.int32),
        f_bad.astype(bool),
        f_weight.astype(np.float64),
        f_hops.astype(np.int32),
    )


def count_common_neighbors(indptr, indices, u, v):
    """Common neighbours of each pair (twin of :func:`simnet.kernels.count_common_neighbors`).

    ``u, v`` int32[k]; returns int32[k], ``|N(u[i]) ∩ N(v[i])|``.
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    k = u.shape[0]
    span = max(indptr.shape[0] - 1, 1)
    # (pair, neighbour) keys of both sides; rows have no duplicates, so a key present on
    # both sides is exactly one common neighbour of that pair
    iu, pu = _expand_rows(indptr, u)
    iv, pv = _expand_rows(indptr, v)
    ku = iu * span + indices[pu]
    kv = iv * span + indices[pv]
    common = np.intersect1d(ku, kv, assume_unique=True)
    return np.bincount(common // span, minlength=k).astype(np.int32)


def second_degree_reach(indptr, indices):
    """Distinct other nodes within distance 2 (twin of
    :func:`simnet.kernels.second_degree_reach`). Returns int64[n]."""
    n = indptr.shape[0] - 1
    nodes = np.arange(n, dtype=np.int64)
    src1, pos1 = _expand_rows(indptr, nodes)  # (node, neighbour)
    mid = indices[pos1].astype(np.int64)
    src2, pos2 = _expand_rows(indptr, mid)  # (node via neighbour, neighbour's neighbour)
    a = np.concatenate([src1, src1[src2]])
    b = np.concatenate([mid, indices[pos2].astype(np.int64)])
    keys = np.unique(a[a != b] * max(n, 1) + b[a != b])
    return np.bincount(keys // max(n, 1), minlength=n).astype(np.int64)


def local_clustering(indptr, indices):
    """Local clustering coefficient (twin of :func:`simnet.kernels.local_clustering`).

    ``2 T_i / (d_i (d_i - 1))`` with ``T_i`` the triangles through ``i``; 0 for ``d_i < 2``.
    Returns float64[n].
    """
    n = indptr.shape[0] - 1
    deg = np.diff(indptr).astype(np.float64)
    rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(indptr))
    # sum over the ties (i, j) of |N(i) ∩ N(j)| counts every triangle through i twice
    cn = count_common_neighbors(indptr, indices, rows, indices)
    t2 = np.bincount(rows, weights=cn, minlength=n)
    out = np.zeros(n, dtype=np.float64)
    ok = deg >= 2
    out[ok] = t2[ok] / (deg[ok] * (deg[ok] - 1.0))
    return out


def propagate_linear(indptr, indices, strength, evidence, decay, hops):
    """Linear word of mouth (twin of :func:`simnet.kernels.propagate_linear`).

    Returns ``sum_{h=1..hops} (decay * W)^h @ evidence``, float64[n, c], where ``W`` is the
    n x n matrix with ``W[i, indices[p]] = strength[p]`` for ``p`` in row ``i`` and
    ``evidence`` is float64[n, c].
    """
    n = indptr.shape[0] - 1
    evidence = np.asarray(evidence, dtype=np.float64)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    x = evidence
    acc = np.zeros_like(evidence)
    for _ in range(hops):
        # (W @ x)[i] = sum over row i of strength[p] * x[indices[p]]
        contrib = strength[:, None] * x[indices]
        y = np.zeros_like(evidence)
        np.add.at(y, rows, contrib)
        x = decay * y
        acc += x
    return acc


def cascade(indptr, indices, seeds, uniforms, pass_on):
    """One-shot cascade (twin of :func:`simnet.kernels.cascade`), level by level.

    News starts at ``seeds`` (int32[s], hop 0). A node that first hears it at hop ``t``
    passes it once to each neighbour at CSR position ``p`` with success when
    ``uniforms[p] < pass_on``; a neighbour not yet reached is reached at hop ``t + 1``.
    Returns int32[n], the hop at which each node was reached, -1 if never.
    """
    n = indptr.shape[0] - 1
    hop = np.full(n, -1, dtype=np.int32)
    frontier = np.unique(np.asarray(seeds, dtype=np.int64))
    hop[frontier] = 0
    t = 0
    while frontier.size:
        _, pos = _expand_rows(indptr, frontier)
        pos = pos[uniforms[pos] < pass_on]
        nxt = np.unique(indices[pos].astype(np.int64))
        nxt = nxt[hop[nxt] < 0]
        t += 1
        hop[nxt] = t
        frontier = nxt
    return hop


def reach_and_clustering(indptr, indices):
    """Twin of :func:`simnet.kernels.reach_and_clustering`: (int64[n], float64[n])."""
    return second_degree_reach(indptr, indices), local_clustering(indptr, indices)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def pass_on_uniform(key, teller, hearer):
    """Twin of :func:`simnet.kernels.spread.pass_on_uniform`, vectorised: splitmix64 of
    ``key + (teller + 1) * golden + (hearer + 1) * mix2`` (uint64 arithmetic wrapping), its
    top 53 bits as a float64 in [0, 1)."""
    with np.errstate(over="ignore"):
        key = np.asarray(key, dtype=np.uint64)
        t = np.asarray(teller, dtype=np.int64).astype(np.uint64) + np.uint64(1)
        h = np.asarray(hearer, dtype=np.int64).astype(np.uint64) + np.uint64(1)
        z = key + t * _GOLDEN + h * _MIX2
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def spread_events(indptr, indices, strength, key, is_bad, fptr, f_node, f_weight, vptr,
                  v_node, share_good, share_bad, decay_good, decay_bad, min_weight,
                  fanout=np.inf, by_strength=0.0, detail=False):
    """One hop of every event in flight, counted once (twin of
    :func:`simnet.kernels.spread_events`).

    Every frontier agent ``h`` of event ``e`` offers it to each contact ``w`` (CSR position
    ``p``) with weight ``f_weight * strength[p] * decay``; an offer survives when its weight
    is at least ``min_weight`` and its pass-on uniform ``pass_on_uniform(key[e], h, w)`` is
    below ``share`` (times ``fanout / degree`` for a teller with more than ``fanout``
    contacts, times ``1 - by_strength + by_strength * strength[p]``; always when that is at
    least 1). Offers to ``w`` in the event's visited set are redundant; the others are
    reduced per (event, hearer) to the heaviest copy (the first offered on equal weights)
    and its teller, the other copies being redundant too. Returns what the kernel returns
    (``detail``: all nine arrays, the redundant copies sorted by event, hearer, teller).
    """
    n_events = key.shape[0]
    f_count = np.diff(fptr)
    f_event = np.repeat(np.arange(n_events, dtype=np.int64), f_count)
    which, pos = _expand_rows(indptr, f_node)
    event = f_event[which]
    teller = f_node[which].astype(np.int64)
    hearer = indices[pos].astype(np.int64)
    bad = is_bad[event]
    x = f_weight[which] * np.where(bad, decay_bad, decay_good) * strength[pos]
    share = np.where(bad, share_bad, share_good)
    degree = (indptr[teller + 1] - indptr[teller]).astype(np.float64)
    share = share * np.where(degree > fanout, fanout / np.maximum(degree, 1.0), 1.0)
    share = share * (1.0 - by_strength + by_strength * strength[pos])
    told = (share >= 1.0) | (pass_on_uniform(key[event], teller, hearer) < share)
    keep = (x >= min_weight) & told
    span = max(indptr.shape[0] - 1, 1)
    visited = np.repeat(np.arange(n_events, dtype=np.int64), np.diff(vptr)) * span + v_node
    pair = event * span + hearer
    again = keep & np.isin(pair, visited)
    keep &= ~again
    pair, x, from_teller = pair[keep], x[keep], teller[keep]
    # the heaviest copy per (event, hearer): stable sort by pair, then weight descending
    order = np.lexsort((-x, pair))
    pair, x, from_teller = pair[order], x[order], from_teller[order]
    first = np.ones(pair.size, dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    lost_pair, lost_teller = pair[~first], from_teller[~first]
    pair, x, from_teller = pair[first], x[first], from_teller[first]
    new_event = pair // span
    hptr = np.zeros(n_events + 1, dtype=np.int64)
    hptr[1:] = np.cumsum(np.bincount(new_event, minlength=n_events))
    merged = np.sort(np.concatenate([visited, pair]))
    vptr2 = np.zeros(n_events + 1, dtype=np.int64)
    vptr2[1:] = np.cumsum(np.bincount(merged // span, minlength=n_events))
    h_node = (pair % span).astype(np.int32)
    v_node2 = (merged % span).astype(np.int32)
    if not detail:
        return hptr, h_node, x.astype(np.float64), vptr2, v_node2
    r_pair = np.concatenate([event[again] * span + hearer[again], lost_pair])
    r_teller = np.concatenate([teller[again], lost_teller])
    order = np.lexsort((r_teller, r_pair))
    r_pair, r_teller = r_pair[order], r_teller[order]
    rptr = np.zeros(n_events + 1, dtype=np.int64)
    rptr[1:] = np.cumsum(np.bincount(r_pair // span, minlength=n_events))
    return (hptr, h_node, x.astype(np.float64), from_teller.astype(np.int32), vptr2, v_node2,
            rptr, (r_pair % span).astype(np.int32), r_teller.astype(np.int32))


def choose_retold(holder, key, is_bad, cap, n_nodes):
    """Twin of :func:`simnet.kernels.choose_retold`: per holder, keep the ``cap`` pieces of
    news first in the order (bad before good, smallest ``pass_on_uniform(key, -1, holder)``,
    input position)."""
    holder = np.asarray(holder, dtype=np.int64)
    draw = pass_on_uniform(key, np.full(holder.size, -1), holder)
    good = ~np.asarray(is_bad, dtype=bool)
    order = np.lexsort((np.arange(holder.size), draw, good, holder))
    sorted_holder = holder[order]
    start = np.searchsorted(sorted_holder, sorted_holder, side="left")
    rank = np.arange(holder.size) - start
    keep = np.empty(holder.size, dtype=bool)
    keep[order] = rank < cap
    return keep


def retell_rows(go_on, holder, hptr, key, is_bad, cap, lo, hi):
    """Twin of :func:`simnet.kernels.retell.retell_rows`, returning the new ``go_on`` (a
    copy): :func:`choose_retold` over the rows with ``go_on`` set and a hearer in
    ``[lo, hi)``, each with its event's key and badness."""
    go_on = np.array(go_on, dtype=bool)
    rows = np.flatnonzero(go_on & (holder >= lo) & (holder < hi))
    event = np.searchsorted(hptr, rows, side="right") - 1
    retold = choose_retold(holder[rows], key[event], is_bad[event], cap, max(hi, 1))
    go_on[rows[~retold]] = False
    return go_on


def slots_add(subject, values, count, viewer, about, delta, first=0):
    """Twin of :func:`simnet.kernels.slots_add`, one addition at a time (in place); the
    columns of ``delta`` (float64[m, w]) go to the slot's columns ``first`` onwards.

    For each addition in input order: the viewer's slot about the subject gets ``delta``
    added (float32); with no such slot, a free one is taken (the next after the used ones);
    with none free, the weakest slot (smallest float32 total, first on ties) is replaced
    if the new evidence's total (float64 sum, then float32) is larger, else nothing is
    remembered.
    """
    delta = np.asarray(delta, dtype=np.float64)
    full = np.zeros((delta.shape[0], 4))
    full[:, first:first + delta.shape[1]] = delta
    delta = full
    for i in range(viewer.shape[0]):
        v, s = int(viewer[i]), int(about[i])
        row = subject[v, :count[v]]
        hit = np.flatnonzero(row == s)
        if hit.size:
            k = int(hit[0])
        elif count[v] < subject.shape[1]:
            k = int(count[v])
            count[v] += 1
        else:
            vals = values[v]
            totals = vals[:, 0] + vals[:, 1] + vals[:, 2] + vals[:, 3]
            k = int(np.argmin(totals))
            if not np.float32(delta[i].sum()) > totals[k]:
                continue
        if not hit.size:
            subject[v, k] = s
            values[v, k] = 0.0
        values[v, k] += delta[i].astype(np.float32)


def slots_find(subject, count, viewer, about):
    """Twin of :func:`simnet.kernels.slots_find`: int64[m], the slot or -1."""
    viewer = np.asarray(viewer, dtype=np.int64)
    about = np.asarray(about, dtype=np.int64)
    rows = subject[viewer]
    used = np.arange(subject.shape[1])[None, :] < count[viewer][:, None]
    hit = (rows == about[:, None]) & used
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1).astype(np.int64)


def slots_forget(subject, values, count, keep, min_total):
    """Twin of :func:`simnet.kernels.slots_forget` (in place): weights times ``keep``
    (float32), slots whose total is below ``min_total`` freed, used slots kept first in
    their order."""
    values *= np.float32(keep)
    totals = values[..., 0] + values[..., 1] + values[..., 2] + values[..., 3]
    used = np.arange(subject.shape[1])[None, :] < count[:, None]
    alive = used & (totals.astype(np.float64) >= min_total)
    for v in range(subject.shape[0]):
        k = np.flatnonzero(alive[v])
        m = k.size
        subject[v, :m] = subject[v, k]
        values[v, :m] = values[v, k]
        subject[v, m:] = -1
        values[v, m:] = 0.0
        count[v] = m


def group_sums(values, codes, k):
    """Twin of :func:`simnet.kernels.group_sums`: one ``np.bincount`` over (column, group)
    pairs for the sums of the finite values (the others as 0.0) and one for their count.
    Returns (sums float64[c, k], known float64[c, k], counts int64[k])."""
    c = values.shape[0]
    codes = np.asarray(codes, dtype=np.intp)
    finite = np.isfinite(values)
    zeroed = np.where(finite, values, 0.0)
    flat = (np.arange(c)[:, None] * k + codes[None, :]).ravel()
    # (float64 even for no agents, where bincount gives int64)
    sums = np.bincount(flat, weights=zeroed.ravel(), minlength=c * k).astype(np.float64)
    known = np.bincount(flat, weights=finite.ravel(), minlength=c * k).astype(np.float64)
    return (sums.reshape(-1, k), known.reshape(-1, k),
            np.bincount(codes, minlength=k).astype(np.int64))


def kendall_tau_b(x, y):
    """Twin of :func:`simnet.kernels.kendall_tau_b`: :func:`simnet.stats.kendall_tau_b`,
    the NumPy implementation (checked against scipy in the stats tests)."""
    from simnet.stats import kendall_tau_b as tau_b

    return tau_b(x, y)


def insert_ties(keys, u, v, strength, last_contact, new_keys, new_strength, step, n):
    """Twin of :func:`simnet.kernels.insert_ties`: one ``np.insert`` per column at the
    new keys' sorted positions. Returns (keys, u, v, strength, last_contact)."""
    at = np.searchsorted(keys, new_keys)
    return (np.insert(keys, at, new_keys),
            np.insert(u, at, (new_keys // n).astype(np.int32)),
            np.insert(v, at, (new_keys % n).astype(np.int32)),
            np.insert(strength, at, new_strength),
            np.insert(last_contact, at, step))


def slots_counts(subject, values, count, viewer, about, saw_weight, heard_weight):
    """Twin of :func:`simnet.kernels.slots_counts`: the slot of each pair
    (:func:`slots_find`), then its weights. Returns (good, bad, seen) float64[m]."""
    viewer = np.asarray(viewer, dtype=np.int64)
    k = slots_find(subject, count, viewer, about)
    has = k >= 0
    vals = values[viewer[has], k[has]].astype(np.float64)
    good, bad, seen = np.zeros(viewer.size), np.zeros(viewer.size), np.zeros(viewer.size)
    good[has] = saw_weight * vals[:, 0] + heard_weight * vals[:, 2]
    bad[has] = saw_weight * vals[:, 1] + heard_weight * vals[:, 3]
    seen[has] = vals[:, 0] + vals[:, 1]
    return good, bad, seen


def hop_distance_totals(indptr, indices, sources):
    """Per source, (sum of hop distances, number of nodes reached), itself excluded: twin
    of :func:`simnet.kernels.hop_distance_totals`, one frontier at a time. Returns
    (int64[k], int64[k])."""
    n = indptr.shape[0] - 1
    sources = np.asarray(sources, dtype=np.int64)
    total = np.zeros(sources.size, dtype=np.int64)
    reached = np.zeros(sources.size, dtype=np.int64)
    for s, src in enumerate(sources):
        seen = np.zeros(n, dtype=bool)
        seen[src] = True
        frontier = np.array([src], dtype=np.int64)
        hops = 0
        while frontier.size:
            hops += 1
            _, pos = _expand_rows(indptr, frontier)
            nxt = np.unique(indices[pos].astype(np.int64))
            frontier = nxt[~seen[nxt]]
            seen[frontier] = True
            total[s] += hops * frontier.size
            reached[s] += frontier.size
    return total, reached


def component_summary(indptr, indices):
    """Twin of :func:`simnet.kernels.component_summary`: (number of connected components,
    size of the largest), by label propagation: every node takes the smallest label among
    itself and its neighbours until nothing changes."""
    n = indptr.shape[0] - 1
    if n == 0:
        return 0, 0
    labels = np.arange(n)
    rows = np.repeat(np.arange(n), np.diff(indptr))
    while True:
        new = labels.copy()
        np.minimum.at(new, rows, labels[indices])
        if np.array_equal(new, labels):
            break
        labels = new
    sizes = np.bincount(labels, minlength=n)
    return int(np.count_nonzero(sizes)), int(sizes.max())


def slots_subject_totals(subject, values, count, saw_weight, heard_weight):
    """Twin of :func:`simnet.kernels.slots_subject_totals`: the used slots as rows, then
    per-subject bincounts. Returns (visibility int64[n], reputation_sum, good, bad
    float64[n])."""
    n = subject.shape[0]
    used = np.arange(subject.shape[1])[None, :] < count[:, None]
    about = subject[used].astype(np.int64)
    vals = values[used].astype(np.float64)
    good_w = saw_weight * vals[:, 0] + heard_weight * vals[:, 2]
    bad_w = saw_weight * vals[:, 1] + heard_weight * vals[:, 3]
    visibility = np.bincount(about, minlength=n).astype(np.int64)
    reputation_sum = np.bincount(about, weights=(good_w + 1.0) / (good_w + bad_w + 2.0),
                                 minlength=n)
    return (visibility, reputation_sum, np.bincount(about, weights=good_w, minlength=n),
            np.bincount(about, weights=bad_w, minlength=n))


def views_along_ties(indptr, indices, subject, values, count, saw_weight, heard_weight):
    """Twin of :func:`simnet.kernels.views_along_ties`: float64[nnz], row ``u``'s view of
    each of its contacts, found with :func:`slots_find` (0.5 without a slot)."""
    n = indptr.shape[0] - 1
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    contact = indices.astype(np.int64)
    k = slots_find(subject, count, owner, contact)
    has = k >= 0
    vals = values[owner[has], k[has]].astype(np.float64)
    out = np.full(contact.shape, 0.5)
    good = saw_weight * vals[:, 0] + heard_weight * vals[:, 2]
    bad = saw_weight * vals[:, 1] + heard_weight * vals[:, 3]
    out[has] = (good + 1.0) / (good + bad + 2.0)
    return out


def count_inversions(ranks):
    """Twin of :func:`simnet.kernels.count_inversions`: every pair compared (O(m^2))."""
    ranks = np.asarray(ranks, dtype=np.int64)
    return int(np.triu(ranks[:, None] > ranks[None, :], k=1).sum())


def go_on_rows(ptr, weight, hops_left, decay, min_weight):
    """Twin of :func:`simnet.kernels.hop.go_on_rows`: one event index per row."""
    event = np.repeat(np.arange(ptr.shape[0] - 1), np.diff(ptr))
    return hops_left[event] & (weight * decay[event] >= min_weight)


def true_per_segment(ptr, mask):
    """Twin of :func:`simnet.kernels.hop.true_per_segment`."""
    event = np.repeat(np.arange(ptr.shape[0] - 1), np.diff(ptr))
    return np.bincount(event[mask], minlength=ptr.shape[0] - 1).astype(np.int64)


def compact_segments(ptr, data, keep):
    """Twin of :func:`simnet.kernels.hop.compact_segments`: the kept entries are copied
    to the front of ``data`` (in place, like the kernel); returns their number."""
    kept = data[np.repeat(keep, np.diff(ptr))]
    data[:kept.size] = kept
    return int(kept.size)


def stable_order(key):
    """int64[m]: the stable ascending order of ``key`` (int64[m]) (NumPy twin of
    :func:`simnet.kernels.sort.stable_order`)."""
    return np.argsort(key, kind="stable").astype(np.int64)


def float_keys(x):
    """int64[m] keys that sort like ``x`` (float64[m], no NaN; -0.0 as 0.0) (NumPy twin of
    :func:`simnet.kernels.sort.float_keys`)."""
    bits = (np.asarray(x, dtype=np.float64) + 0.0).view(np.int64)
    return bits ^ ((bits >> 63) & np.int64(0x7FFFFFFFFFFFFFFF))
