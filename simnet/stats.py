"""The statistics every summary, figure and check of simnet uses: one place for each.

- :func:`mean_ci` / :func:`ci95`: the mean of replications and its Student-t confidence
  interval (one value per run; runs are independent replications).
- :func:`summarise` / :func:`collapse`: means and intervals per combination of columns,
  after averaging within each replication what is not kept.
- :func:`paired_differences`: ``a - b`` pair by pair. Arms are paired by replication
  (common random numbers: the same seed and network in every arm), strategies within the
  same run.
- :func:`with_population`: adds a group "all" (the whole population, groups weighted by
  their agent counts) to the tidy per-group table, so differences can be reported for the
  population as well as per strategy.
- :func:`weak_ties_table`: won opportunities per tie of each strength and per number of
  mutual connections (the bins the summary and the figure share).
- :func:`kendall_tau_b`: Kendall's rank correlation with ties (the reputation accuracy
  metric), without a p-value.

Nothing here draws random numbers or writes files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simnet.tie_bins import MUTUAL_BINS, STRENGTH_BINS, bin_labels

LEVEL = 0.95
RUN_COLUMNS = ("run_id", "arm", "replication", "seed")
ROW_KEYS = ("step", "group_by", "group", "n_agents")
POPULATION = "all"  # the group name of the whole population


class StatsError(ValueError):
    """The numbers asked for cannot be computed from these rows (one line for the user)."""


# --------------------------------------------------------------------------- intervals

def mean_ci(values: Sequence[float] | np.ndarray, level: float = LEVEL
            ) -> tuple[float, float, float, int]:
    """``(mean, low, high, n)`` of the finite values with a Student-t confidence interval
    at ``level``; NaN bounds when n < 2 (and a NaN mean when n = 0)."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(x.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), 1
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def ci95(values: Sequence[float] | np.ndarray) -> tuple[float, float, int]:
    """``(mean, half-width of the 95% CI, n)``: :func:`mean_ci` as the tables print it
    (``mean ± half``); NaN half-width when n < 2."""
    mean, lo, _, n = mean_ci(values, 0.95)
    return mean, (mean - lo) if n >= 2 else float("nan"), n


def summarise(table: pd.DataFrame, by: Sequence[str], value: str,
              level: float = LEVEL) -> pd.DataFrame:
    """Mean and CI of ``value`` per combination of ``by`` (each row one replication).

    Returns columns ``[*by, "mean", "lo", "hi", "n"]``, sorted by ``by``."""
    rows = []
    for key, part in table.groupby(list(by), sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        mean, lo, hi, n = mean_ci(part[value].to_numpy(), level)
        rows.append((*key, mean, lo, hi, n))
    return pd.DataFrame(rows, columns=[*by, "mean", "lo", "hi", "n"])


def collapse(table: pd.DataFrame, keep: Sequence[str], value: str,
             unit: str = "replication") -> pd.DataFrame:
    """One value per ``keep`` combination and ``unit``: the mean over everything else
    (swept parameters not kept), so a CI over the result is across replications."""
    keys = [*dict.fromkeys([*keep, unit])]
    return table.groupby(keys, sort=True, observed=True)[value].mean().reset_index()


# ------------------------------------------------------------------- rank correlation

def _dense_ranks(sorted_values: np.ndarray) -> np.ndarray:
    """int64[m]: 1-based dense ranks of values already sorted ascending."""
    return np.r_[True, sorted_values[1:] != sorted_values[:-1]].cumsum(dtype=np.int64)


def _pairs_tied(ranks: np.ndarray) -> int:
    """Pairs sharing a rank (ranks int64[m])."""
    cnt = np.bincount(ranks).astype(np.int64)
    return int((cnt * (cnt - 1) // 2).sum())


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b of two float arrays of equal length m: concordant minus discordant
    pairs over the geometric mean of the pairs untied in x and in y; NaN when either is
    constant or m < 2.

    The same counts, and so the same float, as ``scipy.stats.kendalltau(x, y).statistic``
    (Knight's O(m log m) algorithm: sort by y, then stably by x, and count the inversions
    of y's ranks), without the p-value, which costs more than the statistic at the
    model's sizes.
    """
    from simnet.kernels import count_inversions

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    size = int(x.size)
    tot = size * (size - 1) // 2
    if size < 2:
        return float("nan")
    perm = np.argsort(y)
    x, y = x[perm], _dense_ranks(y[perm])
    perm = np.argsort(x, kind="mergesort")
    x, y = x[perm], y[perm]
    x = _dense_ranks(x)
    dis = int(count_inversions(y))
    obs = np.r_[True, (x[1:] != x[:-1]) | (y[1:] != y[:-1]), True]
    cnt = np.diff(np.nonzero(obs)[0]).astype(np.int64)
    ntie = int((cnt * (cnt - 1) // 2).sum())  # pairs tied in both
    xtie, ytie = _pairs_tied(x), _pairs_tied(y)
    if xtie == tot or ytie == tot:
        return float("nan")
    con_minus_dis = tot - xtie - ytie + ntie - 2 * dis
    tau = con_minus_dis / np.sqrt(tot - xtie) / np.sqrt(tot - ytie)
    return float(min(1.0, max(-1.0, tau)))


# ------------------------------------------------------------------------- differences

def paired_differences(table: pd.DataFrame, value: str | Sequence[str], between: str,
                       a: str, b: str, params: Sequence[str] = ()) -> pd.DataFrame:
    """``a - b`` of ``value`` per pair.

    ``between="arm"``: rows of arm ``a`` and arm ``b`` are paired on replication, swept
    ``params`` and group (the same seed and network in both arms). ``between="group"``:
    groups ``a`` and ``b`` are paired within the same run. Returns the pairing keys and one
    column per value (named ``"diff"`` when ``value`` is one name); pairs missing either
    side are dropped. Raises :class:`StatsError` if ``a`` or ``b`` is absent or no pair
    remains.
    """
    if between not in ("arm", "group"):
        raise StatsError(f"between = {between!r}: expected 'arm' or 'group'")
    pair_on = (["replication", *params, "group"] if between == "arm"
               else ["run_id", "arm", "replication", *params])
    pair_on = [c for c in dict.fromkeys(pair_on) if c in table.columns]
    present = set(table[between].astype(str))
    for name in (a, b):
        if name not in present:
            raise StatsError(f"cannot compare {a} with {b}: no {between} '{name}' in the "
                             f"results (found: {', '.join(sorted(present))})")
    values = [value] if isinstance(value, str) else list(value)
    side = {}
    for name in (a, b):
        part = table[table[between].astype(str) == name]
        side[name] = part.groupby(pair_on, sort=True, observed=True, dropna=False)[
            values].mean()
    diff = side[a].sub(side[b]).dropna(how="all").reset_index()
    if isinstance(value, str):
        diff = diff.rename(columns={value: "diff"})
    if diff.empty:
        raise StatsError(f"no paired rows of {a} and {b} to compare")
    return diff


def with_population(groups: pd.DataFrame, group_by: str = "strategy") -> pd.DataFrame:
    """The rows of ``group_by`` plus, per run and step, a group ``"all"``: the mean per
    agent over the whole population (each group's mean weighted by its ``n_agents``;
    groups with a NaN value are left out of that value's mean)."""
    rows = groups[groups["group_by"] == group_by] if "group_by" in groups else groups
    rows = rows[rows["group"].astype(str) != POPULATION].reset_index(drop=True)
    if rows.empty:
        return rows
    columns = list(rows.columns)
    by = [c for c in ("run_id", "step") if c in columns]
    fixed = [c for c in columns if c in RUN_COLUMNS or c in ("step", "group_by")]
    rest = [c for c in columns if c not in fixed and c not in ("group", "n_agents")]
    # swept parameters are constant within a run (and a metric that is, is equal in every
    # group, so its first value is the population's too)
    varies = (rows.groupby(by, sort=False)[rest].nunique(dropna=False).max() > 1
              if by and rest else pd.Series(True, index=rest))
    metrics = [c for c in rest if varies[c] and pd.api.types.is_numeric_dtype(rows[c])]
    keys = [c for c in columns if c not in metrics and c not in ("group", "n_agents")]
    weights = rows["n_agents"].to_numpy(dtype=float)
    values = rows[metrics].to_numpy(dtype=float)
    known = np.isfinite(values)
    num = pd.DataFrame(np.where(known, values * weights[:, None], 0.0), columns=metrics)
    den = pd.DataFrame(np.where(known, weights[:, None], 0.0), columns=metrics)
    by = [rows[k] for k in by]
    everyone = num.groupby(by, sort=False).sum() / den.groupby(by, sort=False).sum()
    first = rows.groupby(by, sort=False)[keys].first()
    sizes = rows.groupby(by, sort=False)["n_agents"].sum()
    everyone = first.join(everyone).assign(group=POPULATION, n_agents=sizes)
    everyone = everyone.reset_index(drop=True)[columns]
    both = pd.concat([rows, everyone], ignore_index=True)
    # each run's strategies first, then its "all" row, runs in their original order
    order = {run: i for i, run in enumerate(dict.fromkeys(rows["run_id"]))} \
        if "run_id" in rows else {}
    sort = both.assign(_run=both["run_id"].map(order) if order else 0,
                       _all=both["group"] == POPULATION)
    keys = ["_run", "step", "_all"] if "step" in both else ["_run", "_all"]
    return (both.loc[sort.sort_values(keys, kind="stable").index]
            .reset_index(drop=True))


def with_acceptance(groups: pd.DataFrame) -> pd.DataFrame:
    """Add the derived metrics ``acceptance`` (share of the requests sent so far that were
    accepted) and ``acceptance_rate`` (share of the requests sent since the previous
    recorded step, per run and group, that were accepted; NaN at a group's first step and
    when none were sent). Both are NaN where nothing was sent."""
    if "requests_accepted" not in groups or "requests_sent" not in groups:
        return groups
    sent = groups["requests_sent"]
    out = groups.assign(acceptance=groups["requests_accepted"] / sent.where(sent > 0))
    if "step" not in groups or groups.empty:
        return out
    keys = [c for c in ("run_id", "group_by", "group") if c in groups]
    ordered = out.sort_values([*keys, "step"], kind="stable")
    grouped = ordered.groupby(keys, sort=False, observed=True)
    d_sent = grouped["requests_sent"].diff()
    d_acc = grouped["requests_accepted"].diff()
    rate = d_acc / d_sent.where(d_sent > 0)
    return out.assign(acceptance_rate=rate.reindex(out.index))


def last_step(table: pd.DataFrame) -> pd.DataFrame:
    """The rows at each run's last recorded step."""
    if "step" not in table.columns or table.empty:
        return table
    last = table.groupby("run_id", sort=False)["step"].transform("max")
    return table[table["step"] == last]


# -------------------------------------------------------------------------- weak ties

def _binned(values: pd.Series, edges: Sequence[float], integer: bool) -> pd.Series:
    labels = bin_labels(edges, integer)
    return pd.cut(values, list(edges), labels=labels, include_lowest=True,
                  right=not integer)


def tie_mutuals(ties: pd.DataFrame) -> np.ndarray:
    """int64[len(ties)]: the mutual connections (common neighbours) of each tie's two ends,
    from one run's tie table (columns ``u``, ``v``)."""
    from scipy.sparse import csr_matrix

    u = ties["u"].to_numpy(dtype=np.int64)
    v = ties["v"].to_numpy(dtype=np.int64)
    if u.size == 0:
        return np.zeros(0, dtype=np.int64)
    n = int(max(u.max(), v.max())) + 1
    adj = csr_matrix((np.ones(2 * u.size), (np.r_[u, v], np.r_[v, u])), shape=(n, n))
    adj.data[:] = 1.0  # a pair listed twice is still one tie
    # the row-wise dot product of the two ends' neighbour indicator rows
    counts = np.asarray(adj[u].multiply(adj[v]).sum(axis=1)).ravel()
    return counts.astype(np.int64)


def weak_ties_table(opportunities: pd.DataFrame, ties: pd.DataFrame | None = None,
                    by: str = "path_strength", keys: Sequence[str] = ("arm",),
                    runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per run and bin of ``by`` ("path_strength" or "mutual"): won opportunities that
    arrived through a tie (direct or introduction; cold ones have no path) and, with the
    runs' end-of-run tie tables, how many ties of that bin existed and the opportunities
    per 100 such ties.

    Returns one row per run and bin: ``[run_id, *keys, bin, won, share, good, ties,
    per_100_ties]`` (``share``: of the run's tie-delivered opportunities; ``good``: share
    that went well, NaN for none; ``ties``/``per_100_ties``: NaN without a tie table for
    the run). Every run (of ``opportunities``, or of ``runs``: ``run_id`` and ``keys``
    columns, when ``opportunities`` is a subset such as one channel) has a row for every
    bin (zero won when none), and only its own: means across runs are neither biased by
    empty bins nor diluted by other arms' runs. The tie count is taken at the end of the
    run (the tie table is not recorded per step), so ``per_100_ties`` is a rate per
    surviving tie.
    """
    integer = by == "mutual"
    edges = MUTUAL_BINS if integer else STRENGTH_BINS
    labels = bin_labels(edges, integer)
    keys = [k for k in keys if k in opportunities.columns and k != "run_id"]
    runs = (opportunities if runs is None else runs)[["run_id", *keys]].drop_duplicates(
        "run_id")
    data = opportunities[(opportunities["channel"].astype(str) != "cold")
                         & opportunities[by].notna()]
    data = data.assign(bin=_binned(data[by], edges, integer))
    full = pd.MultiIndex.from_product([runs["run_id"], labels], names=["run_id", "bin"])
    grouped = data.groupby(["run_id", "bin"], observed=False)
    won = grouped.size().reindex(full, fill_value=0)
    good = grouped["good"].sum().reindex(full, fill_value=0)
    table = pd.DataFrame({"won": won.astype(np.int64)}).reset_index()
    total = table.groupby("run_id")["won"].transform("sum")
    table["share"] = table["won"] / total.where(total > 0)
    table["good"] = good.to_numpy() / table["won"].where(table["won"] > 0)
    table["ties"] = np.nan
    if ties is not None and len(ties):
        counted = []
        for run, part in ties.groupby("run_id", sort=False):
            column = (pd.Series(tie_mutuals(part)) if integer
                      else part["strength"].reset_index(drop=True))
            counts = _binned(column, edges, integer).value_counts().reindex(labels,
                                                                            fill_value=0)
            counted.append(pd.DataFrame({"run_id": run, "bin": labels,
                                         "_ties": counts.to_numpy(dtype=float)}))
        counted = pd.concat(counted, ignore_index=True)
        table = table.merge(counted, on=["run_id", "bin"], how="left")
        table["ties"] = table.pop("_ties")
    table["per_100_ties"] = 100 * table["won"] / table["ties"].where(table["ties"] > 0)
    table = table.merge(runs, on="run_id", how="left")
    table["bin"] = pd.Categorical(table["bin"], categories=labels, ordered=True)
    return table[["run_id", *keys, "bin", "won", "share", "good", "ties", "per_100_ties"]]


# -------------------------------------------------------------------------- tie exposure

def tie_exposure_summary(tie_exposure: pd.DataFrame, keys: Sequence[str] = ("arm",)
                         ) -> pd.DataFrame:
    """Per combination of ``keys``, measure ("strength" or "mutual") and bin, across runs:
    opportunities per 1,000 seeker tie-steps (``rate``, mean and 95% CI half-width
    ``rate_ci``), the share of leads told over such ties that were new to the seeker
    (``new_share``, ``new_share_ci``), the mean ``exposure`` per run and ``runs``.

    ``tie_exposure``: the runs' ``tie_exposure`` tables (one row per run, measure and bin;
    simnet.leads.TieExposure)."""
    keys = [k for k in keys if k in tie_exposure.columns]
    rows = []
    group = [*keys, "measure", "bin_index", "bin"]
    for key, part in tie_exposure.groupby(group, sort=True, dropna=False, observed=True):
        row = dict(zip(group, key, strict=True))
        row["runs"] = int(part["run_id"].nunique()) if "run_id" in part else len(part)
        row["exposure"] = float(part["exposure"].mean())
        for value in ("rate", "new_share"):
            mean, half, _ = ci95(part[value].dropna())
            row[value], row[f"{value}_ci"] = mean, half
        rows.append(row)
    return pd.DataFrame(rows)


def curve_shape(tie_exposure: pd.DataFrame, keys: Sequence[str] = ("arm",),
                min_exposure_share: float = 0.01, level: float = LEVEL) -> pd.DataFrame:
    """Whether opportunities per tie-step peak at an interior bin, per ``keys`` and measure.

    Bins holding less than ``min_exposure_share`` of a run's exposure in any run are left
    out (too few tie-steps for a rate). The peak is the bin with the highest mean rate
    across runs; the test of an interior peak is the paired difference, run by run, of
    the peak bin's rate minus the first bin's and minus the last bin's, each with its
    ``level`` Student-t interval: "interior peak" when both intervals lie above zero,
    "interior peak (not significant)" when the peak is interior but an interval reaches
    zero (or there is one run), "rising" or "falling" when the peak is the last or first
    bin and the difference between the two ends lies away from zero, else "flat".
    Returns one row per ``keys`` and measure: ``shape``, ``peak`` (bin label),
    ``bins`` (the bins used), ``peak_minus_first``/``_lo``/``_hi`` and
    ``peak_minus_last``/``_lo``/``_hi``.
    """
    keys = [k for k in keys if k in tie_exposure.columns]
    rows = []
    for key, part in tie_exposure.groupby([*keys, "measure"], sort=True, dropna=False,
                                          observed=True):
        row = dict(zip([*keys, "measure"], key, strict=True))
        total = part.groupby("run_id")["exposure"].transform("sum")
        share = (part["exposure"] / total.where(total > 0)).fillna(0.0)
        sparse = set(part.loc[share < min_exposure_share, "bin_index"])
        used = part[~part["bin_index"].isin(sparse)]
        rate = used.pivot_table(index="run_id", columns="bin_index", values="rate",
                                aggfunc="first").sort_index(axis=1)
        labels = used.drop_duplicates("bin_index").set_index("bin_index")["bin"]
        row["bins"] = ", ".join(str(labels[b]) for b in rate.columns)
        if rate.shape[1] < 3:
            row.update(shape="too few bins", peak="")
            rows.append(row)
            continue
        peak = int(rate.mean().idxmax())
        row["peak"] = str(labels[peak])
        for end, name in ((rate.columns[0], "first"), (rate.columns[-1], "last")):
            mean, lo, hi, _ = mean_ci((rate[peak] - rate[end]).dropna(), level)
            row[f"peak_minus_{name}"] = mean
            row[f"peak_minus_{name}_lo"], row[f"peak_minus_{name}_hi"] = lo, hi
        if peak == rate.columns[-1]:
            row["shape"] = "rising" if row["peak_minus_first_lo"] > 0 else "flat"
        elif peak == rate.columns[0]:
            row["shape"] = "falling" if row["peak_minus_last_lo"] > 0 else "flat"
        elif row["peak_minus_first_lo"] > 0 and row["peak_minus_last_lo"] > 0:
            row["shape"] = "interior peak"
        else:
            row["shape"] = "interior peak (not significant)"
        rows.append(row)
    return pd.DataFrame(rows)
