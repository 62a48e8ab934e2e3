"""Run one configuration of an experiment, and summarise finished runs.

:func:`execute_run` is what every executor calls (in this process, in a worker process, or
on a Dask worker): it builds the model from a configuration and a seed, runs it, and returns
its tables, as Arrow tables, with the run's identity columns in front. It draws nothing
from global random state, so the same task gives the same tables wherever it runs. It
writes no files: the caller hands the tables to :mod:`simnet.results`.

The summaries (:func:`outcome_table`, :func:`paired_differences`, :func:`strategy_summary`,
:func:`conduct_summary`) work on the loaded tables of :class:`simnet.results.ResultSet`.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from simnet import stats
from simnet.config import ModelConfig
from simnet.experiment import OutputSpec
from simnet.metric_registry import REGISTRY
from simnet.results import EncodedTable, arrow_table, constant_column, with_columns_in_front
from simnet.stats import ci95 as ci95  # the summary tables' intervals (re-exported)


def short(metric: str) -> str:
    """The registry's short label of a metric (its name if unregistered)."""
    entry = REGISTRY.get(metric)
    return entry.short_label() if entry else metric

RUN_COLUMNS = ("run_id", "arm", "replication", "seed")

# The outcomes the full summary tables report (labels from simnet.metric_registry).
MAIN_OUTCOMES = {m: short(m) for m in ("opps_total", "reputation", "degree", "bad_suffered",
                                       "capital_lost", "acceptance")}
NEWS_OUTCOMES = {"steps_since": "hops travelled", "aware_share": short("aware_share"),
                 "contacts_aware_share": short("contacts_aware_share")}
MODEL_OUTCOMES = {m: short(m) for m in ("reputation_tau", "bad_found_share")}


@dataclass(frozen=True)
class RunSpec:
    """One run of an experiment: which arm, sweep point and replication, and its seed."""

    run_id: str
    arm: str
    point: int
    replication: int
    seed: int
    params: dict = field(default_factory=dict)
    # the seed of the starting network and population when it differs from ``seed``
    # (a Morris trajectory keeps its starting world; see simnet.sensitivity)
    setup_seed: int | None = None

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
                "params": dict(self.params),
                **({"setup_seed": self.setup_seed} if self.setup_seed is not None else {})}


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
    """The tables of one finished run and what it cost.

    ``frames`` holds the tables as the model made them (DataFrames, without the run's
    identity columns) until :meth:`encode` turns them into the Parquet files the store
    writes (``encoded``). Where that happens is the caller's choice: a worker process
    encodes before handing the run back (only bytes travel, and the encoding runs in
    parallel); a run done in the sweep's own process is encoded by the store's writer
    thread (:meth:`parquet`), so that it overlaps the next run."""

    spec: RunSpec
    frames: dict[str, pd.DataFrame]
    seconds: float
    n_agents: int
    extra: dict = field(default_factory=dict)
    encoded: dict[str, EncodedTable] | None = None

    @property
    def tables(self) -> dict[str, pa.Table]:
        """The run's tables as Arrow tables with the run's identity columns in front (see
        :func:`with_run_columns`), as they are written and read back."""
        if self.encoded is not None:
            columns = {"run_id": self.spec.run_id}
            return {name: with_columns_in_front(part.table(), columns)
                    for name, part in self.encoded.items()}
        columns = self.spec.columns()
        return {name: with_run_columns(frame, columns) for name, frame in self.frames.items()}

    def parquet(self) -> dict[str, EncodedTable]:
        """The tables encoded as the store writes them (encoded once, then kept): as
        :attr:`tables` makes them, without ``run_id`` (the store's folder name carries
        it), each identity column made once for all the tables."""
        if self.encoded is None:
            tables = {name: arrow_table(frame) for name, frame in self.frames.items()}
            rows = max((table.num_rows for table in tables.values()), default=0)
            front = {name: constant_column(value, rows)
                     for name, value in self.spec.columns().items() if name != "run_id"}
            self.encoded = {name: EncodedTable.of(with_columns_in_front(table, front))
                            for name, table in tables.items()}
            self.frames = {}  # no longer needed; a pickled output then carries bytes only
        return self.encoded

    def encode(self) -> RunOutput:
        """This output with its tables encoded (:meth:`parquet`); returns itself."""
        self.parquet()
        return self

    def info(self) -> dict:
        return {**self.spec.to_dict(), "n_agents": self.n_agents,
                "seconds": round(self.seconds, 4), **self.extra}


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float, str)) or value is None


def with_run_columns(table: pd.DataFrame, columns: dict[str, Any]) -> pa.Table:
    """One table of a run as an Arrow table with the run's identity ``columns`` (name ->
    value, :meth:`RunSpec.columns`) in front as constant columns, replacing any of the
    table's own columns of those names; categorical columns become plain strings."""
    return with_columns_in_front(arrow_table(table), columns)


def run_model(model_cfg: ModelConfig, seed: int, steps: int, output: OutputSpec | None = None,
              progress=None, setup_seed: int | None = None
              ) -> tuple[dict[str, pd.DataFrame], int]:
    """Build the model with ``seed`` and run ``steps`` steps; return (tables, n_agents).

    ``setup_seed``: draw the starting network and population from this seed instead
    (the dynamics still use ``seed``).

    Tables: ``groups`` (tidy per step and group), ``model`` (network-level per step),
    ``agents`` (per agent at the end), ``opportunities`` (provenance), ``ties`` (the tie
    table at the end), ``news`` (the traced bad interaction) and ``tie_exposure``
    (opportunities per tie-step by tie strength and mutual connections), as ``output``
    keeps them.
    ``progress`` is an optional callable taking the number of steps just done (1).
    """
    from simnet.model import ReputationModel

    output = output or OutputSpec()
    # collect only the steps the output keeps (collecting changes no result)
    model = ReputationModel(model_cfg, rng=seed, create_agents=False,
                            collect_every=output.every, setup_seed=setup_seed,
                            tie_exposure="tie_exposure" in output.tables)
    for _ in range(steps):
        model.step()
        if progress is not None:
            progress(1)
    model.collect()  # the last step is always kept
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
    if "tie_exposure" in keep and hasattr(model, "tie_exposure_table"):
        tables["tie_exposure"] = model.tie_exposure_table()
    return tables, int(model.n_agents)


@contextmanager
def numba_threads(threads: int | None):
    """Run the block with Numba on ``threads`` threads (at most the machine's; None: as
    it is), restored afterwards. A run's kernels call their serial builds on one thread."""
    import numba

    before = numba.get_num_threads()
    if threads is not None:
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(before)


def execute_run(task: RunTask) -> RunOutput:
    """Do one run: the function every executor calls. Writes nothing. The output's
    ``tables`` are Arrow tables (``.to_pandas()`` for a DataFrame) that start with the
    run's identity columns (:meth:`RunSpec.columns`); they are made from the model's
    DataFrames when asked for, or encoded for the store by :meth:`RunOutput.encode`."""
    with numba_threads(task.numba_threads):
        start = time.perf_counter()
        tables, n_agents = run_model(task.model, task.spec.seed, task.steps, task.output,
                                     setup_seed=task.spec.setup_seed)
        seconds = time.perf_counter() - start
    return RunOutput(task.spec, tables, seconds, n_agents)


# --------------------------------------------------------------------------- summaries

def final_groups(groups: pd.DataFrame, group_by: str = "strategy",
                 with_all: bool = True) -> pd.DataFrame:
    """Rows at each run's last step for ``group_by``, plus (``with_all``) a group "all":
    the population-wide mean per agent (groups weighted by their agent counts), and the
    derived ``acceptance`` (share of requests accepted)."""
    if groups.empty:
        return groups
    rows = stats.last_step(groups)
    if with_all:
        rows = stats.with_population(rows, group_by)
    else:
        rows = rows[rows["group_by"] == group_by].reset_index(drop=True)
    return _acceptance(rows)


def _acceptance(rows: pd.DataFrame) -> pd.DataFrame:
    """Add ``acceptance``: the share of connection requests sent so far that were accepted
    (see simnet.stats.with_acceptance; the per-interval rate needs more than one step)."""
    return stats.with_acceptance(rows).drop(columns="acceptance_rate", errors="ignore")


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
    sweep point and group (the strategies and "all") at the last step: mean difference
    and 95% CI half-width of each main outcome (columns ``metric``, ``metric_ci``)."""
    final = final_groups(groups, group_by)
    if final.empty or final["arm"].nunique() < 2:
        return pd.DataFrame()
    metrics = [m for m in MAIN_OUTCOMES if m in final]
    rows = []
    for arm in arm_order or list(final["arm"].unique()):
        if arm == baseline or arm not in set(final["arm"]):
            continue
        try:
            diff = stats.paired_differences(final, metrics, "arm", arm, baseline, params)
        except stats.StatsError:
            continue
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


WEAK_TIES_VALUES = ("won", "share", "per_100_ties")
WEAK_TIES_BY = {"path_strength": "tie strength", "mutual": "mutual connections"}


def weak_ties_summary(opportunities: pd.DataFrame, params: list[str],
                      arm_order: list[str] | None = None,
                      ties: pd.DataFrame | None = None) -> pd.DataFrame:
    """Won opportunities delivered through a tie (direct or introduction; cold ones have
    no path), per arm, sweep point and bin of the delivering tie's strength and of the
    mutual connections on the path (the bins of :data:`simnet.tie_bins.STRENGTH_BINS` and
    :data:`simnet.tie_bins.MUTUAL_BINS`, the figure's): opportunities won per run, their
    share, and, when the runs' tie tables exist, opportunities per 100 ties of that bin
    at the end of the run; mean and 95% CI half-width across runs."""
    if opportunities is None or opportunities.empty or "path_strength" not in opportunities:
        return pd.DataFrame()
    keys = ["arm", *params]
    rows = []
    for by, by_label in WEAK_TIES_BY.items():
        per_run = stats.weak_ties_table(opportunities, ties, by, keys)
        for key, part in per_run.groupby([*keys, "bin"], sort=False, dropna=False,
                                         observed=True):
            row = dict(zip([*keys, "bin"], key, strict=True))
            row = {**{k: row[k] for k in keys}, "by": by_label, "bin": str(row["bin"]),
                   "runs": int(part["run_id"].nunique())}
            for value in WEAK_TIES_VALUES:
                mean, half, _ = ci95(part[value])
                row[value], row[f"{value}_ci"] = mean, half
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


def comparisons(results) -> list[tuple[str, str, str]]:
    """The comparisons an experiment exists for, as ``(between, a, b)`` read ``a - b``:
    with several arms, each arm minus the baseline arm (paired by replication); with one
    arm of open and selective networkers, open minus selective within each run."""
    arms = list(results.manifest.get("arms") or [])
    if len(arms) > 1:
        base = results.manifest.get("baseline") or arms[0]
        return [("arm", arm, base) for arm in arms if arm != base]
    groups = results.groups
    names = set(groups["group"]) if not groups.empty else set()
    return [("group", "open", "selective")] if {"open", "selective"} <= names else []


def answer_metrics(results, limit: int = 5) -> tuple[list[str], list[str]]:
    """``(per-agent metrics, network-level metrics)`` the experiment's figures name (in
    order, at most ``limit``), else opportunities won and bad interactions suffered."""
    figures = ((results.manifest.get("experiment") or {}).get("plots") or {}).get(
        "figure") or []
    named: list[str] = []
    for spec in figures:
        metric = spec.get("metric") if isinstance(spec, dict) else None
        named += [metric] if isinstance(metric, str) else list(metric or [])
    if any(isinstance(spec, dict) and spec.get("kind") == "timeseries"
           and spec.get("metric") == "requests_accepted" for spec in figures):
        named.append("acceptance")
    group_cols = set(results.groups.columns) | {"acceptance"}
    model_cols = set(results.model.columns) if not results.model.empty else set()
    per_agent = [m for m in dict.fromkeys(named) if m in group_cols
                 and REGISTRY.get(m) is not None and REGISTRY[m].kind != "key"]
    network = [m for m in dict.fromkeys(named) if m in model_cols and m not in group_cols]
    if not per_agent:
        per_agent = [m for m in ("opps_total", "bad_suffered") if m in group_cols]
    return per_agent[:limit], network[:limit]


def answer_table(results) -> pd.DataFrame:
    """The experiment's answer: for each comparison of :func:`comparisons` and each metric
    of :func:`answer_metrics`, per sweep point, the mean paired difference at the last
    step with its 95% CI (columns ``comparison, between, *params, group, metric, mean,
    lo, hi, pairs``). Arm comparisons are for the whole population (group "all");
    network-level metrics and, when traced, the share aware of one bad interaction are
    added for arm comparisons."""
    params = list(results.params)
    per_agent, network = answer_metrics(results)
    rows = []
    final = final_groups(results.groups) if not results.groups.empty else pd.DataFrame()
    model = stats.last_step(results.model) if not results.model.empty else pd.DataFrame()
    news = pd.DataFrame()
    figures = ((results.manifest.get("experiment") or {}).get("plots") or {}).get(
        "figure") or []
    traced = any(isinstance(f, dict) and f.get("kind") == "news_reach" for f in figures)
    if traced and results.news is not None and not results.news.empty \
            and "aware_share" in results.news:
        news = results.news.rename(columns={"steps_since": "_since"})
        news = news[news["_since"] == news.groupby("run_id")["_since"].transform("max")]
    for between, a, b in comparisons(results):
        sources = [(final if between == "group" else final[final["group"] == "all"],
                    per_agent)]
        if between == "arm":
            sources += [(model, network), (news, ["aware_share"] if not news.empty else [])]
        for table, metrics in sources:
            metrics = [m for m in metrics if m in table.columns]
            if table.empty or not metrics:
                continue
            table = table if "group" in table else table.assign(group="all")
            try:
                diff = stats.paired_differences(table, metrics, between, a, b, params)
            except stats.StatsError:
                continue
            keys = [*params, "group"] if between == "arm" else [*params, "arm"]
            for key, part in diff.groupby(keys, sort=True, dropna=False):
                key = key if isinstance(key, tuple) else (key,)
                where = dict(zip(keys, key, strict=True))
                for metric in metrics:
                    mean, lo, hi, n = stats.mean_ci(part[metric])
                    rows.append({"comparison": f"{a} - {b}", "between": between,
                                 **{p: where[p] for p in params},
                                 "group": where.get("group", "all"), "metric": metric,
                                 "mean": mean, "lo": lo, "hi": hi, "pairs": n})
    return pd.DataFrame(rows)


def summary_tables(results) -> dict[str, pd.DataFrame]:
    """The end-of-run summary tables of a :class:`simnet.results.ResultSet`:
    ``answer`` (the paired differences the experiment exists for, see
    :func:`answer_table`), ``outcomes`` (per arm, point and strategy, mean ± 95% CI across
    replications), ``model`` (network-level outcomes), ``differences`` (every arm minus
    the baseline, per strategy and for "all"), ``news`` (how far the traced bad
    interaction travelled), ``weak_ties`` (opportunities by the strength of the delivering
    tie and by mutual connections, per tie of each bin), ``tie_exposure`` (opportunities
    per 1,000 seeker tie-steps and the share of new leads, by bin) and ``tie_curve``
    (whether that rate peaks at an interior bin, :func:`simnet.stats.curve_shape`) when
    the runs measured exposure, and, for a Sobol design, ``sobol``."""
    params = list(results.params)
    arms = list(results.manifest.get("arms") or [])
    baseline = results.manifest.get("baseline") or (arms[0] if arms else None)
    tables = {"answer": answer_table(results),
              "outcomes": outcome_table(results.groups, params, arms)
              if not results.groups.empty else pd.DataFrame(),
              "model": model_outcome_table(results.model, params, arms)
              if not results.model.empty else pd.DataFrame()}
    if len(arms) > 1 and not results.groups.empty:
        tables["differences"] = paired_differences(results.groups, params, baseline, arms)
    tables["news"] = news_summary(results.news, params, arms)
    tables["weak_ties"] = weak_ties_summary(results.opportunities, params, arms,
                                            _ties(results))
    exposure = getattr(results, "tie_exposure", None)
    if exposure is not None and not exposure.empty and exposure["exposure"].sum() > 0:
        tables["tie_exposure"] = _order(stats.tie_exposure_summary(exposure,
                                                                   ["arm", *params]), arms)
        tables["tie_curve"] = _order(stats.curve_shape(exposure, ["arm", *params]), arms)
    if results.manifest.get("design") == "sobol":
        tables["sobol"] = sobol_indices(results)
    if results.manifest.get("design") == "morris":
        from simnet.sensitivity import morris_indices

        tables["morris"] = morris_indices(results)
    return tables


def _ties(results) -> pd.DataFrame | None:
    """The runs' end-of-run tie tables (read now if the results were loaded without)."""
    ties = getattr(results, "ties", None)
    if ties is not None and len(ties):
        return ties
    if getattr(results, "opportunities", None) is None or results.opportunities.empty:
        return None
    try:
        from simnet.results import load_results

        return load_results(results.path, tables=("ties",)).ties
    except Exception:  # the summary works without tie counts; it says so
        return None


def _interval(mean: float, lo: float, hi: float) -> str:
    if not np.isfinite(mean):
        return "-"
    digits = 2 if abs(mean) >= 10 else 3
    text = f"{mean:+.{digits}f}"
    return text + (f" [{lo:+.{digits}f}, {hi:+.{digits}f}]" if np.isfinite(lo) else "")


def summary_text(results, tables: dict[str, pd.DataFrame] | None = None,
                 max_rows: int = 20) -> str:
    """The end-of-run summary, short: the experiment's question, its answer as paired
    differences with 95% CIs for the comparisons it exists for (a star marks an
    interval that excludes zero), the weak-ties and news answers when recorded, and
    where the full tables are."""
    tables = tables if tables is not None else summary_tables(results)
    manifest = results.manifest
    reps = manifest.get("replications", 1)
    lines: list[str] = []
    question = (manifest.get("experiment") or {}).get("experiment", {}).get(
        "description") or manifest.get("description")
    if question:
        lines.append(f"Question: {question}")
    answer = tables.get("answer", pd.DataFrame())
    steps = sorted(set(stats.last_step(results.groups)["step"])) \
        if not results.groups.empty else []
    at = f"step {steps[0]}" if len(steps) == 1 else "each run's last step"
    if answer is not None and not answer.empty:
        ci = (f"mean [95% CI] over {reps} replications; * the interval excludes 0"
              if reps > 1 else "one replication: no CI")
        params = [p for p in results.params if p in answer.columns]
        fixed = [p for p in params if answer[p].nunique(dropna=False) == 1]
        params = [p for p in params if p not in fixed]
        where = "".join(f", {p} = {answer[p].iloc[0]}" for p in fixed)
        lines.append(f"Answer: paired differences at {at}{where} ({ci}). Arms are paired "
                     f"by replication (same seeds), strategies within each run; 'all' is "
                     f"the whole population.")
        for (comparison, group), part in answer.groupby(["comparison", "group"], sort=False):
            whom = ("within each run" if part["between"].iloc[0] == "group" else
                    "whole population" if group == "all" else group)
            lines.append(f"  {comparison} ({whom}):")
            cells = part.assign(cell=[
                _interval(m, lo, hi) + ("*" if np.isfinite(lo) and (lo > 0 or hi < 0)
                                        else "")
                for m, lo, hi in zip(part["mean"], part["lo"], part["hi"], strict=True)])
            cells["metric"] = cells["metric"].map(
                lambda m: REGISTRY[m].short_label() if m in REGISTRY else m)
            # one row per metric (and further swept parameter), the first swept
            # parameter across, so a 3 x 3 sweep stays within the terminal's width
            if params:
                wide = cells.pivot_table(index=["metric", *params[1:]], columns=params[0],
                                         values="cell", aggfunc="first", sort=False)
                wide.columns = [f"{params[0]} = {c}" for c in wide.columns]
            else:
                wide = cells.set_index("metric")[["cell"]].rename(columns={
                    "cell": "difference"})
            wide.index.names = [None] * wide.index.nlevels
            text = wide.to_string()
            lines += ["    " + row for row in _limited(text, max_rows).splitlines()]
    elif not tables.get("outcomes", pd.DataFrame()).empty:
        lines.append("Answer: no comparison between arms or between open and selective "
                     "networkers in this experiment; see the outcome table.")
    kinds = {f.get("kind") for f in ((manifest.get("experiment") or {}).get("plots") or {})
             .get("figure", []) if isinstance(f, dict)}
    weak = tables.get("weak_ties", pd.DataFrame())
    curve = tables.get("tie_curve", pd.DataFrame())
    if curve is not None and not curve.empty and (not kinds or "weak_ties" in kinds):
        lines += _tie_exposure_lines(tables["tie_exposure"], curve,
                                     [k for k in ["arm", *results.params]
                                      if k in curve.columns], max_rows)
    elif weak is not None and not weak.empty and (not kinds or "weak_ties" in kinds):
        part = weak[weak["by"] == "tie strength"]
        value = "per_100_ties" if part["per_100_ties"].notna().any() else "share"
        what = ("opportunities won per 100 ties of each strength (ties counted at the end)"
                if value == "per_100_ties" else "share of tie-delivered opportunities")
        lines.append(f"Weak ties: {what}, by the strength of the delivering tie:")
        keys = [k for k in ["arm", *results.params] if k in part.columns]
        wide = part.assign(cell=[_pm(m, h, 3) for m, h in
                                 zip(part[value], part[f"{value}_ci"], strict=True)]
                           ).pivot_table(index=keys, columns="bin", values="cell",
                                         aggfunc="first", sort=False)
        lines += ["    " + row for row in _limited(wide.to_string(), max_rows).splitlines()]
    news = tables.get("news", pd.DataFrame())
    if news is not None and not news.empty and (not kinds or "news_reach" in kinds):
        lines.append("One traced bad interaction, when it stopped travelling: share of all "
                     "agents who had heard (mean ± 95% CI across runs):")
        keys = [k for k in ["arm", *results.params] if k in news.columns]
        for row in news.to_dict("records"):
            where = ", ".join(f"{k} = {row[k]}" for k in keys)
            lines.append(f"    {where}: {_pm(row['aware_share'], row['aware_share_ci'], 3)}")
    morris = tables.get("morris", pd.DataFrame())
    if morris is not None and not morris.empty:
        from simnet.sensitivity import summary_text as morris_text

        lines.append("Morris screen: mu* over each outcome's largest ('*': beyond the seed's "
                     "noise floor):")
        lines.append(morris_text(morris))
    sob = tables.get("sobol", pd.DataFrame())
    if sob is not None and not sob.empty:
        lines.append("Sobol sensitivity indices (first order S1, total ST; ± 95% CI):")
        lines.append(format_ci_table(sob, {"S1": "S1", "ST": "ST"}))
    written = [name for name, table in tables.items() if table is not None and not
               table.empty]
    if written:
        lines.append(f"Full tables (per arm, sweep point and strategy, mean ± 95% CI): "
                     f"{results.path}/summary_{{{','.join(written)}}}.csv")
    return "\n".join(lines)


def _tie_exposure_lines(summary: pd.DataFrame, curve: pd.DataFrame, keys: list[str],
                        max_rows: int) -> list[str]:
    """The summary's weak-ties answer: opportunities per 1,000 seeker tie-steps by bin,
    and whether each curve peaks at an interior bin (with the paired test)."""
    lines = []
    keys = [k for k in keys if summary[k].nunique(dropna=False) > 1] if len(summary) else []
    for measure, title in (("strength", "tie strength"), ("mutual", "mutual connections")):
        part = summary[summary["measure"] == measure]
        if part.empty:
            continue
        lines.append(f"Weak ties: opportunities per 1,000 seeker tie-steps by {title} "
                     f"(mean ± 95% CI across runs):")
        cells = part.assign(cell=[_pm(m, h, 2) for m, h in
                                  zip(part["rate"], part["rate_ci"], strict=True)])
        if keys:
            wide = cells.pivot_table(index=keys, columns="bin_index", values="cell",
                                     aggfunc="first", sort=False)
        else:
            wide = cells.set_index("bin_index")[["cell"]].T
        wide.columns = [part.drop_duplicates("bin_index").set_index("bin_index")["bin"][c]
                        for c in wide.columns]
        lines += ["    " + row for row in _limited(wide.to_string(), max_rows).splitlines()]
        for row in curve[curve["measure"] == measure].to_dict("records"):
            where = ", ".join(f"{k} = {row[k]}" for k in keys)
            where = f"{where}: " if where else ""
            if row["shape"] == "too few bins":
                lines.append(f"    {where}too few bins with exposure to tell a shape")
                continue
            first = _interval(row["peak_minus_first"], row["peak_minus_first_lo"],
                              row["peak_minus_first_hi"])
            last = _interval(row["peak_minus_last"], row["peak_minus_last_lo"],
                             row["peak_minus_last_hi"])
            if row["shape"] == "rising" or (row["shape"] == "flat"
                                            and row["peak_minus_last"] == 0):
                text = f"highest in the last bin used, {row['peak']}; last − first {first}"
            elif row["shape"] in ("falling", "flat"):
                text = f"highest in the first bin, {row['peak']}; first − last {last}"
            else:
                text = f"peak {row['peak']}; peak − first {first}, peak − last {last}"
            lines.append(f"    {where}{row['shape']} ({text}; bins used: {row['bins']})")
    return lines


def _limited(text: str, max_rows: int) -> str:
    rows = text.splitlines()
    if len(rows) <= max_rows + 1:
        return text
    more = f"... ({len(rows) - 1 - max_rows} more rows in the summary CSV files)"
    return "\n".join([*rows[:max_rows + 1], more])
