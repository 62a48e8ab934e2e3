"""The methods the literature uses to score a ratee, computed from training ratings only.

Each function takes the training :class:`~simnet.validation.otc.Ratings` and the held-out
pairs (``rater``, ``ratee``: int[k] node indices) and returns a trust score float64[k]
(higher: the ratee is expected to be rated better by this rater). ``W = rating / 10`` in
[-1, 1]; evidence weights are ``|W|`` (as for word of mouth).

- :func:`global_mean`: the ratee's mean W (what a naive platform shows); a ratee nobody
  rated gets the mean of all ratings.
- :func:`beta_pooled`: the Beta reputation of all ratings of the ratee pooled,
  (s * good + 1) / (s * (good + bad) + 2) (Jøsang and Ismail, "The Beta reputation
  system", Bled eConference 2002); 0.5 for a ratee nobody rated. The evidence scale ``s``
  (how much one unit of |W| weighs against the uniform prior) is fitted on the validation
  split, as word of mouth's heard weight is, so neither method gains from tuning alone.
- :func:`own_past`: the rater's own past ratings only: its rating of the ratee if it
  rated it before (never in Bitcoin OTC, where each pair is rated once), else the mean W
  it gave others (its habit); the mean of all ratings for a new rater.
- :func:`eigentrust`: the global trust of Kamvar, Schlosser and Garcia-Molina, "The
  EigenTrust algorithm for reputation management in P2P networks", WWW 2003: local trust
  ``c_ij = max(W_ij, 0) / sum_j max(W_ij, 0)``, ``t = (1 - a) C^T t + a p`` with ``p``
  uniform (no pre-trusted peers are known) and ``a = 0.15``; scaled by n, so 1 is average.
- :func:`fairness_goodness`: Kumar, Spezzano, Subrahmanian and Faloutsos, "Edge weight
  prediction in weighted signed networks", ICDM 2016: the predicted weight
  ``f(rater) * g(ratee)``.
"""

from __future__ import annotations

import numpy as np

from simnet.validation.otc import Ratings


def _in_sums(train: Ratings) -> tuple[np.ndarray, np.ndarray]:
    w = train.weight
    total = np.bincount(train.ratee, weights=w, minlength=train.n)
    count = np.bincount(train.ratee, minlength=train.n).astype(np.float64)
    return total, count


def global_mean(train: Ratings, rater: np.ndarray, ratee: np.ndarray) -> np.ndarray:
    """The ratee's mean W over its training ratings (the overall mean if it has none)."""
    total, count = _in_sums(train)
    overall = float(train.weight.mean()) if len(train) else 0.0
    mean = np.where(count > 0, total / np.maximum(count, 1), overall)
    return mean[np.asarray(ratee)]


def beta_counts(train: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Per node, float64[n] each: the good and bad evidence of all its training ratings
    (positive and negative |W| summed)."""
    w = train.weight
    good = np.bincount(train.ratee, weights=np.maximum(w, 0.0), minlength=train.n)
    bad = np.bincount(train.ratee, weights=np.maximum(-w, 0.0), minlength=train.n)
    return good, bad


def beta_pooled(train: Ratings, rater: np.ndarray, ratee: np.ndarray,
                scale: float = 1.0) -> np.ndarray:
    """Beta reputation of the ratee from every training rating of it, pooled, each unit of
    evidence weighing ``scale``."""
    from simnet.evidence import beta_reputation

    good, bad = beta_counts(train)
    ratee = np.asarray(ratee)
    return beta_reputation(scale * good[ratee], scale * bad[ratee])


def own_past(train: Ratings, rater: np.ndarray, ratee: np.ndarray) -> np.ndarray:
    """The rater's own training ratings: of this ratee if any (mean W), else of everyone."""
    rater = np.asarray(rater, dtype=np.int64)
    ratee = np.asarray(ratee, dtype=np.int64)
    w = train.weight
    overall = float(w.mean()) if len(train) else 0.0
    given = np.bincount(train.rater, weights=w, minlength=train.n)
    count = np.bincount(train.rater, minlength=train.n)
    habit = np.where(count > 0, given / np.maximum(count, 1), overall)
    out = habit[rater].astype(np.float64)
    code = train.rater.astype(np.int64) * train.n + train.ratee
    uniq, inv = np.unique(code, return_inverse=True)
    pair_mean = np.bincount(inv, weights=w) / np.bincount(inv)
    q = rater * train.n + ratee
    pos = np.clip(np.searchsorted(uniq, q), 0, max(uniq.size - 1, 0))
    hit = uniq.size > 0
    if hit:
        found = uniq[pos] == q
        out[found] = pair_mean[pos[found]]
    return out


def eigentrust_scores(train: Ratings, alpha: float = 0.15, tol: float = 1e-12,
                      max_iter: int = 1000) -> np.ndarray:
    """float64[n]: EigenTrust global trust of every node, times n (mean 1)."""
    from scipy.sparse import csr_matrix

    n = train.n
    pos = np.maximum(train.weight, 0.0)
    keep = pos > 0
    c = csr_matrix((pos[keep], (train.rater[keep], train.ratee[keep])), shape=(n, n))
    row = np.asarray(c.sum(axis=1)).ravel()
    dangling = row == 0
    inv = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, row))
    c = csr_matrix(c.multiply(inv[:, None]))
    ct = c.T.tocsr()
    p = np.full(n, 1.0 / n)
    t = p.copy()
    for _ in range(max_iter):
        # a peer that trusts nobody passes its trust on as p (Kamvar et al., section 4.5)
        new = (1 - alpha) * (ct @ t + t[dangling].sum() * p) + alpha * p
        if np.abs(new - t).sum() < tol:
            t = new
            break
        t = new
    return t * n


def eigentrust(train: Ratings, rater: np.ndarray, ratee: np.ndarray,
               alpha: float = 0.15) -> np.ndarray:
    """The ratee's EigenTrust global trust (see :func:`eigentrust_scores`)."""
    return eigentrust_scores(train, alpha)[np.asarray(ratee)]


def fairness_goodness_scores(n: int, rater: np.ndarray, ratee: np.ndarray, w: np.ndarray,
                             tol: float = 1e-9, max_iter: int = 1000
                             ) -> tuple[np.ndarray, np.ndarray, int]:
    """Fairness and goodness (Kumar et al., ICDM 2016, section IV) of ``n`` nodes from the
    edges ``rater -> ratee`` (int[m]) with weights ``w`` (float[m], in [-1, 1]).

    From ``f = 1`` and ``g = 1`` everywhere, repeat until neither changes by more than
    ``tol``: ``g(v) = (1 / |in(v)|) * sum_{u in in(v)} f(u) W(u, v)``, then
    ``f(u) = 1 - (1 / (2 |out(u)|)) * sum_{v in out(u)} |W(u, v) - g(v)|``. Returns
    ``(f, g, iterations)``, float64[n] each: f in [0, 1], g in [-1, 1]. A node nobody rated
    has g = 0 (no evidence); a node that rated nobody keeps f = 1 (the starting value).
    """
    rater = np.asarray(rater, dtype=np.int64)
    ratee = np.asarray(ratee, dtype=np.int64)
    w = np.asarray(w, dtype=np.float64)
    n_in = np.bincount(ratee, minlength=n).astype(np.float64)
    n_out = np.bincount(rater, minlength=n).astype(np.float64)
    has_in = n_in > 0
    has_out = n_out > 0
    f = np.ones(n)
    g = np.ones(n)
    it = 0
    while it < max_iter:
        it += 1
        g_new = g.copy()
        g_new[has_in] = (np.bincount(ratee, weights=f[rater] * w, minlength=n)[has_in]
                         / n_in[has_in])
        f_new = f.copy()
        dev = np.bincount(rater, weights=np.abs(w - g_new[ratee]), minlength=n)
        f_new[has_out] = 1.0 - dev[has_out] / (2.0 * n_out[has_out])
        change = max(np.abs(f_new - f).max(initial=0.0), np.abs(g_new - g).max(initial=0.0))
        f, g = f_new, g_new
        if change < tol:
            break
    g = np.where(has_in, g, 0.0)
    return f, g, it


def fairness_goodness(train: Ratings, rater: np.ndarray, ratee: np.ndarray) -> np.ndarray:
    """Kumar et al.'s predicted weight ``f(rater) * g(ratee)``."""
    f, g, _ = fairness_goodness_scores(train.n, train.rater, train.ratee, train.weight)
    return f[np.asarray(rater)] * g[np.asarray(ratee)]


BASELINES = {
    "global mean": global_mean,
    "Beta pooled": beta_pooled,
    "own past": own_past,
    "EigenTrust": eigentrust,
    "Fairness-Goodness": fairness_goodness,
}
