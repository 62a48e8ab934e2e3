"""Experiment files: the schema, its validation (one line naming the field), quick sizes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from simnet.config import ConfigError
from simnet.experiment import (
    FIGURE_KINDS,
    apply_overrides,
    experiment_from_dict,
    load_experiment,
)

SHIPPED = sorted(Path("experiments").glob("*.toml"))

BASE = {
    "experiment": {"name": "t", "seed": 1, "steps": 5, "replications": 2},
    "population": {"n_agents": 60},
    "network": {"mean_degree": 4},
}


def with_(**sections) -> dict:
    data = copy.deepcopy(BASE)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def test_shipped_experiments_exist():
    names = {p.stem for p in SHIPPED}
    assert {"open_vs_selective", "never_anonymous", "introductions_gone_bad", "spam",
            "fortify", "weak_ties", "real_network"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_experiments_validate_and_have_a_smaller_quick_size(path):
    exp = load_experiment(path)
    quick = exp.with_quick()
    assert exp.name == path.stem
    assert exp.description
    assert quick.quick and not exp.quick
    assert quick.n_runs() <= exp.n_runs()
    assert quick.steps <= exp.steps
    assert quick.model.population.n_agents <= exp.model.population.n_agents
    assert quick.fingerprint() != exp.fingerprint()
    for fig in exp.plots:
        assert fig["kind"] in FIGURE_KINDS


def test_resolved_experiment_round_trips_through_its_dict():
    exp = load_experiment("experiments/spam.toml")
    again = experiment_from_dict(exp.to_dict(), base_dir=exp.base_dir)
    assert again.fingerprint() == exp.fingerprint()
    assert again.arms == exp.arms and again.sweep == exp.sweep


def test_fingerprint_ignores_description_and_plots_but_not_parameters():
    exp = experiment_from_dict(BASE)
    described = experiment_from_dict(with_(experiment={"description": "other words"},
                                           plots={"figure": [{"kind": "outcomes"}]}))
    longer = experiment_from_dict(with_(experiment={"steps": 6}))
    assert described.fingerprint() == exp.fingerprint()
    assert longer.fingerprint() != exp.fingerprint()


def test_grid_sweep_and_arms():
    exp = experiment_from_dict(with_(
        sweep={"open_share": [0.2, 0.8], "decay_bad": [0.3, 0.6, 0.9]},
        arms={"a": {"forgetting": 0.95},
              "b": {"forgetting": 0.9}}))
    assert exp.varied == ("open_share", "decay_bad")
    assert exp.arm_names == ("a", "b")
    assert exp.sweep.n_points() == 6
    assert exp.n_runs() == 2 * 6 * 2
    cfg = exp.point_config("b", {"open_share": 0.8, "decay_bad": 0.9})
    assert cfg.population.open_share == 0.8
    assert cfg.word_of_mouth.decay_bad == 0.9
    assert cfg.evidence.forgetting == 0.9


def test_arm_can_change_a_custom_strategy():
    exp = experiment_from_dict(with_(
        population={"strategy_mix": {"mine": 1.0}},
        strategies={"mine": {"base": "selective", "prune_below": 0.0}},
        arms={"keep": {}, "prune": {"strategies": {"mine": {"prune_below": 0.2}}}}))
    keep = exp.arm_model("keep").strategies[0]
    prune = exp.arm_model("prune").strategies[0]
    assert keep.prune_below == 0.0 and prune.prune_below == 0.2
    # everything else is inherited from the base definition (the selective preset)
    assert prune.accept_all is False and prune.min_mutual == keep.min_mutual


def test_apply_overrides_takes_conduct_types_as_tables():
    exp = experiment_from_dict(BASE)
    cfg = apply_overrides(exp.model, {"conduct_types": [
        {"name": "good", "share": 0.9}, {"name": "bad", "share": 0.1, "mean": 0.2,
                                          "bad": True}]}, "sweep")
    assert [c.name for c in cfg.population.conduct_types] == ["good", "bad"]


def test_sampled_designs():
    lhs = experiment_from_dict(with_(sweep={"design": "lhs", "samples": 5, "bounds": {
        "open_share": [0.1, 0.9], "max_hops": [1, 4]}}))
    assert lhs.sweep.n_points() == 5 and lhs.varied == ("open_share", "max_hops")
    sobol = experiment_from_dict(with_(sweep={"design": "sobol", "samples": 4, "bounds": {
        "open_share": [0.1, 0.9], "decay_bad": [0.2, 0.9]}}))
    assert sobol.sweep.n_points() == 4 * (2 * 2 + 2)
    first = experiment_from_dict(with_(sweep={"design": "sobol", "samples": 4,
                                              "second_order": False, "bounds": {
                                                  "open_share": [0.1, 0.9],
                                                  "decay_bad": [0.2, 0.9]}}))
    assert first.sweep.n_points() == 4 * (2 + 2)


def test_quick_size_defaults_and_overrides():
    exp = experiment_from_dict(with_(experiment={"steps": 50, "replications": 5},
                                     population={"n_agents": 1000},
                                     network={"mean_degree": 10}))
    quick = exp.with_quick()
    assert (quick.steps, quick.replications, quick.model.population.n_agents) == (10, 2, 200)
    custom = experiment_from_dict(with_(sweep={"open_share": [0.2, 0.5, 0.8]},
                                        quick={"steps": 3, "n_agents": 50,
                                               "sweep": {"open_share": [0.5]}}))
    quick = custom.with_quick()
    assert quick.steps == 3 and quick.model.population.n_agents == 50
    assert quick.sweep.n_points() == 1 and quick.replications == 2
    assert load_experiment(Path("experiments/spam.toml"), quick=True).quick


def test_relative_edge_list_found_next_to_the_experiment_file(tmp_path):
    (tmp_path / "edges.txt").write_text("# tiny\n" + "".join(
        f"{i} {(i + 1) % 12}\n{i} {(i + 2) % 12}\n" for i in range(12)))
    path = tmp_path / "net.toml"
    path.write_text('[experiment]\nsteps = 2\n[network]\nkind = "file"\npath = "edges.txt"\n')
    exp = load_experiment(path)
    assert Path(exp.model.network.path) == tmp_path / "edges.txt"
    assert exp.name == "net"


BAD = [
    # (file contents, fragment the message must contain)
    (with_(experiment={"step": 5}), "unknown key 'step' in [experiment] (did you mean "
                                    "'steps'?)"),
    (with_(experimnet={}), "unknown section [experimnet]"),
    (with_(experiment={"steps": "ten"}), "experiment.steps = 'ten'"),
    (with_(experiment={"replications": -1}), "experiment.replications = -1 is out of range"),
    (with_(experiment={"replications": 0}), "experiment.replications = 0"),
    (with_(experiment={"replications": 2.5}), "experiment.replications = 2.5"),
    (with_(experiment={"seed": -3}), "experiment.seed = -3"),
    (with_(experiment={"name": "a/b"}), "experiment.name = 'a/b'"),
    (with_(population={"n_agents": "many"}), "population.n_agents = 'many'"),
    (with_(word_of_mouth={"decay_bad": 1.5}), "word_of_mouth.decay_bad = 1.5 is out of range"),
    (with_(sweep={}), "[sweep] has no parameters to vary"),
    (with_(sweep={"open_share": []}), "sweep.open_share = []: empty grid"),
    (with_(sweep={"open_share": 0.5}), "sweep.open_share = 0.5: expected a list"),
    (with_(sweep={"open_shares": [0.1]}), "unknown model parameter 'open_shares' in [sweep]"),
    (with_(sweep={"open_share": [0.1, 1.2]}), "sweep.open_share[1]"),
    (with_(sweep={"open_share": [0.1, "x"]}), "sweep.open_share[1]"),
    (with_(sweep={"design": "lhs", "samples": 4}), "sweep.bounds is required"),
    (with_(sweep={"design": "sobol", "bounds": {"open_share": [0, 1]}}),
     "sweep.samples is required"),
    (with_(sweep={"design": "sobol", "samples": 6, "bounds": {
        "open_share": [0, 1], "decay_bad": [0, 1]}}), "power of two"),
    (with_(sweep={"design": "lhs", "samples": 4, "bounds": {"open_share": [0.9, 0.1]}}),
     "sweep.bounds.open_share"),
    (with_(sweep={"design": "lhs", "samples": 4, "bounds": {"open_share": [0, 2]}}),
     "sweep.bounds.open_share[1]"),
    (with_(sweep={"design": "lhs", "samples": 4, "bounds": {"kind": [0, 1]}}),
     "only numeric parameters"),
    (with_(sweep={"design": "lhs", "samples": 4, "open_share": [0.1, 0.2],
                  "bounds": {"decay_bad": [0, 1]}}), "sweep.open_share"),
    (with_(sweep={"design": "factorial"}), "sweep.design = 'factorial'"),
    (with_(sweep={"samples": 4, "open_share": [0.1]}), "sweep.samples only applies"),
    (with_(arms={}), "[arms] is empty"),
    (with_(arms={"a": {"decay_bda": 0.5}}), "arms.a: unknown model parameter 'decay_bda'"),
    (with_(arms={"a": {"decay_bad": -0.5}}), "arms.a: word_of_mouth.decay_bad = -0.5"),
    (with_(arms={"a": 3}), "arms.a = 3"),
    (with_(arms={"a b": {}}), "arms name = 'a b'"),
    (with_(arms={"a": {"open_share": 0.2}}, sweep={"open_share": [0.5]}),
     "sweep.open_share is also set by arms.a"),
    (with_(experiment={"baseline": "c"}, arms={"a": {}, "b": {}}),
     "experiment.baseline = 'c': not an arm"),
    (with_(output={"metrics": ["opps_totl"]}), "output.metrics: unknown name 'opps_totl'"),
    (with_(output={"every": 0}), "output.every = 0"),
    (with_(output={"tables": ["groups", "tie"]}), "output.tables: unknown name 'tie'"),
    (with_(output={"keep": 1}), "unknown key 'keep' in [output]"),
    (with_(quick={"stepz": 3}), "unknown key 'stepz' in [quick]"),
    (with_(quick={"steps": 0}), "quick: experiment.steps = 0"),
    (with_(quick={"n_agents": 1}), "quick: population.n_agents = 1"),
    (with_(plots={"figure": [{"kind": "pie"}]}), "plots.figure[0].kind = 'pie'"),
    (with_(plots={"figure": [{}]}), "plots.figure[0].kind is required"),
    (with_(plots={"figure": [{"kind": "outcomes", "colour": "red"}]}),
     "unknown key 'colour' in [plots.figure[0]]"),
    (with_(plots={"figure": [{"kind": "outcomes", "group_by": "arm"}]}),
     "plots.figure[0].group_by = 'arm'"),
    (with_(plots={"figure": [{"kind": "outcomes", "metric": "wins"}]}),
     "plots.figure[0].metric: unknown metric 'wins'"),
    (with_(plots={"figure": [{"kind": "outcomes", "x": 3}]}), "plots.figure[0].x = 3"),
    (with_(plots={"figure": [{"kind": "outcomes", "x": "open_share"}]}),
     "plots.figure[0].x = 'open_share': expected a varied parameter"),
    (with_(plots={"figure": [{"kind": "heatmap"}]}, sweep={"open_share": [0.1]}),
     "a heatmap needs two varied parameters"),
    (with_(network={"kind": "file", "path": "/nonexistent/edges.txt"}),
     "network.path: edge list file not found"),
]


@pytest.mark.parametrize("data, fragment", BAD, ids=[b[1][:40] for b in BAD])
def test_bad_experiments_get_one_line_naming_the_field(data, fragment):
    with pytest.raises(ConfigError) as err:
        experiment_from_dict(data)
    message = str(err.value)
    assert fragment in message
    assert "\n" not in message
