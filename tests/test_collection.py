"""Per-step data collection: group statistics by array operations, and collect_every."""

import numpy as np
import pandas as pd
import pytest

from simnet import ConfigError, Layout, ReputationModel
from simnet.metrics import GROUP_METRICS, agent_table, group_rows


def pandas_group_rows(world) -> list[dict]:
    """The former implementation (a pandas groupby of the agent table), as the reference."""
    agents = agent_table(world)
    rows = []
    for group_by in ("strategy", "conduct_type"):
        means = agents.groupby(group_by, observed=True)[list(GROUP_METRICS)].mean()
        counts = agents.groupby(group_by, observed=True).size()
        for group, values in means.iterrows():
            row = {"step": world.step, "group_by": group_by, "group": str(group),
                   "n_agents": int(counts[group])}
            row.update({k: float(v) for k, v in values.items()})
            rows.append(row)
    return rows


@pytest.mark.parametrize("params", [
    dict(n_agents=150, mean_degree=6, rng=1),
    dict(n_agents=300, mean_degree=8, rng=2, strategy_mix={"open": 0.2, "selective": 0.3,
                                                             "connector": 0.3, "spammer": 0.2}),
    dict(n_agents=200, mean_degree=4, rng=3, open_share=1.0),  # one strategy only
])
def test_group_rows_equal_the_pandas_groupby(params):
    model = ReputationModel(create_agents=False, **params)
    for step in range(6):
        if step in (0, 5):
            new, old = pd.DataFrame(group_rows(model.world)), pd.DataFrame(
                pandas_group_rows(model.world))
            pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12)
            assert new["reputation"].notna().any() or step == 0
        model.step()


def test_group_rows_nan_when_nobody_knows_a_group():
    # no ties and no steps: nobody holds evidence, so reputation is NaN in every group
    model = ReputationModel(layout=Layout(["open", "selective", "open"], conduct=0.9),
                            create_agents=False)
    rows = group_rows(model.world)
    old = pandas_group_rows(model.world)
    pd.testing.assert_frame_equal(pd.DataFrame(rows), pd.DataFrame(old))
    assert all(np.isnan(r["reputation"]) for r in rows)
    assert [r["n_agents"] for r in rows if r["group_by"] == "strategy"] == [2, 1]


def test_collect_every_keeps_the_same_rows_and_results():
    every = ReputationModel(n_agents=150, mean_degree=6, rng=5, create_agents=False)
    thin = ReputationModel(n_agents=150, mean_degree=6, rng=5, create_agents=False,
                           collect_every=3)
    for _ in range(7):
        every.step()
        thin.step()
    thin.collect()
    thin.collect()  # the second call adds nothing
    kept = [0, 3, 6, 7]
    assert thin.model_table()["step"].tolist() == kept
    assert sorted(set(thin.step_table()["step"])) == kept
    full = every.model_table()
    pd.testing.assert_frame_equal(thin.model_table(),
                                  full[full.step.isin(kept)].reset_index(drop=True))
    groups = every.step_table()
    pd.testing.assert_frame_equal(thin.step_table(),
                                  groups[groups.step.isin(kept)].reset_index(drop=True))
    pd.testing.assert_frame_equal(thin.agent_table(), every.agent_table())


def test_collect_every_collects_max_steps_and_rejects_bad_values():
    model = ReputationModel(n_agents=100, mean_degree=4, rng=1, create_agents=False,
                            collect_every=4, max_steps=5)
    while model.running:
        model.step()
    assert model.model_table()["step"].tolist() == [0, 4, 5]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ConfigError, match="collect_every"):
            ReputationModel(n_agents=100, mean_degree=4, collect_every=bad)


def test_runner_collects_only_the_kept_steps():
    from simnet.config import ModelConfig
    from simnet.experiment import OutputSpec
    from simnet.runner import run_model

    cfg = ModelConfig().with_overrides(n_agents=120, mean_degree=6)
    thin, _ = run_model(cfg, seed=3, steps=7, output=OutputSpec(every=3))
    full, _ = run_model(cfg, seed=3, steps=7, output=OutputSpec(every=1))
    assert thin["model"]["step"].tolist() == [0, 3, 6, 7]
    for name in ("groups", "model"):
        kept = full[name][full[name]["step"].isin([0, 3, 6, 7])].reset_index(drop=True)
        pd.testing.assert_frame_equal(thin[name].reset_index(drop=True), kept)
    pd.testing.assert_frame_equal(thin["agents"], full["agents"])
