"""News in flight, counted once: every witnessed event with who has heard it so far.

Word of mouth (the model's default mode, ``word_of_mouth.mode = "once"``) spreads each
*event*, one witness's observation of one subject in one step, as an independent cascade
through :func:`simnet.kernels.spread_events`: one hop per step, each hearer hearing it once
(the heaviest copy) and passing it on once. :class:`NewsInFlight` holds the events still
travelling as flat arrays, ``E`` events:

- ``subject`` int32[E], ``is_bad`` bool[E], ``key`` uint64[E] (the event's random key, from
  the model's Generator: it fixes every pass-on draw of the event), ``hops`` int32[E] (hops
  its frontier has travelled);
- the frontier (who heard it last hop, and at what weight): ``fptr`` int64[E + 1],
  ``f_node`` int32[F], ``f_weight`` float64[F];
- the visited set (who has heard it, witness and subject included, sorted per event):
  ``vptr`` int64[E + 1], ``v_node`` int32[V].

An event lives at most ``max_hops`` steps, so the state is bounded by the events of the last
``max_hops`` steps times their reach, whatever the length of the run.
"""

from __future__ import annotations

import numpy as np

from simnet.kernels import spread_events

_EMPTY_PTR = np.zeros(1, dtype=np.int64)


def _segments(counts: np.ndarray) -> np.ndarray:
    """int64[len(counts) + 1]: offsets of consecutive segments of the given lengths."""
    ptr = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr


class NewsInFlight:
    """The events still travelling by word of mouth (see the module docstring)."""

    def __init__(self):
        self.subject = np.empty(0, np.int32)
        self.is_bad = np.empty(0, bool)
        self.key = np.empty(0, np.uint64)
        self.hops = np.empty(0, np.int32)
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

    def add_fresh(self, witness, subject, is_bad, weight, rng: np.random.Generator) -> None:
        """Start one event per distinct (witness, subject, is_bad) of what was witnessed
        (int[k], int[k], bool[k], float64[k]), its weight the summed weight: observations of
        one witness about one subject in one step travel the same paths, so one event
        carries them. Each event gets a random key from ``rng``."""
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
        w = (uniq // 2) // span
        s = (uniq // 2) % span
        k = uniq.size
        key = rng.integers(0, np.iinfo(np.int64).max, k, dtype=np.int64).astype(np.uint64)
        # visited starts as {witness, subject}, sorted
        visited = np.column_stack([np.minimum(w, s), np.maximum(w, s)]).ravel()
        self._append(s.astype(np.int32), (uniq % 2).astype(bool), key,
                     np.zeros(k, np.int32), _segments(np.ones(k, np.int64)),
                     w.astype(np.int32), total.astype(np.float64),
                     _segments(np.full(k, 2, np.int64)), visited.astype(np.int32))

    def _append(self, subject, is_bad, key, hops, fptr, f_node, f_weight, vptr, v_node):
        self.subject = np.concatenate([self.subject, subject])
        self.is_bad = np.concatenate([self.is_bad, is_bad])
        self.key = np.concatenate([self.key, key])
        self.hops = np.concatenate([self.hops, hops])
        self.fptr = np.concatenate([self.fptr, fptr[1:] + self.fptr[-1]])
        self.f_node = np.concatenate([self.f_node, f_node])
        self.f_weight = np.concatenate([self.f_weight, f_weight])
        self.vptr = np.concatenate([self.vptr, vptr[1:] + self.vptr[-1]])
        self.v_node = np.concatenate([self.v_node, v_node])

    def advance(self, csr, wom) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Move every event one hop on the tie graph ``csr`` with the word-of-mouth
        parameters ``wom``; returns what was heard, one row per new (hearer, event):
        ``viewer`` int32, ``subject`` int32, ``is_bad`` bool, ``weight`` float64.

        An event's new hearers become its frontier when it has hops left and their copy
        could still clear ``min_weight`` over a tie of strength 1; events with no frontier
        left are dropped.
        """
        if len(self) == 0:
            empty = np.empty(0, np.int32)
            return empty, empty, np.empty(0, bool), np.empty(0, np.float64)
        hptr, h_node, h_weight, vptr, v_node = spread_events(
            csr.indptr, csr.indices, csr.strength, self.key, self.is_bad, self.fptr,
            self.f_node, self.f_weight, self.vptr, self.v_node, wom.share_good,
            wom.share_bad, wom.decay_good, wom.decay_bad, wom.min_weight, wom.fanout)
        counts = np.diff(hptr)
        event = np.repeat(np.arange(len(self)), counts)
        heard = (h_node, self.subject[event], self.is_bad[event], h_weight)

        hops = self.hops + 1
        decay = np.where(self.is_bad, wom.decay_bad, wom.decay_good)
        go_on = (hops[event] < wom.max_hops) & (h_weight * decay[event] >= wom.min_weight)
        f_count = np.bincount(event[go_on], minlength=len(self))
        alive = f_count > 0
        v_keep = np.repeat(alive, np.diff(vptr))
        self.subject, self.is_bad = self.subject[alive], self.is_bad[alive]
        self.key, self.hops = self.key[alive], hops[alive]
        self.fptr = _segments(f_count[alive])
        self.f_node, self.f_weight = h_node[go_on], h_weight[go_on]
        self.vptr = _segments(np.diff(vptr)[alive])
        self.v_node = v_node[v_keep]
        return heard

    def aware(self, event: int) -> np.ndarray:
        """int32[k]: who has heard event ``event`` (its witness and subject included)."""
        return self.v_node[self.vptr[event]:self.vptr[event + 1]]
