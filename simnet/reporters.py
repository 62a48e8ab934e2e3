"""Mesa reporters of a :class:`~simnet.model.ReputationModel`: what Mesa's ``batch_run``,
``DataCollector.get_model_vars_dataframe`` and ``get_agent_vars_dataframe`` see.

Model reporters, collected every ``collect_every`` steps:

- the network-level metrics (:data:`simnet.metrics.MODEL_REPORTERS`: ``ties``,
  ``clustering``, ``reputation_tau`` ...);
- per strategy present in the population, ``n_agents_<strategy>`` and the mean over its
  agents of every per-agent metric of the ``groups`` table (``opps_total_open``,
  ``reputation_selective``, ``bad_suffered_connector`` ...; :func:`strategy_reporter_names`).
  Their meanings and units are those of the metric registry
  (:mod:`simnet.metric_registry`, ``simnet metrics``), per agent of the strategy. So
  ``mesa.batch_run(ReputationModel, ...)`` returns each strategy's outcomes by name.

Agent reporters, only on request (``ReputationModel(agent_reporters=True)``): one value
per agent and collected step for the identity columns (``strategy``, ``conduct_type``)
and every per-agent metric of the ``agents`` table (``degree``, ``opps_total``,
``reputation`` ...). They cost a Python call per agent and metric at every collected step,
so they are off by default (a sweep writes the ``agents`` table at the end instead).

All reporters read values computed once per collected step by :func:`prepare` (called by
the model before ``DataCollector.collect``); collecting draws no random numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from simnet import metric_registry
from simnet.metrics import GROUP_METRICS, MODEL_REPORTERS

if TYPE_CHECKING:
    import mesa

    from simnet.model import ReputationModel

# The per-strategy means: every per-agent metric of the groups table the registry knows
# as a state or a cumulative count (all of GROUP_METRICS), in GROUP_METRICS order.
STRATEGY_METRICS = tuple(
    m for m in GROUP_METRICS
    if (entry := metric_registry.get(m)) is not None and entry.kind in ("state", "cumulative"))

# The agent reporters: identity, then every per-agent state or count of the agents table.
AGENT_REPORTERS = ("strategy", "conduct_type", *(
    m.name for m in metric_registry.metrics_of("agents", ("state", "cumulative"))))


def strategy_reporter_names(strategies: list[str]) -> dict[str, tuple[str, str]]:
    """Reporter name -> (strategy, metric) for the given strategy names: ``<metric>_
    <strategy>`` for ``n_agents`` and each of :data:`STRATEGY_METRICS`, or ``<metric>_
    strategy_<strategy>`` where the short name is taken (a strategy named ``tau`` would
    make ``reputation_tau``, a network-level reporter)."""
    names: dict[str, tuple[str, str]] = {}
    for strategy in strategies:
        for metric in ("n_agents", *STRATEGY_METRICS):
            name = f"{metric}_{strategy}"
            if name in MODEL_REPORTERS or name in names:
                name = f"{metric}_strategy_{strategy}"
            names[name] = (strategy, metric)
    return names


def strategies_present(model: ReputationModel) -> list[str]:
    """The strategies with at least one agent, in the world's order (agents keep their
    strategy for the whole run)."""
    world = model.world
    counts = np.bincount(np.asarray(world.strategy_id, dtype=np.intp),
                         minlength=len(world.strategy_names))
    return [str(world.strategy_names[i]) for i in np.flatnonzero(counts)]


def _model_reporter(name: str) -> Callable[[ReputationModel], float]:
    def report(model: ReputationModel) -> float:
        return model._last_metrics.get(name, np.nan)
    report.__name__ = name
    return report


def _agent_reporter(name: str) -> Callable:
    def report(agent):
        return agent.model._agent_columns[name][agent.index]
    report.__name__ = name
    return report


def datacollector(model: ReputationModel, agent_reporters: bool = False
                  ) -> mesa.DataCollector:
    """The model's DataCollector: the model reporters above, the tidy ``groups`` table
    and, with ``agent_reporters``, the agent reporters."""
    import mesa

    names = [*MODEL_REPORTERS, *strategy_reporter_names(strategies_present(model))]
    return mesa.DataCollector(
        model_reporters={name: _model_reporter(name) for name in names},
        agent_reporters=({name: _agent_reporter(name) for name in AGENT_REPORTERS}
                         if agent_reporters else None),
        tables={"groups": ["step", "group_by", "group", "n_agents", *GROUP_METRICS]},
    )


def prepare(model: ReputationModel, group_rows: list[dict]) -> None:
    """Compute what the reporters read at this step: ``model._last_metrics`` (network
    metrics and per-strategy means, from ``group_rows`` of :func:`simnet.metrics.
    group_rows`) and, if the DataCollector has agent reporters, ``model._agent_columns``
    (arrays of length n_agents; strategy and conduct type as names)."""
    from simnet import metrics

    values = metrics.model_metrics(model.world)
    rows = {row["group"]: row for row in group_rows if row["group_by"] == "strategy"}
    for name, (strategy, metric) in strategy_reporter_names(list(rows)).items():
        values[name] = rows[strategy][metric]
    model._last_metrics = values
    if model.datacollector.agent_reporters:
        world = model.world
        columns = metrics.agent_columns(world)
        columns["strategy"] = np.asarray(world.strategy_names, dtype=object)[
            np.asarray(world.strategy_id, dtype=np.intp)]
        columns["conduct_type"] = np.asarray(world.conduct_names, dtype=object)[
            np.asarray(world.conduct_type, dtype=np.intp)]
        model._agent_columns = columns
