"""The evidence store: what each agent saw and heard about others, as Beta counts, in a
bounded memory.

Each agent holds evidence about at most ``capacity`` others (Dunbar's number by default:
the number of people one can keep track of), in fixed slots updated in place by the
kernels of :mod:`simnet.kernels.slots`; when its memory is full, new evidence replaces the
weakest it holds if it is stronger. So the store is O(agents x capacity), whatever the
length of the run. Four float32 weights per slot: seen good, seen bad, heard good, heard
bad. Perceived reputation follows the Beta reputation system (Jøsang and Ismail 2002):
``(good + 1) / (good + bad + 2)`` with good and bad the weighted sums of seen and heard
weights; a stranger (no slot) is 0.5.
"""

from __future__ import annotations

import numpy as np

from simnet.arrays import as_shape
from simnet.kernels import (
    slots_add,
    slots_counts,
    slots_find,
    slots_forget,
    slots_subject_totals,
    views_along_ties,
)


def beta_reputation(good: np.ndarray | float, bad: np.ndarray | float):
    """Beta reputation (good + 1) / (good + bad + 2); float64, shape of the inputs."""
    good = np.asarray(good, dtype=np.float64)
    bad = np.asarray(bad, dtype=np.float64)
    return (good + 1.0) / (good + bad + 2.0)


class EvidenceStore:
    """Per-agent bounded evidence for ``n`` agents, ``capacity`` slots each.

    Arrays: ``subject`` int32[n, capacity] (-1: free; used slots first), ``slot_values``
    float32[n, capacity, 4] (columns in ``COLUMNS`` order), ``count`` int32[n] (used slots).
    A slot is addressed by its flat index ``viewer * capacity + k``; ``saw_good``,
    ``saw_bad``, ``heard_good`` and ``heard_bad`` are float32[n * capacity] views by flat
    index (0 in free slots).
    """

    COLUMNS = ("saw_good", "saw_bad", "heard_good", "heard_bad")
    ADD_CHUNK = 1 << 22  # rows added per kernel call (40 bytes of copies each)

    def __init__(self, n: int, capacity: int = 150):
        self.n = int(n)
        self.capacity = int(max(1, min(capacity, self.n)))
        self.subject = np.full((self.n, self.capacity), -1, dtype=np.int32)
        self.slot_values = np.zeros((self.n, self.capacity, 4), dtype=np.float32)
        self.count = np.zeros(self.n, dtype=np.int32)
        self.version = 0  # bumped on every change, so summaries can be cached

    @property
    def _flat(self) -> np.ndarray:
        return self.slot_values.reshape(-1, 4)

    @property
    def saw_good(self) -> np.ndarray:
        return self._flat[:, 0]

    @property
    def saw_bad(self) -> np.ndarray:
        return self._flat[:, 1]

    @property
    def heard_good(self) -> np.ndarray:
        return self._flat[:, 2]

    @property
    def heard_bad(self) -> np.ndarray:
        return self._flat[:, 3]

    def __len__(self) -> int:
        """Used slots: (viewer, subject) pairs with evidence."""
        return int(self.count.sum())

    @property
    def nbytes(self) -> int:
        """Memory held by the store's arrays, in bytes."""
        return self.subject.nbytes + self.slot_values.nbytes + self.count.nbytes

    # ------------------------------------------------------------------ writing
    def add(self, viewer: np.ndarray, subject: np.ndarray, good: np.ndarray,
            bad: np.ndarray, heard: bool) -> None:
        """Add evidence: ``good[i]``/``bad[i]`` weight about ``subject[i]`` held by ``viewer[i]``.

        Arrays of equal length k (ints and float64 weights >= 0, broadcastable); repeated
        pairs are summed, in input order. ``heard`` selects the heard columns (word of
        mouth) instead of the seen ones. Added ``ADD_CHUNK`` rows at a time.
        """
        viewer = np.asarray(viewer).ravel()
        if viewer.size == 0:
            return
        subject, good, bad = (as_shape(x, viewer.shape) for x in (subject, good, bad))
        # in pieces: each viewer's additions stay in input order, so the result is the
        # same as in one call, and the int64 and float64 copies stay bounded
        for lo in range(0, viewer.size, self.ADD_CHUNK):
            hi = lo + self.ADD_CHUNK
            delta = np.empty((viewer[lo:hi].size, 2))  # (good, bad): seen or heard columns
            delta[:, 0] = good[lo:hi]
            delta[:, 1] = bad[lo:hi]
            slots_add(self.subject, self.slot_values, self.count,
                      viewer[lo:hi].astype(np.int64),
                      np.ascontiguousarray(subject[lo:hi], dtype=np.int64), delta,
                      2 if heard else 0)
        self.version += 1

    def forget(self, keep: float, min_total: float) -> None:
        """Age evidence: multiply every weight by ``keep``; free slots whose total falls
        below ``min_total``."""
        slots_forget(self.subject, self.slot_values, self.count, float(keep),
                     float(min_total))
        self.version += 1

    # ------------------------------------------------------------------ reading
    def find(self, viewer: np.ndarray, subject: np.ndarray) -> np.ndarray:
        """int64[k]: flat slot index of each (viewer, subject) pair, or -1 if no evidence."""
        viewer = np.asarray(viewer, dtype=np.int64).ravel()
        subject = as_shape(subject, viewer.shape, np.int64)
        k = slots_find(self.subject, self.count, viewer, np.ascontiguousarray(subject))
        return np.where(k >= 0, viewer * self.capacity + k, -1)

    def lookup(self, viewer: np.ndarray, subject: np.ndarray, saw_weight: float,
               heard_weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(good, bad, seen) float64[k] each viewer holds about each subject, in one
        look-up per pair: the weighted good and bad (as :meth:`counts`) and what it saw
        itself (as :meth:`seen_total`); 0 where it holds no evidence."""
        viewer = np.asarray(viewer, dtype=np.int64).ravel()
        subject = as_shape(subject, viewer.shape, np.int64)
        return slots_counts(self.subject, self.slot_values, self.count, viewer,
                            np.ascontiguousarray(subject), saw_weight, heard_weight)

    def counts(self, viewer: np.ndarray, subject: np.ndarray, saw_weight: float,
               heard_weight: float) -> tuple[np.ndarray, np.ndarray]:
        """Weighted (good, bad) float64[k] each viewer holds about each subject (0 if none)."""
        good, bad, _ = self.lookup(viewer, subject, saw_weight, heard_weight)
        return good, bad

    def seen_total(self, viewer: np.ndarray, subject: np.ndarray) -> np.ndarray:
        """float64[k]: how much each viewer has seen of each subject itself (good + bad)."""
        return self.lookup(viewer, subject, 1.0, 1.0)[2]

    def views_along_ties(self, indptr: np.ndarray, indices: np.ndarray, saw_weight: float,
                         heard_weight: float) -> np.ndarray:
        """float64[nnz]: each agent's perceived reputation of each of its contacts, aligned
        with the CSR ties (``indptr`` int64[n + 1], ``indices`` int32[nnz]); 0.5 where it
        holds no evidence. The same values as :meth:`reputation` over the tie pairs."""
        return views_along_ties(indptr, indices, self.subject, self.slot_values, self.count,
                                saw_weight, heard_weight)

    def reputation(self, viewer: np.ndarray, subject: np.ndarray, saw_weight: float,
                   heard_weight: float) -> np.ndarray:
        """float64[k]: each viewer's perceived reputation of each subject (0.5 for strangers)."""
        good, bad = self.counts(viewer, subject, saw_weight, heard_weight)
        return beta_reputation(good, bad)

    def subject_summary(self, saw_weight: float, heard_weight: float
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per subject: visibility int64[n], mean and pooled perceived reputation float64[n].

        Visibility counts the viewers holding evidence about the subject; the mean is over
        those viewers' reputations (NaN for a subject nobody knows anything about); the
        pooled reputation is the Beta reputation of all viewers' evidence summed (what the
        network as a whole knows; 0.5 when nobody knows anything).
        """
        visibility, total, good, bad = slots_subject_totals(
            self.subject, self.slot_values, self.count, float(saw_weight),
            float(heard_weight))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(visibility > 0, total / np.maximum(visibility, 1), np.nan)
        return visibility.astype(np.int64), mean, beta_reputation(good, bad)
