"""The sparse evidence store: what each agent saw and heard about others, as Beta counts.

Evidence about subject ``s`` held by viewer ``v`` lives in one row keyed ``v * n + s``
(int64), rows kept sorted by key so that look-ups are binary searches and merges are
vectorised. Four float64 counts per row: seen good, seen bad, heard good, heard bad.
Perceived reputation follows the Beta reputation system (Jøsang and Ismail 2002):
``(good + 1) / (good + bad + 2)`` with good and bad the weighted sums of seen and heard
counts; a stranger (no row) is 0.5.
"""

from __future__ import annotations

import numpy as np

from simnet.arrays import lookup


def beta_reputation(good: np.ndarray | float, bad: np.ndarray | float):
    """Beta reputation (good + 1) / (good + bad + 2); float64, shape of the inputs."""
    good = np.asarray(good, dtype=np.float64)
    bad = np.asarray(bad, dtype=np.float64)
    return (good + 1.0) / (good + bad + 2.0)


class EvidenceStore:
    """Sparse per-(viewer, subject) evidence for ``n`` agents.

    Attributes (all length E, the number of (viewer, subject) pairs with evidence):
    ``keys`` int64 sorted ascending (viewer * n + subject); ``values`` float64[E, 4] with
    columns ``saw_good``, ``saw_bad``, ``heard_good``, ``heard_bad`` (weights, not
    integers once forgetting applies).

    Additions are buffered and merged into the sorted arrays in one pass on the next read,
    so that several additions between reads cost one merge instead of several.
    """

    COLUMNS = ("saw_good", "saw_bad", "heard_good", "heard_bad")

    def __init__(self, n: int):
        self.n = int(n)
        self._keys = np.empty(0, dtype=np.int64)
        self._values = np.empty((0, 4), dtype=np.float64)  # columns in COLUMNS order
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []  # (keys, rows[k, 4])
        self.version = 0  # bumped on every change, so summaries can be cached

    @property
    def keys(self) -> np.ndarray:
        self._flush()
        return self._keys

    @property
    def values(self) -> np.ndarray:
        self._flush()
        return self._values

    @property
    def saw_good(self) -> np.ndarray:
        return self.values[:, 0]

    @property
    def saw_bad(self) -> np.ndarray:
        return self.values[:, 1]

    @property
    def heard_good(self) -> np.ndarray:
        return self.values[:, 2]

    @property
    def heard_bad(self) -> np.ndarray:
        return self.values[:, 3]

    def __len__(self) -> int:
        return int(self.keys.size)  # flushes first

    @property
    def viewers(self) -> np.ndarray:
        """int64[E]: the viewer of each row."""
        return self.keys // self.n

    @property
    def subjects(self) -> np.ndarray:
        """int64[E]: the subject of each row."""
        return self.keys % self.n

    # ------------------------------------------------------------------ writing
    def add(self, viewer: np.ndarray, subject: np.ndarray, good: np.ndarray,
            bad: np.ndarray, heard: bool) -> None:
        """Add evidence: ``good[i]``/``bad[i]`` weight about ``subject[i]`` held by ``viewer[i]``.

        Arrays of equal length k (ints and float64 weights >= 0); repeated pairs are summed.
        ``heard`` selects the heard columns (word of mouth) instead of the seen ones.
        """
        viewer = np.asarray(viewer, dtype=np.int64)
        if viewer.size == 0:
            return
        rows = np.zeros((viewer.size, 4))
        col = 2 if heard else 0
        rows[:, col] = good
        rows[:, col + 1] = bad
        self._pending.append((viewer * self.n + np.asarray(subject, dtype=np.int64), rows))
        self.version += 1

    def _flush(self) -> None:
        """Merge the buffered additions into the sorted arrays (repeated pairs summed)."""
        if not self._pending:
            return
        new_keys = np.concatenate([k for k, _ in self._pending])
        new_rows = np.concatenate([r for _, r in self._pending])
        self._pending = []
        uniq, inverse = np.unique(new_keys, return_inverse=True)
        summed = np.column_stack([np.bincount(inverse, weights=new_rows[:, c],
                                              minlength=uniq.size) for c in range(4)])
        pos = np.searchsorted(self._keys, uniq)
        if self._keys.size:
            found = self._keys[np.minimum(pos, self._keys.size - 1)] == uniq
        else:
            found = np.zeros(uniq.size, dtype=bool)
        # Existing rows: positions are distinct, so plain fancy-index addition is exact.
        self._values[pos[found]] += summed[found]
        missing = ~found
        if missing.any():
            # np.insert keeps the keys sorted: uniq is sorted and pos non-decreasing.
            at = pos[missing]
            self._keys = np.insert(self._keys, at, uniq[missing])
            self._values = np.insert(self._values, at, summed[missing], axis=0)

    def forget(self, keep: float, min_total: float) -> None:
        """Age evidence: multiply every count by ``keep``; drop rows whose total < min_total."""
        self._flush()
        if keep != 1.0:
            self._values *= keep
        if min_total > 0 and self._keys.size:
            alive = self._values.sum(axis=1) >= min_total
            if not alive.all():
                self._keys = self._keys[alive]
                self._values = self._values[alive]
        self.version += 1

    # ------------------------------------------------------------------ reading
    def find(self, viewer: np.ndarray, subject: np.ndarray) -> np.ndarray:
        """int64[k]: row index of each (viewer, subject) pair, or -1 if there is no evidence."""
        keys = np.asarray(viewer, dtype=np.int64) * self.n + np.asarray(subject, dtype=np.int64)
        return lookup(self.keys, keys)

    def counts(self, viewer: np.ndarray, subject: np.ndarray, saw_weight: float,
               heard_weight: float) -> tuple[np.ndarray, np.ndarray]:
        """Weighted (good, bad) float64[k] each viewer holds about each subject (0 if none)."""
        row = self.find(viewer, subject)
        has = row >= 0
        r = row[has]
        good = np.zeros(row.shape)
        bad = np.zeros(row.shape)
        rows = self.values[r]
        good[has] = saw_weight * rows[:, 0] + heard_weight * rows[:, 2]
        bad[has] = saw_weight * rows[:, 1] + heard_weight * rows[:, 3]
        return good, bad

    def seen_total(self, viewer: np.ndarray, subject: np.ndarray) -> np.ndarray:
        """float64[k]: how much each viewer has seen of each subject itself (good + bad)."""
        row = self.find(viewer, subject)
        out = np.zeros(row.shape)
        has = row >= 0
        out[has] = self.values[row[has], 0] + self.values[row[has], 1]
        return out

    def reputation(self, viewer: np.ndarray, subject: np.ndarray, saw_weight: float,
                   heard_weight: float) -> np.ndarray:
        """float64[k]: each viewer's perceived reputation of each subject (0.5 for strangers)."""
        good, bad = self.counts(viewer, subject, saw_weight, heard_weight)
        return beta_reputation(good, bad)

    def row_reputation(self, saw_weight: float, heard_weight: float) -> np.ndarray:
        """float64[E]: the perceived reputation stored in every row."""
        good = self.values @ np.array([saw_weight, 0.0, heard_weight, 0.0])
        bad = self.values @ np.array([0.0, saw_weight, 0.0, heard_weight])
        return beta_reputation(good, bad)

    def subject_summary(self, saw_weight: float, heard_weight: float
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per subject: visibility int64[n], mean and pooled perceived reputation float64[n].

        Visibility counts the viewers holding evidence about the subject; the mean is over
        those viewers' reputations (NaN for a subject nobody knows anything about); the
        pooled reputation is the Beta reputation of all viewers' evidence summed (what the
        network as a whole knows; 0.5 when nobody knows anything).
        """
        subj = self.subjects
        visibility = np.bincount(subj, minlength=self.n)
        total = np.bincount(subj, weights=self.row_reputation(saw_weight, heard_weight),
                            minlength=self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(visibility > 0, total / np.maximum(visibility, 1), np.nan)
        good = np.bincount(subj, weights=self.values @ np.array(
            [saw_weight, 0.0, heard_weight, 0.0]), minlength=self.n)
        bad = np.bincount(subj, weights=self.values @ np.array(
            [0.0, saw_weight, 0.0, heard_weight]), minlength=self.n)
        return visibility.astype(np.int64), mean, beta_reputation(good, bad)
