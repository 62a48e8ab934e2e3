"""The dynamic tie table: undirected ties with strength, and their CSR view.

Ties are stored once each as ``u < v`` rows, sorted by the int64 key ``u * n + v`` so that
membership tests are binary searches. The symmetric CSR view (each row's neighbours sorted
ascending), which the kernels consume, is rebuilt lazily after the table changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simnet.arrays import as_shape, lookup
from simnet.kernels import insert_ties
from simnet.kernels._chunks import group_by_owner


@dataclass(frozen=True)
class CSRView:
    """Symmetric CSR of the current ties.

    ``indptr`` int64[n+1]; ``indices`` int32[2m] (neighbours, sorted within each row);
    ``strength`` float64[2m] (tie strength of each entry); ``tie`` int32[2m] (row of the
    tie table each entry comes from); ``degree`` int64[n].
    """

    indptr: np.ndarray
    indices: np.ndarray
    strength: np.ndarray
    tie: np.ndarray
    degree: np.ndarray


class TieTable:
    """Undirected ties among ``n`` agents.

    Columns (length m): ``u``, ``v`` int32 with u < v; ``strength`` float64 in (0, 1];
    ``last_contact`` int32, the step of the last interaction along the tie.
    """

    def __init__(self, n: int, u: np.ndarray, v: np.ndarray, strength: np.ndarray,
                 step: int = 0):
        self.n = int(n)
        lo = np.minimum(u, v).astype(np.int64)
        hi = np.maximum(u, v).astype(np.int64)
        keys = lo * self.n + hi
        keys, first = np.unique(keys[lo != hi], return_index=True)
        strength = np.asarray(strength, dtype=np.float64)[lo != hi][first]
        self.keys = keys
        self.u = (keys // self.n).astype(np.int32)
        self.v = (keys % self.n).astype(np.int32)
        self.strength = strength.copy()
        self.last_contact = np.full(keys.size, step, dtype=np.int32)
        self._csr: CSRView | None = None

    def __len__(self) -> int:
        return int(self.keys.size)

    # ------------------------------------------------------------------ queries
    def find(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """int64[k]: row of the tie between a[i] and b[i] (any order), or -1 if none."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        row = lookup(self.keys, np.minimum(a, b) * self.n + np.maximum(a, b))
        return np.where(a != b, row, -1)

    def csr(self) -> CSRView:
        """The symmetric CSR view of the current ties (cached until the table changes)."""
        if self._csr is None:
            m = self.keys.size
            # Ties are sorted by (u, v) with u < v. Listing each tie from v's side first,
            # then from u's side, a stable counting sort by row leaves each row's columns
            # ascending: for row r the ties (u, r) have u < r, ascending, and (r, v) v > r.
            # int64, as the evidence slots group their rows: one compiled grouping
            rows = np.concatenate([self.v, self.u]).astype(np.int64)
            cols = np.concatenate([self.u, self.v]).astype(np.int32)
            indptr, order = group_by_owner(rows, self.n)
            # int32 (4 bytes an entry less): tie rows and steps stay below 2**31
            tie = np.concatenate([np.arange(m, dtype=np.int32),
                                  np.arange(m, dtype=np.int32)])[order]
            self._csr = CSRView(indptr, np.ascontiguousarray(cols[order]),
                                np.ascontiguousarray(self.strength[tie]), tie, np.diff(indptr))
        return self._csr

    def degree(self) -> np.ndarray:
        """int64[n]: number of ties of each agent."""
        return self.csr().degree

    # ------------------------------------------------------------------ changes
    def add(self, a: np.ndarray, b: np.ndarray, strength: np.ndarray, step: int) -> np.ndarray:
        """Add ties a[i]-b[i] with the given strengths; pairs already tied or repeated are
        skipped (first occurrence wins). Returns bool[k]: which pairs made a new tie."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        strength = as_shape(strength, a.shape, np.float64)
        keys = np.minimum(a, b) * self.n + np.maximum(a, b)
        fresh = (a != b) & (self.find(a, b) < 0)
        _, first = np.unique(keys, return_index=True)
        is_first = np.zeros(a.size, dtype=bool)
        is_first[first] = True
        made = fresh & is_first
        if made.any():
            new_keys = keys[made]
            order = np.argsort(new_keys)
            self.keys, self.u, self.v, self.strength, self.last_contact = insert_ties(
                self.keys, self.u, self.v, self.strength, self.last_contact,
                new_keys[order], np.ascontiguousarray(strength[made][order]), int(step),
                self.n)
            self._csr = None
        return made

    def remove(self, drop: np.ndarray) -> None:
        """Remove the ties where bool[m] ``drop`` is true."""
        if drop.any():
            keep = ~drop
            self.keys = self.keys[keep]
            self.u = self.u[keep]
            self.v = self.v[keep]
            self.strength = self.strength[keep]
            self.last_contact = self.last_contact[keep]
            self._csr = None

    def strengths_changed(self) -> None:
        """Refresh the CSR strengths after ``strength`` was modified in place."""
        if self._csr is not None:
            self._csr = CSRView(self._csr.indptr, self._csr.indices,
                                np.ascontiguousarray(self.strength[self._csr.tie]),
                                self._csr.tie, self._csr.degree)


def expand_neighbors(csr: CSRView, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (owner, entry) pairs for the neighbours of ``nodes`` (int[k]).

    Returns ``owner`` int64[e] (position in ``nodes``) and ``entry`` int64[e] (CSR entry:
    ``csr.indices[entry]`` is the neighbour, ``csr.strength[entry]`` the tie strength),
    ordered by owner then neighbour. Vectorised: no Python loop over nodes.
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    start = csr.indptr[nodes]
    count = csr.indptr[nodes + 1] - start
    owner = np.repeat(np.arange(nodes.size), count)
    offsets = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    return owner, start[owner] + offsets


def random_neighbor(csr: CSRView, nodes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """int64[k]: a uniformly random neighbour of each node, or -1 for isolated nodes."""
    nodes = np.asarray(nodes, dtype=np.int64)
    degree = csr.degree[nodes]
    pick = csr.indptr[nodes] + np.floor(rng.random(nodes.size) * degree).astype(np.int64)
    has = degree > 0
    out = np.full(nodes.size, -1, dtype=np.int64)
    out[has] = csr.indices[pick[has]]
    return out


def neighbourhood_overlap(ties: TieTable) -> np.ndarray:
    """float64[m]: the neighbourhood overlap of each tie of the table (in its row order),
    ``O = mutual / (k_u - 1 + k_v - 1 - mutual)`` with ``mutual`` the common neighbours
    and ``k`` the degrees (Onnela et al., PNAS 104, 2007); 0 when the ends have no other
    contacts."""
    from simnet.kernels import count_common_neighbors

    csr = ties.csr()
    mutual = count_common_neighbors(csr.indptr, csr.indices, ties.u.astype(np.int32),
                                    ties.v.astype(np.int32)).astype(np.float64)
    others = csr.degree[ties.u] - 1 + csr.degree[ties.v] - 1 - mutual
    return np.where(others > 0, mutual / np.maximum(others, 1.0), 0.0)


def align_strength_with_overlap(ties: TieTable, tilt: float,
                                rng: np.random.Generator) -> None:
    """Reassign the ties' strengths (same values, so the same distribution) so that ties
    with more overlapping neighbourhoods tend to be the stronger ones, as in real
    communication networks (Onnela et al., PNAS 104, 2007). ``tilt`` in [0, 1]: 0 leaves
    strength independent of overlap, 1 orders strength exactly by overlap; between, ties
    are ordered by ``tilt * rank(overlap) + (1 - tilt) * rank(noise)``. In place."""
    m = ties.strength.size
    if tilt <= 0.0 or m < 2:
        return
    overlap_rank = np.argsort(np.argsort(neighbourhood_overlap(ties), kind="stable"),
                              kind="stable") / (m - 1)
    noise_rank = np.argsort(np.argsort(rng.random(m))) / (m - 1)
    score = tilt * overlap_rank + (1.0 - tilt) * noise_rank
    order = np.argsort(score, kind="stable")
    strengths = np.sort(ties.strength)
    new = np.empty(m)
    new[order] = strengths
    ties.strength[:] = new
    ties.strengths_changed()
