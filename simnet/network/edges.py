"""The graph a network generator or file gives: :class:`EdgeList` (a simple undirected
graph as two sorted arrays ``u < v``), and its symmetric CSR adjacency (:func:`to_csr`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class EdgeList:
    """A simple undirected graph on nodes ``0..n-1``.

    Attributes
    ----------
    n : int
        Number of nodes (isolated nodes included).
    u, v : int32[m]
        Endpoints of the ``m`` edges, with ``u < v`` for each edge, no duplicates, sorted by
        ``(u, v)``. The arrays are read-only, so one EdgeList can be shared safely by
        several runs (common random numbers).
    block : int32[n] or None
        Community label of each node, ``0..B-1`` (stochastic block model, or a labels file).
    ids : ndarray[n] or None
        For a network read from a file, the original node id of each node (int64, or
        object strings); None for generated graphs.

    The constructor copies the arrays and checks the invariants (ValueError if broken);
    :meth:`from_pairs` builds one from arbitrary pairs, dropping self-loops and duplicates.
    """

    n: int
    u: np.ndarray
    v: np.ndarray
    block: np.ndarray | None = None
    ids: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = int(self.n)
        if n < 0:
            raise ValueError(f"EdgeList: n must be >= 0, got {n}")
        u = np.array(self.u, dtype=np.int32, copy=True).reshape(-1)
        v = np.array(self.v, dtype=np.int32, copy=True).reshape(-1)
        if u.shape != v.shape:
            raise ValueError(f"EdgeList: u and v differ in length ({u.size} vs {v.size})")
        if u.size:
            if u.min() < 0 or v.max() >= n:
                raise ValueError(f"EdgeList: node index out of range 0..{n - 1}")
            if not np.all(u < v):
                raise ValueError("EdgeList: every edge needs u < v (no self-loops)")
            key = u.astype(np.int64) * n + v
            if not np.all(key[1:] > key[:-1]):
                raise ValueError("EdgeList: edges must be unique and sorted by (u, v)")
        block = self.block
        if block is not None:
            block = np.array(block, dtype=np.int32, copy=True).reshape(-1)
            if block.size != n:
                raise ValueError(f"EdgeList: block has {block.size} entries for {n} nodes")
            _readonly(block)
        ids = self.ids
        if ids is not None:
            ids = np.array(ids, copy=True).reshape(-1)
            if ids.size != n:
                raise ValueError(f"EdgeList: ids has {ids.size} entries for {n} nodes")
            _readonly(ids)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "u", _readonly(u))
        object.__setattr__(self, "v", _readonly(v))
        object.__setattr__(self, "block", block)
        object.__setattr__(self, "ids", ids)

    @classmethod
    def from_pairs(
        cls,
        n: int,
        a: np.ndarray,
        b: np.ndarray,
        block: np.ndarray | None = None,
        ids: np.ndarray | None = None,
    ) -> EdgeList:
        """Build a graph from arbitrary pairs ``(a[i], b[i])`` in ``0..n-1``.

        Pairs are taken as undirected; self-loops and repeated pairs (in either direction)
        are dropped. Handy for hand-built test networks.
        """
        a = np.asarray(a, dtype=np.int64).reshape(-1)
        b = np.asarray(b, dtype=np.int64).reshape(-1)
        if a.shape != b.shape:
            raise ValueError(f"from_pairs: a and b differ in length ({a.size} vs {b.size})")
        if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n):
            raise ValueError(f"from_pairs: node index out of range 0..{n - 1}")
        u, v = _canonical(n, a, b, dedupe=True)
        return cls(n, u, v, block, ids)

    @property
    def m(self) -> int:
        """Number of edges."""
        return int(self.u.size)

    def degree(self) -> np.ndarray:
        """Degree of each node, int64[n]."""
        return np.bincount(self.u, minlength=self.n) + np.bincount(self.v, minlength=self.n)

    def to_csr(
        self, weight: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Symmetric CSR arrays of this graph; see :func:`to_csr`."""
        return to_csr(self.n, self.u, self.v, weight)


def _canonical(
    n: int, a: np.ndarray, b: np.ndarray, *, dedupe: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Orient pairs as (min, max), drop self-loops, sort by (u, v); optionally dedupe."""
    lo = np.minimum(a, b).astype(np.int64)
    hi = np.maximum(a, b).astype(np.int64)
    keep = lo != hi
    key = lo[keep] * n + hi[keep]
    key = np.unique(key) if dedupe else np.sort(key)
    return (key // n).astype(np.int32), (key % n).astype(np.int32)

# --------------------------------------------------------------------------- CSR


def to_csr(
    n: int, u: np.ndarray, v: np.ndarray, weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Symmetric compressed-sparse-row adjacency of an undirected edge list.

    Each edge ``(u[i], v[i])`` appears twice, as ``u -> v`` and ``v -> u``, both carrying
    ``weight[i]``. Columns within each row are sorted ascending. The input should be a
    simple graph (an :class:`EdgeList`'s arrays); duplicates are not merged.

    Parameters
    ----------
    n : int
        Number of nodes (rows).
    u, v : int[m]
        Edge endpoints in ``0..n-1``.
    weight : float[m] or None
        Optional per-edge value (e.g. tie strength).

    Returns
    -------
    indptr : int64[n+1]
        Row ``i``'s neighbours are ``indices[indptr[i]:indptr[i+1]]``.
    indices : int32[2m]
    data : float64[2m] or None
        ``weight`` laid out like ``indices``; None when no weight was given.
    """
    u = np.asarray(u).reshape(-1)
    v = np.asarray(v).reshape(-1)
    if u.shape != v.shape:
        raise ValueError(f"to_csr: u and v differ in length ({u.size} vs {v.size})")
    if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise ValueError(f"to_csr: node index out of range 0..{n - 1}")
    w = None
    if weight is not None:
        w = np.asarray(weight, dtype=np.float64).reshape(-1)
        if w.shape != u.shape:
            raise ValueError(f"to_csr: weight has {w.size} entries for {u.size} edges")
    u = u.astype(np.int64)
    v = v.astype(np.int64)
    key = u * n + v
    if np.all(u < v) and np.all(key[1:] > key[:-1]):
        return _csr_of_sorted(n, u, v, w)
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    order = np.argsort(rows * n + cols, kind="stable")
    indices = cols[order].astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    data = None if w is None else np.concatenate([w, w])[order]
    return indptr, indices, data


def _csr_of_sorted(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray | None):
    """to_csr for a canonical edge list (u < v, sorted by (u, v)): one sort of m, not 2m.

    Row r holds first its smaller neighbours (edges (x, r), which a stable sort by v keeps
    in ascending x) and then its larger ones (edges (r, y), already ascending in y).
    """
    m = u.size
    below = np.bincount(v, minlength=n)  # neighbours smaller than the row
    above = np.bincount(u, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(below + above, out=indptr[1:])
    start_below = np.cumsum(below) - below
    start_above = np.cumsum(above) - above
    order = np.argsort(v, kind="stable")
    rv = v[order]
    dest_below = indptr[:-1][rv] + (np.arange(m) - start_below[rv])
    dest_above = indptr[:-1][u] + below[u] + (np.arange(m) - start_above[u])
    indices = np.empty(2 * m, dtype=np.int32)
    indices[dest_below] = u[order]
    indices[dest_above] = v
    data = None
    if w is not None:
        data = np.empty(2 * m, dtype=np.float64)
        data[dest_below] = w[order]
        data[dest_above] = w
    return indptr, indices, data
