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

Algorithm (each step is a loop over chunks, run in parallel; results do not depend on the
number of threads):

1. The messages are grouped by holder (stable counting sort) and, within a holder, ordered by
   (subject, is_bad, hops, input position), into one record per message.
2. The kernel *pulls*: each viewer ``w`` (a node adjacent to some holder) walks its own row,
   and for each neighbour ``h`` the messages ``h`` holds. Surviving relaxations (echo rule,
   threshold) go to a scratch slot range reserved for ``w`` (sized by an upper bound: the
   number of messages its neighbours hold, or its degree times the most messages one
   holder holds when that is tight enough), whose keys are then sorted by (subject, is_bad)
   stably (insertion sort, or a radix sort for long ranges). Each viewer's contributions
   are therefore summed in the fixed order (subject, is_bad, sender, hops, position of the
   message within its holder), whichever thread handles the viewer.
3. The same pass counts each viewer's output rows; prefix sums give every viewer its place
   in the outputs; a second pass writes them.

Work is split into chunks of consecutive viewers of about equal relaxation count, so a hub
(many incoming relaxations) does not serialise the parallel kernel; the parallel kernel
has three parallel regions (grouping, relaxing, writing). Outputs are only the aggregated
rows; the scratch holds 24 bytes per relaxation (sort key, new weight, sender, hops; sized
by the upper bound above, so relaxations dropped by the echo rule or the threshold still
reserve a slot).

Loop indices that index arrays are cast to unsigned types: Numba then omits its
negative-index wraparound code, which costs a lot in these memory-bound loops.
"""

import numpy as np
from numba import njit, prange

from simnet.kernels._chunks import chunk_bounds as _chunk_bounds
from simnet.kernels._chunks import group_by_owner, on_one_thread
from simnet.kernels.sort import insertion_sort, stable_order

__all__ = ["propagate_step", "propagate_step_parallel"]

# Sorting groups of messages at a holder: insertion sort up to this length, else merge sort.
_INSERTION_MAX = 32
# Sorting a viewer's relaxations: rank sort below this length, else radix sort.
_RADIX_MIN = 64
# Number of work chunks of the viewer passes (independent of the thread count; results do
# not depend on it either, since each viewer is processed independently).
_N_CHUNKS = 256
# Below this many relaxations, the public ``propagate_step`` runs the kernel on one thread
# (waking a second thread costs more than it saves, and much more on a busy machine).
_PARALLEL_MIN_RELAXATIONS = 100_000

_SUBJECT_SHIFT = 31  # packed keys: ((subject * 2 + is_bad) << 31) | (hops or rank)
_LOW_MASK = (1 << 31) - 1

# A message grouped by holder: weight, packed key ((subject * 2 + is_bad) << 31) | hops,
# and sender; one record so that a relaxation touches one cache line of message data.
_MSG = np.dtype([("key", np.int64), ("weight", np.float64), ("sender", np.int32)])
# A surviving relaxation in a viewer's scratch segment: new weight, the neighbour who passed
# it on (the next sender) and the hops it had travelled.
_ITEM = np.dtype([("weight", np.float64), ("sender", np.int32), ("hops", np.int32)])


@njit(cache=True, no_cfunc_wrapper=True)
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
        insertion_sort(idx, key, lo, hi)
        return
    # the kernels' shared stable sort of the keys, carrying the indices along
    ka = np.empty(m, dtype=np.int64)
    ia = np.empty(m, dtype=np.int64)
    for t in range(m):
        ia[t] = idx[lo + t]
        ka[t] = key[ia[t]]
    order = stable_order(ka)
    for t in range(m):
        idx[lo + t] = ia[order[t]]


@njit(cache=True, no_cfunc_wrapper=True)
def _group_by_holder(n, holder, subject, is_bad, hops):
    """Stable counting sort of the messages by holder, then by (subject, is_bad, hops)
    within each holder. Returns ``mptr`` int64[n + 1] (messages of holder ``h`` are
    ``order[mptr[h]:mptr[h + 1]]``), ``order`` int64[k], the packed keys int64[k] and the
    number of bits of ``subject * 2 + is_bad``."""
    k = holder.shape[0]
    mptr, order = group_by_owner(holder, n)
    key = np.empty(k, dtype=np.int64)
    top = 1
    for i in range(k):
        top = max(top, 2 * np.int64(subject[i]) + 1)
    nbits = 1
    while (np.int64(1) << nbits) <= top:
        nbits += 1
    for i in range(k):
        key[i] = ((np.int64(subject[i]) * 2 + np.int64(is_bad[i])) << _SUBJECT_SHIFT) | np.int64(
            hops[i]
        )
    return mptr, order, key, nbits


@njit(cache=True, no_cfunc_wrapper=True)
def _sort_segment(a, lo, hi, nbits, tmp, cnt):
    """Sort the keys ``a[lo:hi]`` (int64 ``(sb << 31) | t``, distinct, with ``t`` ascending in
    the segment's initial order) in place.

    Short segments: rank sort. Longer ones: a stable LSD radix sort on the ``nbits`` bits of
    ``sb`` only (the ``t`` bits are already in order), with digits of about
    ``log2(length)`` bits. ``tmp`` (int64, at least the segment length) and ``cnt`` (int64,
    at least 2048) are scratch. Both give the order of a comparison sort of the keys.
    """
    c = hi - lo
    if c < 2:
        return
    if c < _RADIX_MIN:
        # rank sort: each key's rank is the number of smaller keys; branch-free and
        # vectorised, it beats insertion sort on these short random segments
        for i in range(c):
            tmp[i] = a[lo + i]
        for i in range(c):
            x = tmp[i]
            r = 0
            for j in range(c):
                r += tmp[j] < x
            a[lo + r] = x
        return
    rb = 4
    while (1 << rb) < c and rb < 11:
        rb += 1
    mask = (1 << rb) - 1
    src = a[lo:hi]
    dst = tmp[:c]
    in_tmp = False
    shift = _SUBJECT_SHIFT
    done = 0
    while done < nbits:
        for b in range(mask + 1):
            cnt[b] = 0
        for i in range(c):
            cnt[(src[i] >> shift) & mask] += 1
        total = 0
        for b in range(mask + 1):
            t = cnt[b]
            cnt[b] = total
            total += t
        for i in range(c):
            v = src[i]
            b = (v >> shift) & mask
            dst[cnt[b]] = v
            cnt[b] += 1
        src, dst = dst, src
        in_tmp = not in_tmp
        shift += rb
        done += rb
    if in_tmp:
        for i in range(c):
            a[lo + i] = src[i]


@njit(cache=True, no_cfunc_wrapper=True)
def _relax_viewer(
    w, base, skey, items, indptr, indices, strength, mptr, msgs,
    decay_good, decay_bad, min_weight, echo_rule, nbits, tmp, cnt,
):
    """Pull the relaxations into viewer ``w`` and sort them.

    Survivors (echo rule, threshold) go to the scratch slots ``base, base + 1, ...``:
    ``items`` (new weight, the neighbour who passes it on, its hops so far) and ``skey`` the
    sort key ``((subject * 2 + is_bad) << 31) | t`` with ``t`` the survivor's rank in
    generation order (neighbours ascending, then the holder's message order). Sorting the
    keys of the segment orders the survivors by (subject, is_bad, neighbour, hops, message
    order) without moving the items. Returns the number of survivors."""
    c = 0
    for p in range(np.uint64(indptr[w]), np.uint64(indptr[w + 1])):
        h = indices[p]
        s = strength[p]
        uh = np.uint32(h)
        for j in range(np.uint64(mptr[uh]), np.uint64(mptr[uh + np.uint32(1)])):
            m = msgs[j]
            key = m.key
            sb = key >> _SUBJECT_SHIFT
            if echo_rule and (w == m.sender or w == (sb >> 1)):
                continue
            if sb & 1:
                x = m.weight * s * decay_bad
            else:
                x = m.weight * s * decay_good
            if x < min_weight:
                continue
            r = np.uint64(base + c)
            skey[r] = (sb << _SUBJECT_SHIFT) | c
            it = items[r]
            it.weight = x
            it.sender = h
            it.hops = key & _LOW_MASK
            c += 1
    _sort_segment(skey, base, base + c, nbits, tmp, cnt)
    return c


@njit(cache=True, no_cfunc_wrapper=True)
def _count_viewer(base, c, skey, items, max_hops):
    """Numbers of heard rows (distinct subjects) and of next-frontier rows (distinct
    (subject, is_bad, sender, hops) still travelling) of a viewer's sorted segment."""
    d = 0
    f = 0
    prev_sb = np.int64(-1)
    prev_h = -1
    prev_hop = -1
    for i in range(np.uint64(base), np.uint64(base + c)):
        key = skey[i]
        sb = key >> _SUBJECT_SHIFT
        if prev_sb < 0 or (sb >> 1) != (prev_sb >> 1):
            d += 1
        it = items[np.uint64(base + (key & _LOW_MASK))]
        hp = it.hops
        if np.int64(hp) + 1 < max_hops:
            h = it.sender
            if sb != prev_sb or h != prev_h or hp != prev_hop:
                f += 1
            prev_h = h
            prev_hop = hp
        else:
            prev_h = -1
            prev_hop = -1
        prev_sb = sb
    return d, f


@njit(cache=True, no_cfunc_wrapper=True)
def _write_viewer(
    w, base, c, skey, items, max_hops, dpos, fpos,
    viewer, h_subject, h_good, h_bad, f_holder, f_sender, f_subject, f_bad, f_weight, f_hops,
):
    """Write viewer ``w``'s heard rows from ``dpos`` and next-frontier rows from ``fpos``,
    summing in the sorted order of its segment (same grouping as :func:`_count_viewer`)."""
    # row cursors, unsigned (no wraparound code); d and f point one past the current rows
    d = np.uint64(dpos)
    f = np.uint64(fpos)
    one = np.uint64(1)
    prev_sb = np.int64(-1)
    prev_h = -1
    prev_hop = -1
    for i in range(np.uint64(base), np.uint64(base + c)):
        key = skey[i]
        sb = key >> _SUBJECT_SHIFT
        it = items[np.uint64(base + (key & _LOW_MASK))]
        x = it.weight
        subj = sb >> 1
        bad = (sb & 1) == 1
        if prev_sb < 0 or subj != (prev_sb >> 1):
            viewer[d] = w
            h_subject[d] = subj
            h_good[d] = 0.0
            h_bad[d] = 0.0
            d += one
        if bad:
            h_bad[d - one] += x
        else:
            h_good[d - one] += x
        hp = it.hops
        if np.int64(hp) + 1 < max_hops:
            h = it.sender
            if sb != prev_sb or h != prev_h or hp != prev_hop:
                f_holder[f] = w
                f_sender[f] = h
                f_subject[f] = subj
                f_bad[f] = bad
                f_weight[f] = x
                f_hops[f] = hp + 1
                f += one
            else:
                f_weight[f - one] += x
            prev_h = h
            prev_hop = hp
        else:
            prev_h = -1
            prev_hop = -1
        prev_sb = sb


@njit(cache=True, no_cfunc_wrapper=True)
def _relax_chunk(
    lo, hi, active, soff, inc, cnt, dcnt, fcnt, skey, items, indptr, indices, strength,
    mptr, msgs, decay_good, decay_bad, min_weight, echo_rule, max_hops, nbits,
):
    """Relax, sort and count the viewers ``active[lo:hi]``."""
    mx = 0
    for a in range(lo, hi):
        mx = max(mx, inc[a])
    tmp = np.empty(mx, dtype=np.int64)
    buckets = np.empty(2048 if mx >= _RADIX_MIN else 0, dtype=np.int64)
    for a in range(lo, hi):
        c = _relax_viewer(
            active[a], soff[a], skey, items, indptr, indices, strength, mptr, msgs,
            decay_good, decay_bad, min_weight, echo_rule, nbits, tmp, buckets,
        )
        cnt[a] = c
        d, f = _count_viewer(soff[a], c, skey, items, max_hops)
        dcnt[a] = d
        fcnt[a] = f


@njit(cache=True, no_cfunc_wrapper=True)
def _write_chunk(
    lo, hi, active, soff, cnt, doff, foff, skey, items, max_hops,
    viewer, h_subject, h_good, h_bad, f_holder, f_sender, f_subject, f_bad, f_weight, f_hops,
):
    """Write the output rows of the viewers ``active[lo:hi]``."""
    for a in range(lo, hi):
        _write_viewer(
            active[a], soff[a], cnt[a], skey, items, max_hops, doff[a], foff[a],
            viewer, h_subject, h_good, h_bad, f_holder, f_sender, f_subject, f_bad, f_weight,
            f_hops,
        )


@njit(cache=True, no_cfunc_wrapper=True)
def _chunk_viewers(inc, indptr, active, n_chunks):
    """Split the nodes ``active`` (int64[m]) into ``n_chunks`` consecutive ranges of about
    equal work: ``inc[a]`` (int64[m], the incoming relaxations) plus row length."""
    na = active.shape[0]
    cum = np.empty(na + 1, dtype=np.float64)
    cum[0] = 0.0
    for a in range(na):
        w = active[a]
        cum[a + 1] = cum[a] + inc[a] + (indptr[w + 1] - indptr[w]) + 1.0
    return _chunk_bounds(cum, n_chunks)


@njit(cache=True, no_cfunc_wrapper=True)
def _chunk_holders(mptr, indptr, n_chunks):
    """Split the nodes ``0 .. n - 1`` into ``n_chunks`` ranges of about equal grouping work:
    messages held plus row length."""
    n = indptr.shape[0] - 1
    cum = np.empty(n + 1, dtype=np.float64)
    cum[0] = 0.0
    for h in range(n):
        cum[h + 1] = cum[h] + (mptr[h + 1] - mptr[h]) + (indptr[h + 1] - indptr[h]) + 1.0
    return _chunk_bounds(cum, n_chunks)


@njit(cache=True, no_cfunc_wrapper=True)
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


@njit(cache=True, no_cfunc_wrapper=True)
def _incoming(w, indptr, indices, mptr):
    """Upper bound of relaxations into viewer ``w``: messages held by its neighbours."""
    t = 0
    for p in range(np.uint64(indptr[w]), np.uint64(indptr[w + 1])):
        h = np.uint32(indices[p])
        t += mptr[h + np.uint32(1)] - mptr[h]
    return t


@njit(cache=True, no_cfunc_wrapper=True)
def _group_messages(h, key, order, mptr, weight, sender, msgs):
    """Order holder ``h``'s messages by their packed key (stably) and copy them, in that
    order, into the message records ``msgs[mptr[h]:mptr[h + 1]]``."""
    lo = mptr[h]
    hi = mptr[h + 1]
    _stable_sort_by_key(key, order, lo, hi)
    for t in range(lo, hi):
        i = order[t]
        m = msgs[t]
        m.key = key[i]
        m.weight = weight[i]
        m.sender = sender[i]


@njit(cache=True, no_cfunc_wrapper=True)
def _prefix(counts):
    """Exclusive prefix sum of an int64 array; returns int64[len + 1]."""
    m = counts.shape[0]
    off = np.empty(m + 1, dtype=np.int64)
    off[0] = 0
    for a in range(m):
        off[a + 1] = off[a] + counts[a]
    return off


@njit(cache=True, no_cfunc_wrapper=True)
def _frontier_shape(n, indptr, mptr):
    """How to bound the relaxations into each viewer.

    Returns ``(sparse, deg_bound, most)``: ``sparse`` when the holders' rows cover well under
    the whole edge list (then viewers are found by marking from the holders rather than by
    scanning every row); ``deg_bound`` when ``degree * most`` (``most``: the most messages
    one holder holds) bounds each viewer's relaxations within 25% of their total in
    aggregate, so that the per-viewer count pass can be skipped (e.g. fresh news, one
    message per holder)."""
    rows = 0
    total = 0
    most = 0
    for h in range(n):
        m = mptr[h + 1] - mptr[h]
        if m > 0:
            d = indptr[h + 1] - indptr[h]
            rows += d
            total += m * d
            most = max(most, m)
    sparse = 4 * rows < indptr[n]
    deg_bound = (not sparse) and 4 * most * indptr[n] <= 5 * total
    return sparse, deg_bound, most


@njit(cache=True, no_cfunc_wrapper=True)
def _group_chunk(lo, hi, key, order, mptr, weight, sender, msgs, count_pass, inc_all,
                 indptr, indices):
    """Group the messages of holders ``lo .. hi - 1`` (see :func:`_group_messages`) and, if
    ``count_pass``, bound the relaxations into each of them as a viewer."""
    for h in range(lo, hi):
        _group_messages(h, key, order, mptr, weight, sender, msgs)
        if count_pass:
            inc_all[h] = _incoming(h, indptr, indices, mptr)


@njit(cache=True, no_cfunc_wrapper=True)
def _prepare(indptr, holder, subject, is_bad, hops):
    """Serial set-up of the grouping pass: the holder index ``mptr``, the stable order and
    packed keys of the messages, the bit width of the subject keys, the frontier's shape
    (:func:`_frontier_shape`), work chunks over the holders, and the arrays the grouping
    pass fills (the message records, and the per-node bounds of incoming relaxations)."""
    n = indptr.shape[0] - 1
    k = holder.shape[0]
    mptr, order, key, nbits = _group_by_holder(n, holder, subject, is_bad, hops)
    sparse, deg_bound, most = _frontier_shape(n, indptr, mptr)
    hb = _chunk_holders(mptr, indptr, min(n, _N_CHUNKS))
    msgs = np.empty(k, dtype=_MSG)
    inc_all = np.zeros(n, dtype=np.int64)
    return mptr, order, key, nbits, sparse, deg_bound, most, hb, msgs, inc_all


@njit(cache=True, no_cfunc_wrapper=True)
def _plan(indptr, indices, mptr, sparse, deg_bound, most, inc_all):
    """Serial planning of the relaxing pass: the viewers, the upper bounds of their
    relaxations, their scratch offsets, the scratch, work chunks over the viewers, and the
    per-viewer count arrays."""
    n = indptr.shape[0] - 1
    if sparse:
        active = _active_viewers_sparse(n, indptr, indices, mptr)
        inc = np.empty(active.shape[0], dtype=np.int64)
        for a in range(active.shape[0]):
            inc[a] = _incoming(active[a], indptr, indices, mptr)
    else:
        # viewers: every node with ties (degree bound), or with incoming relaxations
        na = 0
        for w in range(n):
            if (indptr[w + 1] > indptr[w]) if deg_bound else (inc_all[w] > 0):
                na += 1
        active = np.empty(na, dtype=np.int64)
        inc = np.empty(na, dtype=np.int64)
        a = 0
        for w in range(n):
            d = indptr[w + 1] - indptr[w]
            if (d > 0) if deg_bound else (inc_all[w] > 0):
                active[a] = w
                inc[a] = d * most if deg_bound else inc_all[w]
                a += 1
    na = active.shape[0]
    soff = _prefix(inc)
    skey = np.empty(soff[na], dtype=np.int64)
    items = np.empty(soff[na], dtype=_ITEM)
    bounds = _chunk_viewers(inc, indptr, active, max(1, min(na, _N_CHUNKS)))
    cnt = np.empty(na, dtype=np.int64)
    dcnt = np.empty(na, dtype=np.int64)
    fcnt = np.empty(na, dtype=np.int64)
    return active, inc, soff, skey, items, bounds, cnt, dcnt, fcnt


@njit(cache=True, no_cfunc_wrapper=True)
def _outputs(dcnt, fcnt):
    """Row offsets of every viewer (prefix sums of its counts) and the output arrays."""
    doff = _prefix(dcnt)
    foff = _prefix(fcnt)
    nd = doff[-1]
    nf = foff[-1]
    out = (
        np.empty(nd, dtype=np.int32),
        np.empty(nd, dtype=np.int32),
        np.empty(nd, dtype=np.float64),
        np.empty(nd, dtype=np.float64),
        np.empty(nf, dtype=np.int32),
        np.empty(nf, dtype=np.int32),
        np.empty(nf, dtype=np.int32),
        np.empty(nf, dtype=np.bool_),
        np.empty(nf, dtype=np.float64),
        np.empty(nf, dtype=np.int32),
    )
    return doff, foff, out


@njit(cache=True, parallel=True, no_cfunc_wrapper=True)
def propagate_step_parallel(
    indptr, indices, strength, holder, sender, subject, is_bad, weight, hops,
    decay_good, decay_bad, max_hops, min_weight, echo_rule,
):
    """One hop of word of mouth: the Numba kernel (``parallel=True``, ``prange``).

    Results are bit-for-bit identical whatever the number of threads (including 1): each
    viewer's contributions are summed in a fixed order by one thread, and rows are placed
    by prefix sums. Same signature and returns as :func:`propagate_step`, which states the
    full specification.
    """
    if holder.shape[0] == 0 or indptr.shape[0] < 2:
        return _outputs(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))[2]
    # 1. group the messages by holder, ordered within each holder; in the same pass, when
    # needed, the upper bound of the relaxations into each node as a viewer
    mptr, order, key, nbits, sparse, deg_bound, most, hb, msgs, inc_all = _prepare(
        indptr, holder, subject, is_bad, hops)
    count_pass = not (sparse or deg_bound)
    for ch in prange(hb.shape[0] - 1):
        _group_chunk(hb[ch], hb[ch + 1], key, order, mptr, weight, sender, msgs, count_pass,
                     inc_all, indptr, indices)
    # 2. relax, sort and count, chunk by chunk of viewers
    active, inc, soff, skey, items, bounds, cnt, dcnt, fcnt = _plan(
        indptr, indices, mptr, sparse, deg_bound, most, inc_all)
    for ch in prange(bounds.shape[0] - 1):
        _relax_chunk(
            bounds[ch], bounds[ch + 1], active, soff, inc, cnt, dcnt, fcnt, skey, items,
            indptr, indices, strength, mptr, msgs, decay_good, decay_bad, min_weight,
            echo_rule, max_hops, nbits,
        )
    # 3. place the rows by prefix sums and write them
    doff, foff, out = _outputs(dcnt, fcnt)
    for ch in prange(bounds.shape[0] - 1):
        _write_chunk(
            bounds[ch], bounds[ch + 1], active, soff, cnt, doff, foff, skey, items, max_hops,
            *out,
        )
    return out


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
    Runs :func:`propagate_step_parallel` with Numba's current number of threads when the
    frontier has at least 100,000 relaxations (message x tie pairs), and on one thread
    otherwise; the results are bit-for-bit identical either way. Inputs are not validated
    here.
    """
    k = holder.shape[0]
    relax = 0
    if k:
        deg = indptr[1:] - indptr[:-1]
        relax = int(deg[holder].sum())
    args = (indptr, indices, strength, holder, sender, subject, is_bad, weight, hops,
            decay_good, decay_bad, max_hops, min_weight, echo_rule)
    if relax >= _PARALLEL_MIN_RELAXATIONS:
        return propagate_step_parallel(*args)
    return on_one_thread(propagate_step_parallel, *args)
