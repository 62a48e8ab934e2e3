"""Drawing the network at the end of a run, with matplotlib only (no networkx at run time).

The layout is a deterministic Fruchterman–Reingold force layout in NumPy (fixed seed, so
the same results always give the same picture), weighted by tie strength.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simnet.plots import stats
from simnet.plots.spec import PlotError
from simnet.plots.stats import require
from simnet.plots.style import (
    fig_width,
    house_style,
    legend_below,
    new_figure,
    order_groups,
    strategy_colors,
    wrap,
)

MAX_NODES = 1200  # the shipped real network (email-Eu-core, 1005 people) fits


def force_layout(n: int, u: np.ndarray, v: np.ndarray, weight: np.ndarray | None = None,
                 iterations: int | None = None, seed: int = 0,
                 start: np.ndarray | None = None) -> np.ndarray:
    """Positions (n, 2) in [0, 1]² from a Fruchterman–Reingold layout: nodes repel,
    ties attract in proportion to their weight, a weak pull keeps components together.

    ``u``, ``v``: tie endpoints (int[m], node indices); ``weight``: float[m] (default 1).
    The layout starts from ``start`` (float[n, 2], any scale) if given, otherwise from
    uniform positions drawn from a Generator seeded with ``seed``: deterministic either way.
    """
    if start is None:
        pos = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2))
    else:
        pos = np.array(start, dtype=np.float64).reshape(n, 2)
        pos = pos - pos.mean(axis=0)
        pos /= max(float(np.abs(pos).max()), 1e-12)
    if n <= 1:
        return np.full((n, 2), 0.5)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    weight = np.ones(len(u)) if weight is None else np.asarray(weight, dtype=float)
    if iterations is None:  # O(n²) per iteration: fewer for large networks
        iterations = 150 if n <= 500 else 80
    k = 2.0 / np.sqrt(n)
    temperature = 0.2
    cooling = (0.005 / temperature) ** (1.0 / max(iterations, 1))
    for _ in range(iterations):
        # repulsion k²/d along (p_i - p_j)/d, summed over j, as matrix products:
        # sum_j w_ij (p_i - p_j) = p_i * sum_j w_ij - (W @ p)_i with w_ij = k² / d²_ij
        sq = (pos ** 2).sum(axis=1)
        dist2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (pos @ pos.T), 1e-6)
        w = (k * k) / dist2
        np.fill_diagonal(w, 0.0)
        disp = pos * w.sum(axis=1, keepdims=True) - w @ pos
        edge = pos[u] - pos[v]
        edge_len = np.sqrt((edge ** 2).sum(-1))
        pull = edge * (edge_len * weight / k)[:, None]
        np.add.at(disp, u, -pull)
        np.add.at(disp, v, pull)
        disp -= 0.05 * pos * np.sqrt((pos ** 2).sum(-1, keepdims=True)) / k
        length = np.maximum(np.sqrt((disp ** 2).sum(-1, keepdims=True)), 1e-9)
        pos += disp / length * np.minimum(length, temperature)
        temperature *= cooling
    # Fit the bulk (1st to 99th percentile) to the unit square; stragglers (isolated
    # agents pushed far out) are pulled in to its edge rather than shrinking the rest.
    lo, hi = np.percentile(pos, [1, 99], axis=0)
    span = float((hi - lo).max())
    if span <= 0:
        return np.full((n, 2), 0.5)
    pos = (pos - (lo + hi) / 2) / span + 0.5
    return np.clip(pos, 0.0, 1.0)


def plot_network(agents: pd.DataFrame, ties: pd.DataFrame, *, run_id=None,
                 max_nodes: int = MAX_NODES, seed: int = 0, title: str | None = None,
                 experiment: str | None = None, caption: bool | str = True,
                 width: str | float = "single") -> Figure:
    """The network at the end of one run (default: the first): nodes coloured by strategy
    and sized by mean perceived reputation (from the 5th to the 95th percentile of the run;
    hollow: nobody holds evidence about them), bad actors
    crossed, ties drawn darker and thicker the stronger they are.

    Networks larger than ``max_nodes`` agents are refused with a PlotError: a hairball
    says nothing.
    """
    require(agents, ["agent", "strategy", "reputation", "bad_actor"], "agents")
    if ties is None:
        raise PlotError("no ties table in these results (it is kept for small networks "
                        "only); cannot draw the network")
    require(ties, ["u", "v", "strength"], "ties")
    agents = stats.with_run_columns(agents)
    ties = stats.with_run_columns(ties)
    if run_id is None:  # the first replication of the baseline (or first) arm
        arms = stats.arm_order(agents)
        first = agents[agents["arm"] == stats.baseline_arm(agents, arms)]
        run_id = first.sort_values("replication", kind="stable")["run_id"].iloc[0]
    one = agents[agents["run_id"] == run_id].sort_values("agent")
    if one.empty:
        raise PlotError(f"no agents for run {run_id!r}")
    n = len(one)
    if n > max_nodes:
        raise PlotError(f"the network has {n} agents; drawings are limited to {max_nodes} "
                        "(pass max_nodes to draw it anyway)")
    index = pd.Series(np.arange(n), index=one["agent"].to_numpy())
    edges = ties[ties["run_id"] == run_id]
    edges = edges[edges["u"].isin(index.index) & edges["v"].isin(index.index)]
    edges = edges.sort_values("strength")
    u = index[edges["u"].to_numpy()].to_numpy()
    v = index[edges["v"].to_numpy()].to_numpy()
    strength = edges["strength"].to_numpy(dtype=float)
    pos = force_layout(n, u, v, 0.3 + strength, seed=seed)

    names = order_groups(one["strategy"].astype(str))
    colors = strategy_colors(names)
    reputation = one["reputation"].to_numpy(dtype=float)
    known = np.isfinite(reputation)
    # marker area shrinks with crowding, so a few hundred agents stay legible
    scale = (50.0 if fig_width(width) < 5 else 100.0) * min(1.0, np.sqrt(150 / n))
    lo, hi = _size_range(reputation[known])
    sizes = np.where(known, _node_size(reputation, lo, hi, scale), 3.0 + 0.15 * scale)
    text = ""
    if caption is not False:
        run = one.iloc[0]
        facts = [experiment] if experiment else []
        point = "".join(f", {p} = {run[p]:g}" if isinstance(run[p], float) else
                        f", {p} = {run[p]}" for p in stats.param_columns(agents))
        facts.append(f"run {run_id} (arm {run['arm']}{point}, replication "
                     f"{run['replication']}"
                     + (f", seed {run['seed']}" if "seed" in one.columns else "") + ")")
        facts.append(f"end of run: {n} agents, {len(edges)} ties; node size: mean perceived "
                     f"reputation ({lo:.2f} to {hi:.2f}); line width and shade: tie strength")
        text = caption if isinstance(caption, str) else " · ".join(facts)
    with house_style():
        fig, body, axes = new_figure(width, 1, 1, height=fig_width(width) * 1.05,
                                     caption=text)
        ax = axes[0, 0]
        grey = np.array([0.25, 0.25, 0.25])
        fade = min(1.0, 1500 / max(len(strength), 1))  # many ties: fainter lines
        ax.add_collection(LineCollection(
            np.stack([pos[u], pos[v]], axis=1),
            linewidths=(0.2 + 1.4 * strength) * fade ** 0.25,
            colors=[(*grey, (0.1 + 0.6 * s) * np.sqrt(fade)) for s in strength],
            zorder=1, gid="ties"))
        strategy = one["strategy"].astype(str).to_numpy()
        for name in names:
            mask = strategy == name
            faces = np.where(known[mask][:, None], np.array(_rgba(colors[name]))[None, :],
                             np.array([1.0, 1.0, 1.0, 0.0])[None, :])
            ax.scatter(pos[mask, 0], pos[mask, 1], s=sizes[mask], c=faces,
                       edgecolors=colors[name], linewidths=0.6 if n <= 300 else 0.35,
                       label=name, zorder=2, gid=f"nodes:{name}")
        bad = one["bad_actor"].to_numpy(dtype=bool)
        if bad.any():
            ax.scatter(pos[bad, 0], pos[bad, 1], marker="x", s=14 if n <= 300 else 7,
                       c="black", linewidths=0.7 if n <= 300 else 0.45, label="bad actor",
                       zorder=3, gid="bad_actors")
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(wrap(title or "Who is connected, and who is trusted?",
                          fig_width(width) - 0.3, 8, bold=True))
        handles = [Line2D([], [], ls="none", marker="o", color=colors[nm], label=nm)
                   for nm in names]
        if bad.any():
            handles.append(Line2D([], [], ls="none", marker="x", color="black",
                                  label="bad actor"))
        for rep in (lo, hi):
            handles.append(Line2D([], [], ls="none", marker="o", color="0.5",
                                  markersize=float(np.sqrt(_node_size(rep, lo, hi, scale))),
                                  label=f"reputation {rep:.2f}"))
        handles.append(Line2D([], [], ls="none", marker="o", markerfacecolor="none",
                              color="0.5", label="no evidence"))
        legend_below(body, handles, [h.get_label() for h in handles],
                     ncols=min(len(handles), 3 if fig_width(width) < 5 else 6))
    return fig


def _size_range(values: np.ndarray) -> tuple[float, float]:
    """The reputation range that node sizes span: the 5th to 95th percentile (at least
    0.1 wide), so differences show even when reputations bunch together."""
    if values.size == 0:
        return 0.0, 1.0
    lo, hi = (float(v) for v in np.percentile(values, [5, 95]))
    if hi - lo < 0.1:
        mid = (hi + lo) / 2
        lo, hi = max(0.0, mid - 0.05), min(1.0, mid + 0.05)
    return round(lo, 2), round(hi, 2)


def _node_size(reputation, lo: float, hi: float, scale: float):
    """Marker area: from 3 (at or below ``lo``) to 3 + scale (at or above ``hi``)."""
    t = np.clip((np.nan_to_num(reputation) - lo) / max(hi - lo, 1e-9), 0.0, 1.0)
    return 3.0 + scale * t


def _rgba(color: str) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(color)
