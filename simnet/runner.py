"""Run one configuration of an experiment and collect its tables."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from simnet.experiment import ExperimentConfig
from simnet.model import ReputationModel


@dataclass
class RunOutput:
    """The tables of one finished run and how long it took (seconds, wall clock)."""

    tables: dict[str, pd.DataFrame]
    seconds: float
    extra: dict = field(default_factory=dict)


def run_model(exp: ExperimentConfig, seed: int | None = None, progress=None) -> RunOutput:
    """Build the model with ``seed`` (default: the experiment's), run ``exp.steps`` steps.

    ``progress`` is an optional callable taking the number of steps just done (1).
    Returns the tables: ``steps`` (tidy per step and group), ``model`` (network-level per
    step), ``agents`` (per agent at the end) and ``opportunities`` (provenance).
    """
    start = time.perf_counter()
    model = ReputationModel(exp.model, rng=exp.seed if seed is None else seed,
                            create_agents=False)
    for _ in range(exp.steps):
        model.step()
        if progress is not None:
            progress(1)
    tables = {
        "steps": model.step_table(),
        "model": model.model_table(),
        "agents": model.agent_table(),
        "opportunities": model.opportunities_table(),
    }
    return RunOutput(tables, time.perf_counter() - start, {"n_agents": model.n_agents})


def strategy_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per strategy at the end of a run: agents, ties, reach, opportunities by channel,
    perceived reputation, visibility, harm suffered and capital lost (means per agent)."""
    agents = tables["agents"]
    summary = agents.groupby("strategy", observed=True).agg(
        agents=("agent", "size"), ties=("degree", "mean"), reach2=("reach2", "mean"),
        won=("opps_total", "mean"), direct=("opps_direct", "mean"),
        intro=("opps_introduction", "mean"), cold=("opps_cold", "mean"),
        reputation=("reputation", "mean"), visibility=("visibility", "mean"),
        bad_suffered=("bad_suffered", "mean"), spam=("spam_received", "mean"),
        capital_lost=("capital_lost", "mean"))
    return summary


def conduct_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per bad/good actor at the end: agents, mean perceived reputation, mean conduct."""
    agents = tables["agents"].assign(
        actor=lambda t: t["bad_actor"].map({True: "bad actors", False: "good actors"}))
    return agents.groupby("actor").agg(agents=("agent", "size"),
                                       reputation=("reputation", "mean"),
                                       conduct=("conduct", "mean"),
                                       ties=("degree", "mean"),
                                       won=("opps_total", "mean"))
