"""Figures for articles, drawn from the tidy results tables.

One function per figure kind, each taking DataFrame(s) and returning a matplotlib Figure
on the Agg canvas (no display needed; restyle it in a notebook as you like):

=================  ==========================================================================
``outcomes``       :func:`plot_outcomes` — outcomes per strategy, 95% CIs across replications
``differences``    :func:`plot_differences` — paired differences between arms or strategies
``timeseries``     :func:`plot_timeseries` — a metric over time with 95% confidence bands
``heatmap``        :func:`plot_heatmap` — a paired difference over two swept parameters
``news_reach``     :func:`plot_news_reach` — how far one bad interaction travels
``weak_ties``      :func:`plot_weak_ties` — opportunities by tie strength and mutual ties
``network``        :func:`plot_network` — the network at the end of a run (small ones only)
``sensitivity``    :func:`plot_sensitivity` — parameters ranked by Morris effect per outcome
=================  ==========================================================================

:func:`plot_results_dir` draws every figure an experiment names into
``RESULTS_DIR/figures/`` (PNG and PDF); :func:`export_figure` writes one figure anywhere
(``python -m simnet.plots --help``). Attributes load lazily: ``simnet.plots.spec``
(figure-table validation, :class:`PlotError`) does not import matplotlib.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "PlotError": "spec",
    "FigureSkipped": "spec",
    "FIGURE_KINDS": "spec",
    "check_figure_spec": "spec",
    "plot_outcomes": "figures",
    "plot_differences": "figures",
    "plot_timeseries": "figures",
    "plot_heatmap": "figures",
    "plot_news_reach": "figures",
    "plot_weak_ties": "figures",
    "plot_network": "network",
    "plot_sensitivity": "sensitivity",
    "force_layout": "network",
    "plot_results_dir": "io",
    "default_figures": "io",
    "draw": "io",
    "annotate": "io",
    "export_figure": "io",
    "strategy_colors": "style",
    "house_style": "style",
    "save_figure": "style",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"simnet.plots.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simnet.plots' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
