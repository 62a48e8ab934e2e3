"""One kernel built twice: serial and parallel, for callers that run small inputs on one
thread."""

import types

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
    return njit(cache=True)(serial), njit(cache=True, parallel=True)(impl)
