"""Mesa fit: per-strategy outcomes in mesa.batch_run, agent reporters on request."""

from __future__ import annotations

import warnings

import mesa
import numpy as np
import pandas as pd
import pytest

from simnet import ConfigError, ReputationModel
from simnet.metric_registry import REGISTRY
from simnet.metrics import GROUP_METRICS, MODEL_REPORTERS, agent_table
from simnet.reporters import AGENT_REPORTERS, STRATEGY_METRICS, strategy_reporter_names

TINY = {"n_agents": 40, "mean_degree": 4}


def test_batch_run_returns_every_strategy_outcome():
    rows = mesa.batch_run(ReputationModel,
                          {**TINY, "open_share": [0.25, 0.75], "rng": 3, "max_steps": 3},
                          iterations=1, max_steps=3, number_processes=1,
                          data_collection_period=1, display_progress=False)
    table = pd.DataFrame(rows)
    assert sorted(table["open_share"].unique()) == [0.25, 0.75]
    assert table["Step"].max() >= 2
    for strategy in ("open", "selective"):
        for metric in ("opps_total", "reputation", "bad_suffered", "requests_accepted"):
            assert f"{metric}_{strategy}" in table.columns
        assert (table[f"n_agents_{strategy}"] > 0).all()
    assert set(MODEL_REPORTERS) <= set(table.columns)
    # the per-strategy means are those of the model's own groups table
    model = ReputationModel(**TINY, open_share=0.25, rng=3, max_steps=3)
    while model.running:
        model.step()
    groups = model.step_table()
    last = groups[(groups["step"] == 3) & (groups["group_by"] == "strategy")]
    reported = model.datacollector.get_model_vars_dataframe().iloc[-1]
    for row in last.itertuples():
        for metric in ("n_agents", *GROUP_METRICS):
            assert reported[f"{metric}_{row.group}"] == pytest.approx(
                getattr(row, metric), nan_ok=True)


def test_every_strategy_reporter_is_a_registered_metric():
    assert set(STRATEGY_METRICS) == set(GROUP_METRICS)
    for metric in STRATEGY_METRICS:
        assert REGISTRY[metric].kind in ("state", "cumulative")
    names = strategy_reporter_names(["open", "tau"])
    assert names["opps_total_open"] == ("open", "opps_total")
    # "reputation_tau" is the network-level reporter: the strategy's gets the long name
    assert names["reputation_strategy_tau"] == ("tau", "reputation")
    assert "reputation_tau" not in names


def test_only_strategies_present_get_reporters():
    model = ReputationModel(**TINY, open_share=1.0, rng=1)
    columns = set(model.datacollector.get_model_vars_dataframe().columns)
    assert "opps_total_open" in columns
    assert not any(c.endswith("_selective") for c in columns)


def test_the_sweep_model_table_keeps_the_network_level_reporters_only():
    model = ReputationModel(**TINY, rng=2, create_agents=False)
    model.step()
    assert list(model.model_table().columns) == ["step", *MODEL_REPORTERS]


def test_agent_reporters_off_by_default_and_on_request():
    model = ReputationModel(**TINY, rng=4)
    assert not model.datacollector.agent_reporters
    model = ReputationModel(**TINY, rng=4, agent_reporters=True)
    for _ in range(2):
        model.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        agents = model.datacollector.get_agent_vars_dataframe()
    assert list(agents.columns) == list(AGENT_REPORTERS)
    assert len(agents) == 3 * TINY["n_agents"]  # steps 0, 1 and 2
    assert set(agents.index.get_level_values("Step")) == {0, 1, 2}
    # the last step's values are the agents table's
    final = agents.xs(2, level="Step").reset_index(drop=True)
    expected = agent_table(model.world)
    for name in AGENT_REPORTERS:
        np.testing.assert_array_equal(final[name].astype(expected[name].dtype).to_numpy(),
                                      expected[name].to_numpy(), err_msg=name)


def test_agent_reporters_in_batch_run():
    rows = mesa.batch_run(ReputationModel, {**TINY, "rng": 5, "max_steps": 2,
                                            "agent_reporters": True},
                          max_steps=2, number_processes=1, data_collection_period=1,
                          display_progress=False)
    table = pd.DataFrame(rows)
    assert {"AgentID", "strategy", "opps_total", "reputation", "opps_total_open"} <= set(
        table.columns)
    assert table.groupby("Step").size().eq(TINY["n_agents"]).all()


def test_agent_reporters_need_the_agents():
    with pytest.raises(ConfigError, match="agent_reporters"):
        ReputationModel(**TINY, agent_reporters=True, create_agents=False)
