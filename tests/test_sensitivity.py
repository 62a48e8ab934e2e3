"""The sensitivity screen (issue 9): the Morris design, its noise floor, and that every
parameter documented as behavioural is screened and has a measurable effect."""

from __future__ import annotations

import copy
import warnings
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simnet.config import SECTIONS, ConfigError, StrategyParams
from simnet.experiment import (
    SEED_FACTOR,
    SEED_FACTORS,
    experiment_from_dict,
    load_experiment,
    morris_seed_keys,
)
from simnet.results import load_results
from simnet.sensitivity import (
    OUTCOMES,
    inert_parameters,
    morris_indices,
    paired_effects,
    paired_followup,
    ranking,
    summary_text,
)
from simnet.sweep import design_points, make_tasks, plan_runs, run_experiment

SCREEN = Path(__file__).resolve().parent.parent / "experiments" / "sensitivity.toml"

# Issue 9 ("every mechanism has an effect") at CI cost, in two stages: the screen at its CI
# size (150 agents, 30 steps, 30 trajectories) resolves only strong effects; every
# parameter it leaves inert is then followed up one at a time (simnet.sensitivity
# .paired_followup): at its two bounds, at the screen's laptop population (400 agents, 40
# steps), over FOLLOWUP_REPLICATIONS paired replications, and must move some outcome
# beyond its standard error (Bonferroni over the outcomes).
FOLLOWUP_REPLICATIONS = 24
# Known failures: behavioural parameters documented as such that move no outcome in either
# stage. None since 2026-11-29: the selective networkers' acceptance threshold for knowing
# a stranger (inert: a selective networker has seen almost no one it is not tied to) was
# merged with the introducers' one into ``known_threshold``, and the open networkers'
# introduction bar is screened up to 0.9 like the selective one (below 0.7 it binds only on
# seekers an introducer already doubts too much to stake its tie on). Kept so a parameter
# that can be shown to act only where it applies can be listed here with its reason.
KNOWN_INERT_ISSUE_9: tuple[str, ...] = ()

TINY = {
    "experiment": {"name": "tiny_morris", "seed": 3, "steps": 3},
    "population": {"n_agents": 40, "strategy_mix": {"careful": 1.0}},
    "network": {"mean_degree": 4},
    "strategies": {"careful": {"base": "selective"}},
    "sweep": {"design": "morris", "trajectories": 3, "levels": 4,
              "bounds": {"decay_bad": [0.3, 0.8], "max_hops": [1, 4],
                         "echo_rule": [False, True],
                         "careful.min_reputation": [0.3, 0.7]}},
    "output": {"tables": ["groups", "model"], "every": 100},
}


def tiny(**sweep) -> dict:
    data = copy.deepcopy(TINY)
    data["sweep"].update(sweep)
    return data


# --------------------------------------------------------------------------- the design

def test_morris_design_has_trajectories_of_one_move_each():
    exp = experiment_from_dict(TINY)
    points = design_points(exp)
    d = len(exp.sweep.bounds)
    per = d + 1 + len(SEED_FACTORS)
    assert len(points) == exp.sweep.n_points() == 3 * per
    assert isinstance(points[0]["max_hops"], int)
    assert isinstance(points[0]["echo_rule"], bool)
    assert all(0.3 <= p["careful.min_reputation"] <= 0.7 for p in points)
    keys = morris_seed_keys(exp.sweep, exp.seed)
    for t in range(3):
        rows = points[t * per:(t + 1) * per]
        seeds = keys[t * per:(t + 1) * per]
        for a, b, ka, kb in zip(rows, rows[1:], seeds, seeds[1:], strict=False):
            moved = [name for name in a if a[name] != b[name]]
            # each step moves one parameter (the seed stays) or one seed dummy (only it)
            assert (len(moved) <= 1 and ka == kb) or (not moved and ka != kb)


def test_morris_runs_share_their_seed_within_a_trajectory():
    exp = experiment_from_dict(TINY)
    plan = plan_runs(exp)
    per = len(exp.sweep.bounds) + 1 + len(SEED_FACTORS)
    first = [r.seed for r in plan[:per]]
    # the seed changes once per dummy: at most 1 + 3 distinct seeds in a trajectory
    assert 2 <= len(set(first)) <= 1 + len(SEED_FACTORS)
    second = {r.seed for r in plan[per:2 * per]}
    assert not second & set(first)  # trajectories have their own seeds
    assert [r.seed for r in plan] == [r.seed for r in plan_runs(exp)]  # reproducible


def test_a_strategy_parameter_reaches_the_run_configuration():
    exp = experiment_from_dict(TINY)
    plan = plan_runs(exp)
    tasks = make_tasks(exp, plan[:5])
    for spec, task in zip(plan, tasks, strict=False):
        careful = next(s for s in task.model.strategies if s.name == "careful")
        assert careful.min_reputation == spec.params["careful.min_reputation"]
        assert careful.accept_all is False  # still the selective preset's copy
        assert task.model.word_of_mouth.echo_rule is spec.params["echo_rule"]


@pytest.mark.parametrize("sweep, message", [
    ({"levels": 5}, "sweep.levels = 5: design = 'morris' needs an even number of levels"),
    ({"trajectories": 1}, "sweep.trajectories = 1 is out of range"),
    ({"samples": 4}, "unknown key 'samples' in [sweep]"),
    ({"bounds": {"selective.min_reputation": [0.2, 0.8]}},
     "the preset 'selective' cannot be changed"),
    ({"bounds": {"carefull.min_mutual": [0, 3]}}, "no custom strategy 'carefull'"),
    ({"bounds": {"careful.min_mutal": [0, 3]}}, "'min_mutal' is not a policy parameter"),
    ({"bounds": {"echo_rule": [0.2, 0.9]}}, "a switch is sampled as [false, true]"),
    ({"bounds": {"seed": [0, 1]}}, "'seed' is a dummy factor of the Morris design"),
    ({"bounds": {"decay_bad": [0.3, 1.5]}}, "out of range"),
])
def test_morris_mistakes_are_one_line_errors(sweep, message):
    with pytest.raises(ConfigError) as err:
        experiment_from_dict(tiny(**sweep))
    text = str(err.value)
    assert message in text and "\n" not in text


def test_morris_needs_trajectories_and_a_grid_can_vary_a_strategy_parameter():
    data = tiny()
    del data["sweep"]["trajectories"]
    with pytest.raises(ConfigError, match=r"sweep\.trajectories is required"):
        experiment_from_dict(data)
    data = copy.deepcopy(TINY)
    data["sweep"] = {"careful.min_mutual": [0, 3]}
    exp = experiment_from_dict(data)
    assert [p["careful.min_mutual"] for p in design_points(exp)] == [0, 3]
    data["quick"] = {"trajectories": 2}
    with pytest.raises(ConfigError, match=r"quick\.trajectories only applies"):
        experiment_from_dict(data)


# --------------------------------------------------------------------------- the screen

def test_every_behavioural_parameter_is_in_the_screen():
    """Each parameter config.py flags as behavioural is varied by the screen: a section's
    by its plain name, a strategy's policy parameter for at least one strategy."""
    exp = load_experiment(SCREEN)
    varied = set(exp.varied)
    missing = [f.name for cls in SECTIONS.values() for f in fields(cls)
               if f.metadata.get("behavioural") and f.name not in varied]
    policy = {name.split(".", 1)[1] for name in varied if "." in name}
    missing += [f"STRATEGY.{f.name}" for f in fields(StrategyParams)
                if f.metadata.get("behavioural") and f.name not in policy]
    assert not missing, f"behavioural parameters not in {SCREEN.name}: {', '.join(missing)}"
    # and every strategy of the population has its own policy parameters screened
    population = set(exp.model.population.strategy_mix) | {
        t.strategy for t in exp.model.population.conduct_types if t.strategy}
    screened = {name.split(".", 1)[0] for name in varied if "." in name}
    assert population <= screened


@pytest.fixture(scope="module")
def screen(tmp_path_factory):
    """The screen at its CI size, run once for this module (2 workers)."""
    exp = load_experiment(SCREEN, quick=True)
    report = run_experiment(exp, tmp_path_factory.mktemp("sensitivity"), workers=2,
                            progress=False)
    results = load_results(report.path, tables=("groups", "model"))
    return results, morris_indices(results)


def test_the_screen_ranks_every_parameter_on_every_outcome(screen):
    results, indices = screen
    assert not results.missing
    assert set(indices["outcome"]) == set(OUTCOMES)
    params = set(load_experiment(SCREEN).varied)
    assert set(indices["parameter"]) == params | {SEED_FACTOR}
    assert np.isfinite(indices[["mu", "mu_star", "sigma", "mu_star_conf"]]).all().all()
    table = ranking(indices)
    assert table.index[-1] == SEED_FACTOR
    assert table["mean"].iloc[:-1].is_monotonic_decreasing
    assert "inert" in summary_text(indices)
    # something must stand out of the noise, or the screen is too small to say anything
    assert indices["measurable"].any()


def test_the_sensitivity_figure_draws(screen, tmp_path):
    from simnet.plots.io import draw

    results, _ = screen
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = draw({"kind": "sensitivity"}, results, experiment="sensitivity (quick size)")
    # a panel per key outcome and for telling good from bad actors
    assert [ax.get_title().replace("\n", " ") for ax in fig.axes[:5]] == [
        "opportunities", "harm", "accuracy (tau)", "open − selective", "good − bad actors"]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "seed (noise floor)" and len(labels) == len(ranking(screen[1]))


def test_no_behavioural_parameter_is_inert(screen, tmp_path_factory):
    """Issue 9: every parameter documented as behavioural has a measurable effect on at
    least one outcome: in the screen at its CI size (its mu* beyond the seed dummies' noise
    floor, or its signed mean beyond its standard error, see simnet.sensitivity), or else
    in the paired follow-up of the parameters the screen left inert."""
    _, indices = screen
    inert = inert_parameters(indices)
    if not inert:
        return
    followup = paired_followup(load_experiment(SCREEN), inert, FOLLOWUP_REPLICATIONS)
    report = run_experiment(followup, tmp_path_factory.mktemp("followup"), workers=2,
                            progress=False)
    effects = paired_effects(load_results(report.path, tables=("groups", "model")))
    assert set(effects["parameter"]) == set(inert)
    moved = effects.groupby("parameter")["measurable"].any()
    still_inert = sorted(moved.index[~moved])
    unexpected = sorted(set(still_inert) - set(KNOWN_INERT_ISSUE_9))
    fixed = sorted(set(KNOWN_INERT_ISSUE_9) - set(still_inert))
    if fixed:
        warnings.warn(f"no longer inert, remove from KNOWN_INERT_ISSUE_9: {', '.join(fixed)}",
                      UserWarning, stacklevel=1)
    table = effects[effects["parameter"].isin(unexpected)].pivot_table(
        index="parameter", columns="outcome", values="t")
    assert not unexpected, (
        f"{len(unexpected)} behavioural parameters have no measurable effect on any outcome, "
        f"in the screen or in the paired follow-up (t of high minus low, per outcome):\n"
        f"{pd.DataFrame(table).round(2).to_string()}")


def test_the_paired_followup_sees_an_effect_and_no_effect(tmp_path):
    """The follow-up finds the interaction rate measurable on harm suffered, and the news
    trace's step (which only chooses a piece of news to watch) measurable on nothing: its
    high and low arms are identical, run for run."""
    data = tiny(bounds={"interaction_rate": [0.1, 0.6], "trace_step": [0, 3]})
    data["population"]["n_agents"] = 120
    data["experiment"]["steps"] = 12
    followup = paired_followup(experiment_from_dict(data), ["interaction_rate", "trace_step"],
                               6)
    assert [a.name for a in followup.arms] == ["interaction_rate-low", "interaction_rate-high",
                                               "trace_step-low", "trace_step-high"]
    assert followup.arms[1].model.ties.interaction_rate == 0.6
    assert followup.arms[3].model.word_of_mouth.trace_step == 3
    report = run_experiment(followup, tmp_path, workers=1, progress=False)
    effects = paired_effects(load_results(report.path, tables=("groups", "model")))
    effects = effects.set_index(["parameter", "outcome"])
    harm = effects.loc[("interaction_rate", "harm")]
    assert harm["measurable"] and harm["diff"] > 0 and harm["n"] == 6
    trace = effects.loc["trace_step"]
    assert (trace["diff"] == 0).all() and not trace["measurable"].any()
    with pytest.raises(ValueError, match="not among the screen's bounds: ties"):
        paired_followup(experiment_from_dict(data), ["ties"], 2)
