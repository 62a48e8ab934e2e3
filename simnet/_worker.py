"""Imported once by the fork server of a sweep's worker processes
(:class:`simnet.sweep.WorkerPool`), or by a spawned worker as it starts: what a run needs,
so that each worker forked from the server starts warm. Importing it loads Mesa, pandas,
scipy, Numba, the model and the kernels in Numba's cache (compiling nothing, running no
kernel)."""

import numba

# Loading a cached parallel kernel starts Numba's threading layer, and GNU OpenMP (the
# default layer on Linux) may not be forked once started: Numba ends such a child. The
# workqueue layer may, and workers run one Numba thread each, so its lack of nested
# parallelism costs nothing; the kernels give the same results on every layer.
if numba.config.THREADING_LAYER == "default":
    numba.config.THREADING_LAYER = "workqueue"

import scipy.sparse.csgraph  # noqa: F401 - the components metric

import simnet.model
import simnet.runner  # noqa: F401
from simnet.sweep import load_cached_kernels

KERNELS_LOADED = load_cached_kernels()
