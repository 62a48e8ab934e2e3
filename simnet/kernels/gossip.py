"""Word of mouth: one hop of news in flight over the tie network.

The graph is the symmetric CSR of the model: ``indptr`` int64[n + 1], ``indices`` int32[nnz]
(each row sorted ascending, no self-loops or duplicates), ``strength`` float64[nnz] (tie
strength in (0, 1], symmetric).

News in flight (the *frontier*) is ``k`` messages given as parallel arrays:

- ``holder`` int32[k]: the agent who holds the news and passes it on now;
- ``sender`` int32[k]: who passed it to the holder, -1 for fresh news the holder witnessed;
- ``subject`` int32[k]: whom the news is about;
- ``is_bad`` bool[k]: bad news (True) or good news (False);
- ``weight`` float64[k]: its weight, > 0;
- ``hops`` int32[k]: hops travelled so far, 0 for fresh news.

Algorithm (shared by the serial and the parallel kernel, so the two agree bit for bit):

1. The messages are grouped by holder (stable counting sort) and, within a holder, ordered by
   (subject, is_bad, hops, input position).
2. The kernel *pulls*: each viewer ``w`` (a node adjacent to some holder) walks its own row,
   and for each neighbour ``h`` the messages ``h`` holds. Surviving relaxations (echo rule,
   threshold) go to a scratch slot range reserved for ``w`` (sized by an upper bound computed
   beforehand), which is then stably sorted by (subject, is_bad). Each viewer's
   contributions are therefore summed in the fixed order (subject, is_bad, sender, hops,
   position of the message within its holder), whichever thread handles the viewer.
3. A second pass over each viewer's sorted slot range counts its output rows; prefix sums
   give every viewer its place in the outputs; a third pass writes them.

Work is split into chunks of consecutive viewers of about equal relaxation count, so a hub
(many incoming relaxations) does not serialise the parallel kernel. The only outputs are the
aggregated rows; the scratch holds one (message index, weight) pair per relaxation.
"""

import numpy as np
from numba import njit, prange

__all__ = ["propagate_step", "propagate_step_parallel", "propagate_step_serial"]

# Sorting groups at most this long uses insertion sort; longer ones a stable merge sort.
_INSERTION_MAX = 48
# Number of work chunks of the viewer passes (independent of the thread count; results do
# not depend on it either, since each viewer is processed independently).
_N_CHUNKS = 256
# Below this many relaxations, the public ``propagate_step`` uses the serial kernel.
_PARALLEL_MIN_RELAXATIONS = 20_000

_SUBJECT_SHIFT = 31  # packed message key = ((subject * 2 + is_bad) << 31) | hops


@njit(cache=True)
def _stable_sort_by_key(key, idx, lo, hi):
    """Stably sort ``idx[lo:hi]`` by ``key[idx[...]]`` (int64 keys, int64 idx), in place."""
    m = hi - lo
    if m < 2:
        return
    # Already sorted? (the common case for canonical frontiers)
    ok = True
    for t in range(lo + 1, hi):
        if key[idx[t]] < key[idx[t - 1]]:
            ok = False
            break
    if ok:
        return
    if m <= _INSERTION_MAX:
        for t in range(lo + 1, hi):
            x = idx[t]
            kx = key[x]
            s = t - 1
            while s >= lo and key[idx[s]] > kx:
                idx[s + 1] = idx[s]
                s -= 1
            idx[s + 1] = x
        return
    local = np.empty(m, dtype=np.int64)
    for t in range(m):
        local[t] = key[idx[lo + t]]
    perm = np.argsort(local, kind="mergesort")
    tmp = idx[lo:hi].copy()
    for t in range(m):
        idx[lo + t] = tmp[perm[t]]


@njit(cache=True)
def _sort_slots(kb, sj, sw, base, c):
    """Stably sort scratch slots ``[base, base + c)`` (``sj`` int64, ``sw`` float64) by the
    chunk-local keys ``kb[0:c]`` (int64), in place."""
    if c < 2:
        return
    ok = True
    for t in range(1, c):
        if kb[t] < kb[t - 1]:
            ok = False
            break
    if ok:
        return
    if c <= _INSERTION_MAX:
        for t in range(1, c):
            kx = kb[t]
            jx = sj[base + t]
            wx = sw[base + t]
            s = t - 1
            while s >= 0 and kb[s] > kx:
                kb[s + 1] = kb[s]
                sj[base + s + 1] = sj[base + s]
                sw[base + s + 1] = sw[base + s]
                s -= 1
            kb[s + 1] = kx
            sj[base + s + 1] = jx
            sw[base + s + 1] = wx
        return
    perm = np.argsort(kb[:c], kind="mergesort")
    tj = sj[base : base + c].copy()
    tw = sw[base : base + c].copy()
    for t in range(c):
        sj[base + t] = tj[perm[t]]
        sw[base + t] = tw[perm[t]]


@njit(cache=True)
def _group_by_holder(n, holder, subject, is_bad, hops):
    """Stable counting sort of the messages by holder, then by (subject, is_bad, hops)
    within each holder. Returns ``mptr`` int64[n + 1] (messages of holder ``h`` are
    ``order[mptr[h]:mptr[h + 1]]``), ``order`` int64[k] and the packed keys int64[k]."""
    k = holder.shape[0]
    mptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(k):
        mptr[holder[i] + 1] += 1
    for h in range(n):
        mptr[h + 1] += mptr[h]
    pos = mptr[:n].copy()
    order = np.empty(k, dtype=np.int64)
    for i in range(k):
        h = holder[i]
        order[pos[h]] = i
        pos[h] += 1
    key = np.empty(k, dtype=np.int64)
    for i in range(k):
        key[i] = ((np.int64(subject[i]) * 2 + np.int64(is_bad[i])) << _SUBJECT_SHIFT) | np.int64(
            hops[i]
        )
    return mptr, order, key


@njit(cache=True)
def _relax_viewer(
    w, base, kb, sj, sw, indptr, indices, strength, mptr, msnd, msubj, mbad, mwt, mkey,
    decay_good, decay_bad, min_weight, echo_rule,
):
    """Pull the relaxations into viewer ``w``: write the survivors' (message index, new
    weight) to scratch slots from ``base`` and their (subject, is_bad) sort keys to ``kb``,
    sort them stably, and return their number."""
    c = 0
    for p in range(indptr[w], indptr[w + 1]):
        h = indices[p]
        s = strength[p]
        for j in range(mptr[h], mptr[h + 1]):
            if echo_rule and (w == msnd[j] or w == msubj[j]):
                continue
            if mbad[j]:
                x = mwt[j] * s * decay_bad
            else:
                x = mwt[j] * s * decay_good
            if x < min_weight:
                continue
            sj[base + c] = j
            sw[base + c] = x
            kb[c] = mkey[j] >> _SUBJECT_SHIFT
            c += 1
    _sort_slots(kb, sj, sw, base, c)
    return c


@njit(cache=True)
def _emit_viewer(
    w, base, c, sj, sw, mholder, msubj, mbad, mhops, max_hops, write, dpos, fpos,
    viewer, h_subject, h_good, h_bad, f_holder, f_sender, f_subject, f_bad, f_weight, f_hops,
):
    """Scan viewer ``w``'s sorted scratch slots; if ``write``, write its heard rows from
    ``dpos`` and its next-frontier rows from ``fpos``. Returns the numbers of rows (d, f)."""
    d = 0
    f = 0
    i = 0
    while i < c:
        subj = msubj[sj[base + i]]
        g = 0.0
        b = 0.0
        have_prev = False
        prev_bad = False
        prev_h = -1
        prev_hops = -1
        while i < c and msubj[sj[base + i]] == subj:
            j = sj[base + i]
            x = sw[base + i]
            bad = mbad[j]
            if bad:
                b += x
            else:
                g += x
            hp = mhops[j]
            if np.int64(hp) + 1 < max_hops:
                hh = mholder[j]
                if have_prev and prev_bad == bad and prev_h == hh and prev_hops == hp:
                    if write:
                        f_weight[fpos + f - 1] += x
                else:
                    if write:
                        r = fpos + f
                        f_holder[r] = w
                        f_sender[r] = hh
                        f_subject[r] = subj
                        f_bad[r] = bad
                        f_weight[r] = x
                        f_hops[r] = hp + 1
                    f += 1
                    have_prev = True
                    prev_bad = bad
                    prev_h = hh
                    prev_hops = hp
            i += 1
        if write:
            r = dpos + d
            viewer[r] = w
            h_subject[r] = subj
            h_good[r] = g
            h_bad[r] = b
        d += 1
    return d, f


@njit(cache=True)
def _empty_result():
    return (
        np.empty(0, dtype=np.int32),
        np.empty(0, dtype=np.int32),
        np.empty(0, dtype=np.float64),
        np.empty(0, dtype=np.float64),
        np.empty(0, dtype=np.int32),
        np.empty(0, dtype=np.int32),
        np.empty(0, dtype=np.int32),
        np.empty(0, dtype=np.bool_),
        np.empty(0, dtype=np.float64),
        np.empty(0, dtype=np.int32),
    )


@njit(cache=True)
def _chunk_viewers(inc, indptr, active, n_chunks):
    """Split the active viewers into ``n_chunks`` ranges of about equal work (incoming
    relaxations plus row length). Returns int64[n_chunks + 1] bounds into ``active``."""
    na = active.shape[0]
    cum = np.empty(na + 1, dtype=np.float64)
    cum[0] = 0.0
    for a in range(na):
        w = active[a]
        cum[a + 1] = cum[a] + inc[a] + (indptr[w + 1] - indptr[w]) + 1.0
    bounds = np.empty(n_chunks + 1, dtype=np.int64)
    total = cum[na]
    for c in range(n_chunks + 1):
        bounds[c] = np.searchsorted(cum, total * c / n_chunks)
    bounds[0] = 0
    bounds[n_chunks] = na
    for c in range(1, n_chunks + 1):
        if bounds[c] < bounds[c - 1]:
            bounds[c] = bounds[c - 1]
    return bounds


@njit(cache=True)
def _active_viewers_sparse(n, indptr, indices, mptr):
    """Viewers adjacent to some holder (marking from the holders' rows), ascending."""
    mark = np.zeros(n, dtype=np.bool_)
    na = 0
    for h in range(n):
        if mptr[h + 1] > mptr[h]:
            for p in range(indptr[h], indptr[h + 1]):
                w = indices[p]
                if not mark[w]:
                    mark[w] = True
                    na += 1
    active = np.empty(na, dtype=np.int64)
    a = 0
    for w in range(n):
        if mark[w]:
            active[a] = w
            a += 1
    return active


@njit(cache=True)
def _incoming(w, indptr, indices, mptr):
    """Upper bound of relaxations into viewer ``w``: messages held by its neighbours."""
    t = 0
    for p in range(indptr[w], indptr[w + 1]):
        h = indices[p]
        t += mptr[h + 1] - mptr[h]
    return t


@njit(cache=True)
def _prefix(counts):
    """Exclusive prefix sum of an int64 array; returns int64[len + 1]."""
    m = counts.shape[0]
    off = np.empty(m + 1, dtype=np.int64)
    off[0] = 0
    for a in range(m):
        off[a + 1] = off[a] + counts[a]
    return off


@njit(cache=True)
def _sparse_frontier(n, indptr, mptr):
    """True when the holders' rows cover well under the whole edge list (then it is
    cheaper to find viewers by marking from the holders than by scanning every row)."""
    r = 0
    for h in range(n):
        if mptr[h + 1] > mptr[h]:
            r += indptr[h + 1] - indptr[h]
    return 4 * r < indptr[n]


@njit(cache=True)
def propagate_step_serial(
    indptr, indices, strength, holder, sender, subject, is_bad, weight, hops,
    decay_good, decay_bad, max_hops, min_weight, echo_rule,
):
    """One hop of word of mouth (single-threaded kernel).

    Same signature, semantics and bit-for-bit results as :func:`propagate_step_parallel`;
    see :func:`propagate_step` for the full specification.
    """
    n = indptr.shape[0] - 1
    k = holder.shape[0]
    if k == 0 or n == 0:
        return _empty_result()
    # 1. group messages by holder, ordered within holder
    mptr, order, key = _group_by_holder(n, holder, subject, is_bad, hops)
    for h in range(n):
        _stable_sort_by_key(key, order, mptr[h], mptr[h + 1])
    mholder = holder[order]
    msnd = sender[order]
    msubj = subject[order]
    mbad = is_bad[order]
    mwt = weight[order]
    mhops = hops[order]
    mkey = key[order]
    # 2. active viewers and their incoming upper bounds
    if _sparse_frontier(n, indptr, mptr):
        active = _active_viewers_sparse(n, indptr, indices, mptr)
        inc = np.empty(active.shape[0], dtype=np.int64)
        for a in range(active.shape[0]):
            inc[a] = _incoming(active[a], indptr, indices, mptr)
    else:
        inc_all = np.empty(n, dtype=np.int64)
        for w in range(n):
            inc_all[w] = _incoming(w, indptr, indices, mptr)
        active = np.nonzero(inc_all)[0].astype(np.int64)
        inc = inc_all[active]
    na = active.shape[0]
    soff = _prefix(inc)
    sj = np.empty(soff[na], dtype=np.int64)
    sw = np.empty(soff[na], dtype=np.float64)
    n_chunks = max(1, min(na, _N_CHUNKS))
    bounds = _chunk_viewers(inc, indptr, active, n_chunks)
    cnt = np.zeros(na, dtype=np.int64)
    dcnt = np.zeros(na, dtype=np.int64)
    fcnt = np.zeros(na, dtype=np.int64)
    e32 = np.empty(0, dtype=np.int32)
    ef = np.empty(0, dtype=np.float64)
    eb = np.empty(0, dtype=np.bool_)
    # 3. relax, sort and count, per chunk of viewers
    for ch in range(n_chunks):
        lo = bounds[ch]
        hi = bounds[ch + 1]
        mx = 0
        for a in range(lo, hi):
            mx = max(mx, inc[a])
        kb = np.empty(mx, dtype=np.int64)
        for a in range(lo, hi):
            w = active[a]
            c = _relax_viewer(
                w, soff[a], kb, sj, sw, indptr, indices, strength, mptr, msnd, msubj, mbad,
                mwt, mkey, decay_good, decay_bad, min_weight, echo_rule,
            )
            cnt[a] = c
            d, f = _emit_viewer(
                w, soff[a], c, sj, sw, mholder, msubj, mbad, mhops, max_hops, False, 0, 0,
                e32, e32, ef, ef, e32, e32, e32, eb, ef, e32,
            )
            dcnt[a] = d
            fcnt[a] = f
    # 4. place and write the rows
    doff = _prefix(dcnt)
    foff = _prefix(fcnt)
    nd = doff[na]
    nf = foff[na]
    viewer = np.empty(nd, dtype=np.int32)
    h_subject = np.empty(nd, dtype=np.int32)
    h_good = np.empty(nd, dtype=np.float64)
    h_bad = np.empty(nd, dtype=np.float64)
    f_holder = np.empty(nf, dtype=np.int32)
    f_sender = np.empty(nf, dtype=np.int32)
    f_subject = np.empty(nf, dtype=np.int32)
    f_bad = np.empty(nf, dtype=np.bool_)
    f_weight = np.empty(nf, dtype=np.float64)
    f_hops = np.empty(nf, dtype=np.int32)
    for ch in range(n_chunks):
        for a in range(bounds[ch], bounds[ch + 1]):
            _emit_viewer(
                active[a], soff[a], cnt[a], sj, sw, mholder, msubj, mbad, mhops, max_hops,
                True, doff[a], foff[a], viewer, h_subject, h_good, h_bad,
                f_holder, f_sender, f_subject, f_bad, f_weight, f_hops,
            )
    return (
        viewer, h_subject, h_good, h_bad,
        f_holder, f_sender, f_subject, f_bad, f_weight, f_hops,
    )


@njit(cache=True, parallel=True)
def propagate_step_parallel(
    indptr, indices, strength, holder, sender, subject, is_bad, weight, hops,
    decay_good, decay_bad, max_hops, min_weight, echo_rule,
):
    """One hop of word of mouth (multi-threaded kernel, ``prange``).

    Results are bit-for-bit identical to :func:`propagate_step_serial` whatever the number
    of threads: every viewer's contributions are summed in a fixed order by exactly one
    thread, and rows are placed by prefix sums. See :func:`propagate_step` for the full
    specification.
    """
    n = indptr.shape[0] - 1
    k = holder.shape[0]
    if k == 0 or n == 0:
        return _empty_result()
    # 1. group messages by holder, ordered within holder
    mptr, order, key = _group_by_holder(n, holder, subject, is_bad, hops)
    for h in prange(n):
        _stable_sort_by_key(key, order, mptr[h], mptr[h + 1])
    mholder = np.empty_like(holder)
    msnd = np.empty_like(sender)
    msubj = np.empty_like(subject)
    mbad = np.empty_like(is_bad)
    mwt = np.empty_like(weight)
    mhops = np.empty_like(hops)
    mkey = np.empty_like(key)
    for t in prange(k):
        i = order[t]
        mholder[t] = holder[i]
        msnd[t] = sender[i]
        msubj[t] = subject[i]
        mbad[t] = is_bad[i]
        mwt[t] = weight[i]
        mhops[t] = hops[i]
        mkey[t] = key[i]
    # 2. active viewers and their incoming upper bounds
    if _sparse_frontier(n, indptr, mptr):
        active = _active_viewers_sparse(n, indptr, indices, mptr)
        inc = np.empty(active.shape[0], dtype=np.int64)
        for a in prange(active.shape[0]):
            inc[a] = _incoming(active[a], indptr, indices, mptr)
    else:
        inc_all = np.empty(n, dtype=np.int64)
        for w in prange(n):
            inc_all[w] = _incoming(w, indptr, indices, mptr)
        active = np.nonzero(inc_all)[0].astype(np.int64)
        inc = inc_all[active]
    na = active.shape[0]
    soff = _prefix(inc)
    sj = np.empty(soff[na], dtype=np.int64)
    sw = np.empty(soff[na], dtype=np.float64)
    n_chunks = max(1, min(na, _N_CHUNKS))
    bounds = _chunk_viewers(inc, indptr, active, n_chunks)
    cnt = np.zeros(na, dtype=np.int64)
    dcnt = np.zeros(na, dtype=np.int64)
    fcnt = np.zeros(na, dtype=np.int64)
    # 3. relax, sort and count, per chunk of viewers
    for ch in prange(n_chunks):
        e32 = np.empty(0, dtype=np.int32)
        ef = np.empty(0, dtype=np.float64)
        eb = np.empty(0, dtype=np.bool_)
        lo = bounds[ch]
        hi = bounds[ch + 1]
        mx = 0
        for a in range(lo, hi):
            mx = max(mx, inc[a])
        kb = np.empty(mx, dtype=np.int64)
        for a in range(lo, hi):
            w = active[a]
            c = _relax_viewer(
                w, soff[a], kb, sj, sw, indptr, indices, strength, mptr, msnd, msubj, mbad,
                mwt, mkey, decay_good, decay_bad, min_weight, echo_rule,
            )
            cnt[a] = c
            d, f = _emit_viewer(
                w, soff[a], c, sj, sw, mholder, msubj, mbad, mhops, max_hops, False, 0, 0,
                e32, e32, ef, ef, e32, e32, e32, eb, ef, e32,
            )
            dcnt[a] = d
            fcnt[a] = f
    # 4. place and write the rows
    doff = _prefix(dcnt)
    foff = _prefix(fcnt)
    nd = doff[na]
    nf = foff[na]
    viewer = np.empty(nd, dtype=np.int32)
    h_subject = np.empty(nd, dtype=np.int32)
    h_good = np.empty(nd, dtype=np.float64)
    h_bad = np.empty(nd, dtype=np.float64)
    f_holder = np.empty(nf, dtype=np.int32)
    f_sender = np.empty(nf, dtype=np.int32)
    f_subject = np.empty(nf, dtype=np.int32)
    f_bad = np.empty(nf, dtype=np.bool_)
    f_weight = np.empty(nf, dtype=np.float64)
    f_hops = np.empty(nf, dtype=np.int32)
    for ch in prange(n_chunks):
        for a in range(bounds[ch], bounds[ch + 1]):
            _emit_viewer(
                active[a], soff[a], cnt[a], sj, sw, mholder, msubj, mbad, mhops, max_hops,
                True, doff[a], foff[a], viewer, h_subject, h_good, h_bad,
                f_holder, f_sender, f_subject, f_bad, f_weight, f_hops,
            )
    return (
        viewer, h_subject, h_good, h_bad,
        f_holder, f_sender, f_subject, f_bad, f_weight, f_hops,
    )


def propagate_step(
    indptr, indices, strength, holder, sender, subject, is_bad, weight, hops,
    decay_good, decay_bad, max_hops, min_weight, echo_rule,
):
    """One hop of word of mouth: pass every message of the frontier to the holder's ties.

    For each message and each neighbour ``w`` of its holder (CSR position ``p``):

    - if ``echo_rule`` and ``w`` is the message's sender or subject, skip;
    - ``new = weight * strength[p] * (decay_bad if is_bad else decay_good)``;
    - if ``new < min_weight``, skip (with ``min_weight == 0`` nothing is skipped);
    - otherwise ``w`` hears it: ``new`` is added to ``w``'s heard-bad or heard-good total
      about the subject; and if ``hops + 1 < max_hops``, ``w`` holds it next step
      (holder ``w``, sender the old holder, same subject and badness, weight ``new``,
      hops ``hops + 1``).

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
    strength : float64[nnz]
        Symmetric CSR graph with tie strengths in (0, 1].
    holder, sender, subject : int32[k]
        The frontier's ``k`` messages: who holds each now, who passed it on (-1 for fresh
        news), whom it is about.
    is_bad : bool[k]
        Bad (True) or good (False) news.
    weight : float64[k]
        Message weights, > 0.
    hops : int32[k]
        Hops travelled so far (0 for fresh news).
    decay_good, decay_bad : float
        Per-hop decay of good and bad news, in [0, 1].
    max_hops : int
        News that has travelled ``max_hops`` hops is heard but not passed on (>= 1).
    min_weight : float
        Relaxations weighing less than this are dropped (>= 0).
    echo_rule : bool
        Never pass news back to its sender nor to its subject.

    Returns
    -------
    tuple of 10 arrays
        ``viewer`` int32[d], ``heard_subject`` int32[d], ``heard_good`` float64[d],
        ``heard_bad`` float64[d]: the weight each viewer heard this hop about each subject,
        one row per distinct (viewer, subject) pair, sorted by (viewer, subject);
        then the next frontier ``holder`` int32[f], ``sender`` int32[f], ``subject`` int32[f],
        ``is_bad`` bool[f], ``weight`` float64[f], ``hops`` int32[f]: messages that share
        (holder, sender, subject, is_bad, hops) merged by summing their weights, sorted by
        (holder, subject, is_bad, sender, hops).

    Notes
    -----
    Dispatches to :func:`propagate_step_parallel` for large frontiers and to
    :func:`propagate_step_serial` for small ones; the two return bit-for-bit identical
    results, whatever the number of Numba threads. Inputs are not validated here.
    """
    k = holder.shape[0]
    relax = 0
    if k:
        deg = indptr[1:] - indptr[:-1]
        relax = int(deg[holder].sum())
    kernel = propagate_step_parallel if relax >= _PARALLEL_MIN_RELAXATIONS else (
        propagate_step_serial
    )
    return kernel(
        indptr, indices, strength, holder, sender, subject, is_bad, weight, hops,
        decay_good, decay_bad, max_hops, min_weight, echo_rule,
    )
