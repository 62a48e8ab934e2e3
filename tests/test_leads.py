"""Job leads (simnet.leads): openings that stay open while news of them travels, redundancy
inside clusters, telling close contacts first, and the tie-exposure measure."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simnet.leads import Openings, TieExposure
from simnet.model import ReputationModel
from simnet.stats import curve_shape
from simnet.tie_bins import mutual_bin, strength_bin
from simnet.ties import TieTable

S, C1, C2, C3, H1, W, H2 = range(7)


def clique_and_bridge() -> TieTable:
    """Seeker S in a clique {S, C1, C2, C3} of strong ties (0.9); holder H1 tied strongly to
    C1, C2, C3; S's one weak tie (0.1) bridges to W, who is tied strongly to holder H2."""
    strong = [(S, C1), (S, C2), (S, C3), (C1, C2), (C1, C3), (C2, C3), (H1, C1), (H1, C2),
              (H1, C3), (W, H2)]
    u = [a for a, _ in strong] + [S]
    v = [b for _, b in strong] + [W]
    return TieTable(7, np.array(u), np.array(v), np.array([0.9] * len(strong) + [0.1]))


def lead_cfg(**kw):
    base = dict(lead_share=1.0, lead_by_strength=0.0, opening_steps=5)
    base.update(kw)
    return SimpleNamespace(**base)


def test_clique_lead_reaches_the_seeker_as_redundant_news_the_bridge_brings_a_new_one():
    ties = clique_and_bridge()
    openings = Openings()
    openings.open(np.array([H1, H2]), step=0, rng=np.random.default_rng(0))
    seeking = np.zeros(7, dtype=bool)
    seeking[S] = True
    exposure = TieExposure()
    for _ in range(3):
        openings.spread(ties, lead_cfg(), np.inf, seeking, exposure)
    heard = pd.DataFrame({"opening": openings.known_opening, "agent": openings.known_agent,
                          "teller": openings.known_teller,
                          "strength": openings.known_strength})
    mine = heard[heard["agent"] == S].set_index("opening")
    # S heard each lead once: the clique's lead from a clique member over a strong tie,
    # the other cluster's lead over the weak bridge
    assert sorted(mine.index) == [0, 1]
    assert mine.loc[0, "teller"] in (C1, C2, C3) and mine.loc[0, "strength"] == 0.9
    assert mine.loc[1, "teller"] == W and mine.loc[1, "strength"] == pytest.approx(0.1)
    # what S was told: over strong ties 3 copies of one lead (1 new, 2 redundant), over
    # the weak tie 1 copy, new
    strong_bin, weak_bin = strength_bin(np.array([0.9, 0.1]))
    leads = exposure.counts["leads"]["strength"]
    new = exposure.counts["new_leads"]["strength"]
    assert (leads[strong_bin], new[strong_bin]) == (3, 1)
    assert (leads[weak_bin], new[weak_bin]) == (1, 1)
    # by mutual connections: S and each clique member share 2 friends, the bridge none
    assert new[weak_bin] / leads[weak_bin] > new[strong_bin] / leads[strong_bin]
    bridge, clique = mutual_bin(np.array([0, 2]))
    assert exposure.counts["new_leads"]["mutual"][bridge] == 1
    assert exposure.counts["leads"]["mutual"][clique] == 3


def test_a_contact_tells_a_lead_to_a_strong_tie_before_a_weak_one():
    """Teller T (holder's only contact) has a strong (0.9) and a weak (0.1) contact; with
    lead_by_strength = 1 it tells them with probability 0.9 and 0.1 (lead_share 1)."""
    holder, teller, strong, weak = 0, 1, 2, 3
    ties = TieTable(4, np.array([holder, teller, teller]), np.array([teller, strong, weak]),
                    np.array([1.0, 0.9, 0.1]))
    told = {strong: 0, weak: 0}
    rng = np.random.default_rng(5)
    trials = 2000
    openings = Openings()
    openings.open(np.full(trials, holder), step=0, rng=rng)
    for _ in range(2):
        openings.spread(ties, lead_cfg(lead_by_strength=1.0), np.inf, np.zeros(4, bool))
    for agent in (strong, weak):
        told[agent] = int((openings.known_agent == agent).sum())
    assert told[strong] / trials == pytest.approx(0.9, abs=0.03)
    assert told[weak] / trials == pytest.approx(0.1, abs=0.03)
    # with no tilt both are told alike: 0.5 by the holder to T, then 0.5 by T
    alike = Openings()
    alike.open(np.full(trials, holder), step=0, rng=rng)
    for _ in range(2):
        alike.spread(ties, lead_cfg(lead_share=0.5), np.inf, np.zeros(4, bool))
    shares = [(alike.known_agent == a).sum() / trials for a in (strong, weak)]
    assert shares == [pytest.approx(0.25, abs=0.03)] * 2


def test_closed_openings_forget_their_leads():
    ties = clique_and_bridge()
    openings = Openings()
    openings.open(np.array([H1, H2]), step=0, rng=np.random.default_rng(1))
    openings.spread(ties, lead_cfg(), np.inf, np.zeros(7, bool))
    openings.open(np.array([H1]), step=1, rng=np.random.default_rng(2))
    due = openings.due(step=4, opening_steps=5)
    assert due.tolist() == [True, True, False]
    openings.close(due)
    assert len(openings) == 1 and openings.ident.tolist() == [2]
    assert set(openings.known_opening.tolist()) <= {2}
    assert set(openings.leads.tag.tolist()) <= {2}


def small_model(**kw):
    base = dict(n_agents=200, mean_degree=8, opportunity_rate=0.08, seek_start=0.2,
                cold_applicants=0.5)
    base.update(kw)
    model = ReputationModel(rng=4, create_agents=False, tie_exposure=True, **base)
    for _ in range(25):
        model.step()
    return model


def test_leads_win_only_when_openings_stay_open():
    at_once = small_model(opening_steps=1)
    kept_open = small_model(opening_steps=4, lead_share=1.0, lead_by_strength=0.0)
    assert at_once.world.counters["opps_lead"].sum() == 0
    assert kept_open.world.counters["opps_lead"].sum() > 0
    opps = kept_open.opportunities_table()
    lead = opps[opps["channel"] == "lead"]
    # a lead arrives through a contact over a real tie; mostly not from the holder (only
    # when the holder told a contact whose tie to it ended before the decision)
    assert (lead["contact"] >= 0).all() and (lead["contact"] != lead["holder"]).mean() > 0.8
    assert (lead["path_strength"] > 0).all()


def test_tie_exposure_table_adds_up():
    model = small_model(opening_steps=3)
    table = model.tie_exposure_table()
    by = {m: part for m, part in table.groupby("measure")}
    assert set(by) == {"strength", "mutual"}
    # both measures bin the same tie-steps and the same tie-delivered opportunities
    assert by["strength"]["exposure"].sum() == by["mutual"]["exposure"].sum() > 0
    opps = model.opportunities_table()
    tied = opps[opps["channel"] != "cold"]
    assert by["strength"]["opportunities"].sum() == by["mutual"]["opportunities"].sum() \
        == len(tied)
    counted = np.bincount(strength_bin(tied["path_strength"].to_numpy()), minlength=5)
    np.testing.assert_array_equal(by["strength"].sort_values("bin_index")["opportunities"],
                                  counted)
    rate = 1000 * table["opportunities"] / table["exposure"]
    np.testing.assert_allclose(table["rate"].dropna(), rate[table["exposure"] > 0])
    assert (table["new_leads"] <= table["leads"]).all()


def test_exposure_counts_draw_no_random_numbers():
    """Measuring tie exposure changes no result."""
    kw = dict(n_agents=150, opening_steps=3)
    a = ReputationModel(rng=9, create_agents=False, tie_exposure=True, **kw)
    b = ReputationModel(rng=9, create_agents=False, **kw)
    for _ in range(12):
        a.step()
        b.step()
    pd.testing.assert_frame_equal(a.opportunities_table(), b.opportunities_table())


def rates(curve, runs=4, noise=0.3, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for run in range(runs):
        for i, r in enumerate(curve):
            rows.append({"run_id": f"r{run}", "arm": "base", "measure": "strength",
                         "bin_index": i, "bin": f"b{i}", "exposure": 1000.0,
                         "rate": r + noise * rng.standard_normal()})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("curve, shape", [
    ([1, 3, 5, 3, 1], "interior peak"),
    ([1, 2, 3, 4, 5], "rising"),
    ([5, 4, 3, 2, 1], "falling"),
    ([1, 1.05, 1, 1, 1], "interior peak (not significant)"),
])
def test_curve_shape_tells_an_inverted_u_from_a_monotone_curve(curve, shape):
    got = curve_shape(rates(curve))
    assert got["shape"].tolist() == [shape]


def test_curve_shape_calls_a_highest_end_within_the_noise_flat():
    table = rates([1.0, 0.9, 0.9, 0.9, 1.0], noise=0.0)
    last = table["bin_index"] == 4
    table.loc[last, "rate"] += np.repeat([0.5, -0.3, 0.4, -0.2], 1)  # mean +0.1, CI over 0
    assert curve_shape(table)["shape"].tolist() == ["flat"]


def test_curve_shape_leaves_out_bins_with_little_exposure():
    table = rates([1, 3, 5, 3, 9])
    table.loc[table["bin_index"] == 4, "exposure"] = 1.0  # 0.02% of the exposure
    got = curve_shape(table).iloc[0]
    assert got["shape"] == "interior peak" and got["bins"] == "b0, b1, b2, b3"


def test_strength_overlap_keeps_the_strengths_and_orders_them_by_overlap():
    from simnet.ties import neighbourhood_overlap

    def world(tilt):
        return ReputationModel(rng=2, create_agents=False, n_agents=300, rewire_prob=0.2,
                               strength_overlap=tilt).world.ties

    free, tied = world(0.0), world(1.0)
    np.testing.assert_array_equal(np.sort(free.strength), np.sort(tied.strength))
    overlap = neighbourhood_overlap(tied)
    corr = [np.corrcoef(t.strength, neighbourhood_overlap(t))[0, 1] for t in (free, tied)]
    assert abs(corr[0]) < 0.1 and corr[1] > 0.7
    # fully tilted: strength is a non-decreasing function of overlap
    order = np.argsort(overlap, kind="stable")
    assert np.all(np.diff(tied.strength[order]) >= 0)
    # the CSR view sees the new strengths
    csr = tied.csr()
    np.testing.assert_array_equal(csr.strength, tied.strength[csr.tie])
