import random

import mesa
import numpy as np
import pandas as pd
import pytest

from simnet import ModelConfig, Professional, ReputationModel
from simnet.metrics import GROUP_METRICS

SMALL = dict(n_agents=150, mean_degree=6)


def run(seed, steps=8, **overrides):
    model = ReputationModel(rng=seed, **{**SMALL, **overrides})
    for _ in range(steps):
        model.step()
    return model


def tables(model):
    return (model.step_table(), model.model_table(), model.agent_table(),
            model.opportunities_table())


def test_same_seed_same_tables_different_seed_differs():
    a, b, c = run(7), run(7), run(8)
    for ta, tb in zip(tables(a), tables(b), strict=True):
        pd.testing.assert_frame_equal(ta, tb)
    assert not tables(a)[2].equals(tables(c)[2])


def test_model_leaves_global_random_state_alone():
    np_state = np.random.get_state()[1].copy()  # noqa: NPY002 - checking it is untouched
    py_state = random.getstate()
    run(3, steps=3)
    assert np.array_equal(np.random.get_state()[1], np_state)  # noqa: NPY002
    assert random.getstate() == py_state


def test_mesa_api_agents_are_handles_onto_arrays():
    model = run(1, steps=2)
    assert len(model.agents) == 150
    agent = model.professionals[5]
    assert isinstance(agent, Professional)
    assert agent.strategy == model.world.strategy_names[model.world.strategy_id[5]]
    assert agent.degree == len(agent.neighbors)
    assert agent.conduct == model.world.conduct[5]
    strategies = {a.strategy for a in model.agents}
    assert {"open", "selective", "spammer"} <= strategies


def test_datacollector_tables_are_tidy():
    model = run(2, steps=4)
    steps = model.step_table()
    assert set(steps["group_by"]) == {"strategy", "conduct_type"}
    assert steps["step"].max() == 4
    assert set(GROUP_METRICS) <= set(steps.columns)
    # One row per step and group: 5 collections (start + 4 steps).
    assert len(steps) == 5 * steps.groupby(["group_by", "group"]).ngroups
    mv = model.datacollector.get_model_vars_dataframe()
    assert len(mv) == 5 and "reputation_tau" in mv.columns


def test_mesa_batch_run_accepts_the_class():
    results = mesa.batch_run(ReputationModel, parameters={"n_agents": 60, "mean_degree": 4,
                                                           "open_share": [0.2, 0.8]},
                             iterations=1, max_steps=3, number_processes=1,
                             display_progress=False)
    assert len(results) == 2
    assert {r["open_share"] for r in results} == {0.2, 0.8}
    assert all("reputation_tau" in r for r in results)


def test_keyword_parameters_and_config_together():
    cfg = ModelConfig().with_overrides(n_agents=80)
    model = ReputationModel(cfg, rng=0, open_share=1.0, mean_degree=4)
    strategies = set(np.asarray(model.world.strategy_names)[model.world.strategy_id])
    assert strategies == {"open", "spammer"}  # spammers are pinned by their conduct type
    assert model.n_agents == 80


def test_bad_share_rescales_the_conduct_mix():
    model = ReputationModel(rng=0, n_agents=1000, bad_share=0.4, mean_degree=4)
    assert model.world.is_bad.mean() == pytest.approx(0.4)


def test_opportunities_use_every_channel_and_record_provenance():
    model = run(4, steps=25, n_agents=300)
    opps = model.opportunities_table()
    # openings stay open four steps by default, so job leads are a channel too
    assert set(opps["channel"]) == {"direct", "introduction", "cold", "lead"}
    intro = opps[opps["channel"] == "introduction"]
    assert (intro["introducer"] >= 0).all() and (intro["path_strength"] > 0).all()
    assert (opps.loc[opps["channel"] == "cold", "introducer"] == -1).all()
    agents = model.agent_table()
    assert agents["opps_total"].sum() == len(opps)


def test_news_trace_follows_one_bad_interaction():
    model = run(5, steps=10, trace_step=2, min_weight=0.01)
    news = model.news_table()
    assert news["step"].iloc[0] == 2 and news["steps_since"].iloc[0] == 0
    assert news["aware"].iloc[0] == 1
    assert news["aware"].is_monotonic_increasing
    assert news["aware"].iloc[-1] > 1
    assert (news["steps_since"].diff().dropna() == 1).all()


def test_word_of_mouth_off_means_nobody_hears():
    model = run(6, steps=5, max_hops=0)
    assert model.world.evidence.heard_good.sum() == 0
    assert model.world.evidence.heard_bad.sum() == 0
    with_wom = run(6, steps=5)
    assert with_wom.world.evidence.heard_bad.sum() > 0


def test_nobody_retells_more_than_their_budget():
    """After each step's word of mouth, each agent is about to pass on at most
    ``retell_max`` pieces of hearsay; with a budget of 0 only witnesses tell, so news
    reaches the witnesses' contacts and stops there."""
    def frontier_per_agent(model):
        return np.bincount(model.world.news.f_node, minlength=model.n_agents)

    unlimited = run(8, steps=4, n_agents=300, mean_degree=12)
    assert frontier_per_agent(unlimited).max() > 3
    capped = run(8, steps=4, n_agents=300, mean_degree=12, retell_max=3)
    assert frontier_per_agent(capped).max() == 3
    heard = capped.world.last_step_stats["heard"]
    assert 0 < heard < unlimited.world.last_step_stats["heard"]
    witnesses_only = run(8, steps=4, n_agents=300, mean_degree=12, retell_max=0)
    assert witnesses_only.world.news.frontier_size == 0
    assert 0 < witnesses_only.world.last_step_stats["heard"] < heard


@pytest.mark.slow
def test_default_population_tells_the_open_vs_selective_story():
    """The issue's done-when: bad actors end below good actors; open networkers end with
    more ties than selective ones."""
    model = run(42, steps=60, n_agents=800, mean_degree=10)
    agents = model.agent_table()
    by_actor = agents.groupby("bad_actor")["reputation"].mean()
    assert by_actor[True] < by_actor[False]
    ties = agents.groupby("strategy", observed=True)["degree"].mean()
    assert ties["open"] > ties["selective"]
    assert model.model_table()["bad_found_share"].iloc[-1] > 0.5


def test_network_summaries_match_networkx():
    import networkx as nx

    from simnet.metrics import mean_path_length, model_metrics

    model = run(9, steps=3)
    w = model.world
    graph = nx.Graph()
    graph.add_nodes_from(range(w.n))
    graph.add_edges_from(zip(w.ties.u.tolist(), w.ties.v.tolist(), strict=True))
    metrics = model_metrics(w)
    assert metrics["clustering"] == pytest.approx(nx.average_clustering(graph))
    giant = max(nx.connected_components(graph), key=len)
    assert metrics["components"] == nx.number_connected_components(graph)
    assert metrics["largest_component"] == pytest.approx(len(giant) / w.n)
    sources = np.unique(np.linspace(0, w.n - 1, 16).astype(int))
    lengths = [d for s in sources for t, d in
               nx.single_source_shortest_path_length(graph, int(s)).items() if t != s]
    assert mean_path_length(w) == pytest.approx(np.mean(lengths))


@pytest.mark.parametrize("overrides, fragment", [
    ({"mean_degree": 7}, "network.mean_degree = 7: a small_world network needs an even"),
    ({"kind": "communities", "n_agents": 20, "n_blocks": 19, "mean_degree": 8},
     "network \\(communities\\)"),
    ({"kind": "file", "path": "no/such/file.txt"}, "network.path: edge list file not found"),
])
def test_network_problems_become_one_line_config_errors(overrides, fragment):
    from simnet import ConfigError

    with pytest.raises(ConfigError, match=fragment):
        ReputationModel(rng=0, **{"n_agents": 100, **overrides})


def test_runs_on_the_shipped_real_network():
    model = ReputationModel(rng=0, kind="file", path="email-eu-core", create_agents=False)
    assert model.n_agents == 1005
    assert len(model.world.ties) == 16_064
    model.step()
    assert model.world.block is not None and model.world.block.max() == 41


def test_introducers_introduce_less_when_a_bad_introduction_costs_more():
    """intro_penalty is capital at stake: the same worlds (same seeds) see fewer
    introductions when a bad one costs the introducer's whole tie to the holder."""
    def introductions(penalty: float) -> float:
        total = 0.0
        for seed in (1, 2):
            model = ReputationModel(n_agents=300, rng=seed, create_agents=False,
                                    intro_penalty=penalty, collect_every=1000)
            for _ in range(40):
                model.step()
            total += model.world.counters["intros_made"].sum()
        return total

    free, costly = introductions(0.0), introductions(1.0)
    assert free > 50
    assert costly < 0.8 * free
