"""One-shot cascades with pre-drawn randomness (validation of word of mouth).

A piece of news starts at some seed agents; an agent who hears it passes it once to each
neighbour, succeeding with probability ``pass_on``. The randomness is drawn by the caller
(one uniform per CSR position, from a seeded NumPy Generator), so the kernel itself is a
deterministic function of its inputs. On an Erdős–Rényi graph of mean degree ``c`` the
share reached by a major outbreak tends to the root of ``S = 1 - exp(-c * pass_on * S)``.
"""

import numpy as np
from numba import njit

__all__ = ["cascade"]


@njit(cache=True, no_cfunc_wrapper=True)
def cascade(indptr, indices, seeds, uniforms, pass_on):
    """Breadth-first one-shot cascade.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
        Symmetric CSR graph.
    seeds : int32[s]
        Agents who hold the news at hop 0 (duplicates allowed).
    uniforms : float64[nnz]
        Pre-drawn uniforms in [0, 1): the pass from the row's agent ``i`` to
        ``indices[p]`` succeeds when ``uniforms[p] < pass_on`` (each direction of a tie has
        its own draw, as in an SIR epidemic with a fixed infectious period).
    pass_on : float
        Pass-on probability ``T``.

    Returns
    -------
    int32[n]
        The hop at which each agent first heard the news (0 for seeds), -1 if never.
    """
    n = indptr.shape[0] - 1
    hop = np.full(n, -1, dtype=np.int32)
    queue = np.empty(n, dtype=np.int64)
    tail = 0
    for t in range(seeds.shape[0]):
        s = seeds[t]
        if hop[s] < 0:
            hop[s] = 0
            queue[tail] = s
            tail += 1
    head = 0
    while head < tail:
        i = queue[head]
        head += 1
        for p in range(indptr[i], indptr[i + 1]):
            if uniforms[p] < pass_on:
                j = indices[p]
                if hop[j] < 0:
                    hop[j] = hop[i] + 1
                    queue[tail] = j
                    tail += 1
    return hop
