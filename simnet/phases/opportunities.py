"""Phase 4: opportunities at holders, reached directly, by introduction, by a job lead, or
cold."""

from __future__ import annotations

import numpy as np

from simnet.evidence import beta_reputation
from simnet.kernels import count_common_neighbors
from simnet.strategies import IntroductionBatch
from simnet.ties import expand_neighbors

DIRECT, INTRODUCTION, COLD, LEAD = 0, 1, 2, 3
# Which channel a seeker reaching one opening several ways uses: direct, then introduction,
# then lead, then cold (indexed by channel code; lower is preferred).
CHANNEL_RANK = np.array([0, 1, 3, 2])


def update_seeking(world) -> None:
    """Agents start and stop looking for an opportunity (job, client, deal)."""
    opp = world.cfg.opportunities
    draw = world.rng.random(world.n)
    world.seeking = np.where(world.seeking, draw >= opp.seek_stop, draw < opp.seek_start)


def gather_candidates(world, holders: np.ndarray, leads=None) -> dict[str, np.ndarray]:
    """Every seeker who reaches each opportunity, by every channel.

    ``holders`` int64[q]. ``leads``: who heard of each opening by a job lead, ``(opp,
    agent, teller, strength)`` (int64[k] index into holders, int64[k], int64[k],
    float64[k]: the tie to the teller when told); seekers among them apply. Returns arrays
    of equal length c: ``opp`` (index into holders), ``seeker``, ``channel`` (0 direct, 1
    introduction, 2 cold, 3 lead), ``introducer`` (-1 unless introduced), ``contact`` (who
    links the seeker to the opening: the holder, the introducer or the lead's teller; -1
    cold), ``holder_tie`` (strength of the holder's tie on the path: to the seeker, to the
    introducer; 0 for a lead or cold), ``seeker_tie`` (strength of the seeker's own tie on
    the path: to the holder, the introducer or the teller; 0 cold).
    """
    rng, csr, seeking = world.rng, world.ties.csr(), world.seeking
    parts = []
    # Direct: a seeker tied to the holder.
    owner, entry = expand_neighbors(csr, holders)
    nb = csr.indices[entry].astype(np.int64)
    direct = seeking[nb]
    parts.append((owner[direct], nb[direct], np.full(direct.sum(), DIRECT),
                  np.full(direct.sum(), -1), holders[owner[direct]],
                  csr.strength[entry][direct], csr.strength[entry][direct]))

    # Introduction: a seeker tied to one of the holder's contacts, who vouches for it.
    owner2, entry2 = expand_neighbors(csr, nb)
    opp2 = owner[owner2]
    introducer = nb[owner2]
    seeker = csr.indices[entry2].astype(np.int64)
    holder_tie = csr.strength[entry][owner2]
    ok = seeking[seeker] & (seeker != holders[opp2])
    opp2, introducer, seeker = opp2[ok], introducer[ok], seeker[ok]
    holder_tie, seeker_tie = holder_tie[ok], csr.strength[entry2][ok]
    vouches = np.zeros(seeker.size, dtype=bool)
    opinion, seen = world.perceived_and_seen(introducer, seeker)
    # what the introduction puts at risk of the introducer's tie to the holder: the cost
    # always, the penalty if the seeker lets the holder down (as the introducer judges it)
    opp_cfg = world.cfg.opportunities
    at_stake = opp_cfg.intro_cost + (1.0 - opinion) * opp_cfg.intro_penalty
    for strategy, where in world.by_strategy(introducer):
        batch = IntroductionBatch(opinion[where], seen[where], seeker_tie[where],
                                  holder_tie[where], at_stake[where])
        vouches[where] = strategy.introduce(rng, batch)
    parts.append((opp2[vouches], seeker[vouches], np.full(vouches.sum(), INTRODUCTION),
                  introducer[vouches], introducer[vouches], holder_tie[vouches],
                  seeker_tie[vouches]))

    # Leads: seekers who heard of the opening from a contact apply through that contact.
    if leads is not None:
        opp4, agent, teller, strength = leads
        applies = seeking[agent]
        k = int(applies.sum())
        parts.append((opp4[applies], agent[applies], np.full(k, LEAD), np.full(k, -1),
                      teller[applies], np.zeros(k), strength[applies]))

    # Cold: seekers who apply with no path.
    pool = np.flatnonzero(seeking)
    if pool.size:
        n_cold = rng.poisson(world.cfg.opportunities.cold_applicants, holders.size)
        opp3 = np.repeat(np.arange(holders.size), n_cold)
        cold = pool[rng.integers(0, pool.size, opp3.size)]
        zeros = np.zeros(opp3.size)
        none = np.full(opp3.size, -1)
        parts.append((opp3, cold, np.full(opp3.size, COLD), none, none, zeros, zeros))

    cols = [np.concatenate(col) for col in zip(*parts, strict=True)]
    cand = dict(zip(("opp", "seeker", "channel", "introducer", "contact", "holder_tie",
                     "seeker_tie"), cols, strict=True))
    for name in ("opp", "seeker", "introducer", "contact"):
        cand[name] = cand[name].astype(np.int64)
    keep = cand["seeker"] != holders[cand["opp"]]
    cand = {k: v[keep] for k, v in cand.items()}
    return cand


def holder_scores(world, holders: np.ndarray, cand: dict[str, np.ndarray]) -> np.ndarray:
    """float64[c]: how each holder rates each candidate.

    The holder's own evidence about the seeker plus what its contacts say when asked
    (their evidence, weighted by the holder's tie strength to them and ``ask_weight``) give
    a Beta reputation; a direct tie adds ``direct_bonus * strength``; an introduction adds
    ``intro_bonus * strength(holder, introducer) * 2 * trust`` where trust is the holder's
    perceived reputation of the introducer; plus Gaussian noise.
    """
    ev, opp_cfg, csr = world.cfg.evidence, world.cfg.opportunities, world.ties.csr()
    holder = holders[cand["opp"]]
    seeker = cand["seeker"]
    good, bad = world.evidence.counts(holder, seeker, ev.saw_weight, ev.heard_weight)
    # "Asked if I knew him": the holder's contacts report what they hold about the seeker.
    owner, entry = expand_neighbors(csr, holder)
    contact = csr.indices[entry]
    c_good, c_bad = world.evidence.counts(contact, seeker[owner], ev.saw_weight,
                                          ev.heard_weight)
    w = csr.strength[entry] * opp_cfg.ask_weight * (contact != seeker[owner])
    good = good + np.bincount(owner, weights=w * c_good, minlength=holder.size)
    bad = bad + np.bincount(owner, weights=w * c_bad, minlength=holder.size)
    score = beta_reputation(good, bad)
    is_direct = cand["channel"] == DIRECT
    score = score + np.where(is_direct, opp_cfg.direct_bonus * cand["holder_tie"], 0.0)
    is_intro = cand["channel"] == INTRODUCTION
    trust = np.full(holder.size, 0.5)
    trust[is_intro] = world.perceived(holder[is_intro], cand["introducer"][is_intro])
    score = score + np.where(is_intro, opp_cfg.intro_bonus * cand["holder_tie"] * 2 * trust,
                             0.0)
    return score + opp_cfg.ranking_noise * world.rng.standard_normal(holder.size)


def best_per_group(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """int64[g]: index of the highest score within each group (ties: lowest index)."""
    order = np.lexsort((np.arange(group.size), -score, group))
    first = np.ones(order.size, dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    return order[first]


def opportunities_phase(world) -> None:
    """Openings appear at random holders; when due, the best candidate of each wins it.

    An opening is decided ``opening_steps`` steps after it appears (1: the same step);
    meanwhile a job lead about it travels one hop per step (:mod:`simnet.leads`). The
    winner's engagement goes well with its conduct as probability. The holder records it
    as seen evidence about the winner and, for an introduction, about the introducer,
    whose relationship capital (the holder-introducer tie) is spent: ``intro_cost`` always,
    ``intro_penalty`` more when it goes badly, while a good one strengthens the tie again;
    so a contact vouches the less readily, the more of its tie to the holder the
    introduction puts at stake (:meth:`simnet.strategies.Strategy.introduce`). The holder
    tells the introducer at once how the seeker did, as one hop of word of mouth that is
    certain and is not repeated by gossip, so an introduction gone bad makes the
    introducer think worse of the seeker before it is asked again. Every won opportunity
    records its provenance.
    """
    opp = world.cfg.opportunities
    update_seeking(world)
    if world.exposure is not None:
        world.exposure.count_seekers(world.ties.csr(), world.seeking)
    n_opps = world.rng.poisson(opp.opportunity_rate * world.n)
    holders = world.rng.integers(0, world.n, n_opps)
    if opp.opening_steps == 1:
        # decided at once: a lead's first hop reaches only the holder's contacts, who
        # apply directly anyway, so no lead needs to travel
        award_opportunities(world, holders)
        return
    openings = world.openings
    openings.open(holders, world.step, world.rng)
    openings.spread(world.ties, opp, world.cfg.word_of_mouth.fanout, world.seeking,
                    world.exposure)
    due = openings.due(world.step, opp.opening_steps)
    which = np.flatnonzero(due)
    award_opportunities(world, openings.holder[which], openings.applicants(which),
                        n_new=n_opps)
    openings.close(due)


def award_opportunities(world, holders: np.ndarray, leads=None,
                        n_new: int | None = None) -> None:
    """Rank every candidate of each opportunity (holders int64[q]; ``leads`` as in
    :func:`gather_candidates`), engage the winners. ``n_new``: openings that appeared
    this step (default q)."""
    rng, cfg, c = world.rng, world.cfg, world.counters
    n_opps = holders.size
    appeared = float(n_opps if n_new is None else n_new)
    if n_opps == 0 or not world.seeking.any():
        world.last_step_stats.update(opportunities=appeared, filled=0.0)
        return
    cand = gather_candidates(world, holders, leads)
    # One channel per (opportunity, seeker): the best one (direct, then introduction, ...).
    key = cand["opp"] * world.n + cand["seeker"]
    pref = -CHANNEL_RANK[cand["channel"]] + 1e-3 * cand["holder_tie"]
    pick = best_per_group(key, pref)
    cand = {k: v[pick] for k, v in cand.items()}
    score = holder_scores(world, holders, cand)
    win = best_per_group(cand["opp"], score)
    # A seeker takes at most one opportunity per step: its first.
    _, first = np.unique(cand["seeker"][win], return_index=True)
    win = np.sort(win[first])
    w = {k: v[win] for k, v in cand.items()}
    holder, winner, channel, introducer = holders[w["opp"]], w["seeker"], w["channel"], \
        w["introducer"]
    good = rng.random(win.size) < world.conduct[winner]
    ev = cfg.evidence

    world.record_seen(holder, winner, ~good, ev.engagement_evidence)
    np.add.at(c["bad_hires"], holder, ~good)
    np.add.at(c["bad_suffered"], holder, ~good)
    for code, name in ((DIRECT, "opps_direct"), (INTRODUCTION, "opps_introduction"),
                       (COLD, "opps_cold"), (LEAD, "opps_lead")):
        np.add.at(c[name], winner[channel == code], 1.0)
    world.seeking[winner] = False

    # Mutual connections on the path, counted before the award adds or changes ties.
    csr = world.ties.csr()
    contact = w["contact"]
    mutual = count_common_neighbors(csr.indptr, csr.indices, winner.astype(np.int32),
                                    np.maximum(contact, 0).astype(np.int32))
    mutual = np.where(channel == COLD, 0, mutual)
    if world.exposure is not None:
        tied = channel != COLD
        world.exposure.add("won", w["seeker_tie"][tied], mutual[tied])
    spend_introducer_capital(world, holder, winner, introducer, channel == INTRODUCTION,
                             good, w["holder_tie"])
    engagement_ties(world, holder, winner, good)
    world.provenance.append({
        "step": np.full(win.size, world.step, dtype=np.int64), "holder": holder,
        "winner": winner, "channel": channel.astype(np.int8), "introducer": introducer,
        "contact": contact, "path_strength": w["seeker_tie"], "holder_tie": w["holder_tie"],
        "mutual": mutual.astype(np.int64), "good": good,
    })
    world.last_step_stats.update(opportunities=appeared, filled=float(win.size))


def spend_introducer_capital(world, holder, winner, introducer, introduced, good,
                             holder_tie) -> None:
    """Introductions spend the holder-introducer tie; bad ones cost more and are evidence.

    ``holder``, ``winner``, ``introducer`` int64[w]; ``introduced``, ``good`` bool[w];
    ``holder_tie`` float64[w], the holder-introducer tie when the introducer vouched. The
    holder counts the outcome as evidence about the introducer too (with the engagement's
    weight, ``engagement_evidence``: a hire is held against whoever vouched for it), and
    tells the introducer at once how the seeker behaved: the introducer hears the holder's
    own observation as from one hop of word of mouth (``engagement_evidence`` times the
    tie times the good or bad decay) for certain, before anyone else, and word of mouth
    does not bring it that news again (counted once); told in confidence, the introducer
    does not pass it on. After an introduction gone bad this complaint is what makes an
    introducer "reluctant to give any more names" (seed 003).
    """
    if not introduced.any():
        return
    cfg, c, ties = world.cfg, world.counters, world.ties
    h, i, ok = holder[introduced], introducer[introduced], good[introduced]
    seeker = winner[introduced]
    world.record_seen(h, i, ~ok, cfg.evidence.engagement_evidence)
    wom = cfg.word_of_mouth
    told = (cfg.evidence.engagement_evidence * holder_tie[introduced]
            * np.where(ok, wom.decay_good, wom.decay_bad))
    world.evidence.add(i, seeker, np.where(ok, told, 0.0), np.where(ok, 0.0, told),
                       heard=True)
    world.news_current.add_told(h, seeker, ~ok, i)
    np.add.at(c["intros_made"], i, 1.0)
    np.add.at(c["intros_bad"], i, ~ok)
    row = ties.find(h, i)
    has = row >= 0
    before = ties.strength[row[has]].copy()
    cost = cfg.opportunities.intro_cost + np.where(ok[has], 0.0,
                                                   cfg.opportunities.intro_penalty)
    after = np.maximum(before - cost, 0.0)
    after = np.where(ok[has], after + cfg.ties.strength_gain * (1.0 - after), after)
    # Several introductions through one tie in a step add up.
    np.add.at(ties.strength, row[has], after - before)
    ties.strength[row[has]] = np.maximum(ties.strength[row[has]], 0.0)
    np.add.at(c["capital_spent"], i[has], np.minimum(before, cost))
    lost = np.where(ok[has], 0.0, np.minimum(before, cost))
    np.add.at(c["capital_lost"], i[has], lost)
    world.drop_burned_ties()


def engagement_ties(world, holder, winner, good) -> None:
    """A good engagement ties holder and winner (or strengthens the tie); a bad one weakens
    an existing tie."""
    cfg, ties = world.cfg.ties, world.ties
    row = ties.find(holder, winner)
    has = row >= 0
    r = row[has]
    s = ties.strength[r]
    ties.strength[r] = np.where(good[has], s + cfg.strength_gain * (1 - s),
                                s - cfg.strength_loss)
    ties.last_contact[r] = world.step
    world.drop_burned_ties()
    new = ~has & good
    ties.add(holder[new], winner[new], cfg.note_tie_strength, world.step)
