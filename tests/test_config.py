import dataclasses

import pytest

from simnet.config import ConfigError, ModelConfig, model_config_from_dict
from simnet.experiment import experiment_from_dict, load_experiment


def test_defaults_validate_and_overrides_route_to_sections():
    cfg = ModelConfig().with_overrides(n_agents=300, decay_bad=0.7, kind="random")
    assert cfg.population.n_agents == 300
    assert cfg.word_of_mouth.decay_bad == 0.7
    assert cfg.network.kind == "random"
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.population.n_agents = 3


@pytest.mark.parametrize("overrides, fragment", [
    ({"n_agent": 10}, "unknown model parameter 'n_agent' (did you mean 'n_agents'?)"),
    ({"decay_bad": 1.5}, "word_of_mouth.decay_bad = 1.5 is out of range: allowed [0.0, 1.0]"),
    ({"n_agents": 1}, "population.n_agents = 1 is out of range"),
    ({"kind": "lattice"}, "network.kind = 'lattice': allowed values are"),
    ({"max_hops": 2.5}, "expected a whole number"),
    ({"echo_rule": 1}, "expected true or false"),
    ({"strategy_mix": {"opn": 1.0}}, "unknown strategy"),
])
def test_bad_overrides_name_the_field(overrides, fragment):
    with pytest.raises(ConfigError) as err:
        ModelConfig().with_overrides(**overrides)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_custom_strategy_from_table_starts_from_its_base():
    cfg = model_config_from_dict({
        "strategies": {"cautious": {"base": "selective", "min_mutual": 4}},
        "population": {"strategy_mix": {"cautious": 1.0}},
    })
    (custom,) = cfg.strategies
    assert custom.name == "cautious" and custom.min_mutual == 4
    assert custom.accept_all is False  # inherited from the selective preset


@pytest.mark.parametrize("data, fragment", [
    ({"strategies": {"x": {"base": "opne"}}}, "strategies.x.base = 'opne'"),
    ({"strategies": {"x": {"min_mutal": 3}}}, "unknown key 'min_mutal' in [strategies.x]"),
    ({"strategies": {"x": {"intro_known": 2.0}}},
     "unknown key 'intro_known' in [strategies.x] (intro_known was merged into "
     "'known_threshold'"),
    ({"evidence": {"intro_feedback": 2.0}}, "intro_feedback was removed"),
    ({"strategies": {"x": {"canned_share": 2}}}, "strategies.x.canned_share = 2 is out of range"),
    ({"populaton": {}}, "unknown section [populaton] (did you mean 'population'?)"),
    ({"experiment": {"steps": 0}}, "experiment.steps = 0 is out of range"),
    ({"experiment": {"seed": -1}}, "experiment.seed = -1"),
    ({"population": {"conduct_types": [{"name": "a", "share": 1, "mean": 1.2}]}},
     "population.conduct_types[0].mean = 1.2 is out of range"),
    ({"population": {"bad_share": 0.2, "conduct_types": [{"name": "a", "share": 1.0}]}},
     "no conduct type is marked bad"),
    ({"network": {"kind": "file"}}, "network.path is required"),
])
def test_bad_experiment_tables(data, fragment):
    with pytest.raises(ConfigError) as err:
        experiment_from_dict(data)
    assert fragment in str(err.value)


def test_load_experiment_reports_file_problems(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_experiment(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[experiment\nname = 'x'\n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        load_experiment(bad)


def test_shipped_experiment_loads():
    exp = load_experiment("experiments/open_vs_selective.toml")
    assert exp.name == "open_vs_selective"
    assert exp.model.population.strategy_mix == {"open": 0.5, "selective": 0.5}
    assert [t.name for t in exp.model.population.conduct_types] == [
        "professional", "careless", "spammer"]
    # The resolved configuration round-trips through its plain dict.
    assert experiment_from_dict(exp.to_dict()).model == exp.model
