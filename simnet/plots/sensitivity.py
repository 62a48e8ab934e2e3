"""The sensitivity figure: parameters ranked by their Morris effect on each key outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simnet.plots.spec import PlotError
from simnet.plots.style import house_style, legend_below, new_figure, wrap

MEASURABLE = "#332288"
WITHIN_NOISE = "#BBBBBB"
FLOOR = "#CC6677"
# Short panel titles (simnet.sensitivity.OUTCOMES has the long labels).
TITLES = {"opportunities": "opportunities", "harm": "harm", "accuracy": "accuracy (tau)",
          "gap": "open − selective", "discernment": "good − bad actors",
          "bad_hires": "bad hires", "contacts": "through contacts", "ties": "ties",
          "introductions": "introductions", "bad_intros": "bad introductions",
          "leads": "job leads",
          "capital_lost": "capital lost"}


def plot_sensitivity(indices: pd.DataFrame, *, title: str | None = None,
                     experiment: str | None = None, caption: bool | str = True,
                     width: str | float = "double") -> Figure:
    """Parameters ranked by normalised mu* per outcome, from
    :func:`simnet.sensitivity.morris_indices` (one row per outcome and factor).

    One panel per outcome, parameters on the shared y axis ranked by their mean normalised
    mu* (the most influential on top, the seed dummy last). x: mu* divided by the outcome's
    largest mu*, with its bootstrap 95% CI; the shaded band is the noise floor (the seed
    dummy's mu*). Filled dark points: a measurable effect; grey: within the noise floor.
    """
    from simnet.sensitivity import KEY_OUTCOMES, OUTCOMES, SEED_FACTOR, ranking

    if indices is None or indices.empty:
        raise PlotError("no Morris indices: run a design = 'morris' experiment to the end")
    order = list(ranking(indices).index)
    # the key outcomes and what word of mouth is for; the other outcomes are in the table
    shown = (*KEY_OUTCOMES, "discernment")
    outcomes = [o for o in shown if o in set(indices["outcome"])]
    note = ("Morris screen: mu* (mean absolute elementary effect) over the outcome's "
            "largest, ± bootstrap 95% CI; shaded: the noise floor (mu* of reseeding the "
            "dynamics only); dark: a measurable effect (mu* beyond the floor, or a signed "
            "mean effect beyond its standard error), grey: neither. Ranked "
            "by the mean over all outcomes of summary_morris.csv")
    if experiment and caption is True:
        note = f"{experiment} · {note}"
    text = "" if caption is False else (caption if isinstance(caption, str) else note)
    height = 0.16 * len(order) + 1.1
    with house_style():
        fig, body, axes = new_figure(width, 1, len(outcomes), height=height, caption=text,
                                     sharey=True)
        y = {name: i for i, name in enumerate(order)}
        for ax, outcome in zip(axes.flat, outcomes, strict=True):
            part = indices[indices["outcome"] == outcome].copy()
            top = float(part["mu_star"].max()) or 1.0
            part = part.assign(pos=part["parameter"].map(y),
                               x=part["mu_star"] / top, xerr=part["mu_star_conf"] / top,
                               kind=np.where(part["measurable"], "measurable",
                                             "within noise"))
            floor = float(part["noise_floor"].iloc[0]) / top
            ax.axvspan(0, floor, color=FLOOR, alpha=0.15, lw=0)
            ax.axvline(floor, color=FLOOR, lw=0.8)
            ax.errorbar(part["x"], part["pos"], xerr=part["xerr"], fmt="none",
                        ecolor="#777777", elinewidth=0.6, capsize=0)
            sns.scatterplot(data=part, x="x", y="pos", hue="kind", ax=ax, s=14,
                            palette={"measurable": MEASURABLE, "within noise": WITHIN_NOISE},
                            legend=False, zorder=3, linewidth=0)
            # narrow panels: wrap so neighbouring titles do not run into each other
            ax.set_title(wrap(TITLES.get(outcome, OUTCOMES[outcome]), 1.0, 8, bold=True))
            ax.set_xlabel("mu* / max")
            ax.set_ylabel("")
            ax.set_xlim(left=0)
            ax.grid(axis="y", color="#EEEEEE", lw=0.5)
        first = axes.flat[0]
        first.set_yticks(range(len(order)), [
            "seed (noise floor)" if n == SEED_FACTOR else n for n in order], fontsize=6)
        first.set_ylim(len(order) - 0.5, -0.5)
        body.suptitle(title or "Which parameters move the outcomes? (Morris screen)")
        handles = [Line2D([], [], marker="o", ls="", color=MEASURABLE),
                   Line2D([], [], marker="o", ls="", color=WITHIN_NOISE),
                   Line2D([], [], color=FLOOR, lw=4, alpha=0.3)]
        legend_below(body, handles, ["measurable effect", "no measurable effect",
                                     "noise floor (reseeding only)"])
    return fig
