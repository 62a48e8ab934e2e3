"""How well a score predicts held-out ratings: ROC AUC and log loss of the sign, RMSE and
Pearson correlation of the weight (as Kumar et al., ICDM 2016, score weight prediction).

Every method gives a *trust score* per held-out pair (float64[k], higher: the ratee is
expected to be rated better). The sign task's positive class is a **negative** rating:

- ROC AUC ranks pairs by ``-score`` (no fitting: the orientation is known);
- log loss needs a probability, so ``P(negative) = sigmoid(a + b * score)`` is fitted on a
  validation split (Platt scaling) and applied to the test split;
- the weight (``rating / 10``, in [-1, 1]) is predicted by ``c + d * score``, least squares
  on the validation split (Pearson's r does not depend on it; RMSE does).

Fitting the two small mappings on the validation split treats every method alike and uses
nothing of the test split.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-12


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve of ``score`` (float[k], higher: more likely positive) for
    labels ``y`` (bool[k]): the Mann-Whitney probability that a random positive scores
    above a random negative, ties counting one half. NaN without both classes."""
    from scipy.stats import rankdata

    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(np.asarray(score, dtype=np.float64))
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def roc_curve(y: np.ndarray, score: np.ndarray, points: int = 201
              ) -> tuple[np.ndarray, np.ndarray]:
    """``(fpr, tpr)`` float64 arrays of the ROC curve (ties stepped together), thinned to
    about ``points`` points; both start at 0 and end at 1."""
    y = np.asarray(y, dtype=bool)
    score = np.asarray(score, dtype=np.float64)
    order = np.argsort(-score, kind="stable")
    s, yy = score[order], y[order]
    last = np.r_[s[1:] != s[:-1], True]  # the end of each group of tied scores
    tp = np.cumsum(yy)[last]
    fp = np.cumsum(~yy)[last]
    tpr = np.r_[0.0, tp / max(int(y.sum()), 1)]
    fpr = np.r_[0.0, fp / max(int((~y).sum()), 1)]
    if fpr.size > points:
        keep = np.unique(np.r_[np.linspace(0, fpr.size - 1, points).astype(int)])
        fpr, tpr = fpr[keep], tpr[keep]
    return fpr, tpr


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    """Mean negative log likelihood (nats) of labels ``y`` (bool[k]) under probabilities
    ``p`` (float[k]) of the positive class, clipped to [1e-12, 1 - 1e-12]."""
    y = np.asarray(y, dtype=bool)
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return float(-np.mean(np.where(y, np.log(p), np.log1p(-p))))


def rmse(w: np.ndarray, pred: np.ndarray) -> float:
    """Root mean squared error of ``pred`` against ``w`` (float[k], same units)."""
    return float(np.sqrt(np.mean((np.asarray(pred, float) - np.asarray(w, float)) ** 2)))


def pearson(w: np.ndarray, pred: np.ndarray) -> float:
    """Pearson correlation of ``pred`` and ``w``; NaN if either is constant."""
    a = np.asarray(w, dtype=np.float64)
    b = np.asarray(pred, dtype=np.float64)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _standardise(x: np.ndarray) -> tuple[float, float]:
    mu = float(np.mean(x))
    sd = float(np.std(x))
    return mu, (sd if sd > 0 else 1.0)


def fit_logistic(x: np.ndarray, y: np.ndarray, ridge: float = 1e-6, iters: int = 100
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logistic regression of ``y`` (bool[k]) on the standardised columns of ``x``
    (float[k] or float[k, d]): returns ``(beta, mu, sd)`` (float64[d + 1], [d], [d]) with
    ``P(y) = sigmoid(beta[0] + sum_j beta[j + 1] * (x[:, j] - mu[j]) / sd[j])``. Damped
    Newton steps with a tiny ridge, so a constant or separating column still gives finite
    values."""
    x = np.asarray(x, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    y = np.asarray(y, dtype=np.float64)
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    design = np.column_stack([np.ones(x.shape[0]), (x - mu) / sd])
    rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(rate / (1 - rate))
    eye = np.eye(design.shape[1])

    def loss(b):
        eta = design @ b
        return float(np.sum(np.logaddexp(0.0, eta) - y * eta) + 0.5 * ridge * b @ b)

    current = loss(beta)
    for _ in range(iters):
        p = 0.5 * (1.0 + np.tanh(0.5 * (design @ beta)))  # sigmoid without overflow
        grad = design.T @ (p - y) + ridge * beta
        hess = (design * (p * (1 - p))[:, None]).T @ design + ridge * eye
        step = np.linalg.solve(hess, grad)
        # damped Newton: halve the step until the loss does not grow
        t = 1.0
        while t > 1e-8 and loss(beta - t * step) > current:
            t *= 0.5
        beta = beta - t * step
        new = loss(beta)
        if abs(current - new) < 1e-12 * max(1.0, abs(current)):
            break
        current = new
    return beta, mu, sd


def logistic_logit(params: tuple[np.ndarray, np.ndarray, np.ndarray], x: np.ndarray
                   ) -> np.ndarray:
    """float64[k]: the log-odds of a :func:`fit_logistic` fit at ``x``."""
    beta, mu, sd = params
    x = np.asarray(x, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    return beta[0] + ((x - mu) / sd) @ beta[1:]


def fit_platt(score: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Platt scaling: :func:`fit_logistic` on one score; returns ``(a, b, mu, sd)`` with
    ``P(y) = sigmoid(a + b * (score - mu) / sd)``."""
    beta, mu, sd = fit_logistic(score, y)
    return float(beta[0]), float(beta[1]), float(mu[0]), float(sd[0])


def apply_platt(params: tuple[float, float, float, float], score: np.ndarray) -> np.ndarray:
    """float64[k]: the probabilities of a :func:`fit_platt` fit at ``score``."""
    a, b, mu, sd = params
    z = (np.asarray(score, dtype=np.float64) - mu) / sd
    return 0.5 * (1.0 + np.tanh(0.5 * (a + b * z)))


def fit_linear(score: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Least squares ``w ~ c + d * score``: returns ``(c, d)`` (``d = 0`` for a constant
    score)."""
    x = np.asarray(score, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    var = float(np.var(x))
    if var == 0:
        return float(w.mean()), 0.0
    d = float(np.mean((x - x.mean()) * (w - w.mean())) / var)
    return float(w.mean() - d * x.mean()), d


def score_all(y_neg: np.ndarray, w: np.ndarray, score: np.ndarray,
              platt: tuple[float, float, float, float], linear: tuple[float, float]
              ) -> dict[str, float]:
    """The four measures of a trust ``score`` on held-out pairs with negative-rating labels
    ``y_neg`` (bool[k]) and weights ``w`` (rating / 10), given mappings fitted elsewhere:
    ``{"auc", "log_loss", "rmse", "pearson"}``."""
    pred_w = linear[0] + linear[1] * np.asarray(score, dtype=np.float64)
    return {"auc": roc_auc(y_neg, -np.asarray(score, dtype=np.float64)),
            "log_loss": log_loss(y_neg, apply_platt(platt, score)),
            "rmse": rmse(w, np.clip(pred_w, -1.0, 1.0)),
            "pearson": pearson(w, score)}
