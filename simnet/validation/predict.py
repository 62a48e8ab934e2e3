"""Word of mouth on real ratings: what a rater has heard of a ratee from its trusted contacts.

Each training rating is one piece of evidence its rater *saw* about its ratee: good if
positive, bad if negative, weight ``|rating| / 10``. The raters' trusted contacts are the
*trust ties*: undirected ties between two traders when at least one rated the other
positively and neither rated the other negatively (one does not listen to someone one
distrusts), strength 1. Every piece of evidence then travels as an event of simnet's own
word of mouth: :class:`simnet.news.NewsInFlight` on :func:`simnet.kernels.spread_events`,
one hop at a time for ``max_hops`` hops, each hop multiplying its weight by the decay of
good or bad news, passed on with probability ``share_good`` / ``share_bad`` (times
``fanout / degree`` for a teller with more contacts than ``fanout``), never back to its
witness nor to its subject, heard once per hearer, dropped below ``min_weight``.

What each held-out rater heard about its ratee (and any rating of its own of that ratee:
seen evidence) goes into an :class:`simnet.evidence.EvidenceStore`, whose Beta reputation
``(saw_weight * seen_good + heard_weight * heard_good + 1) / (... + 2)`` is the rater's
perceived reputation of the ratee: 0.5 when it has neither seen nor heard anything.

Only the held-out pairs' evidence is kept, so the store's memory is sized to hold all of it
(bounded memory plays no part in this check).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simnet.config import WordOfMouthConfig
from simnet.validation.otc import WEIGHT_SCALE, Ratings


def trust_ties(train: Ratings):
    """The trust ties of the training ratings as a :class:`simnet.ties.CSRView` (symmetric,
    strength 1; see the module docstring)."""
    from simnet.network import to_csr
    from simnet.ties import CSRView

    n = train.n
    a = train.rater.astype(np.int64)
    b = train.ratee.astype(np.int64)
    key = np.minimum(a, b) * n + np.maximum(a, b)
    pos = np.unique(key[train.rating > 0])
    neg = np.unique(key[train.rating < 0])
    keep = pos[~np.isin(pos, neg)]
    u, v = keep // n, keep % n
    indptr, indices, strength = to_csr(n, u, v, np.ones(keep.size))
    return CSRView(indptr, indices, strength, np.arange(indices.size, dtype=np.int64),
                   np.diff(indptr))


def _pair_index(n: int, rater: np.ndarray, ratee: np.ndarray):
    code = np.asarray(rater, dtype=np.int64) * n + np.asarray(ratee, dtype=np.int64)
    uniq, inverse = np.unique(code, return_inverse=True)
    return uniq, inverse


def _lookup(uniq: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Index of each ``code`` in the sorted ``uniq``, -1 where absent."""
    if uniq.size == 0:
        return np.full(code.shape, -1, dtype=np.int64)
    pos = np.clip(np.searchsorted(uniq, code), 0, uniq.size - 1)
    return np.where(uniq[pos] == code, pos, -1)


def seen_evidence(train: Ratings, rater: np.ndarray, ratee: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(good, bad) float64[k]: what each rater saw of its ratee itself (its own training
    ratings of it; none in Bitcoin OTC, where each pair is rated once)."""
    uniq, inverse = _pair_index(train.n, rater, ratee)
    at = _lookup(uniq, train.rater.astype(np.int64) * train.n + train.ratee)
    hit = at >= 0
    w = np.abs(train.rating[hit]).astype(np.float64) / WEIGHT_SCALE
    bad = train.is_bad[hit]
    good = np.bincount(at[hit], weights=np.where(bad, 0.0, w), minlength=uniq.size)
    badw = np.bincount(at[hit], weights=np.where(bad, w, 0.0), minlength=uniq.size)
    return good[inverse], badw[inverse]


def heard_evidence(train: Ratings, rater: np.ndarray, ratee: np.ndarray,
                   wom: WordOfMouthConfig, seed: int, csr=None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """What each rater heard of its ratee by word of mouth, hop by hop.

    ``rater``, ``ratee`` int[k]: the held-out pairs; ``wom``: the word-of-mouth parameters
    (``max_hops`` hops are run); ``seed``: seeds the Generator that draws the events'
    random keys (the same seed gives the same pass-on draws for every parameter set:
    common random numbers). Returns ``(good, bad)``, float64[k, max_hops]: the evidence
    weight first heard at hop 1, 2, ... (sum the first H columns for a hop limit H).
    """
    from simnet.news import NewsInFlight

    csr = trust_ties(train) if csr is None else csr
    hops = int(wom.max_hops)
    k = np.asarray(rater).size
    good = np.zeros((k, hops))
    bad = np.zeros((k, hops))
    if hops == 0 or k == 0:
        return good, bad
    uniq, inverse = _pair_index(train.n, rater, ratee)
    # only evidence about a held-out ratee can matter
    about = np.isin(train.ratee, np.unique(np.asarray(ratee)))
    news = NewsInFlight()
    news.add_fresh(train.rater[about], train.ratee[about], train.is_bad[about],
                   np.abs(train.rating[about]).astype(np.float64) / WEIGHT_SCALE,
                   np.random.default_rng(seed))
    g = np.zeros((uniq.size, hops))
    b = np.zeros((uniq.size, hops))
    for h in range(hops):
        viewer, subject, is_bad, weight = news.advance(csr, wom)
        at = _lookup(uniq, viewer.astype(np.int64) * train.n + subject)
        hit = at >= 0
        g[:, h] = np.bincount(at[hit], weights=np.where(is_bad[hit], 0.0, weight[hit]),
                              minlength=uniq.size)
        b[:, h] = np.bincount(at[hit], weights=np.where(is_bad[hit], weight[hit], 0.0),
                              minlength=uniq.size)
        if len(news) == 0:
            break
    return g[inverse], b[inverse]


def perceived_reputation(n: int, rater: np.ndarray, ratee: np.ndarray,
                         seen: tuple[np.ndarray, np.ndarray],
                         heard: tuple[np.ndarray, np.ndarray], saw_weight: float = 1.0,
                         heard_weight: float = 1.0) -> np.ndarray:
    """float64[k]: each rater's perceived reputation of its ratee from an
    :class:`~simnet.evidence.EvidenceStore` holding the pairs' seen and heard (good, bad)
    evidence (float[k] each), weighted as the model weighs them."""
    from simnet.evidence import EvidenceStore

    rater = np.asarray(rater, dtype=np.int64)
    ratee = np.asarray(ratee, dtype=np.int64)
    if rater.size == 0:
        return np.zeros(0)
    per_rater = int(np.bincount(rater, minlength=n).max())
    store = EvidenceStore(n, capacity=max(per_rater, 1))
    store.add(rater, ratee, seen[0], seen[1], heard=False)
    store.add(rater, ratee, heard[0], heard[1], heard=True)
    return store.reputation(rater, ratee, saw_weight, heard_weight)


def word_of_mouth(train: Ratings, rater: np.ndarray, ratee: np.ndarray,
                  wom: WordOfMouthConfig | None = None, heard_weight: float = 1.0,
                  saw_weight: float = 1.0, seed: int = 0) -> np.ndarray:
    """The rater's perceived reputation of the ratee (float64[k]) after word of mouth with
    the parameters ``wom`` (default: the model's defaults) and the evidence weights."""
    wom = WordOfMouthConfig() if wom is None else wom
    heard = heard_evidence(train, rater, ratee, wom, seed)
    return perceived_reputation(train.n, rater, ratee, seen_evidence(train, rater, ratee),
                                (heard[0].sum(axis=1), heard[1].sum(axis=1)), saw_weight,
                                heard_weight)


def wom_config(**values) -> WordOfMouthConfig:
    """The model's default word-of-mouth parameters with ``values`` replaced."""
    return replace(WordOfMouthConfig(), **values)
