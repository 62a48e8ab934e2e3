"""What the whole population thinks of each agent: per-subject totals over every agent's
evidence slots (the memory of :mod:`simnet.kernels.slots`), in one pass without
materialising the used slots as rows."""

import numpy as np
from numba import njit

__all__ = ["slots_subject_totals"]


@njit(cache=True)
def slots_subject_totals(subject, values, count, saw_weight, heard_weight):
    """Per subject, totals over the viewers that hold a slot about it.

    Parameters
    ----------
    subject : int32[n, K]
        Whom each slot is about (subjects are agents, ids in [0, n)); the first ``count[v]``
        slots of row ``v`` are used.
    values : float32[n, K, 4]
        Seen good, seen bad, heard good, heard bad weights of each slot.
    count : int32[n]
    saw_weight, heard_weight : float
        Weights of seen and heard evidence.

    Returns
    -------
    visibility : int64[n]
        Viewers holding a slot about each subject.
    reputation_sum : float64[n]
        Sum over those viewers of their Beta reputation ``(g + 1) / (g + b + 2)`` of the
        subject, with ``g = saw_weight * seen good + heard_weight * heard good`` (float64)
        and ``b`` likewise.
    good, bad : float64[n]
        Sums of ``g`` and ``b`` over those viewers.

    Serial, viewers ascending and each row's slots in order, so the sums are added in
    one fixed order whatever the thread count.
    """
    n = subject.shape[0]
    visibility = np.zeros(n, dtype=np.int64)
    reputation_sum = np.zeros(n, dtype=np.float64)
    good = np.zeros(n, dtype=np.float64)
    bad = np.zeros(n, dtype=np.float64)
    for v in range(n):
        for k in range(count[v]):
            s = subject[v, k]
            g = saw_weight * np.float64(values[v, k, 0]) + \
                heard_weight * np.float64(values[v, k, 2])
            b = saw_weight * np.float64(values[v, k, 1]) + \
                heard_weight * np.float64(values[v, k, 3])
            visibility[s] += 1
            reputation_sum[s] += (g + 1.0) / (g + b + 2.0)
            good[s] += g
            bad[s] += b
    return visibility, reputation_sum, good, bad
