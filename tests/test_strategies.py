"""The contract every strategy honours, checked for each preset (and a custom one)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.config import PRESET_PARAMS, ModelConfig, model_config_from_dict
from simnet.strategies import (
    REGISTRY,
    IntroductionBatch,
    RequestBatch,
    Strategy,
    make,
    register,
    resolve,
)


def batches(k: int):
    return st.builds(
        RequestBatch,
        reputation=st.lists(st.floats(0, 1), min_size=k, max_size=k).map(np.array),
        mutual=st.lists(st.integers(0, 20), min_size=k, max_size=k).map(np.array),
        seen=st.lists(st.floats(0, 10), min_size=k, max_size=k).map(np.array),
        canned=st.lists(st.booleans(), min_size=k, max_size=k).map(np.array),
    )


class StrategyContract:
    """Inherited by one test class per strategy; ``name`` picks the strategy."""

    name = ""

    @pytest.fixture
    def strategy(self) -> Strategy:
        return make(self.name)

    def test_docstring_cites_its_source(self, strategy):
        doc = type(strategy).__doc__ or ""
        assert "seed" in doc.lower()

    def test_request_counts_follow_the_rate(self, strategy):
        counts = strategy.request_counts(np.random.default_rng(0), 20_000)
        assert counts.dtype.kind == "i" and (counts >= 0).all()
        assert counts.mean() == pytest.approx(strategy.params.requests_per_step, abs=0.05)

    def test_request_kinds_follow_the_shares(self, strategy):
        to_stranger, canned = strategy.request_kinds(np.random.default_rng(1), 20_000)
        assert to_stranger.mean() == pytest.approx(strategy.params.stranger_share, abs=0.02)
        assert canned.mean() == pytest.approx(strategy.params.canned_share, abs=0.02)

    def test_prunes_only_below_its_threshold(self, strategy):
        strength = np.linspace(0.001, 1, 200)
        pruned = strategy.prune(strength)
        assert (strength[pruned] < strategy.params.prune_below).all()
        assert pruned.sum() == (strength < strategy.params.prune_below).sum()


class TestOpen(StrategyContract):
    name = "open"


class TestSelective(StrategyContract):
    name = "selective"

    def test_refuses_canned_strangers_even_when_vouched(self, strategy):
        batch = RequestBatch(np.array([0.5, 0.5]), np.array([5, 5]), np.array([0.0, 0.0]),
                             np.array([True, False]))
        assert strategy.accept(batch).tolist() == [False, True]


class TestRecruiter(StrategyContract):
    name = "recruiter"


class TestConnector(StrategyContract):
    name = "connector"

    def test_more_eager_than_selective(self, strategy):
        picky = PRESET_PARAMS["selective"]
        assert strategy.params.intro_min_reputation < picky.intro_min_reputation
        assert strategy.params.intro_willingness > picky.intro_willingness


class TestSpammer(StrategyContract):
    name = "spammer"


PRESETS = list(PRESET_PARAMS)


@pytest.mark.parametrize("name", PRESETS)
@settings(max_examples=40, deadline=None)
@given(batch=batches(12))
def test_accept_is_a_bulk_boolean_decision(name, batch):
    strategy = make(name)
    accepted = strategy.accept(batch)
    assert accepted.dtype == bool and accepted.shape == (12,)
    p = strategy.params
    if p.accept_all:
        assert accepted.all()
    else:
        # Nobody below the reputation bar, nobody neither known nor vouched for.
        assert (batch.reputation[accepted] >= p.min_reputation).all()
        known = batch.seen >= p.known_threshold
        assert (known | (batch.mutual >= p.min_mutual))[accepted].all()


@pytest.mark.parametrize("name", PRESETS)
@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 5), st.floats(0.01, 1)),
                    max_size=30))
def test_introduces_only_known_seekers_above_its_bar(name, rows):
    strategy = make(name)
    reputation, seen, tie = (np.array(col, dtype=float).reshape(-1)
                             for col in (zip(*rows, strict=True) if rows else ([], [], [])))
    chosen = strategy.introduce(np.random.default_rng(2),
                                IntroductionBatch(reputation, seen, tie,
                                                  np.ones_like(tie), np.zeros_like(tie)))
    assert chosen.shape == reputation.shape
    assert (reputation[chosen] >= strategy.params.intro_min_reputation).all()
    assert (seen[chosen] >= strategy.params.known_threshold).all()
    if strategy.params.intro_willingness == 0:
        assert not chosen.any()


def test_introducers_stake_less_of_a_weak_tie_and_on_a_doubtful_seeker():
    """The chance to vouch falls with the capital at stake against the tie to the holder
    (seed 003): none when the expected cost is the whole tie."""
    strategy = make("connector")
    k = 4000
    rng = np.random.default_rng(5)

    def share(holder_tie: float, at_stake: float) -> float:
        batch = IntroductionBatch(np.full(k, 0.9), np.full(k, 5.0), np.full(k, 1.0),
                                  np.full(k, holder_tie), np.full(k, at_stake))
        return float(strategy.introduce(rng, batch).mean())

    assert share(0.5, 0.5) == share(0.2, 0.3) == 0.0
    assert share(0.5, 0.25) < share(0.5, 0.05) < share(0.5, 0.0)
    assert share(0.1, 0.05) < share(0.8, 0.05)


def test_registry_holds_the_presets_in_order():
    assert list(REGISTRY) == ["open", "selective", "recruiter", "connector", "spammer"]


def test_custom_strategies_come_from_the_configuration():
    cfg = model_config_from_dict({"strategies": {"cautious": {"base": "selective",
                                                              "min_mutual": 5}}})
    strategies = resolve(cfg)
    assert [s.name for s in strategies][-1] == "cautious"
    assert strategies[-1].params.min_mutual == 5


def test_a_programmer_registers_a_new_behaviour():
    class Hermit(Strategy):
        """Never accepts anyone (an example for the docs; not a seed story)."""

        default_params = PRESET_PARAMS["selective"]

        def accept(self, batch):
            return np.zeros(batch.reputation.shape, dtype=bool)

    register("hermit", Hermit)
    try:
        hermit = make("hermit")
        assert isinstance(hermit, Hermit) and hermit.name == "hermit"
        assert not hermit.accept(RequestBatch(np.ones(3), np.ones(3), np.ones(3),
                                              np.zeros(3, bool))).any()
        assert "selective" in [s.name for s in resolve(ModelConfig())]
    finally:
        del REGISTRY["hermit"]
