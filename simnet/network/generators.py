"""Random graph generators: Watts–Strogatz, Barabási–Albert, Erdős–Rényi and the
stochastic block model, each returning an :class:`~simnet.network.edges.EdgeList`.

Every random draw comes from the :class:`numpy.random.Generator` passed in, and everything
is vectorised (see :mod:`simnet.network`).
"""

from __future__ import annotations

import math

import numpy as np

from simnet.network.edges import EdgeList, _canonical

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
