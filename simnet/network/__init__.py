"""Network generators and edge-list files: the initial tie set of a simulation.

The package's modules: :mod:`~simnet.network.edges` (:class:`EdgeList`, :func:`to_csr`),
:mod:`~simnet.network.generators` (the random graph models) and
:mod:`~simnet.network.files` (edge-list files, the shipped networks); :func:`generate`,
here, picks one by kind. Import every public name from ``simnet.network``.

Every generator returns an :class:`EdgeList`, a simple undirected graph stored as two
parallel arrays ``u < v`` sorted by ``(u, v)``. The model turns it into its tie table and
CSR adjacency with :func:`to_csr`.

Design rules of this package:

* It imports nothing from simnet outside this package but ``simnet._files`` (standard
  library only); it needs NumPy, and pandas only to read files.
* Every random draw comes from the :class:`numpy.random.Generator` passed in; nothing
  touches global random state, so the same generator state gives the same graph.
* Everything is vectorised (no Python loop over nodes or edges): 100,000 nodes with a
  million edges take about a second at most for every generator, and a million nodes with
  five million edges fit in well under a gigabyte.

Node indices carry structure in some generators, so the model must not assign agent
attributes by index range: in ``watts_strogatz`` index order is the ring, in
``barabasi_albert`` low indices are the oldest nodes (the hubs), in ``stochastic_block``
blocks are contiguous index ranges.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simnet.network.edges import EdgeList, to_csr
from simnet.network.files import (
    BUILTIN_NETWORKS,
    MAX_EDGE_FILE_BYTES,
    NetworkFileError,
    builtin_labels_path,
    builtin_network_path,
    read_edge_list,
    resolve_network_file,
)
from simnet.network.generators import (
    barabasi_albert,
    erdos_renyi,
    stochastic_block,
    watts_strogatz,
)

__all__ = [
    "BUILTIN_NETWORKS",
    "KINDS",
    "MAX_EDGE_FILE_BYTES",
    "EdgeList",
    "NetworkFileError",
    "barabasi_albert",
    "builtin_labels_path",
    "builtin_network_path",
    "erdos_renyi",
    "generate",
    "read_edge_list",
    "resolve_network_file",
    "stochastic_block",
    "to_csr",
    "watts_strogatz",
]

#: The kinds accepted by :func:`generate`.
KINDS = ("small_world", "scale_free", "random", "communities", "file")


# --------------------------------------------------------------------------- dispatch


def _even_degree(mean_degree: float, kind: str) -> int:
    try:
        k = int(mean_degree)
        ok = not isinstance(mean_degree, bool) and k == float(mean_degree) and k % 2 == 0
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(
            f"{kind}: mean_degree must be an even integer (ties come in k/2 per side or "
            f"m = k/2 per new node), got {mean_degree!r}"
        )
    return k


def generate(
    kind: str,
    n: int,
    rng: np.random.Generator,
    *,
    mean_degree: float = 10,
    rewire_prob: float = 0.1,
    n_blocks: int = 4,
    within_share: float = 0.8,
    path: str | Path | None = None,
    labels_path: str | Path | None = None,
) -> EdgeList:
    """Build the initial network of a run.

    ============== ============================================================
    kind           generator
    ============== ============================================================
    "small_world"  :func:`watts_strogatz` (k = mean_degree, even; rewire_prob)
    "scale_free"   :func:`barabasi_albert` (m = mean_degree / 2, even)
    "random"       :func:`erdos_renyi` (mean_degree)
    "communities"  :func:`stochastic_block` (n_blocks, mean_degree, within_share)
    "file"         :func:`read_edge_list` of ``path``: a file, or a built-in name
                   ("email-eu-core" comes with its department labels); ``n`` is
                   ignored, the file decides, and ``rng`` is not used
    ============== ============================================================

    Raises ValueError for an unknown kind or a parameter out of range, and
    NetworkFileError (a ValueError) for a bad file.
    """
    if kind == "small_world":
        return watts_strogatz(n, _even_degree(mean_degree, kind), rewire_prob, rng)
    if kind == "scale_free":
        return barabasi_albert(n, _even_degree(mean_degree, kind) // 2, rng)
    if kind == "random":
        return erdos_renyi(n, mean_degree, rng)
    if kind == "communities":
        return stochastic_block(n, n_blocks, mean_degree, within_share, rng)
    if kind == "file":
        if path is None:
            raise ValueError('network kind "file" needs a path (a file or a built-in name)')
        edges, labels = resolve_network_file(path)
        return read_edge_list(edges, labels_path if labels_path is not None else labels)
    raise ValueError(f"unknown network kind {kind!r}; allowed: {', '.join(KINDS)}")
