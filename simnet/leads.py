"""Openings that stay open for a while, and job leads about them that travel by word of mouth.

An opening (a job, a client, a deal) appears at a holder and stays open
``opportunities.opening_steps`` steps before the holder picks among its applicants. Meanwhile
news of it travels as a *job lead*: one event per opening in a
:class:`~simnet.news.NewsInFlight`, moved one hop per step by the word-of-mouth kernel
(:func:`simnet.kernels.spread_events`). Whoever knows of the opening tells each contact with
probability ``lead_share`` (times ``min(1, fanout / degree)``, the word-of-mouth fanout),
tilted by the tie's strength with ``lead_by_strength`` (people tell close contacts first).
Each agent hears of an opening once: a lead told to someone who already knows it is
*redundant* news. In a tight cluster a strong tie mostly passes on what its members have
already heard; a weak tie bridging to another cluster brings news that is new (Granovetter
1973). A seeker who knows of an opening applies to it through the contact who told it.

:class:`TieExposure` measures ties the way Rajkumar et al. (Science 377, 2022) do: every
step, each tie of each seeker is one tie-step of *exposure* in its strength bin and in its
mutual-connections bin; opportunities won through a tie and leads arriving over a tie are
counted in the same bins, so their ratio is a rate per tie-step.
"""

from __future__ import annotations

import numpy as np

from simnet.arrays import lookup
from simnet.kernels import count_common_neighbors
from simnet.news import NewsInFlight
from simnet.tie_bins import MUTUAL_BINS, STRENGTH_BINS, bin_labels, mutual_bin, strength_bin

MEASURES = ("strength", "mutual")


class TieExposure:
    """Counts per bin of tie strength and of mutual connections (float64 arrays of the
    bins' length, keyed by measure): ``exposure`` (seeker tie-steps), ``won``
    (opportunities won through a tie of the bin), ``leads`` (job leads told to a seeker
    over a tie of the bin) and ``new_leads`` (those the seeker had not heard before)."""

    COUNTS = ("exposure", "won", "leads", "new_leads")

    def __init__(self):
        sizes = {"strength": len(STRENGTH_BINS) - 1, "mutual": len(MUTUAL_BINS) - 1}
        self.counts = {name: {m: np.zeros(k) for m, k in sizes.items()} for name in self.COUNTS}

    def add(self, name: str, strength: np.ndarray, mutual: np.ndarray,
            weight: np.ndarray | float = 1.0) -> None:
        """Count ties (strength float64[k], mutual int[k]) under ``name``."""
        if np.size(strength) == 0:
            return
        w = np.broadcast_to(np.asarray(weight, dtype=np.float64), np.shape(strength))
        by = self.counts[name]
        by["strength"] += np.bincount(strength_bin(strength), weights=w,
                                      minlength=by["strength"].size)
        by["mutual"] += np.bincount(mutual_bin(mutual), weights=w,
                                    minlength=by["mutual"].size)

    def count_seekers(self, csr, seeking: np.ndarray) -> None:
        """One step of exposure: every tie of every seeker (bool[n]), with its strength and
        the mutual connections of its two ends."""
        seekers = np.flatnonzero(seeking)
        if seekers.size == 0:
            return
        degree = csr.indptr[seekers + 1] - csr.indptr[seekers]
        owner = np.repeat(seekers, degree)
        first = np.repeat(csr.indptr[seekers], degree)
        pos = first + np.arange(owner.size) - np.repeat(np.cumsum(degree) - degree, degree)
        contact = csr.indices[pos]
        mutual = count_common_neighbors(csr.indptr, csr.indices, owner.astype(np.int32),
                                        contact.astype(np.int32))
        self.add("exposure", csr.strength[pos], mutual)

    def columns(self) -> dict[str, np.ndarray]:
        """The tidy ``tie_exposure`` table as columns: ``measure`` ("strength" or
        "mutual"), ``bin`` (its label), ``bin_index``, ``exposure`` (tie-steps),
        ``opportunities`` (won through such ties), ``rate`` (opportunities per 1,000
        tie-steps), ``leads`` (leads told to seekers over such ties), ``new_leads`` and
        ``new_share`` (the share of those leads the seeker had not heard before)."""
        out: dict[str, list] = {k: [] for k in ("measure", "bin", "bin_index", "exposure",
                                                "opportunities", "leads", "new_leads")}
        for measure, edges in (("strength", STRENGTH_BINS), ("mutual", MUTUAL_BINS)):
            labels = bin_labels(edges, integer=measure == "mutual")
            out["measure"] += [measure] * len(labels)
            out["bin"] += labels
            out["bin_index"] += list(range(len(labels)))
            out["exposure"] += self.counts["exposure"][measure].tolist()
            out["opportunities"] += self.counts["won"][measure].tolist()
            out["leads"] += self.counts["leads"][measure].tolist()
            out["new_leads"] += self.counts["new_leads"][measure].tolist()
        cols = {k: np.asarray(v) for k, v in out.items()}
        with np.errstate(invalid="ignore", divide="ignore"):
            cols["rate"] = np.where(cols["exposure"] > 0,
                                    1000.0 * cols["opportunities"] / cols["exposure"], np.nan)
            cols["new_share"] = np.where(cols["leads"] > 0,
                                         cols["new_leads"] / cols["leads"], np.nan)
        return cols


class Openings:
    """The openings not yet filled, and who has heard of each.

    Per opening (``q`` of them): ``holder`` int64[q], ``opened`` int64[q] (the step it
    appeared), ``ident`` int64[q] (a running number, the tag of its lead event in
    ``leads``). Who knows: ``known_opening`` int64[K] (an ident), ``known_agent`` int64[K],
    ``known_teller`` int64[K] (the contact who told it) and ``known_strength`` float64[K]
    (the strength of that tie when it was told).
    """

    def __init__(self):
        self.holder = np.empty(0, np.int64)
        self.opened = np.empty(0, np.int64)
        self.ident = np.empty(0, np.int64)
        self.next_ident = 0
        self.leads = NewsInFlight()
        self.known_opening = np.empty(0, np.int64)
        self.known_agent = np.empty(0, np.int64)
        self.known_teller = np.empty(0, np.int64)
        self.known_strength = np.empty(0, np.float64)

    def __len__(self) -> int:
        return int(self.holder.size)

    def open(self, holders: np.ndarray, step: int, rng: np.random.Generator) -> None:
        """Open one opening per holder (int64[q]); the holder is the first to tell."""
        holders = np.asarray(holders, dtype=np.int64)
        ident = self.next_ident + np.arange(holders.size, dtype=np.int64)
        self.next_ident += holders.size
        self.holder = np.concatenate([self.holder, holders])
        self.opened = np.concatenate([self.opened, np.full(holders.size, step, np.int64)])
        self.ident = np.concatenate([self.ident, ident])
        self.leads.start(holders, holders, np.zeros(holders.size, bool), 1.0, rng, tag=ident)

    def spread(self, ties, opp_cfg, fanout: float, seeking: np.ndarray,
               exposure: TieExposure | None = None) -> None:
        """Every lead travels one hop on the tie table ``ties``; new hearers learn of their
        opening (and from whom). With ``exposure``, leads told to seekers (bool[n]) are
        counted there by the tie they came over, new or redundant."""
        if len(self.leads) == 0:
            return
        csr = ties.csr()
        # a lead does not fade (decay 1, no weight floor); it travels while its opening is open
        d, _ = self.leads.hop(csr, opp_cfg.lead_share, 0.0, 1.0, 1.0, 0.0, fanout,
                              opp_cfg.opening_steps, opp_cfg.lead_by_strength, detail=True)
        strength = _tie_strengths(ties, d.h_teller, d.h_node)
        self.known_opening = np.concatenate([self.known_opening, self.leads.tag_heard])
        self.known_agent = np.concatenate([self.known_agent, d.h_node.astype(np.int64)])
        self.known_teller = np.concatenate([self.known_teller, d.h_teller.astype(np.int64)])
        self.known_strength = np.concatenate([self.known_strength, strength])
        if exposure is None:
            return
        for node, teller, name in ((d.h_node, d.h_teller, None),
                                   (d.again_node, d.again_teller, "again")):
            told = seeking[node]
            node, teller = node[told].astype(np.int32), teller[told].astype(np.int32)
            tie = _tie_strengths(ties, teller, node)
            mutual = count_common_neighbors(csr.indptr, csr.indices, node, teller)
            exposure.add("leads", tie, mutual)
            if name is None:
                exposure.add("new_leads", tie, mutual)

    def due(self, step: int, opening_steps: int) -> np.ndarray:
        """bool[q]: the openings whose holder decides this step."""
        return self.opened + opening_steps - 1 <= step

    def applicants(self, which: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                     np.ndarray]:
        """Who heard of the openings ``which`` (int64[k], positions in this table):
        ``(position in which, agent, teller, strength)``, int64, int64, int64, float64."""
        idents = self.ident[which]  # ascending: openings are numbered as they open
        # (a binary search in the sorted idents: np.isin costs several times more here)
        pos = lookup(idents, self.known_opening)
        mask = pos >= 0
        opp = pos[mask]
        return (opp, self.known_agent[mask], self.known_teller[mask],
                self.known_strength[mask])

    def close(self, which: np.ndarray) -> None:
        """Remove the openings ``which`` (bool[q]), their leads and who knew of them."""
        gone = self.ident[which]  # ascending, as in applicants
        self.leads.drop(gone)
        keep = lookup(gone, self.known_opening) < 0
        self.known_opening, self.known_agent = self.known_opening[keep], self.known_agent[keep]
        self.known_teller = self.known_teller[keep]
        self.known_strength = self.known_strength[keep]
        self.holder, self.opened = self.holder[~which], self.opened[~which]
        self.ident = self.ident[~which]


def _tie_strengths(ties, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """float64[k]: the strength of the tie u[i]-v[i] in the tie table (0 if none)."""
    row = ties.find(u, v)
    return np.where(row >= 0, ties.strength[np.maximum(row, 0)], 0.0)
