"""The strategy contract: a networking policy that decides in bulk, over arrays.

A strategy owns a :class:`~simnet.config.StrategyParams` and answers four questions for all
of its agents at once, never one Python call per agent: how many requests each sends and
of what kind, which received requests to accept, which eligible introductions to make, and
which ties to prune. The default answers follow the parameters; a programmer adds a new
behaviour by subclassing and overriding one method, then registering the class
(:func:`simnet.strategies.registry.register`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simnet.config import StrategyParams


@dataclass(frozen=True)
class RequestBatch:
    """Connection requests received by agents of one strategy (k requests).

    ``reputation`` float64[k]: the receiver's perceived reputation of the sender;
    ``mutual`` int32[k]: mutual connections of sender and receiver; ``seen`` float64[k]:
    evidence the receiver saw itself about the sender; ``canned`` bool[k]: sent without a
    personal note.
    """

    reputation: np.ndarray
    mutual: np.ndarray
    seen: np.ndarray
    canned: np.ndarray


@dataclass(frozen=True)
class IntroductionBatch:
    """Introductions an agent of one strategy could make (k seeker-holder pairs).

    ``reputation`` float64[k]: the introducer's perceived reputation of the seeker;
    ``seen`` float64[k]: evidence the introducer saw itself about the seeker (how well it
    knows the seeker's work); ``tie`` float64[k]: strength of the introducer-seeker tie;
    ``holder_tie`` float64[k]: strength of the introducer-holder tie (the relationship
    capital the introduction draws on); ``at_stake`` float64[k]: the capital the
    introducer expects to lose, ``intro_cost + (1 - reputation) * intro_penalty`` (tie
    strength).
    """

    reputation: np.ndarray
    seen: np.ndarray
    tie: np.ndarray
    holder_tie: np.ndarray
    at_stake: np.ndarray


class Strategy:
    """A networking policy driven by its parameters (used as is for user-defined ones)."""

    def __init__(self, params: StrategyParams):
        self.params = params
        self.name = params.name

    def request_counts(self, rng: np.random.Generator, n_agents: int) -> np.ndarray:
        """int64[n_agents]: requests each agent sends this step (Poisson)."""
        return rng.poisson(self.params.requests_per_step, n_agents)

    def request_kinds(self, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(to_stranger bool[k], canned bool[k]) for k requests about to be sent."""
        to_stranger = rng.random(k) < self.params.stranger_share
        canned = rng.random(k) < self.params.canned_share
        return to_stranger, canned

    def accept(self, batch: RequestBatch) -> np.ndarray:
        """bool[k]: which received requests to accept.

        Open policy: all. Selective policy: the sender's perceived reputation must clear
        ``min_reputation`` and the sender must be known (seen evidence at least
        ``known_threshold``) or vouched for (``min_mutual`` mutual connections); a canned
        request from someone not known is refused when ``refuse_canned``.
        """
        p = self.params
        if p.accept_all:
            return np.ones(batch.reputation.shape, dtype=bool)
        known = batch.seen >= p.known_threshold
        vouched = batch.mutual >= p.min_mutual
        ok = (batch.reputation >= p.min_reputation) & (known | vouched)
        if p.refuse_canned:
            ok &= ~(batch.canned & ~known)
        return ok

    def introduce(self, rng: np.random.Generator, batch: IntroductionBatch) -> np.ndarray:
        """bool[k]: which eligible introductions to make.

        An introducer vouches with probability ``intro_willingness`` times the strength of
        its tie to the seeker (people help those close to them) times the share of its
        tie to the holder that the expected cost leaves, ``1 - at_stake / holder_tie``
        floored at 0 (the relationship capital it stakes: "the people you refer are
        spending your relationship capital ... be careful who you trust with this
        currency", seed 003), only for a seeker it knows (seen evidence at least
        ``known_threshold``: otherwise "I don't really know that person", seed 002) and
        thinks well enough of (perceived reputation at least ``intro_min_reputation``).
        """
        p = self.params
        afford = 1.0 - batch.at_stake / np.maximum(batch.holder_tie, 1e-12)
        chance = p.intro_willingness * batch.tie * np.clip(afford, 0.0, 1.0)
        willing = rng.random(batch.tie.size) < chance
        return willing & (batch.seen >= p.known_threshold) & (
            batch.reputation >= p.intro_min_reputation)

    def prune(self, strength: np.ndarray) -> np.ndarray:
        """bool[k]: which of the agent's ties (strength float64[k]) to cut."""
        if self.params.prune_below <= 0:
            return np.zeros(strength.shape, dtype=bool)
        return strength < self.params.prune_below
