"""From a results folder to figure files: ``plot_results_dir``."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from simnet.plots import stats
from simnet.plots.figures import (
    plot_differences,
    plot_heatmap,
    plot_news_reach,
    plot_outcomes,
    plot_tie_exposure,
    plot_timeseries,
    plot_weak_ties,
)
from simnet.plots.network import MAX_NODES, plot_network
from simnet.plots.spec import FigureSkipped, PlotError, check_figure_spec
from simnet.plots.style import figure_style, save_figure

TABLES = ("groups", "model", "agents", "opportunities", "ties", "news")


def load(results_dir: Path):
    """Read a results folder with simnet.results.load_results; PlotError on any problem."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise PlotError(f"{results_dir}: no such results folder")
    try:
        from simnet.results import load_results
    except ImportError as err:  # pragma: no cover - depends on the results store
        raise PlotError(f"cannot read results: {err}") from None
    from simnet.config import ConfigError

    try:
        results = load_results(results_dir)
    except PlotError:
        raise
    except ConfigError as err:  # the reader's own one-line message
        raise PlotError(str(err).strip().splitlines()[0]) from None
    except Exception as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise PlotError(f"{results_dir}: not a readable simnet results folder ({first})"
                        ) from None
    groups = getattr(results, "groups", None)
    if groups is None or len(groups) == 0:
        raise PlotError(f"{results_dir}: no finished runs to plot")
    return results


def experiment_name(manifest: dict | None, fallback: str) -> str:
    """The experiment's name for captions ("NAME (quick size)" for a --quick run)."""
    manifest = manifest or {}
    if manifest.get("experiment_name"):
        quick = " (quick size)" if manifest.get("quick") else ""
        return f"{manifest['experiment_name']}{quick}"
    exp = manifest.get("experiment") or {}
    if isinstance(exp.get("experiment"), dict) and exp["experiment"].get("name"):
        return str(exp["experiment"]["name"])
    return str(exp.get("name") or (manifest or {}).get("name") or fallback)


def manifest_figures(manifest: dict | None) -> list[dict] | None:
    """The ``[[plots.figure]]`` entries of the resolved experiment, if it names any."""
    exp = (manifest or {}).get("experiment") or {}
    figures = (exp.get("plots") or {}).get("figure")
    return list(figures) if figures else None


def default_figures(results) -> list[dict]:
    """What to draw when the experiment names no figures: whatever the results support."""
    groups = results.groups
    table = groups[groups["group_by"] == "strategy"] if "group_by" in groups else groups
    n_groups = table["group"].nunique()
    n_arms = table["arm"].nunique() if "arm" in table else 1
    params = stats.param_columns(table)
    figures: list[dict] = [{"kind": "outcomes",
                            "metric": ["opps_total", "bad_suffered", "capital_lost",
                                       "reputation"], "width": "double"}]
    if n_groups >= 2 or n_arms >= 2:
        figures.append({"kind": "differences", "metric": ["opps_total", "bad_suffered"]})
    figures.append({"kind": "timeseries", "metric": "opps_total"})
    if len(params) >= 2 and n_groups >= 2:
        figures.append({"kind": "heatmap", "metric": "opps_total"})
    if _rows(results, "news"):
        figures.append({"kind": "news_reach"})
    if _rows(results, "opportunities"):
        figures.append({"kind": "weak_ties"})
    agents = getattr(results, "agents", None)
    if _rows(results, "ties") and agents is not None and len(agents) and (
            agents.groupby("run_id").size().min() if "run_id" in agents else len(agents)
    ) <= MAX_NODES:
        figures.append({"kind": "network"})
    return figures


def _rows(results, name: str) -> int:
    table = getattr(results, name, None)
    return 0 if table is None else len(table)


def _table(results, name: str) -> pd.DataFrame:
    table = getattr(results, name, None)
    if table is None or len(table) == 0:
        raise PlotError(f"these results have no {name} table")
    return table


def _only(spec: dict, *keys: str) -> dict:
    return {k: spec[k] for k in keys if k in spec}


def annotate(results) -> None:
    """Tell the tables what the results set knows: the swept parameters, the arms in the
    experiment's order and the baseline arm (``DataFrame.attrs``, read by the figures)."""
    params = list(getattr(results, "params", None) or [])
    manifest = getattr(results, "manifest", None) or {}
    arms = list(manifest.get("arms") or [])
    baseline = manifest.get("baseline")
    for name in TABLES:
        table = getattr(results, name, None)
        if isinstance(table, pd.DataFrame):
            if params or hasattr(results, "params"):
                table.attrs["params"] = params
            if arms:
                table.attrs["arms"] = arms
            if baseline:
                table.attrs["baseline"] = baseline


def draw(spec: dict, results, experiment: str | None = None) -> Figure:
    """Draw one figure named by a ``[[plots.figure]]`` table from a results set."""
    spec = check_figure_spec(spec)
    kind = spec["kind"]
    common = {"experiment": experiment, **_only(spec, "width", "title")}
    if "compare" in spec:
        common["compare"] = tuple(spec["compare"])
    if kind == "outcomes":
        return plot_outcomes(results.groups, **_only(spec, "metric", "x", "group_by"),
                             **common)
    if kind == "differences":
        return plot_differences(results.groups,
                                **_only(spec, "metric", "x", "group_by", "between"),
                                **common)
    if kind == "heatmap":
        return plot_heatmap(results.groups,
                            **_only(spec, "metric", "x", "y", "group_by", "between"),
                            **common)
    if kind == "timeseries":
        metric = spec.get("metric", "opps_total")
        model = getattr(results, "model", None)
        in_groups = metric in results.groups.columns
        if not in_groups and model is not None and metric in model.columns:
            return plot_timeseries(model, metric, **common)
        return plot_timeseries(results.groups, metric, **_only(spec, "group_by"), **common)
    if kind == "news_reach":
        return plot_news_reach(_table(results, "news"), **_only(spec, "metric"), **common)
    if kind == "weak_ties" and spec.get("y") in ("rate", "new_share"):
        return plot_tie_exposure(_table(results, "tie_exposure"), y=spec["y"],
                                 **_only(spec, "hue"), **common)
    if kind == "weak_ties":
        metric = spec.get("metric")
        y = spec.get("y") or (metric if metric in ("per_tie", "count", "share", "good")
                              else None)
        return plot_weak_ties(_table(results, "opportunities"), getattr(results, "ties", None),
                              y=y, **common)
    if kind == "sensitivity":
        from simnet.plots.sensitivity import plot_sensitivity
        from simnet.sensitivity import morris_indices

        return plot_sensitivity(morris_indices(results), **common)
    # kind == "network"
    return plot_network(_table(results, "agents"), getattr(results, "ties", None), **common)


def figure_stem(spec: dict) -> str:
    """A file name for a figure: its ``name``, or kind, metrics and axes."""
    if spec.get("name"):
        stem = spec["name"]
    else:
        parts = [spec["kind"]]
        metric = spec.get("metric")
        if metric:
            parts.append("-".join(metric) if isinstance(metric, list) else metric)
        for key in ("x", "y"):
            if spec.get(key) and spec["kind"] != "weak_ties":
                parts.append(f"{key}-{spec[key]}")
        if spec["kind"] == "weak_ties" and spec.get("y"):
            parts.append(spec["y"])
        stem = "_".join(parts)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem)


def plot_results_dir(results_dir: Path, figures: list[dict] | None = None,
                     formats: tuple[str, ...] = ("png", "pdf"),
                     on_figure: Callable[[Path], None] | None = None,
                     style: str = "default") -> list[Path]:
    """Draw every figure the experiment names (``figures`` overrides; a default set if it
    names none) into ``results_dir/figures/`` as PNG (300 dpi) and PDF, atomically.
    ``style="paper"``: no caption line on the figures; each caption's text is written
    beside its figure (``STEM.caption.txt``) for the article's own caption.

    Returns the paths written. A figure that cannot be drawn from these results (say, a
    network too large to draw) is skipped with a FigureSkipped warning. An empty or
    unreadable results folder raises PlotError with a one-line message.
    """
    results_dir = Path(results_dir)
    results = load(results_dir)
    annotate(results)
    manifest = getattr(results, "manifest", None) or {}
    name = experiment_name(manifest, results_dir.name)
    specs = figures if figures is not None else (manifest_figures(manifest)
                                                 or default_figures(results))
    for i, spec in enumerate(specs):
        check_figure_spec(spec, where=f"plots.figure[{i}]")
    out_dir = results_dir / "figures"
    paths: list[Path] = []
    used: set[str] = set()
    for spec in specs:
        stem = figure_stem(spec)
        unique, k = stem, 2
        while unique in used:
            unique, k = f"{stem}_{k}", k + 1
        used.add(unique)
        try:
            with figure_style(style):
                fig = draw(spec, results, experiment=name)
        except PlotError as err:
            warnings.warn(f"{unique}: skipped: {err}", FigureSkipped, stacklevel=2)
            continue
        except Exception as err:  # a bug in one figure must not cost the others
            warnings.warn(f"{unique}: skipped: it could not be drawn ({type(err).__name__}: "
                          f"{err}); please report this", FigureSkipped, stacklevel=2)
            continue
        written = save_figure(fig, out_dir / unique, formats)
        paths.extend(written)
        if on_figure is not None:
            for path in written:
                on_figure(path)
    return paths


def export_figure(results_dir: Path, spec: dict, out: Path, dpi: int | None = None) -> Path:
    """Draw one figure from a results folder and write it to ``out`` (format from the
    suffix: .png, .pdf or .svg), atomically; say, a README figure. Returns ``out``."""
    from simnet.plots.style import DPI, _metadata
    from simnet.results import atomic_write

    results_dir, out = Path(results_dir), Path(out)
    results = load(results_dir)
    annotate(results)
    name = experiment_name(getattr(results, "manifest", None), results_dir.name)
    fig = draw(check_figure_spec(dict(spec)), results, experiment=name)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in ("png", "pdf", "svg"):
        raise PlotError(f"{out}: expected a .png, .pdf or .svg file name")
    atomic_write(out, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi or DPI,
                                              metadata=_metadata(fmt)))
    return out
