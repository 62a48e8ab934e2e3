"""The Morris (elementary effects) screen: which behavioural parameters matter, and which
have no effect distinguishable from noise.

An experiment with ``design = "morris"`` (``experiments/sensitivity.toml``) runs SALib's
Morris trajectories over the parameters in ``[sweep.bounds]``: each trajectory starts at a
random point of a grid of ``levels`` levels per parameter and moves one parameter at a
time by ``delta = levels / (2 (levels - 1))`` of its range. The elementary effect of a
parameter on an outcome is the outcome's change over that move divided by ``delta``: a
change per whole range, so effects of different parameters are comparable.

Outcomes (:data:`OUTCOMES`), at each run's last step and averaged over replications; the
four the question is about (:data:`KEY_OUTCOMES`):

- ``opportunities``: opportunities won per agent (the whole population);
- ``harm``: bad interactions suffered per agent (the whole population);
- ``accuracy``: reputation accuracy, Kendall's tau of perceived reputation against conduct;
- ``gap``: opportunities won per agent of the first strategy of ``population.strategy_mix``
  minus the second's (the open − selective gap in ``experiments/sensitivity.toml``);

and the mechanisms' direct products, where a parameter's effect shows before (or without)
reaching the key outcomes: ``discernment`` (good minus bad actors' mean perceived
reputation, what word of mouth is for), ``bad_hires`` (the bad-hire share: engagements
gone badly per opportunity filled, what reputation is for when holders choose),
``contacts`` (the share of opportunities won through a contact rather than cold, the
quantity Granovetter's *Getting a Job* measured), ``bad_intros`` (the share of
introductions whose engagement went badly: the introducers' judgement, seed 003),
``ties`` (per agent), ``introductions``, ``leads`` and ``capital_lost`` (per agent). A
parameter is inert when it moves none of them.

Per outcome and parameter, SALib's ``morris.analyze`` gives ``mu`` (mean effect), ``mu_star``
(mean absolute effect: the importance), ``sigma`` (spread: non-linearity or interactions)
and ``mu_star_conf`` (half-width of the bootstrap 95% confidence interval of ``mu_star``).

The noise floor. An agent-based model is chaotic: change any parameter, even one the model
ignores, and the random trajectories diverge, so outcomes differ although the seed is the
same. The seed is therefore a factor of the design too: three dummy factors
(:data:`simnet.experiment.SEED_FACTORS`) are moved once per trajectory like parameters, and
moving one changes only the seed of the dynamics. Every run of a trajectory starts from the
same network and population (its own set-up seed), and every other step keeps the dynamics'
seed too (common random numbers): so a parameter's move and a dummy's move are compared
from the same starting world, and the floor holds the divergence of the dynamics, not the
far larger difference between two starting worlds. Their ``mu_star`` is what a change
with no effect at all does to an outcome; the *noise floor* is the mean of the three,
with the 95% half-width ``floor_conf = sqrt(sum of their mu_star_conf ** 2) / 3``. A
parameter has a *measurable effect* on an outcome when its ``mu_star`` exceeds the floor
by more than the two 95% half-widths added in quadrature::

    mu_star - noise_floor > sqrt(mu_star_conf ** 2 + floor_conf ** 2)

(a one-sided test of the difference at about 2.5%, with SALib's bootstrap standard errors).
That test sees a parameter whose moves change an outcome by more than the chaos does, but
not a weak effect with a consistent sign: mu* adds the chaos's absolute differences. The
signed mean ``mu`` cancels them (a move with no effect changes an outcome up or down with
equal chance), so an effect is also measurable when ``mu`` differs from 0 by more than its
standard error allows: ``|mu| / (sigma / sqrt(r)) > t``, ``r`` the trajectories and ``t``
Student's quantile for a two-sided 5% test Bonferroni-corrected over the outcomes (so a
parameter with no effect at all is declared measurable on some outcome with probability
about 5%). The paired moves share their random numbers, which is what makes a weak effect
visible at all. A parameter is *inert* when it has no measurable effect on any outcome.
With few trajectories (the CI size) the bootstrap intervals are short of the truth and weak
effects go unseen: a parameter inert at the CI size may matter a little; one that is
measurable matters.

The second stage (:func:`paired_followup`, :func:`paired_effects`): a parameter the screen
leaves inert is run alone at its two bounds, everything else at the base configuration,
over paired replications that share their seeds, and its effect on each outcome is the
mean paired difference, measurable when ``|t|`` is beyond the same Bonferroni-corrected
Student quantile as the signed test. One parameter at a time and no other parameter
moving, the chaos largely cancels in each pair, so effects far below the screen's
threshold show.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from simnet.experiment import SEED_FACTOR, SEED_FACTORS, Sweep, morris_problem, morris_sample

OUTCOMES = {
    "opportunities": "opportunities won per agent",
    "harm": "bad interactions suffered per agent",
    "accuracy": "reputation accuracy (Kendall tau)",
    "gap": "open − selective gap in opportunities",
    "discernment": "good minus bad actors' mean perceived reputation",
    "bad_hires": "bad-hire share: engagements gone badly per opportunity filled",
    "contacts": "share of opportunities won through a contact (not cold)",
    "ties": "ties per agent",
    "introductions": "opportunities won through an introduction per agent",
    "bad_intros": "share of introductions whose engagement went badly",
    "leads": "opportunities won through a job lead per agent",
    "capital_lost": "relationship capital lost through bad introductions per agent",
}
# The outcomes the question is about (ranked in the figure first); the others are the
# mechanisms' direct products, where an effect shows before it reaches the key outcomes.
KEY_OUTCOMES = ("opportunities", "harm", "accuracy", "gap")
# SALib's bootstrap of mu_star's confidence interval: resamples, and its own seed.
RESAMPLES = 1000
# Family-wise level of the signed-mean test, over the outcomes of one parameter.
SIGNED_ALPHA = 0.05


def _signed_threshold(n_outcomes: int, n: int) -> float:
    """Student's two-sided quantile at :data:`SIGNED_ALPHA`, Bonferroni-corrected over
    ``n_outcomes``, for a mean of ``n`` values (inf when ``n`` < 2): the signed test's
    threshold, of the screen and of its paired follow-up alike."""
    from scipy.stats import t as student_t

    if n < 2:
        return math.inf
    return float(student_t.ppf(1 - SIGNED_ALPHA / (2 * max(n_outcomes, 1)), n - 1))


def _t_statistic(mean: float, se: float) -> float:
    """``mean / se``; with no spread, 0 for a zero mean and an infinity of its sign else."""
    if se > 0:
        return mean / se
    return 0.0 if mean == 0 else math.copysign(math.inf, mean)


def morris_sweep(manifest: dict) -> Sweep:
    """The Morris design a results folder was made with (from its manifest)."""
    sweep = manifest.get("sweep") or {}
    if manifest.get("design") != "morris":
        raise ValueError("these results are not from a design = 'morris' sweep")
    bounds = tuple((name, float(lo), float(hi)) for name, (lo, hi) in sweep["bounds"].items())
    return Sweep("morris", (), bounds, trajectories=int(sweep["trajectories"]),
                 levels=int(sweep["levels"]))


def gap_groups(manifest: dict) -> tuple[str, str]:
    """The two strategies whose gap in opportunities is an outcome: the first two of the
    experiment's ``population.strategy_mix`` (("open", "selective") by default)."""
    mix = ((manifest.get("experiment") or {}).get("population") or {}).get("strategy_mix")
    names = list(mix or ("open", "selective"))
    if len(names) < 2:
        return (names[0], names[0]) if names else ("open", "selective")
    return names[0], names[1]


def _bad_conduct_types(manifest: dict) -> set[str]:
    """Names of the experiment's bad-actor conduct types (the model's defaults if unset)."""
    from simnet.config import DEFAULT_CONDUCT

    types = ((manifest.get("experiment") or {}).get("population") or {}).get(
        "conduct_types")
    if not types:
        return {t.name for t in DEFAULT_CONDUCT if t.bad}
    return {t["name"] for t in types if t.get("bad")}


def run_outcomes(results, gap: tuple[str, str] | None = None,
                 arm: str | None = None) -> pd.DataFrame:
    """The outcomes of every finished run of one arm (default: the baseline): one row per
    run (index: ``run_id``), one column per :data:`OUTCOMES` key the results hold, each
    at the run's last step."""
    from simnet.runner import final_groups

    manifest = results.manifest
    gap = gap or gap_groups(manifest)
    arm = arm or manifest.get("baseline") or results.runs["arm"].iloc[0]
    final = final_groups(results.groups, "strategy")
    final = final[final["arm"] == arm]
    columns: dict[str, pd.Series] = {}
    everyone = final[final["group"] == "all"].set_index("run_id")
    columns["opportunities"] = everyone["opps_total"]
    columns["harm"] = everyone["bad_suffered"]
    filled = everyone["opps_total"].where(everyone["opps_total"] > 0)
    if "bad_hires" in everyone:
        columns["bad_hires"] = everyone["bad_hires"] / filled
    if "opps_cold" in everyone:
        columns["contacts"] = 1.0 - everyone["opps_cold"] / filled
    if "intros_bad" in everyone and "intros_made" in everyone:
        made = everyone["intros_made"]
        # no introduction at all: none went badly (keeps the point in the design)
        columns["bad_intros"] = (everyone["intros_bad"] / made.where(made > 0)).fillna(0.0)
    for outcome, metric in (("ties", "degree"), ("introductions", "opps_introduction"),
                            ("leads", "opps_lead"), ("capital_lost", "capital_lost")):
        if metric in everyone:
            columns[outcome] = everyone[metric]
    types = final_groups(results.groups, "conduct_type", with_all=False)
    types = types[types["arm"] == arm]
    bad_types = _bad_conduct_types(manifest)
    if not types.empty and "reputation" in types:
        bad = types["group"].isin(bad_types)
        weighted = types.assign(w=types["n_agents"] * types["reputation"])
        good_mean = (weighted[~bad].groupby("run_id")["w"].sum()
                     / weighted[~bad].groupby("run_id")["n_agents"].sum())
        bad_mean = (weighted[bad].groupby("run_id")["w"].sum()
                    / weighted[bad].groupby("run_id")["n_agents"].sum())
        columns["discernment"] = good_mean - bad_mean
    if not results.model.empty:
        model = results.model
        last = model.groupby("run_id", sort=False)["step"].transform("max")
        model = model[(model["step"] == last) & (model["arm"] == arm)].set_index("run_id")
        columns["accuracy"] = model["reputation_tau"]
    by_group = final.pivot_table(index="run_id", columns="group", values="opps_total")
    if gap[0] in by_group and gap[1] in by_group:
        columns["gap"] = by_group[gap[0]] - by_group[gap[1]]
    return pd.DataFrame(columns)[[o for o in OUTCOMES if o in columns]]


def point_outcomes(results, gap: tuple[str, str] | None = None,
                   arm: str | None = None) -> pd.DataFrame:
    """The outcomes of every point of a Morris screen: one row per point (index: the point
    number, in design order), one column per :data:`OUTCOMES` key, each the mean over the
    point's finished replications of one arm (default: the baseline)."""
    point_of = results.runs.set_index("run_id")["point"]
    per_run = run_outcomes(results, gap, arm)
    return per_run.groupby(per_run.index.map(point_of)).mean().sort_index()


def morris_indices(results, gap: tuple[str, str] | None = None,
                   arm: str | None = None) -> pd.DataFrame:
    """Morris indices of a finished ``design = "morris"`` screen, with the noise floor.

    One row per outcome and factor (the swept parameters, and ``seed``: the pooled seed
    dummies, whose ``mu_star`` is the noise floor): ``mu``,
    ``mu_star``, ``sigma``, ``mu_star_conf`` (outcome units per whole range of the
    parameter), ``noise_floor`` (the seed dummy's ``mu_star``), ``excess`` (``mu_star -
    noise_floor``), ``threshold`` (the two 95% half-widths in quadrature), ``beyond_floor``
    (``excess > threshold``), ``t`` (the signed mean over its standard error, ``mu /
    (sigma / sqrt(r))``), ``signed`` (``|t|`` beyond Student's two-sided quantile at
    :data:`SIGNED_ALPHA` over the outcomes), ``measurable`` (``beyond_floor`` or ``signed``;
    never for the seed dummy) and ``normalised`` (``mu_star`` over the largest parameter's
    ``mu_star`` for the outcome). Empty when the design is not Morris or runs are
    missing; an outcome with a missing value at some point is left out.
    """
    from SALib.analyze import morris

    manifest = results.manifest
    if manifest.get("design") != "morris" or results.missing or results.runs.empty:
        return pd.DataFrame()
    sweep = morris_sweep(manifest)
    seed = int(manifest.get("root_seed", 0))
    x = morris_sample(sweep, seed)
    problem = morris_problem(sweep)
    outcomes = point_outcomes(results, gap, arm)
    if len(outcomes) != len(x):
        return pd.DataFrame()
    r = sweep.trajectories
    n_outcomes = sum(o in outcomes for o in OUTCOMES)
    t_crit = _signed_threshold(n_outcomes, r)
    rows = []
    for outcome in OUTCOMES:
        if outcome not in outcomes:
            continue
        y = outcomes[outcome].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = morris.analyze(problem, x, y, num_resamples=RESAMPLES,
                                num_levels=sweep.levels, seed=seed % 2**32)
        names = list(problem["names"])
        dummies = [names.index(d) for d in SEED_FACTORS]
        floor = float(np.mean(si["mu_star"][dummies]))
        floor_conf = float(np.sqrt(np.sum(si["mu_star_conf"][dummies] ** 2)) / len(dummies))
        params = [i for i in range(len(names)) if i not in dummies]
        top = float(np.max(si["mu_star"][params]))
        for i, name in enumerate(names):
            if i in dummies[1:]:
                continue  # pooled into the first dummy's row, the noise floor
            dummy = i == dummies[0]
            mu_star = floor if dummy else float(si["mu_star"][i])
            conf = floor_conf if dummy else float(si["mu_star_conf"][i])
            threshold = math.hypot(conf, floor_conf)
            mu, sigma = float(si["mu"][i]), float(si["sigma"][i])
            t_stat = _t_statistic(mu, sigma / math.sqrt(r))
            beyond = bool(not dummy and mu_star - floor > threshold)
            signed = bool(not dummy and abs(t_stat) > t_crit)
            rows.append({"outcome": outcome, "parameter": name, "mu": mu,
                         "mu_star": mu_star, "sigma": sigma,
                         "mu_star_conf": conf, "noise_floor": floor,
                         "excess": mu_star - floor, "threshold": threshold,
                         "beyond_floor": beyond, "t": t_stat, "signed": signed,
                         "measurable": beyond or signed,
                         "normalised": mu_star / top if top > 0 else 0.0})
    return pd.DataFrame(rows)


def ranking(indices: pd.DataFrame) -> pd.DataFrame:
    """Parameters ranked by effect: one row per parameter (the seed dummy last), columns
    the normalised ``mu_star`` per outcome, ``mean`` (their mean: the rank's key),
    ``outcomes`` (on how many outcomes the effect is measurable) and ``inert``."""
    if indices.empty:
        return pd.DataFrame()
    table = indices.pivot_table(index="parameter", columns="outcome", values="normalised")
    table = table[[o for o in OUTCOMES if o in table]]
    table["mean"] = table.mean(axis=1)
    table["outcomes"] = indices.groupby("parameter")["measurable"].sum().astype(int)
    table["inert"] = table["outcomes"] == 0
    seed_row = table.index == SEED_FACTOR
    table = pd.concat([table[~seed_row].sort_values("mean", ascending=False),
                       table[seed_row]])
    table.loc[table.index == SEED_FACTOR, "inert"] = False  # the floor itself
    return table


def inert_parameters(indices: pd.DataFrame) -> list[str]:
    """The swept parameters with no measurable effect on any outcome (sorted)."""
    if indices.empty:
        return []
    params = indices[indices["parameter"] != SEED_FACTOR]
    hits = params.groupby("parameter")["measurable"].any()
    return sorted(hits.index[~hits])


def summary_text(indices: pd.DataFrame) -> str:
    """The ranking as text: normalised mu* per outcome ('*': measurable), and the inert."""
    table = ranking(indices)
    if table.empty:
        return "(no Morris indices)"
    measurable = indices.pivot_table(index="parameter", columns="outcome",
                                     values="measurable", aggfunc="any")
    outcomes = [o for o in OUTCOMES if o in table]
    lines = [f"{'parameter':34s}" + "".join(f"{o:>15s}" for o in outcomes)]
    for name, row in table.iterrows():
        cells = "".join(f"{row[o]:>14.2f}{'*' if measurable.loc[name, o] else ' '}"
                        for o in outcomes)
        lines.append(f"{name:34s}{cells}")
    inert = inert_parameters(indices)
    lines.append(f"inert (no outcome beyond the seed's noise floor): "
                 f"{', '.join(inert) if inert else 'none'}")
    return "\n".join(lines)


# ----------------------------------------------------------------- the paired follow-up
# A Morris screen moves every parameter at once and pays for it in power: with few
# trajectories a weak effect stays under the chaos of the dynamics. The usual second stage
# of a screen confirms the parameters it could not resolve one at a time: each at the two
# ends of its bounds, everything else at the defaults, over paired replications that share
# their seeds (the same starting world and the same random numbers), so the chaos largely
# cancels in the difference.
LOW, HIGH = "-low", "-high"


def paired_followup(screen, parameters, replications: int, name: str | None = None):
    """The follow-up experiment of a Morris ``screen`` (an ExperimentConfig with
    ``design = "morris"``) for ``parameters`` (names of its ``[sweep.bounds]``): two arms per
    parameter, ``NAME-low`` and ``NAME-high``, the parameter at its lower and upper bound
    and everything else at the screen's base configuration, each run ``replications``
    times with the same seeds in every arm (common random numbers). The screen's size
    (agents, steps), population and output tables are kept; run it like any experiment."""
    from simnet.experiment import experiment_from_dict
    from simnet.experiment.checks import _cast

    bounds = {p: (lo, hi) for p, lo, hi in screen.sweep.bounds}
    unknown = [p for p in parameters if p not in bounds]
    if unknown:
        raise ValueError(f"not among the screen's bounds: {', '.join(unknown)}")
    if not parameters:
        raise ValueError("no parameters to follow up")
    raw = screen.to_dict()
    for key in ("sweep", "quick", "plots", "arms"):
        raw.pop(key, None)
    raw["experiment"].update(name=name or f"{screen.name}_followup",
                             replications=int(replications))
    raw["experiment"].pop("baseline", None)
    raw["arms"] = {}
    for p in parameters:
        lo, hi = bounds[p]
        raw["arms"][p + LOW] = {p: _cast(p, lo)}
        raw["arms"][p + HIGH] = {p: _cast(p, hi)}
    return experiment_from_dict(raw, default_name=raw["experiment"]["name"],
                                base_dir=screen.base_dir)


def paired_effects(results, gap: tuple[str, str] | None = None) -> pd.DataFrame:
    """The effects a finished :func:`paired_followup` measured: one row per parameter and
    outcome (:data:`OUTCOMES`), with ``low`` (the outcome's mean at the lower bound),
    ``diff`` (mean of high minus low over the paired replications: outcome units per whole
    range), ``se`` (its standard error), ``t`` (``diff / se``), ``n`` (pairs) and
    ``measurable`` (``|t|`` beyond Student's two-sided quantile at :data:`SIGNED_ALPHA`,
    Bonferroni-corrected over the outcomes, as for the screen's signed test)."""
    runs = results.runs.set_index("run_id")
    arms = list(dict.fromkeys(runs["arm"]))
    rows = []
    for low_arm in [a for a in arms if a.endswith(LOW)]:
        parameter = low_arm[: -len(LOW)]
        high_arm = parameter + HIGH
        if high_arm not in arms:
            continue
        low = run_outcomes(results, gap, low_arm)
        high = run_outcomes(results, gap, high_arm)
        low.index = runs.loc[low.index, "replication"].to_numpy()
        high.index = runs.loc[high.index, "replication"].to_numpy()
        both = low.index.intersection(high.index)
        diff = (high.loc[both] - low.loc[both]).dropna(axis=1, how="any")
        n = len(both)
        t_crit = _signed_threshold(diff.shape[1], n)
        for outcome in diff.columns:
            d = diff[outcome].to_numpy(dtype=float)
            mean = float(d.mean()) if n else math.nan
            se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            t_stat = _t_statistic(mean, se)
            rows.append({"parameter": parameter, "outcome": outcome,
                         "low": float(low.loc[both, outcome].mean()), "diff": mean,
                         "se": se, "t": t_stat, "n": n,
                         "measurable": bool(abs(t_stat) > t_crit)})
    return pd.DataFrame(rows)
