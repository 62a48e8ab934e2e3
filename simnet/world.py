"""The simulation state as arrays (structure of arrays), with no Mesa in it.

:class:`World` owns every per-agent array, the tie table, the evidence store, the news in
flight and the run's counters. The phases in :mod:`simnet.phases` change it; the metrics in
:mod:`simnet.metrics` read it; :class:`simnet.model.ReputationModel` wraps it for Mesa.
Every random draw comes from the Generator passed in (the Mesa model's ``rng``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simnet import network
from simnet.arrays import as_shape
from simnet.config import ConfigError, ModelConfig
from simnet.evidence import EvidenceStore, beta_reputation
from simnet.kernels import reach_and_clustering
from simnet.leads import Openings, TieExposure
from simnet.news import NewsInFlight
from simnet.strategies import Strategy, resolve
from simnet.ties import TieTable, align_strength_with_overlap

CHANNELS = ("direct", "introduction", "cold", "lead")  # by channel code


def allocate(shares: np.ndarray, total: int) -> np.ndarray:
    """int64[len(shares)]: split ``total`` items in proportion to ``shares`` (largest
    remainder, so counts are exact and deterministic)."""
    shares = np.asarray(shares, dtype=np.float64)
    exact = shares / shares.sum() * total
    counts = np.floor(exact).astype(np.int64)
    short = total - counts.sum()
    if short:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


class NewsBuffer:
    """Fresh evidence witnessed during one step, to be passed on by word of mouth.

    Lists of arrays are appended phase by phase and concatenated once: ``witness``,
    ``subject`` (int32), ``is_bad`` (bool), ``weight`` (float64, the evidence amount).
    """

    def __init__(self):
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.told_parts: list[tuple[np.ndarray, ...]] = []

    def add(self, witness, subject, is_bad, weight) -> None:
        witness = np.asarray(witness, dtype=np.int32)
        if witness.size:
            weight = np.array(as_shape(weight, witness.shape, np.float64))  # a copy
            self.parts.append((witness, np.asarray(subject, dtype=np.int32),
                               np.asarray(is_bad, dtype=bool), weight))

    def add_told(self, witness, subject, is_bad, hearer) -> None:
        """Record that each witness (int[t]) already told ``hearer`` (int[t]) what it saw of
        ``subject`` (int[t], ``is_bad`` bool[t]) this step, so that word of mouth does not
        bring it the same news again."""
        witness = np.asarray(witness, dtype=np.int32)
        if witness.size:
            self.told_parts.append((witness, np.asarray(subject, dtype=np.int32),
                                    np.asarray(is_bad, dtype=bool),
                                    np.asarray(hearer, dtype=np.int32)))

    def told(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """``(witness, subject, is_bad, hearer)`` of :meth:`add_told`, or None."""
        if not self.told_parts:
            return None
        return tuple(np.concatenate(col) for col in zip(*self.told_parts, strict=True))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if not self.parts:
            return (np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, bool),
                    np.empty(0, np.float64))
        return tuple(np.concatenate(col) for col in zip(*self.parts, strict=True))


@dataclass(frozen=True)
class Layout:
    """A hand-built starting world, instead of generated network and population.

    ``strategies``: one strategy name per agent (length n); ``u``, ``v``: tie endpoints
    (int[m], agent indices); ``strength``: float or float64[m] in (0, 1]; ``conduct``:
    float or float64[n] in [0, 1] (agents below 0.5 count as bad actors).
    """

    strategies: Sequence[str]
    u: Sequence[int] = ()
    v: Sequence[int] = ()
    strength: float | Sequence[float] = 0.5
    conduct: float | Sequence[float] = 0.9


class World:
    """All state of one simulation run.

    Per-agent arrays (length n): ``strategy_id`` int16 (index into ``strategies``),
    ``conduct`` float64 (latent probability an interaction goes well), ``conduct_type``
    int16 (index into ``conduct_names``), ``is_bad`` bool, ``seeking`` bool, and the
    cumulative counters in ``counters`` (float64 each).
    """

    COUNTERS = ("opps_direct", "opps_introduction", "opps_cold", "opps_lead", "bad_suffered",
                "spam_received", "bad_hires", "capital_spent", "capital_lost", "intros_made",
                "intros_bad", "requests_sent", "requests_accepted", "interactions",
                "ties_burned", "ties_faded")

    def __init__(self, cfg: ModelConfig, rng: np.random.Generator,
                 strategies: list[Strategy] | None = None, layout: Layout | None = None,
                 setup_rng: np.random.Generator | None = None):
        self.cfg = cfg
        self.rng = rng
        self.step = 0
        self.strategies = strategies if strategies is not None else resolve(cfg)
        self.strategy_names = [s.name for s in self.strategies]
        if layout is None:
            # the starting world from its own generator when given, else from ``rng``
            setup = setup_rng if setup_rng is not None else rng
            self._build_network(setup)
            self._build_population(setup)
        else:
            self._use_layout(layout)
        self.evidence = EvidenceStore(self.n, cfg.evidence.capacity)
        self._summary_version = -1
        # the caches know their CSR by a weak reference to its indices: a strong one kept
        # the previous CSR's indices alive (8 bytes a tie) after the tie set changed
        self._two_hop_of = None  # weakref to the CSR indices the two-hop scan was made of
        self._think_badly = None  # (evidence version, weakref to CSR indices, result)
        self.counters = {name: np.zeros(self.n) for name in self.COUNTERS}
        self.detected_step = np.full(self.n, -1, dtype=np.int64)
        self.news_previous = NewsBuffer()   # witnessed last step: passed on this step
        self.news_current = NewsBuffer()    # witnessed this step
        self.news = NewsInFlight()  # events travelling by word of mouth (mode "once")
        empty_i = np.empty(0, np.int32)
        self.in_flight = (empty_i, empty_i, empty_i, np.empty(0, bool), np.empty(0),
                          empty_i)  # linear mode: holder, sender, subject, is_bad, weight, hops
        self.provenance: list[dict[str, np.ndarray]] = []
        self.openings = Openings()  # openings not yet decided, and their job leads
        self.exposure: TieExposure | None = None  # tie exposure counts, when measured
        self.trace = None  # a NewsTrace once the traced bad interaction happened
        self.last_step_stats: dict[str, float] = {}

    # ------------------------------------------------------------------ set-up
    def _use_layout(self, layout: Layout) -> None:
        """A hand-built world: given ties, strategies and conduct (scenarios, real data)."""
        self.n = len(layout.strategies)
        self.block = None
        u = np.asarray(layout.u, dtype=np.int64)
        v = np.asarray(layout.v, dtype=np.int64)
        if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= self.n):
            raise ConfigError(f"layout: tie endpoints must be agent indices in [0, {self.n})")
        strength = np.broadcast_to(np.asarray(layout.strength, dtype=np.float64), u.shape)
        if np.any((strength <= 0) | (strength > 1)):
            raise ConfigError("layout: tie strengths must be in (0, 1]")
        self.ties = TieTable(self.n, u, v, strength)
        index = {name: i for i, name in enumerate(self.strategy_names)}
        unknown = sorted(set(layout.strategies) - set(index))
        if unknown:
            raise ConfigError(f"layout: unknown strategies {unknown}; known: "
                              f"{', '.join(self.strategy_names)}")
        self.strategy_id = np.array([index[s] for s in layout.strategies], dtype=np.int16)
        self.conduct = np.broadcast_to(np.asarray(layout.conduct, dtype=np.float64),
                                       (self.n,)).copy()
        if np.any((self.conduct < 0) | (self.conduct > 1)):
            raise ConfigError("layout: conduct values must be in [0, 1]")
        self.is_bad = self.conduct < 0.5
        self.conduct_names = ["good", "bad"]
        self.conduct_type = self.is_bad.astype(np.int16)
        self.seeking = np.zeros(self.n, dtype=bool)

    def _build_network(self, rng: np.random.Generator) -> None:
        net = self.cfg.network
        try:
            edges = network.generate(net.kind, self.cfg.population.n_agents, rng,
                                     mean_degree=net.mean_degree, rewire_prob=net.rewire_prob,
                                     n_blocks=net.n_blocks, within_share=net.within_share,
                                     path=net.path)
        except network.NetworkFileError as err:
            raise ConfigError(f"network.path: {err}") from None
        except ValueError as err:  # a generator refusing its parameters, with the reason
            raise ConfigError(f"network ({net.kind}): {err}") from None
        self.n = int(edges.n)
        self.block = edges.block
        m, c = net.initial_strength_mean, net.initial_strength_concentration
        if m >= 1.0:
            strength = np.ones(edges.u.size)
        else:
            strength = rng.beta(m * c, (1 - m) * c, size=edges.u.size)
        strength = np.clip(strength, 0.01, 1.0)
        self.ties = TieTable(self.n, edges.u, edges.v, strength)
        align_strength_with_overlap(self.ties, net.strength_overlap, rng)

    def _build_population(self, rng: np.random.Generator) -> None:
        pop = self.cfg.population
        types = pop.conduct_types
        shares = np.array([t.share for t in types], dtype=np.float64)
        if pop.bad_share is not None:
            bad = np.array([t.bad for t in types])
            shares = np.where(bad, shares / max(shares[bad].sum(), 1e-300) * pop.bad_share,
                              shares / max(shares[~bad].sum(), 1e-300) * (1 - pop.bad_share))
            shares = np.where(np.isfinite(shares), shares, 0.0)
        counts = allocate(shares, self.n)
        labels = np.repeat(np.arange(len(types), dtype=np.int16), counts)
        self.conduct_type = rng.permutation(labels).astype(np.int16)
        self.conduct_names = [t.name for t in types]
        self.conduct = np.empty(self.n)
        self.is_bad = np.zeros(self.n, dtype=bool)
        strategy = np.full(self.n, -1, dtype=np.int16)
        index = {name: i for i, name in enumerate(self.strategy_names)}
        for i, t in enumerate(types):
            members = np.flatnonzero(self.conduct_type == i)
            a, b = t.mean * t.concentration, (1 - t.mean) * t.concentration
            if t.mean <= 0 or t.mean >= 1:
                self.conduct[members] = t.mean
            else:
                self.conduct[members] = rng.beta(a, b, size=members.size)
            self.is_bad[members] = t.bad
            if t.strategy is not None:
                strategy[members] = index[t.strategy]
        mix = pop.strategy_mix
        if pop.open_share is not None:
            mix = {"open": pop.open_share, "selective": 1.0 - pop.open_share}
        free = np.flatnonzero(strategy < 0)
        names = [k for k, v in mix.items() if v > 0]
        counts = allocate(np.array([mix[k] for k in names]), free.size)
        labels = np.repeat(np.array([index[k] for k in names], dtype=np.int16), counts)
        strategy[free] = rng.permutation(labels)
        self.strategy_id = strategy
        self.seeking = np.zeros(self.n, dtype=bool)

    # ------------------------------------------------------------------ helpers
    def members(self, strategy_index: int) -> np.ndarray:
        """int64[k]: the agents using strategy ``strategy_index``."""
        return np.flatnonzero(self.strategy_id == strategy_index)

    def by_strategy(self, agents: np.ndarray):
        """Yield (strategy, positions into ``agents``) for every strategy present among
        ``agents`` (int array), in registry order so random draws are reproducible."""
        sid = self.strategy_id[agents]
        for i, strategy in enumerate(self.strategies):
            where = np.flatnonzero(sid == i)
            if where.size:
                yield strategy, where

    def drop_burned_ties(self) -> int:
        """Drop the ties whose strength fell to zero (burned bridges), count them for both
        ends, refresh the CSR view; returns how many were dropped."""
        ties = self.ties
        burned = ties.strength <= 0.0
        if burned.any():
            np.add.at(self.counters["ties_burned"], ties.u[burned], 1.0)
            np.add.at(self.counters["ties_burned"], ties.v[burned], 1.0)
            ties.remove(burned)
        ties.strengths_changed()
        return int(burned.sum())

    def reach_and_clustering(self) -> tuple[np.ndarray, np.ndarray]:
        """(second-degree reach int64[n], local clustering float64[n]) of the current ties,
        from one two-hop scan; cached until the tie set (not just strengths) changes."""
        csr = self.ties.csr()
        if self._two_hop_of is None or self._two_hop_of() is not csr.indices:
            self._two_hop = reach_and_clustering(csr.indptr, csr.indices)
            self._two_hop_of = weakref.ref(csr.indices)
        return self._two_hop

    def reputation_summary(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(visibility int64[n], mean float64[n], pooled float64[n]) perceived reputation of
        every agent as a subject (see EvidenceStore.subject_summary); cached until the
        evidence changes."""
        if self._summary_version != self.evidence.version:
            ev = self.cfg.evidence
            self._summary = self.evidence.subject_summary(ev.saw_weight, ev.heard_weight)
            self._summary_version = self.evidence.version
        return self._summary

    def contacts_think_badly(self) -> np.ndarray:
        """bool[n]: agents whom most of their current contacts perceive below 0.5.

        This is how the network "finds out" a bad actor: the people who deal with it know.
        Cached until the evidence or the tie set changes (maintenance and the step's
        metrics both ask, with nothing changed in between).
        """
        key = (self.evidence.version, self.ties.csr().indices)
        cached = self._think_badly
        if cached is not None and cached[0] == key[0] and cached[1]() is key[1]:
            return cached[2]
        csr = self.ties.csr()
        ev = self.cfg.evidence
        # each tie twice, once from each end: who holds a low view of whom
        views = self.evidence.views_along_ties(csr.indptr, csr.indices, ev.saw_weight,
                                               ev.heard_weight)
        low = np.bincount(csr.indices, weights=views < 0.5, minlength=self.n)
        degree = csr.degree
        result = (degree > 0) & (low > 0.5 * degree)
        result.flags.writeable = False  # shared by the callers of the cache
        self._think_badly = (key[0], weakref.ref(key[1]), result)
        return result

    def perceived(self, viewer, subject) -> np.ndarray:
        """float64[k]: viewers' perceived reputation of subjects (saw and heard weighted)."""
        ev = self.cfg.evidence
        return self.evidence.reputation(viewer, subject, ev.saw_weight, ev.heard_weight)

    def perceived_and_seen(self, viewer, subject) -> tuple[np.ndarray, np.ndarray]:
        """(perceived reputation, what each viewer saw itself) float64[k] each, of the
        subjects, from one look-up per pair: :meth:`perceived` and the store's
        ``seen_total``."""
        ev = self.cfg.evidence
        good, bad, seen = self.evidence.lookup(viewer, subject, ev.saw_weight,
                                               ev.heard_weight)
        return beta_reputation(good, bad), seen

    def record_seen(self, viewer, subject, is_bad, amount) -> None:
        """Record evidence a viewer saw itself, and queue it as news for word of mouth.

        ``viewer``, ``subject`` int[k]; ``is_bad`` bool[k]; ``amount`` float or float64[k].
        Whether and to whom the news is passed on is decided as it travels
        (:mod:`simnet.phases.word_of_mouth`).
        """
        viewer = np.asarray(viewer)
        if viewer.size == 0:
            return
        is_bad = np.asarray(is_bad, dtype=bool)
        amount = as_shape(amount, viewer.shape, np.float64)
        self.evidence.add(viewer, subject, np.where(is_bad, 0.0, amount),
                          np.where(is_bad, amount, 0.0), heard=False)
        self.news_current.add(viewer, subject, is_bad, amount)
