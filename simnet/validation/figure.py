"""The validation figure: ROC curves of negative ratings per method (one random split, the
time split) and the AUC of every method with its 95% CI, in simnet's house style
(:mod:`simnet.plots.style`)."""

from __future__ import annotations

import numpy as np

from simnet.plots.style import (
    category_colors,
    house_style,
    legend_below,
    letter_panels,
    new_figure,
)

SPLIT_LABELS = {"random": "random 15% held out", "time": "last 20% held out"}


def plot_validation(table, curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]],
                    width: str | float = "double"):
    """Figure with three panels: ROC curves (``curves[split][method] = (fpr, tpr)``) for
    the random and the time split, and the AUC per method (``table``: the summary of
    :func:`simnet.validation.run.summary_table`) with 95% CIs. Returns the Figure."""
    methods = list(dict.fromkeys(table["method"]))
    colors = category_colors(methods)
    caption = ("Bitcoin OTC (Kumar et al., ICDM 2016): predicting held-out negative "
               "ratings from the other ratings. a, b: ROC curves on the test pairs of the "
               "first random split and of the time split; c: ROC AUC with 95% CIs across "
               "random splits or across five time blocks.")
    with house_style():
        fig, body, axes = new_figure(width, nrows=1, ncols=3, height=2.6, caption=caption,
                                     gridspec_kw={"width_ratios": [1.0, 1.0, 1.25]})
        handles = []
        for ax, kind in zip(axes[0, :2], ("random", "time"), strict=True):
            for method in methods:
                if method not in curves.get(kind, {}):
                    continue
                fpr, tpr = curves[kind][method]
                (line,) = ax.plot(fpr, tpr, color=colors[method], lw=1.0,
                                  ls="-" if "word of mouth" in method else "--",
                                  zorder=3 if "word of mouth" in method else 2)
                if kind == "random":
                    handles.append(line)
            ax.plot([0, 1], [0, 1], color="#BBBBBB", lw=0.6, ls=":")
            ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="false positive rate",
                   ylabel="true positive rate",
                   title=SPLIT_LABELS[kind])
            ax.set_aspect("equal")
        ax = axes[0, 2]
        y = np.arange(len(methods))
        for j, (kind, marker) in enumerate((("random", "o"), ("time", "s"))):
            part = table[table["split"] == kind].set_index("method").reindex(methods)
            off = (j - 0.5) * 0.3
            for k, method in enumerate(methods):
                mean, lo, hi = part.loc[method, ["auc", "auc_lo", "auc_hi"]]
                if not np.isfinite(mean):
                    continue
                err = [[mean - lo], [hi - mean]] if np.isfinite(lo) else None
                ax.errorbar(mean, y[k] + off, xerr=err, fmt=marker, ms=3.5,
                            color=colors[method], mfc=colors[method] if j == 0 else "white",
                            capsize=1.5, lw=0.8)
        ax.set_yticks(y, methods)
        ax.invert_yaxis()
        ax.axvline(0.5, color="#BBBBBB", lw=0.6, ls=":")
        ax.set(xlabel="ROC AUC (negative ratings)", title="AUC: ● random, □ time",
               xlim=(0.4, 1.0))
        legend_below(body, handles, [m for m in methods if m in curves.get("random", {})],
                     ncols=4)
    return letter_panels(fig)
