"""The figure kinds drawn from the tidy results tables. Each takes DataFrame(s) and options
and returns a matplotlib Figure (Agg canvas), so users can restyle it in a notebook.

Statistics: every point is a mean across replications and every interval a Student-t 95%
confidence interval across replications (one value per run; swept parameters not on an axis
are averaged within each replication first). Differences are paired: strategies within the
same run, arms by replication (common random numbers).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from pandas.api.types import is_numeric_dtype

from simnet import stats as _stats
from simnet.plots import stats
from simnet.plots.spec import PlotError
from simnet.plots.stats import require
from simnet.plots.style import (
    CHANNEL_COLORS,
    LINESTYLES,
    bounds,
    category_colors,
    fig_width,
    group_colors,
    house_style,
    label,
    legend_below,
    lettered,
    new_figure,
    order_groups,
    question,
    short_label,
    strategy_colors,
    wrap,
)

CI_NOTE = "mean ± 95% CI across replications"


def _metrics(metric: str | Sequence[str]) -> list[str]:
    return [metric] if isinstance(metric, str) else list(metric)


DERIVED = ("acceptance", "acceptance_rate")  # computed from requests_sent/_accepted


def _groups_table(groups: pd.DataFrame, group_by: str, metrics: Sequence[str],
                  where: dict | None) -> pd.DataFrame:
    require(groups, ["group", "step"], "groups")
    table = stats.with_run_columns(groups)
    if any(m in DERIVED and m not in table.columns for m in metrics):
        require(table, ["requests_sent", "requests_accepted"], "groups")
        table = _stats.with_acceptance(table)
    require(table, metrics, "groups")
    if "group_by" in table.columns:
        if group_by not in set(table["group_by"]):
            raise PlotError(f"no rows grouped by {group_by!r} (found: "
                            f"{', '.join(sorted(set(table['group_by'])))})")
        table = table[table["group_by"] == group_by]
    table = stats.apply_where(table, where)
    table["group"] = table["group"].astype(str)
    return table


def _grid(n: int, width: str | float) -> tuple[int, int]:
    max_cols = 2 if fig_width(width) < 5 else 4
    ncols = min(n, max_cols)
    return -(-n // ncols), ncols


def _hide_unused(body, axes: np.ndarray, used: int) -> None:
    for ax in axes.flat[used:]:
        ax.remove()


def _caption(table: pd.DataFrame, experiment: str | None, caption: bool | str,
             note: str) -> str:
    """The caption line: experiment, arms, replications and seeds, and what is drawn."""
    if caption is False:
        return ""
    if isinstance(caption, str):
        return caption
    runs = table["run_id"].nunique() if "run_id" in table.columns else 1
    if runs < 2 or ("replication" in table.columns and table["replication"].nunique() < 2):
        for ci in ("mean ± 95% CI across replications", "mean ± 95% CI across runs",
                   "bands: 95% CI across replications"):
            note = note.replace(ci, "one replication: no confidence intervals")
    return " · ".join(p for p in (stats.describe_runs(table, experiment), note) if p)


def _label_axes(ax, width, ncols: int, title: str | None = None, xlabel: str | None = None,
                ylabel: str | None = None, row_height: float = 2.3) -> None:
    """Titles and labels wrapped to the panel size (readable at one column's width)."""
    panel_w = fig_width(width) / ncols * 0.8 - 0.4
    if title is not None:
        ax.set_title(wrap(title, panel_w, 8, bold=True))
    if xlabel is not None:
        ax.set_xlabel(wrap(xlabel, panel_w, 7.5))
    if ylabel is not None:
        ax.set_ylabel(wrap(ylabel, row_height - 0.75, 7.5))


def _averaged(table: pd.DataFrame, shown: Sequence[str | None]) -> str:
    """Caption words for the swept parameters a figure averages over."""
    hidden = [p for p in stats.param_columns(table) if p not in shown]
    return f"averaged over {', '.join(hidden)}; " if hidden else ""


def _usable_x(table: pd.DataFrame, x: str | None) -> tuple[str | None, str]:
    """``(x, note)``: an x axis that takes one value only here (a quick run of a sweep)
    is dropped, and the caption says its value instead."""
    if x is None or x == "step":
        return x, ""
    require(table, [x], "groups")
    values = table[x].dropna().unique()
    if len(values) < 2:
        return None, f"{x} = {_tick(values[0]) if len(values) else 'n/a'}; "
    return x, ""


def _step_note(table: pd.DataFrame, step: int | None) -> str:
    if step is not None:
        return f"step {step}"
    last = sorted(set(table["step"]))
    return f"at step {last[0]}" if len(last) == 1 else "at each run's last step"


def _clip(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Confidence bounds clipped to the metric's range (a share stays within [0, 1])."""
    low, high = bounds(metric)
    if low is None and high is None:
        return summary
    return summary.assign(lo=summary["lo"].clip(low, high), hi=summary["hi"].clip(low, high))


def _dodge(x: np.ndarray, i: int, k: int) -> np.ndarray:
    """Shift series i of k sideways a little, so error bars at the same x do not overlap."""
    x = np.asarray(x, dtype=float)
    if k < 2 or len(x) > MAX_ERRORBARS or not len(x):
        return x
    span = float(np.ptp(x)) if len(x) > 1 else 1.0
    step = 0.012 * (span or 1.0)
    return x + (i - (k - 1) / 2) * step


MAX_ERRORBARS = 12  # more x values than this: a confidence band instead of error bars


def _series(ax, x, summary: pd.DataFrame, color, name: str, ls="-") -> None:
    """One series with its 95% CI: error bars, or a band when x is dense (steps)."""
    if len(x) > MAX_ERRORBARS:
        ax.plot(x, summary["mean"].to_numpy(), color=color, label=name, ls=ls)
        ax.fill_between(x, summary["lo"].to_numpy(), summary["hi"].to_numpy(), color=color,
                        alpha=0.2, lw=0, gid=f"ci:{name}")
    else:
        _errorbar(ax, x, summary, color, name, ls=ls, markersize=3)


def _set_title(body, axes: np.ndarray, n_used: int, title: str, width) -> None:
    """The figure's title: on its one panel, or above all panels."""
    if n_used == 1:
        _label_axes(axes.flat[0], width, 1, title=title)
    else:
        body.suptitle(wrap(title, fig_width(width) - 0.2, 8.5, bold=True),
                      fontweight="bold")


def _errorbar(ax, x, summary: pd.DataFrame, color, name: str, **kw):
    lo = summary["mean"].to_numpy() - summary["lo"].to_numpy()
    hi = summary["hi"].to_numpy() - summary["mean"].to_numpy()
    yerr = np.nan_to_num(np.vstack([lo, hi]), nan=0.0)
    kw.setdefault("marker", "o")
    return ax.errorbar(x, summary["mean"].to_numpy(), yerr=yerr, color=color, label=name,
                       gid=f"ci:{name}", elinewidth=0.9, **kw)


# --------------------------------------------------------------------------- outcomes
@lettered
def plot_outcomes(groups: pd.DataFrame, metric: str | Sequence[str] = ("opps_total",
                                                                      "bad_suffered"),
                  *, group_by: str = "strategy", x: str | None = None,
                  step: int | None = None, where: dict | None = None,
                  title: str | None = None, experiment: str | None = None,
                  caption: bool | str = True, width: str | float = "single") -> Figure:
    """Outcomes per strategy (or conduct type): mean and 95% CI across replications at
    the end of the runs, one panel per metric. With several arms (or ``x="arm"``) the arms
    are on the x axis and strategies side by side; with ``x`` a swept parameter (or
    "step") each strategy is a line over it (arms as line styles)."""
    metrics = _metrics(metric)
    table = _groups_table(groups, group_by, metrics, where)
    if x != "step":
        table = stats.at_step(table, step)
    names = order_groups(table["group"], group_by)
    arms = stats.arm_order(table)
    colors = group_colors(names, group_by)
    by_arm = x == "arm"
    x, fixed = _usable_x(table, None if by_arm else x)
    note = CI_NOTE if x == "step" else f"{CI_NOTE}, {_step_note(table, step)}"
    text = _caption(table, experiment, caption, fixed + _averaged(table, [x]) + note)
    with house_style():
        nrows, ncols = _grid(len(metrics), width)
        fig, body, axes = new_figure(width, nrows, ncols, caption=text)
        for ax, m in zip(axes.flat, metrics, strict=False):
            if x is None:
                _outcome_points(ax, table, m, names, arms, colors, by_arm)
            else:
                _outcome_lines(ax, table, m, x, names, arms, colors)
                _label_axes(ax, width, ncols, xlabel=label(x))
            panel = question(m) if title is None else short_label(m).capitalize()
            _label_axes(ax, width, ncols, title=panel if len(metrics) > 1 or title is None
                        else None, ylabel=label(m))
        _hide_unused(body, axes, len(metrics))
        if title is not None:
            _set_title(body, axes, len(metrics), title, width)
        handles = [Line2D([], [], color=colors[n], marker="o", label=n,
                          ls="-" if x is not None else "none") for n in names]
        if x is not None and len(arms) > 1:
            handles += [Line2D([], [], color="0.3", ls=LINESTYLES[i % len(LINESTYLES)],
                               label=a) for i, a in enumerate(arms)]
        if x is not None or len(arms) > 1:
            legend_below(body, handles, [h.get_label() for h in handles])
    return fig


def _outcome_points(ax, table, metric, names, arms, colors, by_arm=False) -> None:
    values = stats.collapse(table, ["arm", "group"], metric)
    summary = _clip(stats.summarise(values, ["arm", "group"], metric), metric)
    if len(arms) == 1 and not by_arm:
        for i, name in enumerate(names):
            part = summary[summary["group"] == name]
            _errorbar(ax, [i], part, colors[name], name, ls="none")
        ax.set_xticks(range(len(names)), names)
        ax.set_xlim(-0.6, len(names) - 0.4)
    else:
        offsets = np.linspace(-0.25, 0.25, len(names)) if len(names) > 1 else [0.0]
        for off, name in zip(offsets, names, strict=True):
            part = summary[summary["group"] == name].set_index("arm").reindex(arms)
            pos = np.arange(len(arms)) + off
            keep = part["mean"].notna().to_numpy()
            _errorbar(ax, pos[keep], part[keep], colors[name], name, ls="none")
        ax.set_xticks(range(len(arms)), arms)
        ax.set_xlabel("arm")
        ax.set_xlim(-0.6, len(arms) - 0.4)
    if len(max(names + arms, key=len)) * max(len(names), len(arms)) > 28:
        ax.tick_params(axis="x", labelrotation=30)
    ax.grid(axis="x", visible=False)


def _outcome_lines(ax, table, metric, x, names, arms, colors) -> None:
    values = stats.collapse(table, ["arm", "group", x], metric)
    summary = _clip(stats.summarise(values, ["arm", "group", x], metric), metric)
    k = len(arms) * len(names)
    for i, arm in enumerate(arms):
        for j, name in enumerate(names):
            part = summary[(summary["arm"] == arm) & (summary["group"] == name)]
            if part.empty:
                continue
            series = name if len(arms) == 1 else f"{name} ({arm})"
            _series(ax, _dodge(part[x].to_numpy(), i * len(names) + j, k), part,
                    colors[name], series, ls=LINESTYLES[i % len(LINESTYLES)])


# ------------------------------------------------------------------------ differences
@lettered
def plot_differences(groups: pd.DataFrame, metric: str | Sequence[str] = "opps_total", *,
                     between: str | None = None, compare: Sequence[str] | None = None,
                     group_by: str = "strategy", x: str | None = None,
                     step: int | None = None, where: dict | None = None,
                     title: str | None = None, experiment: str | None = None,
                     caption: bool | str = True, width: str | float = "single") -> Figure:
    """Paired differences with 95% CIs, one panel per metric.

    ``between="group"`` (the default with one arm): ``a − b`` between two strategies in the
    same run (``compare=(a, b)``, default open − selective), per arm. ``between="arm"``
    (the default with several arms): each arm minus the baseline arm (``compare=(a, b)``
    for one pair; default: every arm minus ``table.attrs["baseline"]`` or the first arm),
    paired by replication, per strategy. With ``x`` (a swept parameter or "step"),
    differences are drawn over it.
    """
    metrics = _metrics(metric)
    table = _groups_table(groups, group_by, metrics, where)
    if x != "step":
        table = stats.at_step(table, step)
    x, fixed = _usable_x(table, None if x == "arm" else x)
    arms = stats.arm_order(table)
    between = between or ("arm" if len(arms) > 1 else "group")
    if between not in ("arm", "group"):
        raise PlotError(f"between = {between!r}: expected 'arm' or 'group'")
    params = stats.param_columns(table)
    if x is not None and x not in params:  # "step"
        params = [*params, x]
    if between == "group":
        a, b = compare if compare else stats.default_pair(table["group"])
        pairs = [(a, b)]
    elif compare:
        pairs = [tuple(compare)]
    else:
        if len(arms) < 2:
            raise PlotError("differences between arms need at least two arms; "
                            f"found {', '.join(arms)}")
        base = stats.baseline_arm(table, arms)
        pairs = [(arm, base) for arm in arms if arm != base]
    if between == "arm":  # the whole population first, then each group
        table = _stats.with_population(table, group_by)
        names = [_stats.POPULATION, *order_groups(
            table.loc[table["group"] != _stats.POPULATION, "group"], group_by)]
    else:
        names = order_groups(table["group"], group_by)
    what = ("differences within each run" if between == "group" else
            "differences paired by replication (common random numbers); 'all': the whole "
            "population")
    text = _caption(table, experiment, caption, f"{fixed}{_averaged(table, [x])}{what}; "
                    "mean ± 95% CI across "
                    "replications" + ("" if x == "step" else f", {_step_note(table, step)}"))
    n_series = len(arms) if between == "group" else len(names)
    with house_style():
        nrows, ncols = _grid(len(metrics), width)
        row_height = 2.3 if x is not None else 1.5 + 0.22 * n_series * len(pairs)
        fig, body, axes = new_figure(width, nrows, ncols, caption=text,
                                     height=row_height * nrows + 0.35)
        handles: dict[str, Line2D] = {}
        for ax, m in zip(axes.flat, metrics, strict=False):
            diffs = []
            for a, b in pairs:
                d = stats.paired_differences(table, m, between, a, b, params)
                diffs.append(d.assign(pair=f"{a} − {b}"))
            diff = pd.concat(diffs, ignore_index=True)
            if between == "group":
                series_col, series = "arm", arms
                colors = category_colors(arms) if len(arms) > 1 else {arms[0]: "#333333"}
            else:
                series_col, colors, series = "group", group_colors(names, group_by), names
            if x is None:
                _difference_points(ax, diff, series_col, series, colors, handles,
                                   single=between == "group" and len(arms) == 1,
                                   show_ticks=ax.get_subplotspec().is_first_col())
            else:
                _difference_lines(ax, diff, series_col, series, colors, x, handles)
            pair_text = (f"{pairs[0][0]} − {pairs[0][1]}" if len(pairs) == 1
                         else f"arm − {pairs[0][1]}")
            axis_label = f"difference in {short_label(m)} ({pair_text})"
            panel = (question(m) if title is None else short_label(m).capitalize()
                     if len(metrics) > 1 else None)
            if x is None:
                _label_axes(ax, width, ncols, title=panel, xlabel=axis_label,
                            row_height=row_height)
            else:
                _label_axes(ax, width, ncols, title=panel, xlabel=label(x),
                            ylabel=axis_label)
        _hide_unused(body, axes, len(metrics))
        if title is not None:
            _set_title(body, axes, len(metrics), title, width)
        if len(handles) > 1 or x is not None:
            legend_below(body, list(handles.values()), list(handles))
    return fig


def _difference_points(ax, diff, series_col, series, colors, handles, single=False,
                       show_ticks=True) -> None:
    pairs = list(dict.fromkeys(diff["pair"]))
    rows = [(p, s) for p in pairs for s in series
            if ((diff["pair"] == p) & (diff[series_col] == s)).any()]
    for i, (p, s) in enumerate(rows):
        part = diff[(diff["pair"] == p) & (diff[series_col] == s)]
        mean, lo, hi, _ = stats.mean_ci(stats.collapse(part, [series_col], "diff")["diff"])
        xerr = np.nan_to_num([[mean - lo], [hi - mean]], nan=0.0)
        name = s if len(pairs) == 1 else f"{s}: {p}"
        marker = "D" if s == _stats.POPULATION else "o"
        ax.errorbar([mean], [i], xerr=xerr, color=colors[s], marker=marker, ls="none",
                    label=name, gid=f"ci:{name}", elinewidth=0.9)
        handles.setdefault(s, Line2D([], [], color=colors[s], marker=marker, ls="none",
                                     label=s))
    ax.axvline(0, color="0.4", lw=0.7, zorder=0)
    ax.margins(x=0.12)
    ticks = [s if len(pairs) == 1 else f"{s}\n{p}" for p, s in rows]
    if single:  # one pair in one arm: the axis label says it all
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
    else:
        ax.set_yticks(range(len(rows)), ticks if show_ticks else [])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.grid(axis="y", visible=False)


def _difference_lines(ax, diff, series_col, series, colors, x, handles) -> None:
    pairs = list(dict.fromkeys(diff["pair"]))
    k = len(pairs) * len(series)
    for j, p in enumerate(pairs):
        for i, s in enumerate(series):
            part = diff[(diff["pair"] == p) & (diff[series_col] == s)]
            if part.empty:
                continue
            summary = stats.summarise(stats.collapse(part, [x], "diff"), [x], "diff")
            name = s if len(pairs) == 1 else f"{s}: {p}"
            _series(ax, _dodge(summary[x].to_numpy(), j * len(series) + i, k), summary,
                    colors[s], name, ls=LINESTYLES[j % len(LINESTYLES)])
            handles.setdefault(name, Line2D([], [], color=colors[s], marker="o",
                                            ls=LINESTYLES[j % len(LINESTYLES)], label=name))
    ax.axhline(0, color="0.4", lw=0.7, zorder=0)


# ------------------------------------------------------------------------- timeseries
@lettered
def plot_timeseries(table: pd.DataFrame, metric: str = "opps_total", *,
                    group_by: str = "strategy", where: dict | None = None,
                    title: str | None = None, experiment: str | None = None,
                    caption: bool | str = True, width: str | float = "single") -> Figure:
    """A metric over time with 95% confidence bands across replications.

    From the groups table: one line per strategy (or conduct type), one panel per arm and
    value of every swept parameter (nothing is averaged away). From the model table (no
    ``group`` column): one line per arm, one panel per swept-parameter value. Derived
    metrics (``acceptance``, ``acceptance_rate``) are computed from the request counts.
    """
    per_group = "group" in table.columns if table is not None else False
    if per_group:
        data = _groups_table(table, group_by, [metric], where)
        series_col = "group"
        series = order_groups(data["group"], group_by)
        colors = group_colors(series, group_by)
        facet_cols = ["arm"] if data["arm"].nunique() > 1 else []
    else:
        require(table, ["step", metric], "model")
        data = stats.apply_where(stats.with_run_columns(table), where)
        series_col = "arm"
        series = stats.arm_order(data)
        colors = category_colors(series)
        facet_cols = []
    facet_cols = _facet_columns(data, facet_cols, stats.param_columns(data))
    facets = _facets(data, facet_cols)
    text = _caption(data, experiment, caption, _averaged(data, facet_cols) +
                    "lines: mean; bands: 95% CI across replications")
    with house_style():
        nrows, ncols = _grid(len(facets), width)
        fig, body, axes = new_figure(width, nrows, ncols, caption=text, sharey=True,
                                     sharex=True)
        keep = [series_col, "step", *facet_cols]
        summary = _clip(stats.summarise(stats.collapse(data, keep, metric), keep, metric),
                        metric)
        for ax, facet in zip(axes.flat, facets, strict=False):
            part = _select(summary, facet)
            for name in series:
                s = part[part[series_col] == name].sort_values("step")
                s = s[s["mean"].notna()]
                if s.empty:
                    continue
                steps = s["step"].to_numpy()
                ax.plot(steps, s["mean"], color=colors[name], label=name)
                ax.fill_between(steps, s["lo"], s["hi"], color=colors[name], alpha=0.25,
                                lw=0, gid=f"ci:{name}")
            _label_axes(ax, width, ncols, xlabel=label("step")
                        if ax.get_subplotspec().is_last_row() or len(facets) == 1 else None,
                        ylabel=label(metric) if ax.get_subplotspec().is_first_col() else None)
            if len(facets) > 1:
                ax.set_title(_facet_title(facet), fontweight="normal")
            ax.margins(x=0)
        _hide_unused(body, axes, len(facets))
        title = title or question(metric, over_time=True)
        _set_title(body, axes, len(facets), title, width)
        handles = [Line2D([], [], color=colors[n], label=n) for n in series]
        legend_below(body, handles, series)
    return fig


MAX_FACETS = 8  # more panels than this: further swept parameters are averaged (and said)
MAX_ROWS = 4    # rows of panels at most where each row already holds several panels


def _facet_columns(table: pd.DataFrame, first: list[str], params: list[str],
                   most: int = MAX_FACETS) -> list[str]:
    """The facet columns: ``first`` (say, arm), then swept parameters while the number
    of panels stays at most ``most``."""
    columns = list(first)
    for param in params:
        n = len(table[[*columns, param]].drop_duplicates())
        if n <= most:
            columns.append(param)
    return columns


def _facets(table: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
    """Every combination of the facet columns' values present, in order (arms in the
    experiment's order, parameters sorted); ``[{}]`` without facet columns."""
    if not columns:
        return [{}]
    values = []
    for column in columns:
        if column == "arm":
            values.append(stats.arm_order(table))
        else:
            values.append(sorted(table[column].dropna().unique()))
    present = set(map(tuple, table[list(columns)].drop_duplicates().itertuples(index=False)))
    return [dict(zip(columns, combo, strict=True)) for combo in itertools.product(*values)
            if combo in present]


def _select(table: pd.DataFrame, facet: dict) -> pd.DataFrame:
    """The rows of one facet."""
    for column, value in facet.items():
        table = table[table[column] == value]
    return table


def _facet_title(facet: dict) -> str:
    return " · ".join(str(v) if k == "arm" else f"{k} = {_tick(v)}" for k, v in facet.items())


# ---------------------------------------------------------------------------- heatmap
@lettered
def plot_heatmap(groups: pd.DataFrame, metric: str = "opps_total", *, x: str | None = None,
                 y: str | None = None, compare: Sequence[str] | None = None,
                 between: str = "group", group_by: str = "strategy",
                 step: int | None = None, where: dict | None = None,
                 title: str | None = None, experiment: str | None = None,
                 caption: bool | str = True, width: str | float = "single") -> Figure:
    """A paired difference (default open − selective) over two swept parameters.

    Each cell is the mean difference across replications; cells whose 95% CI excludes
    zero are starred. One panel per arm when comparing strategies within runs.
    """
    import seaborn as sns

    table = _groups_table(groups, group_by, [metric], where)
    if "step" not in (x, y):
        table = stats.at_step(table, step)
    params = stats.param_columns(table)
    if x is None or y is None:
        free = [p for p in params if p not in (x, y)]
        if len(free) < (x is None) + (y is None):
            raise PlotError("a heatmap needs two swept parameters; these results vary "
                            f"{', '.join(params) if params else 'none'}")
        x = x or free.pop(0)
        y = y or free.pop(0)
    require(table, [x, y], "groups")
    if between == "group":
        a, b = compare if compare else stats.default_pair(table["group"])
        facet_col = "arm"
    else:
        arms = stats.arm_order(table)
        if not compare and len(arms) < 2:
            raise PlotError("differences between arms need at least two arms")
        base = stats.baseline_arm(table, arms)
        a, b = compare if compare else (next(r for r in arms if r != base), base)
        facet_col = "group"
        table = _stats.with_population(table, group_by)  # a panel for everyone first
    keys = [p for p in params if p not in (x, y)] + [v for v in (x, y) if v != "arm"]
    diff = stats.paired_differences(table, metric, between, a, b, keys)
    if facet_col in (x, y):
        diff = diff.assign(_facet="all")
        facet_col = "_facet"
    binned = []
    for v in (x, y):  # sampled designs (LHS, Sobol): bin a continuous parameter
        if v != "arm" and diff[v].nunique() > MAX_LEVELS and is_numeric_dtype(diff[v]):
            cut = pd.cut(diff[v], HEATMAP_BINS)
            diff[v] = cut.map(lambda c: round(c.mid, 3)).astype(float)
            binned.append(v)
    if facet_col == "group":
        present = set(diff["group"])
        facets = [g for g in [_stats.POPULATION] if g in present] + order_groups(
            present - {_stats.POPULATION}, group_by)
    else:
        facets = stats.arm_order(diff) if facet_col == "arm" else ["all"]
    summary = stats.summarise(stats.collapse(diff, [facet_col, x, y], "diff"),
                              [facet_col, x, y], "diff")
    limit = float(np.nanmax(np.abs(summary["mean"]))) or 1.0
    note = (_averaged(table, [x, y]) + "cells: mean paired difference across "
            f"replications; * 95% CI excludes 0; {_step_note(table, step)}")
    if binned:
        note += f"; {' and '.join(binned)} binned into {HEATMAP_BINS} intervals (midpoints)"
    text = _caption(table, experiment, caption, note)
    with house_style():
        nrows, ncols = _grid(len(facets), width)
        fig, body, axes = new_figure(width, nrows, ncols, height=2.6 * nrows + 0.3,
                                     caption=text)
        for i, (ax, facet) in enumerate(zip(axes.flat, facets, strict=False)):
            part = summary[summary[facet_col] == facet]
            grid = part.pivot(index=y, columns=x, values="mean").sort_index(ascending=False)
            lo = part.pivot(index=y, columns=x, values="lo").reindex_like(grid)
            hi = part.pivot(index=y, columns=x, values="hi").reindex_like(grid)
            star = ((lo > 0) | (hi < 0)).to_numpy()
            digits = 0 if limit >= 10 else 1 if limit >= 1 else 2
            annot = np.vectorize(lambda v, d=digits: f"{v:+.{d}f}" if np.isfinite(v)
                                 else "")(grid.to_numpy())
            annot = np.where(star, np.char.add(annot.astype(str), "*"), annot)
            last = i == len(facets) - 1
            cbar_kws = ({"label": f"{short_label(metric)} per agent\n{a} − {b}"}
                        if last else None)
            with warnings.catch_warnings():  # seaborn 0.13 calls cmap.set_bad
                warnings.simplefilter("ignore", PendingDeprecationWarning)
                sns.heatmap(grid, ax=ax, cmap="vlag", center=0, vmin=-limit, vmax=limit,
                            annot=annot, fmt="", annot_kws={"fontsize": 6}, linewidths=0.4,
                            linecolor="white", cbar=last, square=False, cbar_kws=cbar_kws,
                            xticklabels=[_tick(v) for v in grid.columns],
                            yticklabels=[_tick(v) for v in grid.index])
            _label_axes(ax, width, ncols, xlabel=label(x), ylabel=label(y), row_height=2.9)
            ax.tick_params(axis="both", length=0)
            ax.tick_params(axis="y", labelrotation=0)
            if len(facets) > 1:
                ax.set_title(f"{facet_col}: {facet}", fontweight="normal")
        _hide_unused(body, axes, len(facets))
        title = title or f"{question(metric)} ({a} − {b})"
        _set_title(body, axes, len(facets), title, width)
    return fig


MAX_LEVELS = 8      # a heatmap axis with more distinct values is binned
HEATMAP_BINS = 5


def _tick(value) -> str:
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


# ------------------------------------------------------------------------- news reach
SHARE_COLUMNS = ("reached_share", "aware_share")
CONTACT_COLUMNS = ("contacts_reached_share", "contacts_aware_share")


@lettered
def plot_news_reach(news: pd.DataFrame, *, metric: str | None = None,
                    where: dict | None = None, title: str | None = None,
                    experiment: str | None = None, caption: bool | str = True,
                    width: str | float = "single") -> Figure:
    """How far one bad interaction travels ("never anonymous"): the share of all agents
    who have heard of it (the chance that a future decision-maker has), and, when recorded,
    the share of the subject's own contacts, over the weeks since it happened. News moves
    one hop per week, so weeks are also hops from the witness. One line per arm, 95% bands
    across runs; a run whose news has stopped travelling keeps its last value."""
    require(news, ["steps_since"], "news")
    share = metric or next((c for c in SHARE_COLUMNS if c in news.columns), SHARE_COLUMNS[0])
    require(news, [share], "news")
    contacts = next((c for c in CONTACT_COLUMNS if c in news.columns), None)
    is_share = share.endswith("share")
    panels = [share] + ([contacts] if contacts and is_share and contacts != share else [])
    data = stats.apply_where(stats.with_run_columns(news), where)
    params = _facet_columns(data, [], stats.param_columns(data), MAX_ROWS)
    data = _carry_forward(data, panels)
    arms = stats.arm_order(data)
    colors = category_colors(arms) if len(arms) > 1 else {arms[0]: "#882255"}
    titles = {share: "Will the next decision-maker have heard?",
              contacts: "Do the subject's contacts know?"}
    facets = _facets(data, params)  # one row of panels per swept-parameter value
    text = _caption(data, experiment, caption, _averaged(data, params) +
                    "one traced bad interaction per run; news "
                    "moves one hop per week; mean ± 95% CI across runs")
    with house_style():
        fig, body, axes = new_figure(width, len(facets), len(panels), caption=text,
                                     sharey=True, height=2.3 * len(facets) + 0.35)
        for row, facet in enumerate(facets):
            for col, column in enumerate(panels):
                ax = axes[row, col]
                keep = ["arm", "steps_since", *params]
                summary = _clip(stats.summarise(stats.collapse(data, keep, column, "run_id"),
                                                keep, column), column)
                summary = _select(summary, facet)
                for arm in arms:
                    s = summary[summary["arm"] == arm].sort_values("steps_since")
                    ax.plot(s["steps_since"], s["mean"], color=colors[arm], label=arm,
                            marker=".")
                    ax.fill_between(s["steps_since"], s["lo"], s["hi"], color=colors[arm],
                                    alpha=0.25, lw=0, gid=f"ci:{arm}")
                panel = titles.get(column, question(column))
                if facet:
                    panel = f"{panel}\n({_facet_title(facet)})" if row == 0 else \
                        _facet_title(facet)
                _label_axes(ax, width, len(panels), title=panel,
                            xlabel=label("steps_since") if row == len(facets) - 1 else None,
                            ylabel=None if col else label(column)
                            if len(panels) == 1 else "share who have heard")
                ax.set_ylim(0, 1.02 if is_share else None)
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.margins(x=0.02)
        if title is not None:
            _set_title(body, axes, len(panels) * len(facets), title, width)
        if len(arms) > 1:
            handles = [Line2D([], [], color=colors[a], label=a) for a in arms]
            legend_below(body, handles, arms)
    return fig


def _carry_forward(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Extend every run to the longest trace, holding its last values (awareness does not
    fall when news stops travelling)."""
    last = int(table["steps_since"].max())
    parts = []
    for _, run in table.groupby("run_id", sort=True):
        run = run.sort_values("steps_since").drop_duplicates("steps_since", keep="last")
        full = run.set_index("steps_since").reindex(range(last + 1)).ffill().bfill()
        parts.append(full.reset_index()[list(run.columns)])
    out = pd.concat(parts, ignore_index=True)
    out.attrs = dict(table.attrs)
    return out


# -------------------------------------------------------------------------- weak ties
# The weak-ties measures an experiment file may name (simnet.experiment), and their columns.
WEAK_TIES_Y = dict(zip(("per_tie", "count", "share", "good"),
                       ("per_100_ties", "won", "share", "good"), strict=True))
# and, from the runs' tie_exposure tables, the rate per tie-step and the share of new leads
TIE_EXPOSURE_Y = {"rate": "opportunities per 1,000 seeker tie-steps",
                  "new_share": "share of leads new to the seeker"}
WEAK_TIES_LABELS = {"per_tie": "opportunities won per 100 ties",
                    "count": "opportunities won per run",
                    "share": "share of tie-delivered opportunities",
                    "good": "share that went well"}


@lettered
def plot_weak_ties(opportunities: pd.DataFrame, ties: pd.DataFrame | None = None, *,
                   y: str | None = None, hue: str | None = None, where: dict | None = None,
                   title: str | None = None, experiment: str | None = None,
                   caption: bool | str = True, width: str | float = "single") -> Figure:
    """Which ties deliver opportunities: won opportunities by the strength of the winner's
    tie on the delivering path, and by the mutual connections on it (the bins of
    simnet.stats, the summary table's). Cold opportunities have no path and are left out.

    ``y``: "per_tie" (opportunities per 100 ties of that bin in the run's end-of-run tie
    table: whether a tie of each strength delivers more, so a reader can see a monotone
    curve or an inverted U; the default when ``ties`` is given), "count" (per run),
    "share" (of the run's tie-delivered opportunities) or "good" (share that went well).
    ``hue``: "arm" (default with several arms), "channel" (default otherwise) or
    "winner_strategy". Swept parameters get a row of panels each (up to four rows; beyond,
    they are averaged and the caption says so). Means and 95% CIs across runs.
    """
    has_ties = ties is not None and len(ties) > 0
    y = y or ("per_tie" if has_ties else "count")
    if y not in WEAK_TIES_Y:
        raise PlotError(f"y = {y!r}: expected {', '.join(map(repr, WEAK_TIES_Y))}")
    if y == "per_tie" and not has_ties:
        raise PlotError("opportunities per tie need the runs' tie tables (output tables "
                        "'ties', written for runs of at most ties_max_agents agents)")
    require(opportunities, ["channel", "path_strength", "mutual", "good"], "opportunities")
    data = stats.apply_where(stats.with_run_columns(opportunities), where)
    if hue is None:
        hue = "arm" if data["arm"].nunique() > 1 else "channel"
    if hue not in ("arm", "channel", "winner_strategy"):
        raise PlotError(f"hue = {hue!r}: expected 'arm', 'channel' or 'winner_strategy'")
    require(data, [hue], "opportunities")
    params = _facet_columns(data, [], [p for p in stats.param_columns(data) if p != hue],
                            MAX_ROWS)
    keys = ["arm", *params]
    runs = data[["run_id", *keys]].drop_duplicates("run_id")
    if has_ties:
        ties = ties[ties["run_id"].isin(set(runs["run_id"]))]
    tied = data[(data["channel"].astype(str) != "cold") & data["path_strength"].notna()]
    if tied.empty:
        raise PlotError("no opportunities were delivered through a tie (all cold)")
    present = list(dict.fromkeys(tied[hue].astype(str)))
    if hue == "channel":
        names = [c for c in CHANNEL_COLORS if c in present] + sorted(
            set(present) - set(CHANNEL_COLORS))
        colors = category_colors(names, CHANNEL_COLORS)
    elif hue == "winner_strategy":
        names = order_groups(present)
        colors = strategy_colors(names)
    else:
        names = stats.arm_order(tied)
        colors = category_colors(names)
    value = WEAK_TIES_Y[y]
    facets = _facets(data, params)
    text = _caption(data, experiment, caption, _averaged(data, [*params, hue]) +
                    "cold opportunities excluded; " + (
                        "ties counted at the end of each run; " if y == "per_tie" else "")
                    + "mean ± 95% CI across runs")
    with house_style():
        fig, body, axes = new_figure(width, len(facets), 2, caption=text, sharey="row",
                                     height=2.3 * len(facets) + 0.35)
        for col, by in enumerate(("path_strength", "mutual")):
            per_run = _weak_ties_runs(tied, ties, by, hue, names, keys, runs)
            labels = list(per_run["bin"].cat.categories)
            summary = _stats.summarise(per_run.astype({"bin": str}),
                                       ["hue", *params, "bin"], value)
            for row, facet in enumerate(facets):
                ax = axes[row, col]
                part = _select(summary, facet)
                offsets = np.linspace(-0.12, 0.12, len(names)) if len(names) > 1 else [0.0]
                for off, name in zip(offsets, names, strict=True):
                    s = part[part["hue"] == name].set_index("bin").reindex(labels)
                    keep = s["mean"].notna().to_numpy()
                    pos = np.arange(len(labels))[keep] + off
                    _errorbar(ax, pos, _clip(s[keep], value), colors[name], name, ls="-",
                              markersize=3)
                ax.set_xticks(range(len(labels)), labels)
                last = row == len(facets) - 1
                _label_axes(ax, width, 2, xlabel=label(by) if last else None)
                if by == "path_strength":
                    ax.tick_params(axis="x", labelrotation=30)
                panel = "Do weak ties deliver?" if by == "path_strength" else \
                    "Do mutual friends help?"
                if facet:
                    panel = f"{panel} ({_facet_title(facet)})" if row == 0 else \
                        _facet_title(facet)
                _label_axes(ax, width, 2, title=panel,
                            ylabel=WEAK_TIES_LABELS[y] if col == 0 else None)
        handles = [Line2D([], [], color=colors[n], marker="o", label=n) for n in names]
        legend_below(body, handles, names)
        if title is not None:
            _set_title(body, axes, 2 * len(facets), title, width)
    return fig


def _weak_ties_runs(tied: pd.DataFrame, ties, by: str, hue: str, names: list[str],
                    keys: list[str], runs: pd.DataFrame) -> pd.DataFrame:
    """simnet.stats.weak_ties_table per hue value, with a column ``hue``: per arm each run
    counts for its own arm only; per channel or strategy every run counts (zero when it
    has none), and ``share`` is of the run's tie-delivered opportunities of every hue."""
    if hue == "arm":
        table = _stats.weak_ties_table(tied, ties, by, keys, runs)
        return table.assign(hue=table["arm"].astype(str))
    parts = [_stats.weak_ties_table(tied[tied[hue].astype(str) == name], ties, by, keys,
                                    runs).assign(hue=name) for name in names]
    table = pd.concat(parts, ignore_index=True)
    total = table.groupby("run_id")["won"].transform("sum")
    return table.assign(share=table["won"] / total.where(total > 0))


@lettered
def plot_tie_exposure(tie_exposure: pd.DataFrame, *, y: str = "rate", hue: str | None = None,
                      where: dict | None = None, title: str | None = None,
                      experiment: str | None = None, caption: bool | str = True,
                      width: str | float = "single") -> Figure:
    """Which ties deliver, per tie and step: opportunities won per 1,000 seeker tie-steps
    (``y = "rate"``) or the share of job leads told over a tie that were new to the seeker
    (``y = "new_share"``), by tie strength and by mutual connections, as Rajkumar et al.
    (Science 2022) measure it. A monotone curve or an inverted U can be read off directly.

    ``tie_exposure``: the runs' ``tie_exposure`` tables. ``hue``: a swept parameter or
    "arm" (default: the first swept parameter, else the arm). The arms (when several) and
    further swept parameters get a row of panels each (up to four rows; beyond, they are
    averaged and the caption says so). Bins holding less than 1% of a run's exposure are
    not drawn. Means and 95% CIs across runs.
    """
    if y not in TIE_EXPOSURE_Y:
        raise PlotError(f"y = {y!r}: expected {', '.join(map(repr, TIE_EXPOSURE_Y))}")
    if tie_exposure is None or tie_exposure.empty:
        raise PlotError("no tie_exposure table: the runs did not record tie exposure "
                        "(output tables must include 'tie_exposure')")
    require(tie_exposure, ["measure", "bin", "bin_index", "exposure", y], "tie_exposure")
    data = stats.apply_where(stats.with_run_columns(tie_exposure), where)
    params = stats.param_columns(data)
    if hue is None:
        hue = params[0] if params else "arm"
    require(data, [hue], "tie_exposure")
    first = ["arm"] if hue != "arm" and data["arm"].nunique() > 1 else []
    rows = _facet_columns(data, first, [p for p in params if p != hue], MAX_ROWS)
    total = data.groupby(["run_id", "measure"])["exposure"].transform("sum")
    data = data[data["exposure"] >= 0.01 * total]
    names = (stats.arm_order(data) if hue == "arm" else
             sorted(data[hue].dropna().unique().tolist()))
    colors = category_colors([str(n) for n in names])
    facets = _facets(data, rows)
    text = _caption(data, experiment, caption, _averaged(data, [*rows, hue]) +
                    "bins with under 1% of the exposure left out; mean ± 95% CI across runs")
    with house_style():
        fig, body, axes = new_figure(width, len(facets), 2, caption=text, sharey="row",
                                     height=2.3 * len(facets) + 0.35)
        for col, measure in enumerate(("strength", "mutual")):
            part_m = data[data["measure"] == measure]
            labels = (part_m.drop_duplicates("bin_index").sort_values("bin_index")["bin"]
                      .astype(str).tolist())
            index = {b: i for i, b in enumerate(labels)}
            summary = _stats.summarise(part_m.astype({"bin": str}), [hue, *rows, "bin"], y)
            for row, facet in enumerate(facets):
                ax = axes[row, col]
                part = _select(summary, facet)
                offsets = np.linspace(-0.12, 0.12, len(names)) if len(names) > 1 else [0.0]
                for off, name in zip(offsets, names, strict=True):
                    s = part[part[hue] == name]
                    s = s.assign(_pos=s["bin"].map(index)).sort_values("_pos")
                    if s.empty:
                        continue
                    _errorbar(ax, s["_pos"].to_numpy() + off, _clip(s, y),
                              colors[str(name)], str(name), ls="-", markersize=3)
                ax.set_xticks(range(len(labels)), labels)
                last = row == len(facets) - 1
                xlabel = ("tie strength (0–1)" if measure == "strength"
                          else "mutual connections")
                _label_axes(ax, width, 2, xlabel=xlabel if last else None)
                if measure == "strength":
                    ax.tick_params(axis="x", labelrotation=30)
                panel = ("Per tie of each strength" if measure == "strength" else
                         "Per tie with this many mutual friends")
                if facet:
                    panel = f"{panel} ({_facet_title(facet)})" if row == 0 else \
                        _facet_title(facet)
                _label_axes(ax, width, 2, title=panel,
                            ylabel=TIE_EXPOSURE_Y[y] if col == 0 else None)
        handles = [Line2D([], [], color=colors[str(n)], marker="o",
                          label=str(n) if hue == "arm" else f"{hue} = {_tick(n)}")
                   for n in names]
        legend_below(body, handles, [h.get_label() for h in handles])
        if title is not None:
            _set_title(body, axes, 2 * len(facets), title, width)
    return fig
