"""The benchmark's yardstick (benchmarks/yardstick.py) models the same core as simnet with
simnet's defaults, so that the speed ratio compares like with like."""

from collections import Counter

from benchmarks import yardstick as ys
from simnet import ModelConfig


def test_the_yardstick_uses_simnets_defaults():
    cfg = ModelConfig()
    wom = cfg.word_of_mouth
    assert ys.SHARE == {False: wom.share_good, True: wom.share_bad}
    assert ys.DECAY == {False: wom.decay_good, True: wom.decay_bad}
    assert (ys.FANOUT, ys.MAX_HOPS, ys.MIN_WEIGHT, ys.RETELL_MAX) == (
        wom.fanout, wom.max_hops, wom.min_weight, wom.retell_max)
    assert (ys.INTERACTION_RATE, ys.FORGETTING, ys.MIN_EVIDENCE) == (
        cfg.ties.interaction_rate, cfg.evidence.forgetting, cfg.evidence.min_evidence)


def test_nobody_in_the_yardstick_retells_more_than_the_budget():
    model = ys.YardstickModel(300, mean_degree=12, seed=2)
    for _ in range(4):
        model.step()
    per_holder = Counter(h for event in model.events for h in event["frontier"])
    assert per_holder and max(per_holder.values()) <= ys.RETELL_MAX
    assert model.evidence_entries() > 0
