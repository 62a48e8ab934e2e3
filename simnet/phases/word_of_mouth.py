"""Phase 3: word of mouth, one hop per step.

Two modes (``word_of_mouth.mode``):

- ``"once"`` (the default): each witnessed event spreads as an independent cascade and is
  counted once per hearer (:mod:`simnet.news`, :func:`simnet.kernels.spread_events`).
- ``"linear"``: copies of messages travel along every path and add up at a hearer, so what
  a hearer receives is the truncated power series of the trust-weighted adjacency applied
  to the evidence (:func:`simnet.kernels.propagate_step`); kept as the validated bridge to
  the power series, Katz centrality and personalised PageRank.
"""

from __future__ import annotations

import numpy as np

from simnet.kernels import propagate_step
from simnet.news import rows_of


def word_of_mouth_phase(world) -> None:
    """Pass news one hop along the ties and add what each agent heard to its evidence.

    What was witnessed during the previous step starts travelling now, so news first
    reaches a witness's neighbours the step after it happened and travels one hop further
    each step. Weights multiply tie strength and the good or bad decay; news lighter than
    ``min_weight`` is dropped and travels at most ``max_hops``; it never returns to its
    witness (or, linear mode, to its sender) nor reaches its subject.
    """
    if world.cfg.word_of_mouth.mode == "linear":
        _linear_phase(world)
    else:
        _once_phase(world)


def _once_phase(world) -> None:
    wom = world.cfg.word_of_mouth
    if wom.max_hops == 0:
        world.last_step_stats.update(heard=0.0, in_flight=0.0)
        return
    world.news.add_fresh(*world.news_previous.arrays(), world.rng,
                         told=world.news_previous.told())
    hptr, viewer, weight, subject, is_bad = world.news.advance_by_event(world.ties.csr(),
                                                                        wom)
    step = world.evidence.ADD_CHUNK
    # in pieces: each row's subject and badness, and the good and bad copies, bounded
    for lo in range(0, viewer.size, step):
        hi = min(lo + step, viewer.size)
        bad, w = rows_of(hptr, is_bad, lo, hi), weight[lo:hi]
        world.evidence.add(viewer[lo:hi], rows_of(hptr, subject, lo, hi),
                           np.where(bad, 0.0, w), np.where(bad, w, 0.0), heard=True)
    world.last_step_stats.update(heard=float(viewer.size),
                                 in_flight=float(world.news.frontier_size))


def _linear_phase(world) -> None:
    """Messages along every path (see the module docstring); a witness passes good news on
    with probability ``share_good`` and bad news with ``share_bad``, then it travels."""
    wom = world.cfg.word_of_mouth
    witness, subject, is_bad, weight = world.news_previous.arrays()
    told = world.rng.random(witness.size) < np.where(is_bad, wom.share_bad, wom.share_good)
    witness, subject, is_bad, weight = witness[told], subject[told], is_bad[told], weight[told]
    holder0, sender0, subject0, bad0, weight0, hops0 = world.in_flight
    holder = np.concatenate([holder0, witness]).astype(np.int32)
    sender = np.concatenate([sender0, np.full(witness.size, -1, np.int32)]).astype(np.int32)
    subject = np.concatenate([subject0, subject]).astype(np.int32)
    is_bad = np.concatenate([bad0, is_bad]).astype(np.bool_)
    weight = np.concatenate([weight0, weight]).astype(np.float64)
    hops = np.concatenate([hops0, np.zeros(witness.size, np.int32)]).astype(np.int32)
    if wom.max_hops == 0 or holder.size == 0:
        world.in_flight = (holder[:0], sender[:0], subject[:0], is_bad[:0], weight[:0],
                           hops[:0])
        world.last_step_stats.update(heard=0.0, in_flight=0.0)
        return
    out = _linear_hop(world, (holder, sender, subject, is_bad, weight, hops))
    viewer, heard_subject, heard_good, heard_bad = out[:4]
    world.evidence.add(viewer, heard_subject, heard_good, heard_bad, heard=True)
    world.in_flight = tuple(out[4:])
    world.last_step_stats.update(heard=float(viewer.size), in_flight=float(out[4].size))


def _linear_hop(world, frontier):
    """Run the linear kernel once on ``frontier`` (holder, sender, subject, is_bad, weight,
    hops)."""
    wom, csr = world.cfg.word_of_mouth, world.ties.csr()
    return propagate_step(csr.indptr, csr.indices, csr.strength, *frontier, wom.decay_good,
                          wom.decay_bad, wom.max_hops, wom.min_weight, wom.echo_rule)


class NewsTrace:
    """One bad interaction followed as it travels ("never anonymous").

    It starts from the first bad interaction witnessed at step ``trace_step``. In mode
    ``"once"`` it is the model's own piece of news (the news in flight watches it), so it
    competes with all other news for what people retell; in mode ``"linear"`` its copies
    move on their own one hop per step on the live network. ``rows`` holds, per step since
    it happened: agents aware of it (witness included), the share of all agents (the
    chance a random future decision-maker has heard of it), and the share of the subject's
    contacts who know.
    """

    def __init__(self, world, witness: int, subject: int, weight: float):
        self.subject = subject
        self.started = world.step
        self.linear = world.cfg.word_of_mouth.mode == "linear"
        self.aware = np.zeros(world.n, dtype=bool)
        self.aware[witness] = True
        if self.linear:
            self.frontier = (np.array([witness], np.int32), np.array([-1], np.int32),
                             np.array([subject], np.int32), np.array([True]),
                             np.array([weight]), np.array([0], np.int32))
        else:
            self.news = world.news
            self.news.watch_for = (witness, subject)
            self.in_model = False  # the model starts the event the step after it happened
        self.rows: list[dict] = []
        self.record(world, heard_weight=0.0)

    @property
    def in_flight(self) -> int:
        if self.linear:
            return int(self.frontier[0].size)
        return self.news.watched_frontier() if self.in_model else 1

    def record(self, world, heard_weight: float) -> None:
        csr = world.ties.csr()
        contacts = csr.indices[csr.indptr[self.subject]:csr.indptr[self.subject + 1]]
        aware = int(self.aware.sum())
        self.rows.append({
            "step": world.step, "steps_since": world.step - self.started,
            "subject": self.subject, "aware": aware, "aware_share": aware / world.n,
            "contacts_aware_share": (float(self.aware[contacts].mean()) if contacts.size
                                     else float("nan")),
            "in_flight": self.in_flight, "heard_weight": heard_weight,
        })

    def advance(self, world) -> None:
        # the last row's count: in mode "once" this step's hop has already moved it
        if self.rows[-1]["in_flight"] == 0:
            return
        if self.linear:
            out = _linear_hop(world, self.frontier)
            self.aware[out[0]] = True
            self.frontier = tuple(out[4:])
            heard_weight = float(out[3].sum())
        else:
            self.in_model = self.news.watched_key is not None
            viewer, weight = self.news.watched_heard
            self.news.watched_heard = (viewer[:0], weight[:0])
            self.aware[viewer] = True
            heard_weight = float(weight.sum())
        self.record(world, heard_weight=heard_weight)


def trace_phase(world) -> None:
    """Start the news trace at ``trace_step``, then advance it one hop per step."""
    if world.trace is not None:
        world.trace.advance(world)
        return
    if world.step != world.cfg.word_of_mouth.trace_step:
        return
    witness, subject, is_bad, weight = world.news_current.arrays()
    bad = np.flatnonzero(is_bad)
    if bad.size:
        first = bad[0]
        world.trace = NewsTrace(world, int(witness[first]), int(subject[first]),
                                float(weight[first]))
