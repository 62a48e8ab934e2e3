"""Network generators and edge-list files: the initial tie set of a simulation.

Every generator returns an :class:`EdgeList`, a simple undirected graph stored as two
parallel arrays ``u < v`` sorted by ``(u, v)``. The model turns it into its tie table and
CSR adjacency with :func:`to_csr`.

Design rules of this module:

* It imports nothing from simnet; it needs NumPy, and pandas only to read files.
* Every random draw comes from the :class:`numpy.random.Generator` passed in; nothing
  touches global random state, so the same generator state gives the same graph.
* Everything is vectorised (no Python loop over nodes or edges): 100,000 nodes with a
  million edges take about a second at most for every generator, and a million nodes with
  five million edges fit in well under a gigabyte.

Node indices carry structure in some generators, so the model must not assign agent
attributes by index range: in ``watts_strogatz`` index order is the ring, in
``barabasi_albert`` low indices are the oldest nodes (the hubs), in ``stochastic_block``
blocks are contiguous index ranges.
"""

from __future__ import annotations

import gzip
import io
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = [
    "BUILTIN_NETWORKS",
    "KINDS",
    "EdgeList",
    "NetworkFileError",
    "barabasi_albert",
    "builtin_labels_path",
    "builtin_network_path",
    "erdos_renyi",
    "generate",
    "read_edge_list",
    "resolve_network_file",
    "stochastic_block",
    "to_csr",
    "watts_strogatz",
]

#: The kinds accepted by :func:`generate`.
KINDS = ("small_world", "scale_free", "random", "communities", "file")

#: Shipped real networks: name -> (edge file, labels file or None), files in simnet/data/.
BUILTIN_NETWORKS: dict[str, tuple[str, str | None]] = {
    "email-eu-core": ("email-Eu-core.txt", "email-Eu-core-department-labels.txt"),
    "facebook": ("facebook_combined.txt", None),
}


class NetworkFileError(ValueError):
    """An edge-list or labels file is missing, unreadable or malformed.

    The message is one line that names the file and the problem (with a line number where
    there is one), fit to be shown to a user as is.
    """


# --------------------------------------------------------------------------- EdgeList


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


# --------------------------------------------------------------------------- helpers


def _check_n(n: int, name: str = "n", minimum: int = 2) -> int:
    if isinstance(n, bool) or int(n) != n:
        raise ValueError(f"{name} must be an integer, got {n!r}")
    n = int(n)
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return n


def _as_rng(rng: np.random.Generator | int) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy.random.Generator (or an int seed), got {rng!r}")


def _isin_sorted(sorted_keys: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Membership of x in an ascending array, vectorised by binary search."""
    if sorted_keys.size == 0:
        return np.zeros(x.shape, dtype=bool)
    idx = np.searchsorted(sorted_keys, x)
    idx[idx == sorted_keys.size] = 0
    return sorted_keys[idx] == x


def _bernoulli_positions(rng: np.random.Generator, total: int, p: float) -> np.ndarray:
    """Ascending positions in ``0..total-1``, each present independently with probability p.

    Geometric skipping (Batagelj & Brandes 2005): the gaps between successes of a
    Bernoulli(p) sequence are Geometric(p), so the cost is O(total * p), not O(total).
    """
    if total <= 0 or p <= 0.0:
        return np.empty(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(total, dtype=np.int64)
    mean = total * p
    chunks = []
    last = -1
    while last < total - 1:
        size = int(mean + 6.0 * math.sqrt(mean) + 16) if not chunks else int(
            0.1 * mean + 6.0 * math.sqrt(mean) + 16
        )
        # a gap past the end ends the sequence; clipping avoids int64 overflow for tiny p
        gaps = np.minimum(rng.geometric(p, size=size), total)
        pos = last + np.cumsum(gaps)
        chunks.append(pos)
        last = int(pos[-1])
    pos = np.concatenate(chunks)
    return pos[: np.searchsorted(pos, total)]


def _bernoulli_pairs(
    rng: np.random.Generator,
    row_len: np.ndarray,
    col_start: np.ndarray,
    p: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Keep each pair ``(i, col_start[i] + j)``, ``0 <= j < row_len[i]``, with probability p.

    The candidate pairs are laid out row by row in one index space, sampled by geometric
    skipping, and decoded by binary search on the row offsets, so the result comes out
    sorted by (row, column).
    """
    offsets = np.zeros(row_len.size + 1, dtype=np.int64)
    np.cumsum(row_len, out=offsets[1:])
    pos = _bernoulli_positions(rng, int(offsets[-1]), p)
    row = np.searchsorted(offsets, pos, side="right") - 1
    col = col_start[row] + (pos - offsets[row])
    return row, col


# --------------------------------------------------------------------------- generators


def watts_strogatz(
    n: int, mean_degree: int, rewire_prob: float, rng: np.random.Generator
) -> EdgeList:
    """Small-world network (Watts & Strogatz, Nature 393:440, 1998). The model's default.

    Start from a ring lattice where node ``i`` is tied to its ``k/2`` nearest neighbours on
    each side (``k = mean_degree``), then rewire each lattice edge ``(i, i+j)`` with
    probability ``rewire_prob``: node ``i`` keeps the edge and its far end moves to a node
    drawn uniformly among those that would create neither a self-loop nor a duplicate
    (nor re-create any lattice edge). The edge count stays exactly ``n*k/2``, so every node
    keeps mean degree ``k``. The clustering coefficient falls as ``C(p) ~ C(0)(1-p)^3``
    (Barrat & Weigt 2000), with ``C(0) = 3(k-2)/(4(k-1))``.

    Rewiring is done in vectorised rounds of rejection sampling; edges that still have no
    valid new endpoint after 100 rounds (only possible in tiny, nearly complete graphs)
    keep their lattice endpoint.

    Parameters
    ----------
    n : int, >= 2
    mean_degree : int
        ``k``, even, ``0 <= k < n``.
    rewire_prob : float in [0, 1]
    rng : numpy.random.Generator

    Returns
    -------
    EdgeList with ``n*k/2`` edges; node order is the ring order.
    """
    n = _check_n(n)
    if isinstance(mean_degree, bool) or int(mean_degree) != mean_degree:
        raise ValueError(f"small world: mean_degree must be an even integer, got {mean_degree!r}")
    k = int(mean_degree)
    if k < 0 or k % 2 or k >= n:
        raise ValueError(
            f"small world: mean_degree must be even and in 0..{n - 1} (n={n}), got {k}"
        )
    p = float(rewire_prob)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"small world: rewire_prob must be in [0, 1], got {rewire_prob!r}")
    rng = _as_rng(rng)
    half = k // 2
    src = np.repeat(np.arange(n, dtype=np.int64), half)
    dst = (src + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % n
    n_edges = src.size
    lattice_keys = np.sort(np.minimum(src, dst) * n + np.maximum(src, dst))

    rewire = rng.random(n_edges) < p
    pending = np.flatnonzero(rewire) if n - 1 - k > 0 else np.empty(0, dtype=np.int64)
    new_dst = dst.copy()
    taken = np.empty(0, dtype=np.int64)  # keys of accepted new edges, ascending
    for _ in range(100):
        if pending.size == 0:
            break
        a = src[pending]
        w = rng.integers(0, n, size=pending.size)
        key = np.minimum(a, w) * n + np.maximum(a, w)
        ok = (w != a) & ~_isin_sorted(lattice_keys, key) & ~_isin_sorted(taken, key)
        ok_idx = np.flatnonzero(ok)
        _, first = np.unique(key[ok_idx], return_index=True)  # one winner per new pair
        win = ok_idx[first]
        new_dst[pending[win]] = w[win]
        taken = np.sort(np.concatenate([taken, key[win]]))
        keep = np.ones(pending.size, dtype=bool)
        keep[win] = False
        pending = pending[keep]
    u, v = _canonical(n, src, new_dst, dedupe=False)
    return EdgeList(n, u, v)


def _ba_resolve(pos: np.ndarray, r: np.ndarray, m: int) -> np.ndarray:
    """Node stored at each position of the Barabási–Albert endpoint list.

    The list holds, for edge ``e``, its new node at ``2e`` and its target at ``2e+1``. Edges
    ``0..m-1`` are the seed star ``(e+1) - 0``; a later edge's target is whatever node sits
    at the earlier position ``r[e-m]`` it drew, so targets are found by pointer chasing.
    """
    p = pos.astype(np.int64, copy=True)
    act = np.flatnonzero(((p & 1) == 1) & ((p >> 1) >= m))
    while act.size:
        q = r[(p[act] >> 1) - m]
        p[act] = q
        act = act[((q & 1) == 1) & ((q >> 1) >= m)]
    e = p >> 1
    source = np.where(e < m, e + 1, m + 1 + (e - m) // m)
    return np.where((p & 1) == 1, 0, source)


def _row_duplicates(vals: np.ndarray) -> np.ndarray:
    """bool mask (same shape): entry equals an earlier entry of the same row."""
    order = np.argsort(vals, axis=1, kind="stable")
    s = np.take_along_axis(vals, order, axis=1)
    eq = s[:, 1:] == s[:, :-1]
    dup = np.zeros(vals.shape, dtype=bool)
    rows = np.nonzero(eq)[0]
    dup[rows, order[:, 1:][eq]] = True
    return dup


class _BAChildren:
    """Which slots point at which: the pointer forest of the BA endpoint list.

    Slot ``y`` points at slot ``x`` when its drawn position is ``x``'s target position. The
    index is built once from the first draws ``r0``; the few slots redrawn since then are
    looked up directly.
    """

    def __init__(self, r0: np.ndarray, m: int) -> None:
        self.m = m
        parent = self.parent(r0)
        order = np.argsort(parent, kind="stable")
        sorted_parent = parent[order]
        first = np.searchsorted(sorted_parent, 0)
        self.kids = order[first:]
        self.ptr = np.searchsorted(sorted_parent[first:], np.arange(r0.size + 1))

    def parent(self, r: np.ndarray) -> np.ndarray:
        e = r >> 1
        return np.where(((r & 1) == 1) & (e >= self.m), e - self.m, -1)

    def subtrees(
        self, roots: np.ndarray, r: np.ndarray, r0: np.ndarray, redrawn: np.ndarray
    ) -> np.ndarray:
        """roots and all slots whose chain of pointers (under r) passes through one."""
        redrawn = np.unique(redrawn)
        redrawn = redrawn[r[redrawn] != r0[redrawn]]
        redrawn_parent = self.parent(r[redrawn])
        found = [roots]
        frontier = np.unique(roots)
        while frontier.size:
            start, stop = self.ptr[frontier], self.ptr[frontier + 1]
            length = stop - start
            total = int(length.sum())
            shift = np.repeat(start - np.cumsum(length) + length, length)
            kids = self.kids[shift + np.arange(total)]
            kids = kids[r[kids] == r0[kids]]  # still pointing where they first did
            extra = redrawn[np.isin(redrawn_parent, frontier)]
            frontier = np.unique(np.concatenate([kids, extra]))
            found.append(frontier)
        return np.unique(np.concatenate(found))


def barabasi_albert(n: int, m: int, rng: np.random.Generator) -> EdgeList:
    """Scale-free network by preferential attachment (Barabási & Albert, Science 286:509, 1999).

    Same process as networkx's ``barabasi_albert_graph``: start from a star on nodes
    ``0..m``; each new node ``t = m+1..n-1`` links to ``m`` distinct earlier nodes, each
    chosen with probability proportional to its current degree. The result has exactly
    ``m*(n-m)`` edges (mean degree just under ``2m``) and a power-law degree tail
    ``P(k) ~ k^-3``.

    Vectorised without a loop over nodes: degree-proportional choice is a uniform draw of a
    position in the list of all edge endpoints so far (Batagelj & Brandes 2005), and a
    drawn position that holds an earlier target is resolved by pointer chasing. Repeated
    targets of one node are redrawn, each slot taking the first acceptable draw of its own
    stream of uniform draws; rounds repeat until nothing changes, which gives exactly the
    sequential process's distribution.

    Parameters
    ----------
    n : int, > m
    m : int, >= 1
        Edges added with each new node.
    rng : numpy.random.Generator

    Returns
    -------
    EdgeList; low node indices are the oldest nodes and the hubs.
    """
    n = _check_n(n)
    if isinstance(m, bool) or int(m) != m or not 1 <= int(m) < n:
        raise ValueError(f"scale free: m must be an integer in 1..{n - 1} (n={n}), got {m!r}")
    m = int(m)
    rng = _as_rng(rng)
    n_new = n - m - 1
    slots = n_new * m
    s = np.arange(slots, dtype=np.int64)
    hi = 2 * (m + (s // m) * m)  # positions that existed when the slot's node arrived
    r0 = rng.integers(0, hi) if slots else np.empty(0, dtype=np.int64)
    r = r0.copy()  # current choice of each slot
    vals = _ba_resolve(r, r, m)
    table = vals.reshape(n_new, m)  # a view: node t = m+1+row's targets
    children = _BAChildren(r0, m)
    hist_s = np.empty(0, dtype=np.int64)  # redraws: slot and position, in draw order
    hist_r = np.empty(0, dtype=np.int64)
    cols = np.arange(m, dtype=np.int64)
    rows = np.arange(n_new, dtype=np.int64)  # rows whose choices must be (re)checked
    for _ in range(10_000):
        new_r = {}
        block = rows[:, None] * m + cols[None, :]
        need = block[_row_duplicates(table[rows])]
        multi = np.unique(hist_s)
        if multi.size:
            need = np.setdiff1d(need, multi, assume_unique=True)
            # every draw of every redrawn slot, per slot in draw order
            ds = np.concatenate([multi, hist_s])
            dr = np.concatenate([r0[multi], hist_r])
            order = np.argsort(ds, kind="stable")
            ds, dr = ds[order], dr[order]
            dv = _ba_resolve(dr, r, m)
            clash = np.any(
                (table[ds // m] == dv[:, None]) & (cols[None, :] < (ds % m)[:, None]), axis=1
            )
            good = np.flatnonzero(~clash)
            ok_slot, first = np.unique(ds[good], return_index=True)
            chosen = dr[good[first]]
            diff = chosen != r[ok_slot]
            new_r = dict(zip(ok_slot[diff].tolist(), chosen[diff].tolist(), strict=True))
            need = np.union1d(need, np.setdiff1d(multi, ok_slot, assume_unique=True))
        if need.size == 0 and not new_r:
            break
        # draw a few stream entries ahead: unused ones stay queued for later rounds
        ahead = np.repeat(need, 4)
        fresh = rng.integers(0, hi[ahead])
        hist_s = np.concatenate([hist_s, ahead])
        hist_r = np.concatenate([hist_r, fresh])
        moved = np.concatenate([need, np.fromiter(new_r, dtype=np.int64, count=len(new_r))])
        r[need] = fresh[::4]
        if new_r:
            r[moved[need.size :]] = np.fromiter(new_r.values(), dtype=np.int64, count=len(new_r))
        # re-resolve the moved slots and everything whose pointer chain passes through them
        affected = children.subtrees(moved, r, r0, hist_s)
        before = vals[affected]
        vals[affected] = _ba_resolve(r[affected], r, m)
        rows = np.union1d(affected[vals[affected] != before] // m, multi // m)
        rows = np.union1d(rows, need // m)
    else:  # pragma: no cover - needs an astronomically unlikely run of collisions
        raise RuntimeError("barabasi_albert: target sampling did not converge")
    star = np.arange(1, m + 1, dtype=np.int64)
    new_nodes = m + 1 + s // m
    a = np.concatenate([np.zeros(m, dtype=np.int64), new_nodes])
    b = np.concatenate([star, vals])
    u, v = _canonical(n, a, b, dedupe=False)
    return EdgeList(n, u, v)


def erdos_renyi(n: int, mean_degree: float, rng: np.random.Generator) -> EdgeList:
    """Random graph G(n, p) (Erdős & Rényi, Publ. Math. Debrecen 6:290, 1959; Gilbert 1959).

    Each of the ``n(n-1)/2`` pairs is an edge independently with probability
    ``p = mean_degree / (n - 1)``. Sampled by geometric skipping over the pair index
    (Batagelj & Brandes 2005) in O(n + m) time and memory, never O(n^2).

    Parameters
    ----------
    n : int, >= 2
    mean_degree : float in [0, n-1]
        Expected degree of a node.
    rng : numpy.random.Generator

    Returns
    -------
    EdgeList with about ``n * mean_degree / 2`` edges (binomially distributed).
    """
    n = _check_n(n)
    d = float(mean_degree)
    if not 0.0 <= d <= n - 1:
        raise ValueError(
            f"random: mean_degree must be in [0, {n - 1}] (n={n}), got {mean_degree!r}"
        )
    rng = _as_rng(rng)
    i = np.arange(n, dtype=np.int64)
    u, v = _bernoulli_pairs(rng, n - 1 - i, i + 1, d / (n - 1))
    return EdgeList(n, u, v)  # already unique and sorted


def stochastic_block(
    n: int,
    n_blocks: int,
    mean_degree: float,
    within_share: float,
    rng: np.random.Generator,
) -> EdgeList:
    """Communities: a stochastic block model (Holland, Laskey & Leinhardt, Social Networks
    5:109, 1983), planted-partition form.

    Nodes are split into ``n_blocks`` contiguous blocks of near-equal size (sizes differ by
    at most one; block ``b`` is an index range, labels in ``block``). Each within-block pair
    is an edge with probability ``p_in`` and each between-block pair with ``p_out``, set so
    that a node expects ``within_share * mean_degree`` ties inside its block and the rest
    outside: ``p_in = within_share * mean_degree / (s - 1)`` for a block of size ``s``, and
    ``p_out`` such that the expected number of between-block edges is
    ``(1 - within_share) * n * mean_degree / 2``.

    Parameters
    ----------
    n : int, >= 2
    n_blocks : int in 1..n
    mean_degree : float >= 0
    within_share : float in [0, 1]
        Expected share of each node's ties that stay inside its block (about
        ``1/n_blocks`` is no community structure at all). Ignored when ``n_blocks == 1``:
        the single block is then G(n, p) with the full mean degree.
    rng : numpy.random.Generator

    Returns
    -------
    EdgeList with ``block`` int32[n].

    Raises
    ------
    ValueError
        If a parameter is out of range, or the blocks are too small for the requested
        degree (a probability above 1).
    """
    n = _check_n(n)
    if isinstance(n_blocks, bool) or int(n_blocks) != n_blocks or not 1 <= int(n_blocks) <= n:
        raise ValueError(f"communities: n_blocks must be an integer in 1..{n}, got {n_blocks!r}")
    nb = int(n_blocks)
    d = float(mean_degree)
    w = float(within_share)
    if not d >= 0.0:
        raise ValueError(f"communities: mean_degree must be >= 0, got {mean_degree!r}")
    if not 0.0 <= w <= 1.0:
        raise ValueError(f"communities: within_share must be in [0, 1], got {within_share!r}")
    rng = _as_rng(rng)
    base, extra = divmod(n, nb)
    sizes = np.full(nb, base, dtype=np.int64)
    sizes[:extra] += 1
    ends = np.cumsum(sizes)
    block = np.repeat(np.arange(nb, dtype=np.int32), sizes)
    end_of = ends[block]  # one past the last node of each node's block
    i = np.arange(n, dtype=np.int64)

    if nb == 1:
        w = 1.0  # no outside: the one block is G(n, p) with the full mean degree
        if d > n - 1:
            raise ValueError(
                f"communities: mean_degree must be in [0, {n - 1}] for one block of {n} nodes, "
                f"got {mean_degree!r}"
            )
    parts_u, parts_v = [], []
    # within blocks: at most two block sizes, one p_in each
    for size in np.unique(sizes):
        if w * d == 0.0:
            break
        if size < 2:
            raise ValueError(
                f"communities: blocks of {size} node cannot hold within-block ties; "
                f"use fewer blocks than {nb} for n={n}"
            )
        p_in = w * d / (size - 1)
        if p_in > 1.0:
            raise ValueError(
                f"communities: within_share*mean_degree = {w * d:g} exceeds the block size "
                f"minus one ({size - 1}); use fewer blocks or a lower mean_degree"
            )
        in_class = sizes[block] == size
        row_len = np.where(in_class, end_of - i - 1, 0)
        a, b = _bernoulli_pairs(rng, row_len, i + 1, p_in)
        parts_u.append(a)
        parts_v.append(b)
    # between blocks
    between_pairs = (n * n - int(np.sum(sizes * sizes))) // 2
    if (1.0 - w) * d > 0.0:
        p_out = (1.0 - w) * d * n / 2.0 / between_pairs
        if p_out > 1.0:
            raise ValueError(
                f"communities: (1-within_share)*mean_degree = {(1 - w) * d:g} is more than "
                "the nodes outside a block can give; raise within_share or lower mean_degree"
            )
        a, b = _bernoulli_pairs(rng, n - end_of, end_of, p_out)
        parts_u.append(a)
        parts_v.append(b)
    a = np.concatenate(parts_u) if parts_u else np.empty(0, dtype=np.int64)
    b = np.concatenate(parts_v) if parts_v else np.empty(0, dtype=np.int64)
    u, v = _canonical(n, a, b, dedupe=False)
    return EdgeList(n, u, v, block=block)


# --------------------------------------------------------------------------- files

_HEADER_WORDS = frozenset(
    "source target src dst from to u v node1 node2 node_1 node_2 id1 id2 i j head tail "
    "node label community block department user friend".split()
)


# An edge list bigger than this (on disk, or once decompressed) is refused rather than
# read into memory: the largest real networks the model can run are far smaller.
MAX_EDGE_FILE_BYTES = 2 << 30


def _read_bytes(path: Path, what: str) -> bytes:
    import os
    import stat

    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise NetworkFileError(f"{what} file not found: {path}") from None
    except OSError as exc:
        raise NetworkFileError(f"cannot read {what} file {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise NetworkFileError(f"{what} file {path} is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):  # never opened: a FIFO would block, /dev/zero not end
        raise NetworkFileError(f"{what} file {path} is not a regular file (a device, FIFO or "
                               "socket)")
    if st.st_size > MAX_EDGE_FILE_BYTES:
        raise NetworkFileError(f"{what} file {path} is too big ({st.st_size} bytes; at most "
                               f"{MAX_EDGE_FILE_BYTES})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NetworkFileError(f"cannot read {what} file {path}: {exc.strerror or exc}") from None
    if path.suffix == ".gz":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(MAX_EDGE_FILE_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise NetworkFileError(f"{what} file {path}: not a valid gzip file ({exc})") from None
        if len(data) > MAX_EDGE_FILE_BYTES:
            raise NetworkFileError(f"{what} file {path} is too big once decompressed (more "
                                   f"than {MAX_EDGE_FILE_BYTES} bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:65536]:
        raise NetworkFileError(f"{what} file {path} looks binary, not a text edge list")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NetworkFileError(f"{what} file {path}: line {line}: not UTF-8 text") from None
    # '%' (Matrix Market, KONECT) and '#' (SNAP) both start a comment
    return data.replace(b"%", b"#")


def _fields(line: str, sep: str | None) -> list[str]:
    line = line.split("#", 1)[0]
    toks = line.split(sep) if sep else line.split()
    return [t.strip().strip("\"'") for t in toks]


def _is_int(tok: str) -> bool:
    try:
        x = int(tok)
    except ValueError:
        return False
    return -(2**63) <= x < 2**63


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _check_id_range(tok: str, no: int, path: Path, what: str) -> None:
    """NetworkFileError if ``tok`` is a whole number outside the 64-bit id range."""
    if tok.lstrip("+-").isdigit() and not _is_int(tok):
        raise NetworkFileError(
            f"{what} file {path}: line {no}: node id {tok[:40]!r} is out of range (integer "
            "ids must lie in [-2**63, 2**63 - 1])"
        )


def _iter_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(line number, char offset, line) of every line, lazily."""
    pos, no, size = 0, 1, len(text)
    while pos < size:
        nl = text.find("\n", pos)
        end = size if nl < 0 else nl + 1
        yield no, pos, text[pos:end]
        pos, no = end, no + 1


def _data_lines(text: str, sep: str | None) -> Iterator[tuple[int, int, str, list[str]]]:
    """(line number, char offset, line, fields) of each non-blank, non-comment line."""
    for no, offset, line in _iter_lines(text):
        if line.split("#", 1)[0].strip():
            yield no, offset, line, _fields(line, sep)


def _layout(text: str, path: Path, what: str) -> tuple[str | None, int | None, int, bool]:
    """Separator, header line number or None, header char offset, and whether ids are ints."""
    head = []
    for item in _data_lines(text, None):
        head.append(item)
        if len(head) == 2:
            break
    if not head:
        raise NetworkFileError(
            f"{what} file {path} holds no data (empty, or only comments and blank lines)"
        )
    sep = "," if "," in head[0][2].split("#", 1)[0] else None
    rows = [(no, off, line, _fields(line, sep)) for no, off, line, _ in head]
    no1, off1, line1, f1 = rows[0]
    if len(f1) < 2 or not f1[0] or not f1[1]:
        raise NetworkFileError(
            f"{what} file {path}: line {no1}: expected two fields, got {line1.strip()[:60]!r}"
        )
    for tok in f1[:2]:
        _check_id_range(tok, no1, path, what)
    ints1 = _is_int(f1[0]) and _is_int(f1[1])
    header = None
    # A line holding a number is data, never a header (a header names its columns).
    if not ints1 and not any(_NUMBER.match(tok) for tok in f1[:2]):
        f2 = rows[1][3] if len(rows) > 1 else []
        second_ints = len(f2) >= 2 and _is_int(f2[0]) and _is_int(f2[1])
        words = {f1[0].lower(), f1[1].lower()} <= _HEADER_WORDS
        if second_ints or words:
            header = no1
    if header is None:
        return sep, None, 0, ints1
    if len(rows) < 2:
        raise NetworkFileError(f"{what} file {path} holds a header line but no data")
    f2 = rows[1][3]
    return sep, header, off1, len(f2) >= 2 and _is_int(f2[0]) and _is_int(f2[1])


def _scan(
    text: str, sep: str | None, header: int | None, int_ids: bool, path: Path, what: str
) -> tuple[list[int], list[str], list[str]]:
    """Slow, line-numbered parse: the labels reader and the edge reader's error path."""
    nos, first, second = [], [], []
    for no, _, line, f in _data_lines(text, sep):
        if no == header:
            continue
        if len(f) < 2 or not f[0] or not f[1]:
            raise NetworkFileError(
                f"{what} file {path}: line {no}: expected two fields, got {line.strip()[:60]!r}"
            )
        if int_ids:
            _check_id_range(f[0], no, path, what)
            _check_id_range(f[1], no, path, what)
        if int_ids and not (_is_int(f[0]) and _is_int(f[1])):
            raise NetworkFileError(
                f"{what} file {path}: line {no}: expected two integer node ids, "
                f"got {line.strip()[:60]!r}"
            )
        nos.append(no)
        first.append(f[0])
        second.append(f[1])
    return nos, first, second


def _read_pairs(path: Path, what: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """First two columns of every data line: (int64, int64, True) or (str, str, False)."""
    import pandas as pd

    data = _read_bytes(path, what)
    text = data.decode("utf-8")
    sep, header, offset, int_ids = _layout(text, path, what)
    if header is not None:  # comment the header line out
        at = len(text[:offset].encode("utf-8"))
        data = data[:at] + b"#" + data[at:]
    kwargs = {
        "sep": "," if sep else r"\s+",
        "header": None,
        "usecols": [0, 1],
        "comment": "#",
        "skip_blank_lines": True,
        "engine": "c",
    }
    if sep:
        kwargs["skipinitialspace"] = True
    try:
        if int_ids:
            df = pd.read_csv(io.BytesIO(data), dtype=np.int64, **kwargs)
            a = df[0].to_numpy(np.int64)
            b = df[1].to_numpy(np.int64)
        else:
            df = pd.read_csv(
                io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False, **kwargs
            )
            a = df[0].str.strip().str.strip("\"'").to_numpy(object)
            b = df[1].str.strip().str.strip("\"'").to_numpy(object)
            if ((a == "") | (b == "")).any():
                raise ValueError("empty field")
    except (ValueError, TypeError, OverflowError, pd.errors.ParserError) as exc:
        _scan(text, sep, header, int_ids, path, what)  # raises with the line number
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NetworkFileError(f"{what} file {path}: cannot parse: {msg}") from None
    return a, b, int_ids


def _relabel(a: np.ndarray, b: np.ndarray, int_ids: bool):
    """Map ids to 0..n-1: integers in ascending order, text in order of first appearance."""
    if int_ids:
        ids, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
        return ids, inv[: a.size], inv[a.size :]
    import pandas as pd

    both = np.empty(2 * a.size, dtype=object)
    both[0::2] = a
    both[1::2] = b
    codes, ids = pd.factorize(both)
    return np.asarray(ids, dtype=object), codes[0::2], codes[1::2]


def _read_labels(labels_path: Path, ids: np.ndarray, int_ids: bool) -> np.ndarray:
    what = "labels"
    data = _read_bytes(labels_path, what)
    text = data.decode("utf-8")
    sep, header, _, _ = _layout(text, labels_path, what)
    nos, nodes, labels = _scan(text, sep, header, False, labels_path, what)
    if int_ids:
        keys = []
        for no, tok in zip(nos, nodes, strict=True):
            if not _is_int(tok):
                raise NetworkFileError(
                    f"labels file {labels_path}: line {no}: node id {tok!r} is not an integer "
                    "like the edge list's ids"
                )
            keys.append(int(tok))
        key_arr = np.array(keys, dtype=np.int64)
        idx = np.searchsorted(ids, key_arr)
        idx[idx == ids.size] = 0
        known = ids[idx] == key_arr
    else:
        lookup = {tok: i for i, tok in enumerate(ids.tolist())}
        idx = np.array([lookup.get(t, -1) for t in nodes], dtype=np.int64)
        known = idx >= 0
    if not known.all():
        bad = int(np.flatnonzero(~known)[0])
        raise NetworkFileError(
            f"labels file {labels_path}: line {nos[bad]}: node {nodes[bad]!r} is not in the "
            "edge list"
        )
    if all(_is_int(t) for t in labels):
        _, lab = np.unique(np.array([int(t) for t in labels], dtype=np.int64), return_inverse=True)
    else:
        import pandas as pd

        lab, _ = pd.factorize(np.array(labels, dtype=object))
    order = np.argsort(idx, kind="stable")
    same_node = idx[order][1:] == idx[order][:-1]
    conflict = np.flatnonzero(same_node & (lab[order][1:] != lab[order][:-1]))
    if conflict.size:
        first, again = order[conflict[0]], order[conflict[0] + 1]
        raise NetworkFileError(
            f"labels file {labels_path}: line {nos[again]}: node {nodes[again]!r} already has "
            f"a different label (line {nos[first]})"
        )
    block = np.zeros(ids.size, dtype=np.int64)
    block[idx] = lab
    seen = np.zeros(ids.size, dtype=bool)
    seen[idx] = True
    if not seen.all():
        missing = int(np.count_nonzero(~seen))
        example = ids[int(np.flatnonzero(~seen)[0])]
        raise NetworkFileError(
            f"labels file {labels_path}: {missing} node(s) of the edge list have no label "
            f"(e.g. node {example!r})"
        )
    return block.astype(np.int32)


def read_edge_list(path: str | Path, labels_path: str | Path | None = None) -> EdgeList:
    """Read a real network from an edge-list file (plain text, or the same gzipped as .gz).

    Format, decided from the file itself:

    * one tie per line, the first two fields being the node ids; further fields (weight,
      rating, time) are ignored;
    * fields separated by whitespace, or by commas if the first data line has a comma (CSV);
    * ``#`` and ``%`` start a comment anywhere on a line; blank lines are skipped;
    * the first data line is a header, and skipped, if its ids are not integers while the
      next line's are, or if both its fields are usual column names ("source", "target",
      "from", "to", "u", "v", "node", ...);
    * node ids are integers (any 64-bit values, not necessarily contiguous), numbered
      ``0..n-1`` in ascending order; or, if the first data line's ids are not integers,
      text, numbered in order of first appearance. The original ids are kept in ``ids``.

    Lines are read as undirected ties: ``u v`` and ``v u`` give one tie; self-loops and
    repeated lines are dropped (a node that appears only in a self-loop stays, isolated).

    ``labels_path`` optionally names a file of ``node label`` lines in the same format,
    giving every node a community label (``block``, numbered ``0..B-1`` in ascending order
    of integer labels, else by first appearance).

    Raises
    ------
    NetworkFileError
        One line naming the file and the problem: missing or unreadable file, malformed
        line (with its number), fewer than two nodes or no ties, labels not matching.
    """
    path = Path(path)
    a, b, int_ids = _read_pairs(path, "edge list")
    ids, u, v = _relabel(a, b, int_ids)
    n = int(ids.size)
    if n < 2 or not np.any(u != v):
        raise NetworkFileError(
            f"edge list file {path} has no ties between two distinct nodes ({n} node(s))"
        )
    block = None
    if labels_path is not None:
        block = _read_labels(Path(labels_path), ids, int_ids)
    return EdgeList.from_pairs(n, u, v, block=block, ids=ids)


def builtin_network_path(name: str) -> Path:
    """Path of a network file shipped in ``simnet/data/`` (see ``BUILTIN_NETWORKS``).

    ``"email-eu-core"``: email-Eu-core (1,005 nodes, 16,064 ties, with department labels);
    ``"facebook"``: ego-Facebook (4,039 nodes, 88,234 ties). Names are case-insensitive.
    """
    return _data_file(_builtin_entry(name)[0])


def builtin_labels_path(name: str) -> Path | None:
    """Path of the community labels shipped with a built-in network, or None."""
    labels = _builtin_entry(name)[1]
    return None if labels is None else _data_file(labels)


def _builtin_entry(name: str) -> tuple[str, str | None]:
    key = str(name).strip().lower()
    if key not in BUILTIN_NETWORKS:
        known = ", ".join(sorted(BUILTIN_NETWORKS))
        raise NetworkFileError(f"unknown built-in network {name!r}; known networks: {known}")
    return BUILTIN_NETWORKS[key]


def _data_file(filename: str) -> Path:
    return Path(str(resources.files("simnet").joinpath("data", filename)))


def resolve_network_file(path_or_name: str | Path) -> tuple[Path, Path | None]:
    """Edge file and labels file (or None) for an existing file path or a built-in name.

    An existing file wins over a built-in name of the same spelling. Cheap (reads nothing),
    so configuration code can call it to validate a ``path`` early.

    Raises
    ------
    NetworkFileError
        If it is neither an existing file nor a built-in name.
    """
    p = Path(path_or_name)
    if p.is_file():
        return p, None
    key = str(path_or_name).strip().lower()
    if key in BUILTIN_NETWORKS:
        return builtin_network_path(key), builtin_labels_path(key)
    known = ", ".join(sorted(BUILTIN_NETWORKS))
    if p.is_dir():
        raise NetworkFileError(f"edge list file {p} is a directory, not a file")
    if p.exists():
        raise NetworkFileError(f"edge list file {p} is not a regular file (a device, FIFO "
                               "or socket)")
    raise NetworkFileError(
        f"edge list file not found: {p} (nor is it a built-in network: {known})"
    )


# --------------------------------------------------------------------------- dispatch


def _even_degree(mean_degree: float, kind: str) -> int:
    try:
        k = int(mean_degree)
        ok = not isinstance(mean_degree, bool) and k == float(mean_degree) and k % 2 == 0
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(
            f"{kind}: mean_degree must be an even integer (ties come in k/2 per side or "
            f"m = k/2 per new node), got {mean_degree!r}"
        )
    return k


def generate(
    kind: str,
    n: int,
    rng: np.random.Generator,
    *,
    mean_degree: float = 10,
    rewire_prob: float = 0.1,
    n_blocks: int = 4,
    within_share: float = 0.8,
    path: str | Path | None = None,
    labels_path: str | Path | None = None,
) -> EdgeList:
    """Build the initial network of a run.

    ============== ============================================================
    kind           generator
    ============== ============================================================
    "small_world"  :func:`watts_strogatz` (k = mean_degree, even; rewire_prob)
    "scale_free"   :func:`barabasi_albert` (m = mean_degree / 2, even)
    "random"       :func:`erdos_renyi` (mean_degree)
    "communities"  :func:`stochastic_block` (n_blocks, mean_degree, within_share)
    "file"         :func:`read_edge_list` of ``path``: a file, or a built-in name
                   ("email-eu-core" comes with its department labels); ``n`` is
                   ignored, the file decides, and ``rng`` is not used
    ============== ============================================================

    Raises ValueError for an unknown kind or a parameter out of range, and
    NetworkFileError (a ValueError) for a bad file.
    """
    if kind == "small_world":
        return watts_strogatz(n, _even_degree(mean_degree, kind), rewire_prob, rng)
    if kind == "scale_free":
        return barabasi_albert(n, _even_degree(mean_degree, kind) // 2, rng)
    if kind == "random":
        return erdos_renyi(n, mean_degree, rng)
    if kind == "communities":
        return stochastic_block(n, n_blocks, mean_degree, within_share, rng)
    if kind == "file":
        if path is None:
            raise ValueError('network kind "file" needs a path (a file or a built-in name)')
        edges, labels = resolve_network_file(path)
        return read_edge_list(edges, labels_path if labels_path is not None else labels)
    raise ValueError(f"unknown network kind {kind!r}; allowed: {', '.join(KINDS)}")
