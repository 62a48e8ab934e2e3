"""Preparing results tables for the figures: which rows, which swept parameters, which
arms. The statistics themselves (means, confidence intervals, paired differences) are
simnet.stats, the one module the summary and the figures share; the names used by the
figures are re-exported here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from simnet import stats as _stats
from simnet.plots.spec import PlotError
from simnet.stats import ROW_KEYS, RUN_COLUMNS
from simnet.stats import collapse as collapse  # re-exported for the figures
from simnet.stats import mean_ci as mean_ci
from simnet.stats import summarise as summarise


def require(table: pd.DataFrame | None, columns: Iterable[str], what: str) -> pd.DataFrame:
    """The table, or PlotError naming what is missing."""
    if table is None or len(table) == 0:
        raise PlotError(f"no {what} rows to plot")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise PlotError(f"the {what} table has no column {', '.join(map(repr, missing))}")
    return table


def with_run_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Fill in run columns a hand-made table may lack (one arm, one replication...)."""
    table = table.copy()
    if "run_id" not in table.columns:
        table["run_id"] = 0
    if "arm" not in table.columns:
        table["arm"] = "all"
    if "replication" not in table.columns:
        table["replication"] = pd.factorize(table["run_id"])[0]
    table["arm"] = table["arm"].astype(str)
    return table


def param_columns(table: pd.DataFrame, exclude: Iterable[str] = ()) -> list[str]:
    """The swept parameters of a results table that take more than one value.

    ``table.attrs["params"]`` names them when set (simnet.plots.plot_results_dir sets it);
    otherwise they are the columns after the run columns (run_id, arm, replication, seed)
    that are constant within each run, up to the first that is not.
    """
    exclude = set(exclude)
    if "params" in table.attrs:
        return [c for c in table.attrs["params"] if c in table.columns and c not in exclude
                and table[c].nunique(dropna=True) > 1]
    from simnet.metrics import GROUP_METRICS

    stop = {*ROW_KEYS, *GROUP_METRICS}
    out = []
    for column in table.columns:
        if column in RUN_COLUMNS:
            continue
        if column in stop:
            break
        if "run_id" in table.columns and (
                table.groupby("run_id", observed=True)[column].nunique(dropna=False) > 1
        ).any():
            break
        if column not in exclude and table[column].nunique(dropna=True) > 1:
            out.append(column)
    return out


def at_step(table: pd.DataFrame, step: int | None = None) -> pd.DataFrame:
    """Rows at each run's last step (``step=None``), or at the given step."""
    if "step" not in table.columns:
        return table
    if step is None:
        last = table.groupby("run_id")["step"].transform("max")
        return table[table["step"] == last]
    out = table[table["step"] == step]
    if out.empty:
        raise PlotError(f"no rows at step {step}; steps run from {table['step'].min()} "
                        f"to {table['step'].max()}")
    return out


def apply_where(table: pd.DataFrame, where: dict | None) -> pd.DataFrame:
    """Keep rows whose columns equal the given values (``where={"open_share": 0.5}``)."""
    for column, value in (where or {}).items():
        if column not in table.columns:
            raise PlotError(f"cannot select {column} = {value!r}: no such column")
        table = table[np.isclose(table[column], value) if _is_number(value)
                      else table[column] == value]
        if table.empty:
            raise PlotError(f"no rows with {column} = {value!r}")
    return table


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def paired_differences(table: pd.DataFrame, value: str, between: str, a: str, b: str,
                       params: Sequence[str] = ()) -> pd.DataFrame:
    """:func:`simnet.stats.paired_differences` of one value (column ``diff``), with a
    PlotError for the user when the pair cannot be formed."""
    try:
        return _stats.paired_differences(table, value, between, a, b, params)
    except _stats.StatsError as err:
        raise PlotError(str(err)) from None


def arm_order(table: pd.DataFrame) -> list[str]:
    """The arms present, in the experiment's order (``table.attrs["arms"]``) if known,
    else in order of appearance."""
    present = [str(a) for a in dict.fromkeys(table["arm"])]
    order = [str(a) for a in table.attrs.get("arms", []) if str(a) in present]
    return order + [a for a in present if a not in order]


def baseline_arm(table: pd.DataFrame, arms: Sequence[str]) -> str:
    """The arm differences are taken against: ``table.attrs["baseline"]``, else the first."""
    baseline = table.attrs.get("baseline")
    return baseline if baseline in arms else arms[0]


def default_pair(names: Iterable[str]) -> tuple[str, str]:
    """The comparison drawn by default: open − selective if both exist, else the first two."""
    from simnet.plots.style import order_groups

    names = order_groups(names)
    if "open" in names and "selective" in names:
        return "open", "selective"
    if len(names) < 2:
        raise PlotError(f"a difference needs two groups; found only {', '.join(names)}")
    return names[0], names[1]


def describe_runs(table: pd.DataFrame, experiment: str | None = None) -> str:
    """The caption's facts: experiment, arms, replications, seeds."""
    parts = [experiment] if experiment else []
    n_runs = table["run_id"].nunique() if "run_id" in table.columns else 1
    n_arms = table["arm"].nunique() if "arm" in table.columns else 1
    n_reps = table["replication"].nunique() if "replication" in table.columns else n_runs
    n_seeds = table["seed"].nunique() if "seed" in table.columns else None
    runs = f"{n_reps} replication{'s' * (n_reps != 1)}"
    if n_arms > 1:
        runs = f"{n_arms} arms × {runs}"
    runs += f" ({n_runs} run{'s' * (n_runs != 1)}"
    if n_seeds is not None:
        runs += f", {n_seeds} seed{'s' * (n_seeds != 1)}"
    runs += ")"
    parts.append(runs)
    swept = [f"{p} ({table[p].nunique()} values)" for p in param_columns(table)]
    if swept:
        parts.append("swept: " + ", ".join(swept))
    return " · ".join(parts)
