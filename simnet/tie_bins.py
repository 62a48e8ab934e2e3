"""Bins of tie strength and of mutual connections: one definition for the model's exposure
counts (:mod:`simnet.leads`), the summary tables and the figures (:mod:`simnet.stats`).

Strength bins are (lo, hi], the first closed ([0, 0.2]); mutual-connection bins are
[lo, hi): 0, 1, 2, 3-4, 5-9, 10+. Pure NumPy, no pandas.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

STRENGTH_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
MUTUAL_BINS = (0, 1, 2, 3, 5, 10, np.inf)


def strength_bin(strength: np.ndarray) -> np.ndarray:
    """int64[k]: the STRENGTH_BINS bin of each tie strength (float64[k] in [0, 1])."""
    edges = np.asarray(STRENGTH_BINS)
    return np.clip(np.searchsorted(edges, strength, side="left") - 1, 0, edges.size - 2)


def mutual_bin(mutual: np.ndarray) -> np.ndarray:
    """int64[k]: the MUTUAL_BINS bin of each count of mutual connections (int[k] >= 0)."""
    edges = np.asarray(MUTUAL_BINS, dtype=np.float64)
    return np.clip(np.searchsorted(edges, mutual, side="right") - 1, 0, edges.size - 2)


def bin_labels(edges: Sequence[float], integer: bool = False) -> list[str]:
    """Labels of the bins between ``edges`` ("0.0–0.2"; integer bins "0", "3–4", "10+")."""
    out = []
    for lo, hi in itertools.pairwise(edges):
        if integer:
            lo_i = int(lo)
            out.append(f"{lo_i}+" if not np.isfinite(hi) else
                       str(lo_i) if hi - lo <= 1 else f"{lo_i}–{int(hi) - 1}")
        else:
            out.append(f"{lo:.1f}–{hi:.1f}")
    return out
