"""Matplotlib figures and tables for the page: pure functions of a model's state.

They use matplotlib's object API (``Figure``, Agg canvas), never pyplot, so they hold no
global state and can be drawn from Solara's worker threads. Nothing here imports solara:
the same figures serve tests, benchmarks and the page.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from simnet.plots.style import strategy_colors
from simnet.viz.layout import NetworkLayout, compute_layout

#: What the strategy plots show: (column of the "groups" table, title).
PLOTTED = (
    ("opps_total", "Opportunities won per agent (cumulative)"),
    ("reputation", "Perceived reputation (mean, 0.5 = unknown)"),
    ("bad_suffered", "Bad interactions suffered per agent (cumulative)"),
)

#: Columns of the live summary table: (column of the "groups" table, header).
SUMMARY_COLUMNS = (
    ("n_agents", "agents"),
    ("degree", "ties"),
    ("reach2", "reach (2nd degree)"),
    ("opps_total", "opportunities won"),
    ("reputation", "perceived reputation"),
    ("visibility", "known by"),
    ("bad_suffered", "bad interactions suffered"),
    ("capital_lost", "capital lost"),
)


def strategy_colours(names) -> dict[str, str]:
    """A colour per strategy name: the same colours as simnet's figures."""
    return strategy_colors(names)


# ----------------------------------------------------------------------------- network

_LAYOUTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def layout_for(model) -> NetworkLayout:
    """The model's layout, computed on first use and kept for the model's lifetime
    (a reset makes a new model, hence a new layout)."""
    layout = _LAYOUTS.get(model)
    if layout is None:
        layout = compute_layout(model.world)
        _LAYOUTS[model] = layout
    return layout


def node_colours(base_rgb: np.ndarray, reputation: np.ndarray) -> np.ndarray:
    """Shade strategy colours by perceived reputation: 0.5 (unknown, or NaN) keeps the
    strategy's colour, higher mixes it towards white, lower towards black.
    ``base_rgb`` float[k, 3]; ``reputation`` float[k]. Returns float[k, 3] in [0, 1]."""
    rep = np.clip(np.where(np.isfinite(reputation), reputation, 0.5), 0.0, 1.0)[:, None]
    lighter = base_rgb + (1.0 - base_rgb) * (rep - 0.5) * 1.4
    darker = base_rgb * (0.15 + 1.7 * rep)
    return np.clip(np.where(rep >= 0.5, lighter, darker), 0.0, 1.0)


def network_figure(model, layout: NetworkLayout | None = None,
                   size: tuple[float, float] = (6.4, 6.4), dpi: int = 90) -> Figure:
    """The network now: nodes coloured by strategy, shaded by perceived reputation, bad
    actors marked with a cross; ties as lines whose width and opacity follow strength."""
    world = model.world
    layout = layout or layout_for(model)
    nodes, pos = layout.nodes, layout.pos
    local = layout.local_index()

    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.add_axes((0.0, 0.07, 1.0, 0.86))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")

    ties = world.ties
    a, b = local[np.asarray(ties.u)], local[np.asarray(ties.v)]
    keep = (a >= 0) & (b >= 0)
    strength = np.asarray(ties.strength, dtype=np.float64)[keep]
    a, b = a[keep], b[keep]
    order = np.argsort(strength, kind="stable")  # strong ties on top
    a, b, strength = a[order], b[order], strength[order]
    segments = np.stack([pos[a], pos[b]], axis=1)
    edge_rgba = np.zeros((strength.size, 4))
    edge_rgba[:, :3] = 0.35
    edge_rgba[:, 3] = 0.04 + 0.4 * strength
    ax.add_collection(LineCollection(segments, colors=edge_rgba,
                                     linewidths=0.2 + 1.8 * strength, zorder=1))

    names = list(world.strategy_names)
    colours = strategy_colours(names)
    palette = np.array([to_rgb(colours[s]) for s in names])
    sid = np.asarray(world.strategy_id)[nodes]
    reputation = world.reputation_summary()[1]  # mean perceived reputation, NaN if unknown
    face = node_colours(palette[sid], np.asarray(reputation)[nodes])
    bad = np.asarray(world.is_bad)[nodes]
    k = nodes.size
    node_size = float(np.clip(12000.0 / max(k, 1), 12.0, 90.0))
    ax.scatter(pos[~bad, 0], pos[~bad, 1], s=node_size, c=face[~bad], linewidths=0.3,
               edgecolors="white", zorder=2)
    ax.scatter(pos[bad, 0], pos[bad, 1], s=node_size * 1.3, c=face[bad], linewidths=0.9,
               edgecolors="black", zorder=3)
    ax.scatter(pos[bad, 0], pos[bad, 1], s=node_size * 0.6, c="white", marker="x",
               linewidths=0.9, zorder=4)

    present = [names[i] for i in np.unique(sid)]
    handles = [Line2D([], [], marker="o", ls="", color=colours[s], markeredgecolor="white",
                      label=f"{s} ({int((sid == names.index(s)).sum())})") for s in present]
    handles.append(Line2D([], [], marker="o", ls="", color="0.5", markeredgecolor="black",
                          label=f"bad actor ({int(bad.sum())})"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.08),
              ncol=min(len(handles), 3), fontsize=8, frameon=False, handletextpad=0.2,
              columnspacing=0.8)
    fig.text(0.5, 0.01, f"Step {model.steps} · {layout.note} · {int(keep.sum()):,} ties"
             f" · lighter/darker = better/worse perceived reputation; thicker = stronger tie",
             ha="center", va="bottom", fontsize=7.5, color="0.25", wrap=True)
    return fig


# ----------------------------------------------------------------------------- plots

def strategy_table(model) -> pd.DataFrame:
    """The model's per-step table, strategy rows only."""
    table = model.datacollector.get_table_dataframe("groups")
    if table.empty:
        return table
    return table[table["group_by"] == "strategy"]


def strategy_plots_figure(model, size: tuple[float, float] = (5.6, 6.4),
                          dpi: int = 90) -> Figure:
    """Per strategy over time: opportunities won, perceived reputation, bad interactions
    suffered (one panel each, shared step axis)."""
    table = strategy_table(model)
    colours = strategy_colours(model.world.strategy_names)
    fig = Figure(figsize=size, dpi=dpi)
    axes = fig.subplots(len(PLOTTED), 1, sharex=True)
    fig.subplots_adjust(left=0.11, right=0.98, top=0.95, bottom=0.08, hspace=0.32)
    groups = list(dict.fromkeys(table["group"])) if not table.empty else []
    for ax, (column, title) in zip(axes, PLOTTED, strict=True):
        for group in groups:
            rows = table[table["group"] == group]
            ax.plot(rows["step"].to_numpy(), rows[column].to_numpy(dtype=float),
                    color=colours.get(group, "0.3"), lw=1.6, label=group,
                    marker="o" if len(rows) == 1 else None, ms=3)
        # a plain text, not set_title: title placement costs a third of the draw time
        ax.text(0.0, 1.03, title, transform=ax.transAxes, fontsize=9, va="bottom",
                gid="title")
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(4))  # few ticks: tick labels dominate the cost
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        ax.grid(alpha=0.3, lw=0.5)
    axes[1].axhline(0.5, color="0.6", lw=0.8, ls=":")
    axes[-1].set_xlabel("step", fontsize=8)
    last = int(table["step"].max()) if not table.empty else 0
    axes[-1].set_xlim(0, max(last, 1))
    if groups:
        axes[0].legend(fontsize=7.5, ncol=min(len(groups), 3), frameon=False, loc="upper left")
    return fig


def summary_table(model) -> pd.DataFrame:
    """The live per-strategy summary at the current step: one row per strategy."""
    table = strategy_table(model)
    if table.empty:
        return pd.DataFrame(columns=[h for _, h in SUMMARY_COLUMNS])
    now = table[table["step"] == table["step"].max()].set_index("group")
    out = now[[c for c, _ in SUMMARY_COLUMNS]].rename(columns=dict(SUMMARY_COLUMNS))
    out.index.name = "strategy"
    return out


def network_facts(model) -> list[tuple[str, str]]:
    """Network-level figures now: (label, formatted value)."""
    vars_ = model.datacollector.model_vars

    def last(name: str) -> float:
        values = vars_.get(name) or [float("nan")]
        return float(values[-1])

    def fmt(x: float, spec: str) -> str:
        return "–" if not math.isfinite(x) else format(x, spec)

    return [
        ("step", str(model.steps)),
        ("agents", f"{model.world.n:,}"),
        ("ties", fmt(last("ties"), ",.0f")),
        ("mean ties per agent", fmt(last("mean_degree"), ".1f")),
        ("clustering", fmt(last("clustering"), ".2f")),
        ("bad actors found out", fmt(last("bad_found_share"), ".0%")),
        ("reputation accuracy (Kendall's tau)", fmt(last("reputation_tau"), ".2f")),
    ]


def summary_html(model) -> str:
    """The per-strategy summary and network facts as a small HTML table."""
    table = summary_table(model)
    colours = strategy_colours(model.world.strategy_names)
    head = "".join(f"<th>{h}</th>" for h in ["strategy", *table.columns])
    rows = []
    for name, row in table.iterrows():
        cells = [f'<td><span style="color:{colours.get(name, "#555")}">&#9679;</span> '
                 f"{name}</td>"]
        for column, value in row.items():
            if column == "agents":
                text = str(int(value))
            elif not np.isfinite(value):
                text = "–"
            elif column == "perceived reputation":
                text = f"{value:.3f}"
            elif abs(value) >= 100:
                text = f"{value:,.0f}"
            else:
                text = f"{value:.3g}"
            cells.append(f'<td class="num">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    facts = " · ".join(f"{label}: <b>{value}</b>" for label, value in network_facts(model))
    style = "border-collapse:collapse;font-variant-numeric:tabular-nums"
    return (f'<div class="simnet-summary"><p style="margin:0 0 6px 0">{facts}</p>'
            f'<table style="{style}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>'
            '<p style="margin:4px 0 0 0;font-size:11px;color:#666">Means per agent of each '
            "strategy; counts are cumulative since step 0. Perceived reputation: mean over "
            "agents somebody holds evidence about.</p></div>")
