"""Run one configuration of an experiment, and summarise finished runs.

:func:`execute_run` is what every executor calls (in this process, in a worker process, or
on a Dask worker): it builds the model from a configuration and a seed, runs it, and returns
its tables with the run's identity columns in front. It draws nothing from global random
state, so the same task gives the same tables wherever it runs. It writes no files: the
caller hands the tables to :mod:`simnet.results`.

The summaries (:func:`outcome_table`, :func:`paired_differences`, :func:`strategy_summary`,
:func:`conduct_summary`) work on the loaded tables of :class:`simnet.results.ResultSet`.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simnet.config import ModelConfig
from simnet.experiment import OutputSpec

RUN_COLUMNS = ("run_id", "arm", "replication", "seed")

# The outcomes the end-of-run summary reports, with their labels.
MAIN_OUTCOMES = {
    "opps_total": "opportunities won",
    "reputation": "perceived reputation",
    "degree": "ties",
    "bad_suffered": "bad interactions suffered",
    "capital_lost": "capital lost",
    "acceptance": "requests accepted",
}
NEWS_OUTCOMES = {
    "steps_since": "hops travelled",
    "aware_share": "share of all aware",
    "contacts_aware_share": "share of contacts aware",
}
MODEL_OUTCOMES = {
    "reputation_tau": "reputation accuracy (tau)",
    "bad_found_share": "bad actors found out",
}


@dataclass(frozen=True)
class RunSpec:
    """One run of an experiment: which arm, sweep point and replication, and its seed."""

    run_id: str
    arm: str
    point: int
    replication: int
    seed: int
    params: dict = field(default_factory=dict)

    def columns(self) -> dict[str, Any]:
        """The identity columns every table of this run starts with."""
        cols: dict[str, Any] = {"run_id": self.run_id, "arm": self.arm,
                                "replication": self.replication, "seed": self.seed}
        for name, value in self.params.items():
            cols[name] = value if _is_scalar(value) else json.dumps(value, sort_keys=True)
        return cols

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "arm": self.arm, "point": self.point,
                "replication": self.replication, "seed": self.seed,
                "params": dict(self.params)}


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs to do one run (picklable)."""

    spec: RunSpec
    model: ModelConfig
    steps: int
    output: OutputSpec
    numba_threads: int | None = None  # None: Numba's own thread count (all cores)


@dataclass
class RunOutput:
    """The tables of one finished run and what it cost."""

    spec: RunSpec
    tables: dict[str, pd.DataFrame]
    seconds: float
    n_agents: int
    extra: dict = field(default_factory=dict)

    def info(self) -> dict:
        return {**self.spec.to_dict(), "n_agents": self.n_agents,
                "seconds": round(self.seconds, 4), **self.extra}


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float, str)) or value is None


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain strings, so runs concatenate to identical dtypes."""
    for col in table.columns:
        if isinstance(table[col].dtype, pd.CategoricalDtype):
            table[col] = table[col].astype(str)
    return table


def _with_run_columns(table: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    table = _plain(table.reset_index(drop=True).copy())
    front = pd.DataFrame({name: [value] * len(table) for name, value in columns.items()})
    if len(table) == 0:
        front = front.astype({"replication": "int64", "seed": "int64"})
    clash = [c for c in front.columns if c in table.columns]
    table = table.drop(columns=clash)
    return pd.concat([front, table], axis=1)


def run_model(model_cfg: ModelConfig, seed: int, steps: int, output: OutputSpec | None = None,
              progress=None) -> tuple[dict[str, pd.DataFrame], int]:
    """Build the model with ``seed`` and run ``steps`` steps; return (tables, n_agents).

    Tables: ``groups`` (tidy per step and group), ``model`` (network-level per step),
    ``agents`` (per agent at the end), ``opportunities`` (provenance), ``ties`` (the tie
    table at the end) and ``news`` (the traced bad interaction), as ``output`` keeps them.
    ``progress`` is an optional callable taking the number of steps just done (1).
    """
    from simnet.model import ReputationModel

    output = output or OutputSpec()
    model = ReputationModel(model_cfg, rng=seed, create_agents=False)
    for _ in range(steps):
        model.step()
        if progress is not None:
            progress(1)
    last = int(model.steps)
    keep = output.tables
    tables: dict[str, pd.DataFrame] = {}
    if "groups" in keep:
        groups = model.step_table()
        groups = groups[[output.keeps_step(int(s), last) for s in groups["step"]]]
        if output.metrics is not None:
            base = [c for c in groups.columns if c in ("step", "group_by", "group", "n_agents")]
            groups = groups[base + list(output.metrics)]
        tables["groups"] = groups
    if "model" in keep:
        table = model.model_table()
        table = table[[output.keeps_step(int(s), last) for s in table["step"]]]
        if output.model_metrics is not None:
            table = table[["step", *output.model_metrics]]
        tables["model"] = table
    if "agents" in keep:
        tables["agents"] = model.agent_table()
    if "opportunities" in keep:
        tables["opportunities"] = model.opportunities_table()
    if "ties" in keep and model.n_agents <= output.ties_max_agents \
            and hasattr(model, "ties_table"):
        tables["ties"] = model.ties_table()
    if "news" in keep and hasattr(model, "news_table"):
        tables["news"] = model.news_table()
    return tables, int(model.n_agents)


def execute_run(task: RunTask) -> RunOutput:
    """Do one run: the function every executor calls. Writes nothing."""
    import numba

    before = numba.get_num_threads()
    if task.numba_threads is not None:
        numba.set_num_threads(max(1, min(task.numba_threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        start = time.perf_counter()
        tables, n_agents = run_model(task.model, task.spec.seed, task.steps, task.output)
        seconds = time.perf_counter() - start
    finally:
        numba.set_num_threads(before)
    columns = task.spec.columns()
    tables = {name: _with_run_columns(table, columns) for name, table in tables.items()}
    return RunOutput(task.spec, tables, seconds, n_agents)


# --------------------------------------------------------------------------- summaries

def ci95(values: pd.Series | np.ndarray) -> tuple[float, float, int]:
    """(mean, half-width of the Student-t 95% confidence interval, n); NaN half-width
    when n < 2."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), 0
    mean = float(x.mean())
    if n < 2:
        return mean, float("nan"), n
    half = float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, half, n


def final_groups(groups: pd.DataFrame, group_by: str = "strategy",
                 with_all: bool = True) -> pd.DataFrame:
    """Rows at each run's last step for ``group_by``, plus (``with_all``) a group "all":
    the population-wide mean per agent (groups weighted by their agent counts)."""
    if groups.empty:
        return groups
    last = groups.groupby("run_id", sort=False)["step"].transform("max")
    rows = groups[(groups["step"] == last) & (groups["group_by"] == group_by)]
    rows = rows.reset_index(drop=True)
    if not with_all or rows.empty:
        return _acceptance(rows)
    # the run columns, step and group_by come before "group" in the tidy table
    keys = list(rows.columns[:list(rows.columns).index("group")])
    metrics = [c for c in rows.columns[list(rows.columns).index("n_agents") + 1:]
               if pd.api.types.is_numeric_dtype(rows[c])]
    weights = rows["n_agents"].to_numpy(dtype=float)
    values = rows[metrics].to_numpy(dtype=float)
    known = np.isfinite(values)
    num = pd.DataFrame(np.where(known, values * weights[:, None], 0.0), columns=metrics)
    den = pd.DataFrame(np.where(known, weights[:, None], 0.0), columns=metrics)
    run = rows["run_id"]
    everyone = (num.groupby(run, sort=False).sum() / den.groupby(run, sort=False).sum())
    first = rows.groupby("run_id", sort=False)[keys].first()
    everyone = first.join(everyone).reset_index(drop=True)
    everyone["group"] = "all"
    everyone["n_agents"] = rows.groupby("run_id", sort=False)["n_agents"].sum().to_numpy()
    both = pd.concat([rows, everyone[list(rows.columns)]], ignore_index=True)
    position = {run: i for i, run in enumerate(dict.fromkeys(rows["run_id"]))}
    both = (both.assign(_run=both["run_id"].map(position), _all=both["group"] == "all")
            .sort_values(["_run", "_all"], kind="stable").drop(columns=["_run", "_all"])
            .reset_index(drop=True))
    return _acceptance(both)


def _acceptance(rows: pd.DataFrame) -> pd.DataFrame:
    """Add ``acceptance``: connection requests accepted / sent (cumulative, per group)."""
    if "requests_accepted" in rows and "requests_sent" in rows:
        sent = rows["requests_sent"].where(rows["requests_sent"] > 0)
        rows = rows.assign(acceptance=rows["requests_accepted"] / sent)
    return rows


def outcome_table(groups: pd.DataFrame, params: list[str], arm_order: list[str] | None = None,
                  group_by: str = "strategy") -> pd.DataFrame:
    """Per arm, sweep point and group at the last step: the mean of each main outcome
    across replications with its 95% CI half-width (columns ``metric`` and ``metric_ci``)."""
    final = final_groups(groups, group_by)
    if final.empty:
        return pd.DataFrame()
    keys = ["arm", *params, "group"]
    rows = []
    for key, part in final.groupby(keys, sort=False, dropna=False):
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row["runs"] = int(part["run_id"].nunique())
        for metric in MAIN_OUTCOMES:
            if metric in part:
                mean, half, _ = ci95(part[metric])
                row[metric], row[f"{metric}_ci"] = mean, half
        rows.append(row)
    table = pd.DataFrame(rows)
    return _order(table, arm_order)


def model_outcome_table(model: pd.DataFrame, params: list[str],
                        arm_order: list[str] | None = None) -> pd.DataFrame:
    """Per arm and sweep point: network-level outcomes at the last step, mean and 95% CI."""
    if model.empty:
        return pd.DataFrame()
    last = model.groupby("run_id", sort=False)["step"].transform("max")
    final = model[model["step"] == last]
    keys = ["arm", *params]
    rows = []
    for key, part in final.groupby(keys, sort=False, dropna=False):
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row["runs"] = int(part["run_id"].nunique())
        for metric in MODEL_OUTCOMES:
            if metric in part:
                mean, half, _ = ci95(part[metric])
                row[metric], row[f"{metric}_ci"] = mean, half
        rows.append(row)
    return _order(pd.DataFrame(rows), arm_order)


def paired_differences(groups: pd.DataFrame, params: list[str], baseline: str,
                       arm_order: list[str] | None = None,
                       group_by: str = "strategy") -> pd.DataFrame:
    """Each arm minus ``baseline``, paired by replication (common random numbers), per
    sweep point and group at the last step: mean difference and 95% CI half-width."""
    final = final_groups(groups, group_by)
    if final.empty or final["arm"].nunique() < 2:
        return pd.DataFrame()
    metrics = [m for m in MAIN_OUTCOMES if m in final]
    keys = [*params, "replication", "group"]
    ref = final[final["arm"] == baseline].set_index(keys)[metrics]
    rows = []
    for arm in arm_order or list(final["arm"].unique()):
        if arm == baseline:
            continue
        other = final[final["arm"] == arm].set_index(keys)[metrics]
        diff = other.sub(ref.reindex(other.index)).dropna(how="all")  # other's row order
        if diff.empty:
            continue
        diff = diff.reset_index()
        for key, part in diff.groupby([*params, "group"], sort=False, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            row = {"arm": f"{arm} - {baseline}", **dict(zip([*params, "group"], key,
                                                            strict=True))}
            row["pairs"] = len(part)
            for metric in metrics:
                mean, half, _ = ci95(part[metric])
                row[metric], row[f"{metric}_ci"] = mean, half
            rows.append(row)
    return pd.DataFrame(rows)


def _order(table: pd.DataFrame, arm_order: list[str] | None) -> pd.DataFrame:
    if table.empty or not arm_order or "arm" not in table:
        return table
    rank = {a: i for i, a in enumerate(arm_order)}
    return (table.assign(_rank=table["arm"].map(rank)).sort_values("_rank", kind="stable")
            .drop(columns="_rank").reset_index(drop=True))


def format_ci_table(table: pd.DataFrame, metrics: dict[str, str], digits: int = 3) -> str:
    """A table whose metric cells read ``mean ± half-width`` (CI columns folded in)."""
    if table.empty:
        return "(no rows)"
    out = table[[c for c in table.columns if c not in metrics and not c.endswith("_ci")]].copy()
    for metric, label in metrics.items():
        if metric not in table:
            continue
        means, halves = table[metric], table[f"{metric}_ci"]
        out[label] = [_pm(m, h, digits) for m, h in zip(means, halves, strict=True)]
    return out.to_string(index=False)


def _pm(mean: float, half: float, digits: int) -> str:
    if not np.isfinite(mean):
        return "-"
    text = f"{mean:.{digits}g}" if abs(mean) >= 1000 else f"{mean:.{digits}f}"
    if np.isfinite(half):
        text += f" ± {half:.{digits}f}"
    return text


def strategy_summary(agents: pd.DataFrame) -> pd.DataFrame:
    """Per strategy at the end of the runs: agents (per run), ties, reach, opportunities by
    channel, perceived reputation, visibility, harm suffered and capital lost (means per
    agent, pooled over the runs)."""
    runs = max(1, agents["run_id"].nunique()) if "run_id" in agents else 1
    summary = agents.groupby("strategy", observed=True).agg(
        agents=("agent", "size"), ties=("degree", "mean"), reach2=("reach2", "mean"),
        won=("opps_total", "mean"), direct=("opps_direct", "mean"),
        intro=("opps_introduction", "mean"), cold=("opps_cold", "mean"),
        reputation=("reputation", "mean"), visibility=("visibility", "mean"),
        bad_suffered=("bad_suffered", "mean"), spam=("spam_received", "mean"),
        capital_lost=("capital_lost", "mean"))
    summary["agents"] = summary["agents"] / runs
    return summary


def conduct_summary(agents: pd.DataFrame) -> pd.DataFrame:
    """Per bad/good actor at the end: agents (per run), mean perceived reputation, mean
    conduct, ties and opportunities won."""
    runs = max(1, agents["run_id"].nunique()) if "run_id" in agents else 1
    agents = agents.assign(
        actor=lambda t: t["bad_actor"].map({True: "bad actors", False: "good actors"}))
    summary = agents.groupby("actor").agg(agents=("agent", "size"),
                                          reputation=("reputation", "mean"),
                                          conduct=("conduct", "mean"),
                                          ties=("degree", "mean"),
                                          won=("opps_total", "mean"))
    summary["agents"] = summary["agents"] / runs
    return summary


STRENGTH_BINS = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)


def news_summary(news: pd.DataFrame, params: list[str],
                 arm_order: list[str] | None = None) -> pd.DataFrame:
    """How far the traced bad interaction of each run travelled, per arm and sweep point:
    hops it made, and the share of all agents (the chance a future decision-maker has
    heard of it) and of the subject's contacts aware when it stopped (mean and 95% CI)."""
    if news is None or news.empty or "steps_since" not in news:
        return pd.DataFrame()
    last = news.groupby("run_id", sort=False)["steps_since"].transform("max")
    final = news[news["steps_since"] == last]
    keys = ["arm", *params]
    rows = []
    for key, part in final.groupby(keys, sort=False, dropna=False):
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row["runs"] = int(part["run_id"].nunique())
        for metric in NEWS_OUTCOMES:
            if metric in part:
                mean, half, _ = ci95(part[metric])
                row[metric], row[f"{metric}_ci"] = mean, half
        rows.append(row)
    return _order(pd.DataFrame(rows), arm_order)


def weak_ties_summary(opportunities: pd.DataFrame, params: list[str],
                      arm_order: list[str] | None = None) -> pd.DataFrame:
    """Won opportunities delivered through a tie (direct or introduction; cold ones have
    no path), per arm and sweep point: the share in each band of the delivering path's
    tie strength, the share that went well, and the mean mutual connections."""
    if opportunities is None or opportunities.empty or "path_strength" not in opportunities:
        return pd.DataFrame()
    data = opportunities[(opportunities["channel"].astype(str) != "cold")
                         & opportunities["path_strength"].notna()]
    if data.empty:
        return pd.DataFrame()
    labels = [f"{lo:g}-{hi:g}" for lo, hi in itertools.pairwise(STRENGTH_BINS)]
    band = pd.cut(data["path_strength"], STRENGTH_BINS, labels=labels, include_lowest=True)
    keys = ["arm", *params]
    rows = []
    for key, part in data.assign(band=band).groupby(keys, sort=False, dropna=False):
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row["won"] = len(part)
        shares = part["band"].value_counts(normalize=True, sort=False)
        for label in labels:
            row[label] = float(shares.get(label, 0.0))
        row["went well"] = float(part["good"].mean())
        row["mutual"] = float(part["mutual"].mean())
        rows.append(row)
    return _order(pd.DataFrame(rows), arm_order)


def sobol_indices(results, metrics: tuple[str, ...] = ("opps_total", "bad_suffered"),
                  model_metrics: tuple[str, ...] = ("reputation_tau", "bad_found_share"),
                  arm: str | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices (SALib) of outcomes at the last step, for a
    ``design = "sobol"`` sweep with every run finished: per-agent means over the whole
    population (``metrics``) and network-level outcomes (``model_metrics``), each averaged
    over replications per point. Empty if the design is not Sobol or runs are missing."""
    from SALib.analyze import sobol

    manifest = results.manifest
    sweep = manifest.get("sweep") or {}
    if manifest.get("design") != "sobol" or results.missing or results.runs.empty:
        return pd.DataFrame()
    names = list(sweep["bounds"])
    problem = {"num_vars": len(names), "names": names,
               "bounds": [sweep["bounds"][n] for n in names]}
    arm = arm or manifest.get("baseline") or results.runs["arm"].iloc[0]
    point_of = results.runs.set_index("run_id")["point"]
    outcomes: dict[str, pd.Series] = {}
    final = final_groups(results.groups, "strategy")
    if not final.empty:
        everyone = final[(final["group"] == "all") & (final["arm"] == arm)]
        for m in metrics:
            if m in everyone:
                outcomes[m] = everyone.groupby(everyone["run_id"].map(point_of))[m].mean()
    if not results.model.empty:
        model = results.model
        last = model.groupby("run_id", sort=False)["step"].transform("max")
        model = model[(model["step"] == last) & (model["arm"] == arm)]
        for m in model_metrics:
            if m in model:
                outcomes[m] = model.groupby(model["run_id"].map(point_of))[m].mean()
    rows = []
    for metric, y in outcomes.items():
        y = y.sort_index().to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or np.std(y) == 0:
            continue
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = sobol.analyze(problem, y, calc_second_order=sweep.get("second_order", True),
                               seed=int(manifest.get("root_seed", 0)) % 2**32)
        for i, name in enumerate(names):
            rows.append({"outcome": metric, "parameter": name, "S1": si["S1"][i],
                         "S1_ci": si["S1_conf"][i], "ST": si["ST"][i],
                         "ST_ci": si["ST_conf"][i]})
    return pd.DataFrame(rows)


def summary_tables(results) -> dict[str, pd.DataFrame]:
    """The end-of-run summary tables of a :class:`simnet.results.ResultSet`:
    ``outcomes`` (per arm, point and strategy, mean ± 95% CI across replications),
    ``model`` (network-level outcomes), ``differences`` (paired by replication against
    the baseline arm), ``news`` (how far the traced bad interaction travelled),
    ``weak_ties`` (opportunities by the strength of the delivering tie), for a Sobol
    design, ``sobol`` and, for a Morris design, ``morris`` (simnet.sensitivity)."""
    params = list(results.params)
    arms = list(results.manifest.get("arms") or [])
    baseline = results.manifest.get("baseline") or (arms[0] if arms else None)
    tables = {"outcomes": outcome_table(results.groups, params, arms)
              if not results.groups.empty else pd.DataFrame(),
              "model": model_outcome_table(results.model, params, arms)
              if not results.model.empty else pd.DataFrame()}
    if len(arms) > 1 and not results.groups.empty:
        tables["differences"] = paired_differences(results.groups, params, baseline, arms)
    tables["news"] = news_summary(results.news, params, arms)
    tables["weak_ties"] = weak_ties_summary(results.opportunities, params, arms)
    if results.manifest.get("design") == "sobol":
        tables["sobol"] = sobol_indices(results)
    if results.manifest.get("design") == "morris":
        from simnet.sensitivity import morris_indices

        tables["morris"] = morris_indices(results)
    return tables


def summary_text(results, tables: dict[str, pd.DataFrame] | None = None,
                 max_rows: int = 60) -> str:
    """The end-of-run summary as text: per-strategy means (per arm), the main outcomes
    with 95% CIs across replications, and the paired differences between arms."""
    tables = tables if tables is not None else summary_tables(results)
    manifest = results.manifest
    reps = manifest.get("replications", 1)
    lines: list[str] = []
    arms = list(manifest.get("arms") or ["base"])
    agents = results.agents
    with pd.option_context("display.width", 160, "display.max_columns", 30,
                           "display.float_format", "{:.3f}".format):
        if not agents.empty:
            for arm in arms:
                part = agents[agents["arm"] == arm]
                if part.empty:
                    continue
                runs = part["run_id"].nunique()
                pooled = f", pooled over {runs} runs" if runs > 1 else ""
                head = f"[{arm}] " if len(arms) > 1 else ""
                lines.append(f"\n{head}Per strategy at the end (means per agent{pooled}):")
                lines.append(strategy_summary(part).to_string())
                lines.append(f"\n{head}By conduct:")
                lines.append(conduct_summary(part).to_string())
        outcomes = tables.get("outcomes", pd.DataFrame())
        if not outcomes.empty:
            ci = f"mean ± 95% CI across {reps} replications" if reps > 1 else \
                "one replication: no CI"
            lines.append(f"\nMain outcomes at the last step, per arm and strategy ({ci}; "
                         f"'all': the whole population):")
            lines.append(_limited(format_ci_table(outcomes, MAIN_OUTCOMES), max_rows))
        model = tables.get("model", pd.DataFrame())
        if not model.empty:
            lines.append("\nNetwork-level outcomes at the last step:")
            lines.append(_limited(format_ci_table(model, MODEL_OUTCOMES), max_rows))
        diffs = tables.get("differences", pd.DataFrame())
        if diffs is not None and not diffs.empty:
            lines.append("\nPaired differences between arms (same seeds, paired by "
                         "replication; mean ± 95% CI):")
            lines.append(_limited(format_ci_table(diffs, MAIN_OUTCOMES), max_rows))
        news = tables.get("news", pd.DataFrame())
        if news is not None and not news.empty:
            lines.append("\nOne traced bad interaction per run, when it stopped travelling "
                         "(mean ± 95% CI across runs):")
            lines.append(_limited(format_ci_table(news, NEWS_OUTCOMES), max_rows))
        weak = tables.get("weak_ties", pd.DataFrame())
        if weak is not None and not weak.empty:
            lines.append("\nOpportunities won through a tie (direct or introduced): share by "
                         "the strength of the delivering tie, share that went well, mean "
                         "mutual connections (pooled over replications):")
            lines.append(_limited(weak.to_string(index=False, float_format="{:.3f}".format),
                                  max_rows))
        morris = tables.get("morris", pd.DataFrame())
        if morris is not None and not morris.empty:
            from simnet.sensitivity import summary_text as morris_text

            lines.append("\nMorris screen: mu* over each outcome's largest ('*': beyond the "
                         "seed's noise floor):")
            lines.append(morris_text(morris))
        sob = tables.get("sobol", pd.DataFrame())
        if sob is not None and not sob.empty:
            lines.append("\nSobol sensitivity indices (first order S1, total ST; ± 95% CI):")
            lines.append(format_ci_table(sob, {"S1": "S1", "ST": "ST"}))
    return "\n".join(lines).lstrip("\n")


def _limited(text: str, max_rows: int) -> str:
    rows = text.splitlines()
    if len(rows) <= max_rows + 1:
        return text
    more = f"... ({len(rows) - 1 - max_rows} more rows in the summary CSV files)"
    return "\n".join([*rows[:max_rows + 1], more])
