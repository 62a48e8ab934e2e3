"""News in flight, counted once: every witnessed event with who has heard it so far.

Word of mouth (the model's default mode, ``word_of_mouth.mode = "once"``) spreads each
*event*, one witness's observation of one subject in one step, as an independent cascade
through :func:`simnet.kernels.spread_events`: one hop per step, each hearer hearing it once
(the heaviest copy) and passing it on once. :class:`NewsInFlight` holds the events still
travelling as flat arrays, ``E`` events:

- ``subject`` int32[E], ``is_bad`` bool[E], ``key`` uint64[E] (the event's random key, from
  the model's Generator: it fixes every pass-on draw of the event), ``hops`` int32[E] (hops
  its frontier has travelled), ``tag`` int64[E] (what the event is about beyond its subject:
  the opening of a job lead, :mod:`simnet.leads`; -1 for word of mouth about conduct);
- the frontier (who heard it last hop, and at what weight): ``fptr`` int64[E + 1],
  ``f_node`` int32[F], ``f_weight`` float64[F];
- the visited set (who has heard it, witness and subject included, sorted per event):
  ``vptr`` int64[E + 1], ``v_node`` int32[V].

An event lives at most ``max_hops`` steps, so the state is bounded by the events of the last
``max_hops`` steps times their reach, whatever the length of the run.
"""

from __future__ import annotations

import numpy as np

from simnet.kernels import SpreadDetail, spread_events
from simnet.kernels._chunks import append_in_place
from simnet.kernels.hop import compact_segments, go_on_rows, true_per_segment
from simnet.kernels.retell import retell_rows

_EMPTY_PTR = np.zeros(1, dtype=np.int64)
_CHUNK = 1 << 22  # rows per piece of per-row work done in pieces


def rows_of(ptr: np.ndarray, values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``values[e]`` (shape [E]) for each of the rows ``lo:hi`` of the segments ``ptr``
    (int64[E + 1]): the slice ``[lo:hi]`` of ``np.repeat(values, np.diff(ptr))``, without
    the whole repeat."""
    a = int(np.searchsorted(ptr, lo, side="right")) - 1
    b = int(np.searchsorted(ptr, hi, side="left"))
    return np.repeat(values[a:b], np.diff(np.clip(ptr[a:b + 1], lo, hi)))


def _segments(counts: np.ndarray) -> np.ndarray:
    """int64[len(counts) + 1]: offsets of consecutive segments of the given lengths."""
    ptr = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr


def _visited_sets(origin: np.ndarray, subject: np.ndarray, told=None):
    """The visited sets new events start with: ``{origin, subject}`` plus, with ``told``
    (``(event, hearer)`` int64[t] each), the hearers told already; sorted and without
    repeats per event. ``origin``, ``subject`` int64[k]. Returns ``vptr`` int64[k + 1] and
    ``v_node`` int64[V]."""
    k = origin.size
    lo, hi = np.minimum(origin, subject), np.maximum(origin, subject)
    if told is None or len(told[0]) == 0:
        one = lo == hi
        visited = np.column_stack([lo, hi]).ravel()[
            np.column_stack([np.ones(k, bool), ~one]).ravel()]
        return _segments(np.where(one, 1, 2).astype(np.int64)), visited
    # only the events someone was told of need merging: the others keep {origin, subject}
    t_event = np.asarray(told[0], dtype=np.int64)
    merged = np.zeros(k, dtype=bool)
    merged[t_event] = True
    sub = np.flatnonzero(merged)
    span = int(max(hi.max(), np.max(told[1]))) + 1
    pair = np.unique(np.concatenate([sub * span + lo[sub], sub * span + hi[sub],
                                     t_event * span + np.asarray(told[1], np.int64)]))
    pair_event = pair // span
    sizes = np.where(lo == hi, 1, 2).astype(np.int64)
    sizes[sub] = np.bincount(pair_event, minlength=k)[sub]
    vptr = _segments(sizes)
    visited = np.empty(int(vptr[-1]), dtype=np.int64)
    plain = np.flatnonzero(~merged)
    visited[vptr[plain]] = lo[plain]
    two = plain[lo[plain] != hi[plain]]
    visited[vptr[two] + 1] = hi[two]
    # each merged pair at its event's start plus its rank within the event
    rank = np.arange(pair.size) - np.searchsorted(pair_event, pair_event, side="left")
    visited[vptr[pair_event] + rank] = pair % span
    return vptr, visited


class NewsInFlight:
    """The events still travelling by word of mouth (see the module docstring)."""

    def __init__(self):
        # the one event watched (by the news trace): its key once started, and who heard
        # it in the last hop (node int32, weight float64)
        self.watch_for: tuple[int, int] | None = None  # (witness, subject) of bad news
        self.watched_key: int | None = None
        self.watched_heard = (np.empty(0, np.int32), np.empty(0, np.float64))
        self.subject = np.empty(0, np.int32)
        self.is_bad = np.empty(0, bool)
        self.key = np.empty(0, np.uint64)
        self.hops = np.empty(0, np.int32)
        self.tag = np.empty(0, np.int64)
        self.fptr = _EMPTY_PTR.copy()
        self.f_node = np.empty(0, np.int32)
        self.f_weight = np.empty(0, np.float64)
        self.vptr = _EMPTY_PTR.copy()
        self.v_node = np.empty(0, np.int32)

    def __len__(self) -> int:
        return int(self.key.size)

    @property
    def frontier_size(self) -> int:
        """Agents about to pass an event on, summed over events."""
        return int(self.f_node.size)

    def add_fresh(self, witness, subject, is_bad, weight, rng: np.random.Generator,
                  told=None) -> None:
        """Start one event per distinct (witness, subject, is_bad) of what was witnessed
        (int[k], int[k], bool[k], float64[k]), its weight the summed weight: observations of
        one witness about one subject in one step travel the same paths, so one event
        carries them. Each event gets a random key from ``rng``. ``told``: (witness,
        subject, is_bad, hearer) arrays of length t, people a witness already told at
        once (an introducer hearing the holder's complaint): each is in its event's
        visited set from the start, so word of mouth does not bring it the news again."""
        witness = np.asarray(witness, dtype=np.int64)
        if witness.size == 0:
            return
        subject = np.asarray(subject, dtype=np.int64)
        is_bad = np.asarray(is_bad, dtype=bool)
        span = int(max(witness.max(), subject.max())) + 1
        code = (witness * span + subject) * 2 + is_bad
        uniq, inverse = np.unique(code, return_inverse=True)
        total = np.bincount(inverse, weights=np.broadcast_to(weight, witness.shape),
                            minlength=uniq.size)
        told_at = None
        if told is not None and len(told[0]):
            t_witness, t_subject, t_bad, t_hearer = (np.asarray(a) for a in told)
            t_code = ((t_witness.astype(np.int64) * span + t_subject) * 2
                      + t_bad.astype(np.int64))
            at = np.minimum(np.searchsorted(uniq, t_code), uniq.size - 1)
            found = uniq[at] == t_code
            told_at = (at[found], np.asarray(t_hearer, np.int64)[found])
        self.start((uniq // 2) // span, (uniq // 2) % span, (uniq % 2).astype(bool), total,
                   rng, told=told_at)

    def start(self, origin, subject, is_bad, weight, rng: np.random.Generator,
              tag=None, told=None) -> None:
        """Start one event per entry (int[k] origin and subject, bool[k], float64[k], and
        ``tag`` int64[k], default -1): the origin tells first; nobody tells the origin or
        the subject (they may be the same agent), nor anyone in ``told`` (``(event,
        hearer)``, int64[t] each: the event's index among these k, and someone who has
        heard it already). Keys are drawn from ``rng``."""
        origin = np.asarray(origin, dtype=np.int64)
        subject = np.asarray(subject, dtype=np.int64)
        k = origin.size
        if k == 0:
            return
        key = rng.integers(0, np.iinfo(np.int64).max, k, dtype=np.int64).astype(np.uint64)
        if self.watch_for is not None:
            hit = np.flatnonzero((origin == self.watch_for[0]) & (subject == self.watch_for[1])
                                 & np.asarray(is_bad, dtype=bool))
            if hit.size:
                self.watched_key, self.watch_for = int(key[hit[0]]), None
        vptr, visited = _visited_sets(origin, subject, told)
        self._append(subject.astype(np.int32), np.asarray(is_bad, dtype=bool), key,
                     np.zeros(k, np.int32),
                     np.full(k, -1, np.int64) if tag is None else np.asarray(tag, np.int64),
                     _segments(np.ones(k, np.int64)), origin.astype(np.int32),
                     np.broadcast_to(np.asarray(weight, np.float64), (k,)).copy(),
                     vptr, visited.astype(np.int32))

    def _append(self, subject, is_bad, key, hops, tag, fptr, f_node, f_weight, vptr, v_node):
        """Append events (their columns, frontier and visited sets, ``fptr`` and ``vptr``
        starting at 0) after those in flight, growing the arrays in place."""
        f_tail = fptr[1:] + self.fptr[-1]
        v_tail = vptr[1:] + self.vptr[-1]
        for name, tail in (("subject", subject), ("is_bad", is_bad), ("key", key),
                           ("hops", hops), ("tag", tag), ("fptr", f_tail),
                           ("f_node", f_node), ("f_weight", f_weight), ("vptr", v_tail),
                           ("v_node", v_node)):
            self._extend(name, tail)

    def _extend(self, name, tail) -> None:
        """Append ``tail`` to the array attribute ``name`` in place
        (:func:`~simnet.kernels._chunks.append_in_place`), so the news state is not held
        twice as with a concatenation; an array that is a view or is viewed is
        concatenated instead."""
        # popped, not read into a name: a second reference would fail resize's check
        setattr(self, name, append_in_place(self.__dict__.pop(name), tail))

    def advance(self, csr, wom) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Move every event one hop on the tie graph ``csr`` with the word-of-mouth
        parameters ``wom``; returns what was heard, one row per new (hearer, event):
        ``viewer`` int32, ``subject`` int32, ``is_bad`` bool, ``weight`` float64.

        An event's new hearers become its frontier when it has hops left and their copy
        could still clear ``min_weight`` over a tie of strength 1, and each hearer passes
        on at most ``retell_max`` of the events it heard (warnings first, then at random);
        events with no frontier left are dropped.
        """
        hptr, viewer, weight, subject, is_bad = self.advance_by_event(csr, wom)
        heard = np.diff(hptr)
        return viewer, np.repeat(subject, heard), np.repeat(is_bad, heard), weight

    def advance_by_event(self, csr, wom) -> tuple[np.ndarray, ...]:
        """:meth:`advance` with the heard rows grouped by event instead of a subject and a
        badness per row (5 bytes a row): ``hptr`` int64[E + 1] (the rows of event ``e``
        are ``hptr[e]:hptr[e + 1]``), ``viewer`` int32[H], ``weight`` float64[H],
        ``subject`` int32[E], ``is_bad`` bool[E] (:func:`rows_of` gives them per row)."""
        if len(self) == 0:
            return (_EMPTY_PTR.copy(), np.empty(0, np.int32), np.empty(0, np.float64),
                    np.empty(0, np.int32), np.empty(0, bool))
        subject, is_bad = self.subject, self.is_bad  # before the hop (_keep replaces them)
        d, _ = self.hop(csr, wom.share_good, wom.share_bad, wom.decay_good,
                        wom.decay_bad, wom.min_weight, wom.fanout, wom.max_hops,
                        retell_max=wom.retell_max)
        return d.hptr, d.h_node, d.h_weight, subject, is_bad

    def hop(self, csr, share_good, share_bad, decay_good, decay_bad, min_weight, fanout,
            max_hops, by_strength=0.0, detail=False,
            retell_max: int | None = None) -> tuple[SpreadDetail, np.ndarray | None]:
        """Move every event one hop (see :func:`simnet.kernels.spread_events` for the
        parameters) and keep those that can still travel (with ``retell_max``, each new
        hearer passes on at most that many of them, warnings first:
        :func:`simnet.kernels.choose_retold`); returns the kernel's
        :class:`~simnet.kernels.SpreadDetail` (with ``detail``: who told each new hearer,
        and the redundant copies; else those fields are None; ``vptr2`` and ``v_node2``
        are None: the visited sets are the news's own now, those of events out of hops
        never gathered) and, with ``detail``,
        ``event`` int32[H], the index (before the hop) of each new hearer's event (else
        None). With ``detail``, ``tag_heard`` holds the new hearers' events' tags (else
        None) and ``tag_again`` the redundant copies' tags.
        """
        hops = self.hops + 1
        hops_left = hops < max_hops
        # the visited sets of events at their last hop are not needed: never gathered
        out = spread_events(csr.indptr, csr.indices, csr.strength, self.key, self.is_bad,
                            self.fptr, self.f_node, self.f_weight, self.vptr, self.v_node,
                            share_good, share_bad, decay_good, decay_bad, min_weight, fanout,
                            by_strength, detail=detail, keep_visited=hops_left)
        if detail:
            d = out
            self.tag_again = np.repeat(self.tag, np.diff(d.rptr))
        else:
            hptr, h_node, h_weight, vptr2, v_node2 = out
            d = SpreadDetail(hptr, h_node, h_weight, None, vptr2, v_node2, None, None, None)
            del hptr, h_node, h_weight, vptr2, v_node2
        del out
        # the old frontier and visited sets are in the output now: release them (until
        # _keep sets the new ones) before the per-row work below
        self.f_node = self.f_weight = self.v_node = None
        heard = np.diff(d.hptr)
        event = (np.repeat(np.arange(len(self), dtype=np.int32), heard) if detail
                 else None)
        self.tag_heard = np.repeat(self.tag, heard) if detail else None
        del heard
        if self.watched_key is not None:
            # the watched event's new hearers are one contiguous range of the output;
            # copied, so that the whole output is not kept alive until the next hop
            at = np.flatnonzero(self.key == np.uint64(self.watched_key))
            if at.size:
                lo, hi = d.hptr[at[0]], d.hptr[at[0] + 1]
                self.watched_heard = (d.h_node[lo:hi].copy(), d.h_weight[lo:hi].copy())

        decay = np.where(self.is_bad, decay_bad, decay_good).astype(np.float64)
        # kernels over the rows grouped by event: no per-row event index
        go_on = go_on_rows(d.hptr, d.h_weight, hops_left, decay, float(min_weight))
        if retell_max is not None:
            self._choose_retold(go_on, d.h_node, d.hptr, retell_max, csr.indptr.size - 1)
        f_count = true_per_segment(d.hptr, go_on)
        vptr2, v_node2 = d.vptr2, d.v_node2
        d = d._replace(vptr2=None, v_node2=None)  # v_node2 is compacted in place below
        self._keep(f_count > 0, hops, f_count, d.h_node[go_on], d.h_weight[go_on], vptr2,
                   v_node2, own_visited=True)
        return d, event

    def _choose_retold(self, go_on, holder, hptr, cap, n_nodes) -> None:
        """Clear ``go_on`` (bool[H], in place) for the heard rows their hearer does not
        pass on (:func:`simnet.kernels.retell.retell_rows`; ``holder`` int32[H] the hearers,
        grouped by event with ``hptr`` int64[E + 1]). Done for one range of hearers at a
        time, about ``_CHUNK`` candidate rows each: the choice is per hearer, over its
        rows in their order, so it is the same as in one call, with bounded copies."""
        ends = np.zeros(n_nodes, dtype=np.int64)  # candidate rows per hearer, cumulated
        for lo in range(0, holder.size, _CHUNK):
            ends += np.bincount(holder[lo:lo + _CHUNK][go_on[lo:lo + _CHUNK]],
                                minlength=n_nodes)
        np.cumsum(ends, out=ends)
        lo = 0
        while lo < n_nodes:
            hi = max(int(np.searchsorted(ends, ends[lo - 1] + _CHUNK if lo else _CHUNK,
                                         side="right")), lo + 1)
            count = int(ends[hi - 1] - (ends[lo - 1] if lo else 0))
            retell_rows(go_on, holder, hptr, self.key, self.is_bad, cap, lo, hi, count)
            lo = hi

    def _keep(self, alive, hops, f_count, f_node, f_weight, vptr, v_node,
              own_visited=False) -> None:
        """Keep the ``alive`` events (bool[E]) with their new frontier and visited sets.
        ``own_visited``: ``v_node`` is the caller's to overwrite (nothing else refers to
        it), so the kept sets are compacted in place and the array shrunk, not copied."""
        self.subject, self.is_bad = self.subject[alive], self.is_bad[alive]
        self.key, self.hops, self.tag = self.key[alive], hops[alive], self.tag[alive]
        self.fptr = _segments(f_count[alive])
        self.f_node, self.f_weight = f_node, f_weight
        if own_visited:
            size = compact_segments(vptr, v_node, alive)
            try:  # in place (realloc); refused for an array NumPy does not own. No
                # reference check: the caller's own names refer to this same array object
                v_node.resize(size, refcheck=False)
            except ValueError:
                v_node = v_node[:size].copy()
            self.v_node = v_node
        else:
            self.v_node = v_node[np.repeat(alive, np.diff(vptr))]
        self.vptr = _segments(np.diff(vptr)[alive])

    def drop(self, tags) -> None:
        """Stop the events whose tag is in ``tags`` (int64[k])."""
        alive = ~np.isin(self.tag, tags)
        if alive.all():
            return
        f_keep = np.repeat(alive, np.diff(self.fptr))
        self._keep(alive, self.hops, np.diff(self.fptr), self.f_node[f_keep],
                   self.f_weight[f_keep], self.vptr, self.v_node)

    def watched_frontier(self) -> int:
        """Agents about to pass the watched event on (0 once it stopped travelling)."""
        if self.watched_key is None:
            return 0
        index = np.flatnonzero(self.key == np.uint64(self.watched_key))
        return int(np.diff(self.fptr)[index[0]]) if index.size else 0

    def aware(self, event: int) -> np.ndarray:
        """int32[k]: who has heard event ``event`` (its witness and subject included)."""
        return self.v_node[self.vptr[event]:self.vptr[event + 1]]
