"""Fitting the word-of-mouth parameters to real ratings: a grid on a validation split.

The grid varies the decays of good and bad news, the probabilities of passing good and bad
news on (with the decays, the model's negativity bias: bad news travelling further or more
often than good), the hop limit and the weight of heard evidence. Other parameters stay
at the model's defaults (``min_weight`` 0.05, ``fanout`` 15; seen evidence weight 1).
One propagation run with the largest hop limit gives every smaller limit (hop-by-hop
evidence), and the heard weight is applied when reading the evidence store, so the cost is
one word-of-mouth run per (decays, shares) point.

A point is scored by the ROC AUC of negative ratings on the validation pairs (ties broken
by the log loss of a Platt fit on the same pairs); the best point is then used, unchanged,
on the test split. *No negativity bias* means ``decay_bad == decay_good`` and ``share_bad
== share_good``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from simnet.validation import predict, scoring
from simnet.validation.otc import Ratings

PARAMS = ("decay_good", "decay_bad", "share_good", "share_bad", "max_hops", "heard_weight")


@dataclass(frozen=True)
class Grid:
    """The values tried: decays, (share_good, share_bad) pairs, hop limits, heard weights."""

    decay_good: tuple[float, ...] = (0.5, 0.8, 1.0)
    decay_bad: tuple[float, ...] = (0.5, 0.8, 1.0)
    shares: tuple[tuple[float, float], ...] = ((0.5, 0.5), (0.5, 1.0), (1.0, 0.5),
                                               (1.0, 1.0))
    # 3 x 3 x 4 = 36 word-of-mouth runs per split; x 4 hop limits x 5 heard weights
    max_hops: tuple[int, ...] = (1, 2, 3, 4)
    heard_weight: tuple[float, ...] = (1.0, 4.0, 16.0, 64.0, 256.0)

    def spreads(self) -> list[dict]:
        """The (decay, share) points: one word-of-mouth run each."""
        return [dict(decay_good=dg, decay_bad=db, share_good=sg, share_bad=sb)
                for dg, db, (sg, sb) in itertools.product(self.decay_good, self.decay_bad,
                                                          self.shares)]

    @property
    def size(self) -> int:
        return len(self.spreads()) * len(self.max_hops) * len(self.heard_weight)


FULL_GRID = Grid()
QUICK_GRID = Grid(decay_good=(0.8, 1.0), decay_bad=(0.8, 1.0),
                  shares=((0.5, 1.0), (1.0, 1.0)), max_hops=(2, 3), heard_weight=(4.0, 64.0))


def no_bias(point: dict) -> bool:
    """Whether a grid point treats good and bad news alike."""
    return point["decay_good"] == point["decay_bad"] and point["share_good"] == point[
        "share_bad"]


def evaluate_grid(fit: Ratings, valid: Ratings, grid: Grid, seed: int,
                  progress=None) -> list[dict]:
    """Every grid point scored on the ``valid`` pairs, with word of mouth over the ``fit``
    ratings: one dict per point with the parameters, ``auc`` and ``log_loss``."""
    csr = predict.trust_ties(fit)
    seen = predict.seen_evidence(fit, valid.rater, valid.ratee)
    y = valid.is_bad
    hmax = max(grid.max_hops)
    rows = []
    for i, spread in enumerate(grid.spreads()):
        wom = predict.wom_config(max_hops=hmax, **spread)
        good, bad = predict.heard_evidence(fit, valid.rater, valid.ratee, wom, seed, csr)
        for hops in grid.max_hops:
            heard = (good[:, :hops].sum(axis=1), bad[:, :hops].sum(axis=1))
            for hw in grid.heard_weight:
                rep = predict.perceived_reputation(fit.n, valid.rater, valid.ratee, seen,
                                                   heard, 1.0, hw)
                platt = scoring.fit_platt(rep, y)
                rows.append({**spread, "max_hops": hops, "heard_weight": hw,
                             "auc": scoring.roc_auc(y, -rep),
                             "log_loss": scoring.log_loss(y, scoring.apply_platt(platt, rep))})
        if progress is not None:
            progress(i + 1, len(grid.spreads()))
    return rows


def best(rows: list[dict], where=None) -> dict:
    """The point with the highest AUC (then the lowest log loss) among ``rows`` (those for
    which ``where(row)`` holds)."""
    pool = [r for r in rows if where is None or where(r)]
    return max(pool, key=lambda r: (round(r["auc"], 10), -r["log_loss"]))


def as_config(point: dict):
    """``(WordOfMouthConfig, heard_weight)`` of a grid point."""
    wom = predict.wom_config(**{k: point[k] for k in PARAMS if k != "heard_weight"})
    return wom, float(point["heard_weight"])


def consensus(rows: list[dict]) -> dict:
    """One parameter set from several splits' grids (``rows`` of :func:`evaluate_grid`
    with a ``split_index``): the point with the highest mean validation AUC across them,
    with that mean as ``auc``."""
    means = _mean_auc(rows)
    key = max(means, key=lambda k: (round(means[k], 10), k))
    return {**dict(zip(PARAMS, key, strict=True)), "auc": means[key]}


def _mean_auc(rows: list[dict]) -> dict[tuple, float]:
    acc: dict[tuple, list[float]] = {}
    for r in rows:
        acc.setdefault(tuple(r[p] for p in PARAMS), []).append(r["auc"])
    return {k: float(np.mean(v)) for k, v in acc.items()}


def profile(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per parameter and value: the best mean validation AUC (across splits) of the grid
    points with that value: how much the fit cares about each parameter."""
    means = _mean_auc(rows)
    out: dict[str, dict[str, float]] = {}
    for i, name in enumerate(PARAMS):
        best_of: dict[str, float] = {}
        for key, auc in means.items():
            value = f"{key[i]:g}"
            best_of[value] = max(best_of.get(value, -np.inf), auc)
        out[name] = dict(sorted(best_of.items(), key=lambda kv: float(kv[0])))
    return out


def spread_of_best(points: list[dict]) -> dict[str, tuple[float, float, float]]:
    """Per parameter, ``(min, median, max)`` of the best values across splits."""
    return {name: (float(np.min([p[name] for p in points])),
                   float(np.median([p[name] for p in points])),
                   float(np.max([p[name] for p in points]))) for name in PARAMS}
