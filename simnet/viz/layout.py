"""Which agents the network panel draws, and where: plain NumPy, deterministic.

The layout is computed once per model (once per reset in the browser) from the starting
ties, and kept while the ties change, so a node stays in place and new or burned ties show
as lines appearing or vanishing. Nothing here draws from the model's random generator:
the same world always gets the same picture.

Small models are drawn whole. Larger ones get a *snowball sample*: a breadth-first
neighbourhood of the best-connected agent, capped at ``sample_size`` agents, with the ties
among them; the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simnet.plots.network import force_layout

#: Models up to this many agents are drawn whole.
MAX_DRAWN = 600
#: Larger models show this many agents: a breadth-first sample.
SAMPLE_SIZE = 400


@dataclass(frozen=True)
class NetworkLayout:
    """The drawn agents and their positions.

    ``nodes`` int64[k]: agent indices drawn, ascending; ``pos`` float64[k, 2] in [0, 1]^2;
    ``n_total``: agents in the model; ``sampled``: whether ``nodes`` is a sample.
    """

    nodes: np.ndarray
    pos: np.ndarray
    n_total: int
    sampled: bool

    @property
    def note(self) -> str:
        if not self.sampled:
            return f"all {self.n_total:,} agents"
        return (f"{self.nodes.size:,} of {self.n_total:,} agents: the neighbourhood of "
                f"the best-connected agent (ties among them only)")

    def local_index(self) -> np.ndarray:
        """int64[n_total]: position of each agent in ``nodes``, -1 if not drawn."""
        local = np.full(self.n_total, -1, dtype=np.int64)
        local[self.nodes] = np.arange(self.nodes.size)
        return local


def snowball_sample(n: int, u: np.ndarray, v: np.ndarray, size: int) -> np.ndarray:
    """Breadth-first sample of at most ``size`` agents from the agent of highest degree
    (lowest index on ties); restarts from the next such agent if a component runs out.
    Deterministic. Returns sorted agent indices."""
    size = min(int(size), int(n))
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    src = np.concatenate([u, v])
    dst = np.concatenate([v, u])
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    degree = np.diff(indptr)
    starts = np.lexsort((np.arange(n), -degree))  # highest degree first
    taken = np.zeros(n, dtype=bool)
    count = 0
    start_at = 0
    while count < size:
        while taken[starts[start_at]]:
            start_at += 1
        frontier = np.array([starts[start_at]], dtype=np.int64)
        taken[frontier] = True
        count += 1
        while frontier.size and count < size:
            lo, hi = indptr[frontier], indptr[frontier + 1]
            lengths = hi - lo
            if lengths.sum() == 0:
                break
            idx = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            nxt = np.unique(dst[idx])
            nxt = nxt[~taken[nxt]]
            nxt = nxt[: size - count]
            taken[nxt] = True
            count += nxt.size
            frontier = nxt
    return np.flatnonzero(taken)


def _circle(k: int) -> np.ndarray:
    angle = 2 * np.pi * np.arange(k) / max(k, 1)
    return np.column_stack([np.cos(angle), np.sin(angle)])


def _normalise(pos: np.ndarray) -> np.ndarray:
    """Fit into [0.03, 0.97]^2, keeping the aspect ratio, centred."""
    if pos.shape[0] == 0:
        return pos.reshape(0, 2)
    lo = pos.min(axis=0)
    span = np.maximum(pos.max(axis=0) - lo, 1e-12)
    scale = 0.94 / span.max()
    return 0.03 + (pos - lo) * scale + (0.94 - span * scale) / 2


def compute_layout(world, max_drawn: int = MAX_DRAWN,
                   sample_size: int = SAMPLE_SIZE) -> NetworkLayout:
    """Choose the drawn agents of ``world`` and place them.

    A spring layout (:func:`simnet.plots.network.force_layout`, the same as the figures')
    started from a circle of the agents ordered by
    community (when the network has communities) and index, so a small world starts as its
    ring lattice.
    """
    n = int(world.n)
    ties = world.ties
    if n <= max_drawn:
        nodes = np.arange(n, dtype=np.int64)
        sampled = False
    else:
        nodes = snowball_sample(n, ties.u, ties.v, sample_size)
        sampled = True
    k = nodes.size
    local = np.full(n, -1, dtype=np.int64)
    local[nodes] = np.arange(k)
    a, b = local[np.asarray(ties.u)], local[np.asarray(ties.v)]
    keep = (a >= 0) & (b >= 0)
    a, b = a[keep], b[keep]
    weight = np.asarray(ties.strength, dtype=np.float64)[keep]

    block = getattr(world, "block", None)
    if block is not None:
        order = np.lexsort((nodes, np.asarray(block)[nodes]))
    else:
        order = np.arange(k)
    start = np.empty((k, 2))
    start[order] = _circle(k)
    # A small world starts as its ring lattice and folds into a band.
    pos = force_layout(k, a, b, 0.3 + weight, iterations=80 if k <= 400 else 50, start=start)
    return NetworkLayout(nodes=nodes, pos=_normalise(pos), n_total=n, sampled=sampled)
