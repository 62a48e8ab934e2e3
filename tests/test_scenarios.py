"""The seed stories as mechanisms, on small hand-built networks.

Each test builds a World from a Layout with the other phases switched off, runs the phase
or steps under test, and asserts the mechanism the story describes.
"""

from dataclasses import replace

import numpy as np
import pytest

from simnet import Layout, ModelConfig, ReputationModel
from simnet.phases import (
    interactions_phase,
    maintenance_phase,
    requests_phase,
    word_of_mouth_phase,
)
from simnet.phases.opportunities import (
    COLD,
    DIRECT,
    INTRODUCTION,
    award_opportunities,
    gather_candidates,
    holder_scores,
)
from simnet.strategies import IntroductionBatch, RequestBatch, make
from simnet.world import World

QUIET = dict(interaction_rate=0.0, opportunity_rate=0.0, tie_decay=0.0, seek_start=0.0,
             seek_stop=0.0, forgetting=1.0, trace_step=0)


def world(layout: Layout, seed: int = 0, **overrides) -> World:
    cfg = ModelConfig().with_overrides(**{**QUIET, **overrides})
    return World(cfg, np.random.default_rng(seed), layout=layout)


def set_requests(w: World, per_step: dict[str, float]) -> None:
    """Give each named strategy of ``w`` this many requests per step (others: none)."""
    for strategy in w.strategies:
        strategy.params = replace(strategy.params,
                                  requests_per_step=per_step.get(strategy.name, 0.0))


def one(array) -> np.ndarray:
    return np.array([array])


def heard_bad(w: World, viewer: int, subject: int) -> float:
    row = w.evidence.find(one(viewer), one(subject))[0]
    return 0.0 if row < 0 else float(w.evidence.heard_bad[row])


# ---------------------------------------------------------------- seed 000, story 2
def test_never_anonymous_news_travels_one_hop_per_step():
    """A blows off B; B's neighbour C hears one step later, C's neighbour D a step after.

    Path A - B - C - D. Nobody sends requests; only word of mouth moves.
    """
    layout = Layout(strategies=["selective"] * 4, u=[0, 1, 2], v=[1, 2, 3], strength=0.8,
                    conduct=[0.0, 0.9, 0.9, 0.9])
    model = ReputationModel(ModelConfig().with_overrides(**QUIET), layout=layout, rng=1,
                            max_hops=3, min_weight=0.0)
    w = model.world
    set_requests(w, {})
    A, B, C, D = 0, 1, 2, 3
    model.step()
    # The meeting B had with A went badly (phase 2 of this step), recorded as seen by B.
    w.record_seen(one(B), one(A), one(True), 1.0)
    w.news_previous, w.news_current = w.news_current, type(w.news_current)()
    assert w.perceived(one(C), one(A))[0] == 0.5          # C has not heard yet
    model.step()
    decay = w.cfg.word_of_mouth.decay_bad
    assert heard_bad(w, C, A) == pytest.approx(0.8 * decay)  # strength x bad-news decay
    assert w.perceived(one(C), one(A))[0] < 0.5
    assert heard_bad(w, D, A) == 0.0                      # one hop per step
    assert heard_bad(w, A, A) == 0.0                      # the subject is not told
    model.step()
    assert heard_bad(w, D, A) == pytest.approx((0.8 * decay) ** 2)
    assert heard_bad(w, B, A) == 0.0                      # no echo back to the witness
    assert w.perceived(one(D), one(A))[0] < 0.5


def test_bad_interaction_is_seen_and_weakens_the_tie():
    """Interactions: each side's conduct decides how it behaves; the other side sees it."""
    w = world(Layout(strategies=["open"] * 2, u=[0], v=[1], strength=1.0,
                     conduct=[0.0, 1.0]), interaction_rate=1.0, strength_loss=0.25)
    interactions_phase(w)
    assert w.perceived(one(1), one(0))[0] == pytest.approx(1 / 3)  # B saw A behave badly
    assert w.perceived(one(0), one(1))[0] == pytest.approx(2 / 3)  # A saw B behave well
    assert w.counters["bad_suffered"].tolist() == [0.0, 1.0]
    assert w.ties.strength[0] == pytest.approx(0.75)
    # News of it waits for the next step's word of mouth.
    witness, subject, is_bad, _ = w.news_current.arrays()
    assert (1, 0, True) in set(zip(witness.tolist(), subject.tolist(), is_bad.tolist(),
                                   strict=True))


def test_repeated_bad_interactions_burn_the_bridge():
    w = world(Layout(strategies=["open"] * 2, u=[0], v=[1], strength=1.0,
                     conduct=[0.0, 0.0]), interaction_rate=1.0, strength_loss=0.5)
    interactions_phase(w)
    assert len(w.ties) == 0
    assert w.counters["ties_burned"].tolist() == [1.0, 1.0]


# ---------------------------------------------------------------- seeds 001, 002, 004
def spam_world(receiver_strategies, seed=0):
    """Agent 0 is a spammer with no ties; the others receive its canned requests."""
    strategies = ["spammer", *receiver_strategies]
    w = world(Layout(strategies=strategies, conduct=[0.1] + [0.9] * len(receiver_strategies)),
              seed=seed)
    set_requests(w, {"spammer": 200.0})
    return w


def test_open_accepts_a_canned_stranger_selective_refuses():
    """Seed 001 accepts everyone; seed 004's author refused the canned request."""
    w = spam_world(["open", "selective"])
    requests_phase(w)
    assert w.ties.find(one(0), one(1))[0] >= 0   # the open networker connected
    assert w.ties.find(one(0), one(2))[0] < 0    # the selective one did not
    # Either way the canned request itself was a bad interaction for its receiver.
    assert w.counters["spam_received"][1] >= 1 and w.counters["spam_received"][2] >= 1
    assert w.perceived(one(1), one(0))[0] < 0.5
    assert w.perceived(one(2), one(0))[0] < 0.5
    assert w.counters["requests_accepted"][0] == 1


def test_selective_accepts_a_vouched_friend_of_friend_with_a_note():
    """Seed 002: connect with people you know or who are vouched for (mutual ties)."""
    w = world(Layout(strategies=["selective"] * 4, u=[0, 0, 1, 2], v=[1, 2, 3, 3]))
    batch_for = make("selective")
    mutual = 2  # agents 0 and 3 share friends 1 and 2
    batch = RequestBatch(w.perceived(one(3), one(0)), np.array([mutual]),
                         w.evidence.seen_total(one(3), one(0)), np.array([False]))
    assert batch_for.accept(batch).tolist() == [True]
    lonely = RequestBatch(batch.reputation, np.array([0]), batch.seen, np.array([False]))
    assert batch_for.accept(lonely).tolist() == [False]


def test_spam_news_gets_a_spammer_refused_by_the_receivers_friends():
    """Seed 000 story 3 and seed 004: the spammer's reputation precedes it."""
    # 0 spammer; 1 and 2 selective friends; 0 shares two mutual contacts (3, 4) with 2.
    layout = Layout(strategies=["spammer", "selective", "selective", "open", "open"],
                    u=[1, 0, 0, 2, 2], v=[2, 3, 4, 3, 4], strength=0.9,
                    conduct=[0.1, 0.9, 0.9, 0.9, 0.9])
    w = world(layout)
    selective = make("selective")

    def two_accepts():
        batch = RequestBatch(w.perceived(one(2), one(0)),
                             np.array([2]), w.evidence.seen_total(one(2), one(0)),
                             np.array([False]))
        return bool(selective.accept(batch)[0])

    w2 = world(layout)
    assert two_accepts()  # vouched by two mutual contacts, nothing heard: accepted
    w.record_seen(one(1), one(0), one(True), 1.0)  # 1 got a canned request from 0
    w.news_previous, w.news_current = w.news_current, type(w.news_current)()
    from simnet.phases import word_of_mouth_phase
    word_of_mouth_phase(w)
    assert heard_bad(w, 2, 0) > 0
    assert not two_accepts()  # 2 heard from 1: refused despite the mutual contacts
    assert w2.perceived(one(2), one(0))[0] == 0.5


# ---------------------------------------------------------------- seed 003 and seed 000 story 1
def intro_world(seeker_conduct: float, introducer="connector", seeker_tie=1.0):
    """0 holder, 1 introducer, 2 seeker (tied to 1 only); 3 a second contact of 1."""
    layout = Layout(strategies=["open", introducer, "open", "open"],
                    u=[0, 1, 1], v=[1, 2, 3], strength=[0.6, seeker_tie, 0.5],
                    conduct=[0.9, 0.9, seeker_conduct, 0.9])
    w = world(layout, cold_applicants=0.0, ranking_noise=0.0, intro_cost=0.05,
              intro_penalty=0.2)
    w.seeking[2] = True
    return w


def test_a_bad_introduction_costs_the_introducer():
    """Seed 003: the introducer vouched for someone who then behaved badly."""
    w = intro_world(seeker_conduct=0.0)
    award_opportunities(w, np.array([0]))
    prov = w.provenance[0]
    assert prov["winner"].tolist() == [2]
    assert prov["channel"].tolist() == [INTRODUCTION]
    assert prov["introducer"].tolist() == [1]
    assert prov["path_strength"].tolist() == [1.0]      # the seeker's tie to its introducer
    assert prov["mutual"].tolist() == [0]               # counted before the award's new tie
    assert prov["good"].tolist() == [False]
    assert w.perceived(one(0), one(2))[0] < 0.5         # the holder saw the bad engagement
    assert w.perceived(one(0), one(1))[0] < 0.5         # ... and holds it against the introducer
    row = w.ties.find(one(0), one(1))[0]
    assert w.ties.strength[row] == pytest.approx(0.6 - 0.05 - 0.2)
    assert w.counters["capital_lost"][1] == pytest.approx(0.25)
    assert w.counters["intros_bad"][1] == 1
    assert w.counters["bad_hires"][0] == 1
    assert not w.seeking[2]


def test_a_good_introduction_strengthens_the_introducers_tie():
    w = intro_world(seeker_conduct=1.0)
    award_opportunities(w, np.array([0]))
    assert w.provenance[0]["good"].tolist() == [True]
    assert w.perceived(one(0), one(1))[0] > 0.5
    row = w.ties.find(one(0), one(1))[0]
    gain = w.cfg.ties.strength_gain
    assert w.ties.strength[row] == pytest.approx(0.55 + gain * (1 - 0.55))
    assert w.counters["capital_lost"][1] == 0
    assert w.ties.find(one(0), one(2))[0] >= 0       # the engagement made a tie
    assert w.counters["opps_introduction"][2] == 1


def set_params(w: World, name: str, **params) -> None:
    """Change the policy parameters of strategy ``name`` in ``w``."""
    for strategy in w.strategies:
        if strategy.name == name:
            strategy.params = replace(strategy.params, **params)


def introduced(w: World) -> bool:
    return INTRODUCTION in gather_candidates(w, np.array([0]))["channel"].tolist()


def test_reluctant_introducer_after_an_introduction_gone_bad():
    """Seed 003: "I am reluctant to give any more names to someone who acts like this"."""
    w = intro_world(0.0, introducer="selective")
    set_params(w, "selective", intro_willingness=1.0)
    # the introducer has seen the seeker do good work three times: it vouches
    w.evidence.add(one(1), one(2), one(3.0), one(0.0), heard=False)
    assert introduced(w)
    award_opportunities(w, np.array([0]))
    assert w.provenance[0]["good"].tolist() == [False]
    # the holder's complaint reached the introducer at once, as one hop of word of mouth
    # along their tie (0.6) ...
    row = w.evidence.find(one(1), one(2))[0]
    cfg = w.cfg
    complaint = cfg.evidence.engagement_evidence * 0.6 * cfg.word_of_mouth.decay_bad
    assert w.evidence.heard_bad[row] == pytest.approx(complaint)
    # ... which no longer vouches for the seeker when it seeks again
    assert w.perceived(one(1), one(2))[0] < w.strategies[1].params.intro_min_reputation
    w.seeking[2] = True
    assert not introduced(w)


def test_the_complaint_counts_once():
    """The introducer hears the holder's complaint once: word of mouth, which would have
    brought the holder's observation along the same tie, does not bring it again; the
    holder's other contacts hear it by word of mouth as usual."""
    w = intro_world(0.0, introducer="selective")
    set_params(w, "selective", intro_willingness=1.0)
    w.evidence.add(one(1), one(2), one(3.0), one(0.0), heard=False)
    w.ties.add(one(0), one(3), 0.5, 0)  # the holder knows agent 3 as well
    award_opportunities(w, np.array([0]))
    row = w.evidence.find(one(1), one(2))[0]
    after_complaint = w.evidence.heard_bad[row]
    w.step += 1
    w.news_previous, w.news_current = w.news_current, type(w.news_current)()
    word_of_mouth_phase(w)
    assert w.evidence.heard_bad[w.evidence.find(one(1), one(2))[0]] == after_complaint
    assert w.evidence.heard_bad[w.evidence.find(one(3), one(2))[0]] > 0


def test_i_dont_really_know_that_person():
    """Seed 002: an introducer vouches only for someone whose work it knows, and more
    readily the stronger their tie."""
    w = intro_world(0.9, introducer="open")
    set_params(w, "open", intro_willingness=1.0)
    assert not introduced(w)   # tied, but it has seen nothing of the seeker's work
    w.evidence.add(one(1), one(2), one(2.0), one(0.0), heard=False)
    assert introduced(w)       # now it knows the seeker
    # willingness rises with the tie: the same strategy over many draws
    strategy = make("open")
    rng = np.random.default_rng(0)
    batch = IntroductionBatch(np.full(4000, 0.9), np.full(4000, 5.0),
                              np.repeat([0.1, 0.9], 2000), np.ones(4000), np.zeros(4000))
    vouched = strategy.introduce(rng, batch)
    assert vouched[:2000].mean() < 0.1 < 0.3 < vouched[2000:].mean()


def test_picky_introducer_refuses_an_unknown_seeker_eager_one_vouches():
    """Seed 003: "eager to refer people I shouldn't" vs a picky introducer."""
    eager = intro_world(0.5, introducer="connector")
    picky = intro_world(0.5, introducer="selective")
    holders = np.array([0])
    assert INTRODUCTION in gather_candidates(eager, holders)["channel"].tolist()
    assert INTRODUCTION not in gather_candidates(picky, holders)["channel"].tolist()


def test_holder_asks_its_contacts_about_candidates():
    """Seed 000 story 1 ("asked if I knew him") and story 2 (one reference point)."""
    # 0 holder with contact 1; seekers 2 (1 knows them well) and 3 (1 saw them blow off).
    w = world(Layout(strategies=["open"] * 5, u=[0], v=[1], strength=1.0),
              ranking_noise=0.0, ask_weight=1.0)
    w.evidence.add(np.array([1, 1]), np.array([2, 3]), np.array([5.0, 0.0]),
                   np.array([0.0, 1.0]), heard=False)
    cand = {"opp": np.zeros(3, dtype=np.int64), "seeker": np.array([2, 3, 4]),
            "channel": np.full(3, COLD), "introducer": np.full(3, -1),
            "holder_tie": np.zeros(3), "seeker_tie": np.zeros(3)}
    vouched, blown_off, stranger = holder_scores(w, np.array([0]), cand)
    assert vouched > stranger > blown_off
    assert stranger == pytest.approx(0.5)


def test_direct_tie_is_a_channel_and_preferred_over_introduction():
    w = intro_world(seeker_conduct=1.0)
    w.ties.add(one(0), one(2), np.array([0.9]), step=0)
    cand = gather_candidates(w, np.array([0]))
    assert DIRECT in cand["channel"].tolist()
    award_opportunities(w, np.array([0]))
    assert w.provenance[0]["channel"].tolist() == [DIRECT]


def test_never_anonymous_with_default_ties():
    """Seed 000 story 2 on ordinary ties: X blew off P; P - Q - E, all of strength 0.5.
    In the second step E, two hops from the witness, hears of it, and X's chance of being
    picked by E falls below a stranger's; after E has forgotten a rumour this faint, asking
    Q ("asked if I knew him") still keeps X from being picked."""
    X, P, Q, E, Y = range(5)
    layout = Layout(strategies=["open"] * 5, u=[X, P, Q], v=[P, Q, E],
                    conduct=[0.0, 0.9, 0.9, 0.9, 0.9])
    model = ReputationModel(ModelConfig().with_overrides(**{**QUIET, "forgetting": 0.99}),
                            layout=layout, rng=1)
    w = model.world
    set_requests(w, {})
    w.record_seen(one(P), one(X), one(True), 1.0)
    w.news_previous, w.news_current = w.news_current, type(w.news_current)()
    model.step()                                      # Q hears from P
    cand = {"opp": np.zeros(2, dtype=np.int64), "seeker": np.array([X, Y]),
            "channel": np.full(2, COLD), "introducer": np.full(2, -1),
            "holder_tie": np.zeros(2), "seeker_tie": np.zeros(2)}

    def x_wins() -> float:
        return float(np.mean([np.argmax(holder_scores(w, np.array([E]), cand)) == 0
                              for _ in range(400)]))

    w.step = 2
    word_of_mouth_phase(w)                            # E hears from Q
    assert heard_bad(w, E, X) > 0
    assert w.perceived(one(E), one(X))[0] < 0.5
    assert x_wins() < 0.2                             # a stranger would win half the time
    maintenance_phase(w)
    assert x_wins() < 0.42                            # Q, when asked, still remembers


def test_diamond_in_the_model_counts_news_once():
    """X - A, A - B, A - C, B - D, C - D: D hears A's one observation of X exactly once;
    the linear mode (the power series) counts it along both paths."""
    heard = {}
    for mode in ("once", "linear"):
        layout = Layout(strategies=["open"] * 5, u=[0, 1, 1, 2, 3], v=[1, 2, 3, 4, 4],
                        strength=0.5, conduct=[0.0, 0.9, 0.9, 0.9, 0.9])
        model = ReputationModel(ModelConfig().with_overrides(**QUIET), layout=layout, rng=1,
                                mode=mode, share_bad=1.0, min_weight=0.0, min_evidence=0.0)
        w = model.world
        set_requests(w, {})
        w.record_seen(one(1), one(0), one(True), 1.0)
        w.news_previous, w.news_current = w.news_current, type(w.news_current)()
        for _ in range(3):
            model.step()
        heard[mode] = heard_bad(w, 4, 0)
    one_path = (0.5 * w.cfg.word_of_mouth.decay_bad) ** 2
    assert heard["once"] == pytest.approx(one_path)
    assert heard["linear"] == pytest.approx(2 * one_path)


# ---------------------------------------------------------------- seed 002 and seed 004 comment
def test_an_unused_tie_decays_and_is_dropped():
    """Reconnect or the tie fades."""
    w = world(Layout(strategies=["open"] * 2, u=[0], v=[1], strength=0.025),
              tie_decay=0.01)
    for step in (1, 2):
        w.step = step
        maintenance_phase(w)
        assert len(w.ties) == 1
    w.step = 3
    maintenance_phase(w)
    assert len(w.ties) == 0
    assert w.counters["ties_faded"].tolist() == [1.0, 1.0]


def test_selective_prunes_weak_ties_open_keeps_them():
    """Seed 002, "fortify": cut the connections you don't really know."""
    w = world(Layout(strategies=["selective", "open", "open"], u=[0, 1], v=[1, 2],
                     strength=[0.02, 0.02]))
    w.step = 1
    maintenance_phase(w)
    assert w.ties.find(one(0), one(1))[0] < 0   # the selective end pruned it
    assert w.ties.find(one(1), one(2))[0] >= 0  # two open networkers keep it


# ---------------------------------------------------------------- mechanisms the screen finds weak
# The sensitivity screen finds these parameters without a measurable effect on the
# population's outcomes (README, "Which parameters matter"); here each does what it says
# where it applies, so their weakness is the population's, not a dead mechanism.
def test_refuse_canned_refuses_a_vouched_stranger_without_a_note():
    """Seed 004: a selective networker refuses a canned request even when vouched for."""
    vouched_canned = RequestBatch(np.array([0.6]), np.array([3]), np.array([0.0]),
                                  np.array([True]))
    selective = make("selective")
    assert selective.params.refuse_canned
    assert selective.accept(vouched_canned).tolist() == [False]
    lenient = make("selective")
    lenient.params = replace(lenient.params, refuse_canned=False)
    assert lenient.accept(vouched_canned).tolist() == [True]
    # someone it knows is accepted with or without a note
    known = replace(vouched_canned, seen=np.array([5.0]))
    assert selective.accept(known).tolist() == [True]


@pytest.mark.parametrize("weight", [1.0, 3.0])
def test_engagement_evidence_weighs_what_the_holder_saw_of_the_winner(weight):
    """The holder records the engagement as ``engagement_evidence`` seen evidence."""
    w = world(Layout(strategies=["open"] * 2, u=[0], v=[1], strength=0.9,
                     conduct=[0.9, 1.0]),
              cold_applicants=0.0, ranking_noise=0.0, engagement_evidence=weight)
    w.seeking[1] = True
    award_opportunities(w, np.array([0]))
    assert w.provenance[0]["good"].tolist() == [True]
    assert w.evidence.seen_total(one(0), one(1))[0] == pytest.approx(weight)


def test_a_bad_introduction_counts_against_the_introducer():
    """A bad introduction lowers the holder's view of the introducer by the engagement's
    weight: the hire is held against whoever vouched for it."""
    views = []
    for weight in (0.25, 2.0):
        w = intro_world(seeker_conduct=0.0)
        w.cfg = w.cfg.with_overrides(engagement_evidence=weight)
        award_opportunities(w, np.array([0]))
        assert w.provenance[0]["channel"].tolist() == [INTRODUCTION]
        assert w.evidence.seen_total(one(0), one(1))[0] == pytest.approx(weight)
        views.append(w.perceived(one(0), one(1))[0])
    assert views[1] < views[0] < 0.5
