"""One kernel built twice: serial and parallel, for callers that run small inputs on one
thread; and which of the two to call."""

import types

import numba
from numba import njit


def serial_and_parallel(impl):
    """``(serial, parallel)``: the Python function ``impl`` compiled twice, as
    ``@njit(cache=True)`` (its ``prange`` loops run as plain loops) and with
    ``parallel=True``, for callers that run small inputs on one thread: waking Numba's
    threads costs about 10 us a parallel region on a quiet machine and far more when
    other processes hold the cores. The two builds are cached apart: Numba names a cache
    entry by the function's qualified name and line, not by its flags, so one function
    compiled both ways would load whichever build was cached first for both.

    ``impl`` must not call ``numba.get_thread_id``: in a serial build loaded from the
    cache before Numba's threads have started it is not linked (the process crashes).
    """
    serial = types.FunctionType(impl.__code__, impl.__globals__, impl.__name__ + "_serial",
                                impl.__defaults__, impl.__closure__)
    serial.__qualname__ = impl.__qualname__ + "_serial"
    serial.__module__ = impl.__module__
    serial.__doc__ = impl.__doc__
    return (njit(cache=True, no_cfunc_wrapper=True)(serial),
            njit(cache=True, parallel=True, no_cfunc_wrapper=True)(impl))


def use_parallel(work, threshold, parallel=None) -> bool:
    """Whether to call a kernel's parallel build: ``parallel`` (bool) if given; else when
    ``work`` reaches ``threshold`` and Numba may use more than one thread here. On one
    thread (a sweep's worker process: ``numba.set_num_threads(1)``) the parallel build
    gives nothing and costs its compile (about as long again as the serial one's, on a
    cold cache), so the serial build is called whatever the size; the two give the same
    results."""
    if parallel is not None:
        return bool(parallel)
    return work >= threshold and not on_one_thread()


def on_one_thread() -> bool:
    """Whether Numba runs on one thread in this thread of this process (asked without
    starting Numba's threads when they have not started: then none was set, and the
    number is ``NUMBA_NUM_THREADS``)."""
    from numba.np.ufunc import parallel

    if not getattr(parallel, "_is_initialized", True):
        return numba.config.NUMBA_NUM_THREADS == 1
    return numba.get_num_threads() == 1
