"""ReputationModel: the Mesa model. It owns the rng and the World; step() runs the phases."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from simnet import metrics, reporters
from simnet.agents import Professional
from simnet.config import ConfigError, ModelConfig, validate_model
from simnet.leads import TieExposure
from simnet.metrics import MODEL_REPORTERS
from simnet.phases import (
    interactions_phase,
    maintenance_phase,
    opportunities_phase,
    requests_phase,
    trace_phase,
    word_of_mouth_phase,
)
from simnet.strategies import REGISTRY
from simnet.world import Layout, World

__all__ = ["MODEL_REPORTERS", "ReputationModel"]


class ReputationModel(mesa.Model):
    """Professionals networking on a dynamic tie network; reputation spreads by word of mouth.

    Parameters: ``config`` (a :class:`~simnet.config.ModelConfig`, defaults if omitted),
    then any model parameter by its plain name (``n_agents=500``, ``open_share=0.3``,
    ``decay_bad=0.7`` ...; see ``simnet.config``), and Mesa's ``rng`` or ``seed``. Every
    random draw, graph generation included, comes from ``self.rng``.

    ``layout`` (a :class:`~simnet.world.Layout`) replaces the generated network and
    population with hand-built ones. ``setup_seed`` draws the starting network and
    population from their own generator, so runs with different ``rng`` share a starting
    world (the Morris screen's noise floor, simnet.sensitivity). ``max_steps`` sets
    ``running`` to False when reached (for Mesa's ``batch_run``); ``create_agents=False``
    skips the Mesa agent handles; ``agent_reporters=True`` collects per-agent values for
    ``datacollector.get_agent_vars_dataframe()`` (off by default: costly at scale).

    ``self.world`` holds the state as arrays; ``self.agents`` holds one
    :class:`Professional` handle per agent; ``self.datacollector`` collects the
    network-level and per-strategy reporters (simnet.reporters: ``opps_total_open``,
    ``reputation_selective`` ...) and the tidy per-group table ``"groups"`` at step 0 and then
    every ``collect_every`` steps (steps divisible by it), and at ``max_steps``;
    :meth:`collect` adds the current step (a run's last) if it was not collected.
    Collecting draws no random numbers, so ``collect_every`` changes no result.
    ``tie_exposure=True`` counts every seeker's ties each step, by strength and mutual
    connections, for :meth:`tie_exposure_table` (it draws no random numbers either).
    """

    def __init__(self, config: ModelConfig | None = None, *, rng=None, seed=None,
                 max_steps: int | None = None, create_agents: bool = True,
                 layout: Layout | None = None, setup_seed: int | None = None,
                 collect_every: int = 1, tie_exposure: bool = False,
                 agent_reporters: bool = False, **kwargs):
        super().__init__(rng=rng, seed=seed)
        # Named **kwargs (not **overrides) so Mesa's SolaraViz accepts any model parameter.
        cfg = (config or ModelConfig()).with_overrides(**kwargs)
        validate_model(cfg, known_strategies=tuple(REGISTRY))
        self.config = cfg
        self.max_steps = max_steps
        if isinstance(collect_every, bool) or not isinstance(collect_every, int) \
                or collect_every < 1:
            raise ConfigError(f"collect_every = {collect_every!r}: expected a whole number "
                              f">= 1")
        self.collect_every = collect_every
        self._collected_steps: list[int] = []
        setup_rng = None if setup_seed is None else np.random.default_rng(setup_seed)
        self.world = World(cfg, self.rng, layout=layout, setup_rng=setup_rng)
        if tie_exposure:
            self.world.exposure = TieExposure()
        self.professionals: list[Professional] = (
            [Professional(self, i) for i in range(self.world.n)] if create_agents else [])
        if agent_reporters and not create_agents:
            raise ConfigError("agent_reporters = True needs the agents: leave create_agents "
                              "at True")
        self.datacollector = reporters.datacollector(self, agent_reporters)
        self._collect()

    @property
    def n_agents(self) -> int:
        return self.world.n

    def step(self) -> None:
        """One round of networking: requests, interactions, word of mouth,
        opportunities, maintenance; then data collection."""
        world = self.world
        world.step = self.steps
        world.last_step_stats = {}
        requests_phase(world)
        interactions_phase(world)
        word_of_mouth_phase(world)
        opportunities_phase(world)
        maintenance_phase(world)
        trace_phase(world)
        world.news_previous, world.news_current = world.news_current, type(world.news_current)()
        last = self.max_steps is not None and self.steps >= self.max_steps
        if last or self.steps % self.collect_every == 0:
            self._collect()
        if last:
            self.running = False

    def collect(self) -> None:
        """Collect the current step's metrics unless they were already collected (call it
        after the last step of a run with ``collect_every`` > 1)."""
        if not self._collected_steps or self._collected_steps[-1] != self.world.step:
            self._collect()

    def _collect(self) -> None:
        self._collected_steps.append(int(self.world.step))
        rows = metrics.group_rows(self.world)
        reporters.prepare(self, rows)  # what the reporters read at this step
        self.datacollector.collect(self)
        for row in rows:
            self.datacollector.add_table_row("groups", row)

    # ---------------------------------------------------------------- tables
    def step_table(self) -> pd.DataFrame:
        """The tidy per-step table: one row per step and group (strategy or conduct type)."""
        return self.datacollector.get_table_dataframe("groups")

    def model_table(self) -> pd.DataFrame:
        """Network-level metrics per collected step (Mesa's model vars), with a step column."""
        # the network-level reporters only (the per-strategy ones are in step_table)
        table = self.datacollector.get_model_vars_dataframe()[list(MODEL_REPORTERS)]
        table = table.reset_index(drop=True)
        table.insert(0, "step", self._collected_steps)
        return table

    def agent_table(self) -> pd.DataFrame:
        """One row per agent at the current step."""
        return metrics.agent_table(self.world)

    def opportunities_table(self) -> pd.DataFrame:
        """Every opportunity won so far, with its provenance."""
        return metrics.opportunities_table(self.world)

    def ties_table(self) -> pd.DataFrame:
        """The current ties: u, v (agent indices, u < v) and strength."""
        ties = self.world.ties
        return pd.DataFrame({"u": ties.u, "v": ties.v, "strength": ties.strength})

    def tie_exposure_table(self) -> pd.DataFrame:
        """Opportunities per tie-step of exposure, by tie strength and by mutual
        connections (see :class:`simnet.leads.TieExposure`); empty unless the model was
        built with ``tie_exposure=True``."""
        order = ["measure", "bin", "bin_index", "exposure", "opportunities", "rate", "leads",
                 "new_leads", "new_share"]
        exposure = self.world.exposure
        if exposure is None:
            return pd.DataFrame(columns=order)
        columns = exposure.columns()
        return pd.DataFrame({k: columns[k] for k in order})

    def news_table(self) -> pd.DataFrame:
        """How far the traced bad interaction has travelled, one row per step since it
        happened (empty if nothing was traced); see simnet.phases.word_of_mouth.NewsTrace."""
        columns = ["step", "steps_since", "subject", "aware", "aware_share",
                   "contacts_aware_share", "in_flight", "heard_weight"]
        trace = self.world.trace
        return pd.DataFrame(trace.rows if trace else [], columns=columns)
