"""From an experiment to runs, and the executors that do them.

An experiment expands into runs: every arm x every sweep point x every replication
(:func:`plan_runs`). Seeds follow common random numbers: the experiment's root seed spawns
one child per replication with ``numpy.random.SeedSequence(root).spawn`` and every arm and
sweep point of replication r runs with child r's seed, so arms are compared on the same
starting networks and the same draws, replication by replication.

Executors (:func:`iter_outputs`) do the runs and hand back their tables; only the calling
process writes them (through :mod:`simnet.results`), so a Dask cluster needs no shared
file system:

- ``workers=1``: in this process, one after the other;
- ``workers=N``: N runs at a time in N warm worker processes, one Numba thread each (see
  :class:`WorkerPool`: forked from a server that imported simnet once, started while the
  sweep is still being checked, handed batches of small runs); this process writes, and
  runs tasks only while the workers start;
- ``scheduler="local"``: a local Dask cluster of ``workers`` processes;
- ``scheduler="tcp://host:8786"``: an existing Dask cluster (``distributed``).

Each run depends only on its configuration and seed, so every executor gives the same
tables, row for row. :func:`run_experiment` ties it together: plan, check, skip finished
runs, execute, write atomically, with a progress bar.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import time
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simnet.config import ConfigError, ModelConfig
from simnet.experiment import (
    ExperimentConfig,
    _cast,
    morris_points,
    morris_run_seed,
    morris_seed_keys,
)
from simnet.runner import RunOutput, RunSpec, RunTask, execute_run, numba_threads

# Rough cost model of one run, for ``simnet check``: seconds = START + PER_AGENT_STEP *
# agents * steps * sqrt(mean degree / 10). Calibrated on a 2-core laptop-class machine.
START_SECONDS = 0.3
PER_AGENT_STEP = 1.6e-4
# Seconds before a sweep's workers are busy (a fork server importing simnet and loading
# the cached kernels; overlapped with the sweep's own checks, so partly hidden).
WORKER_START_SECONDS = 1.0
# Runs with fewer agents use one Numba thread each (see make_tasks).
PARALLEL_MIN_AGENTS = 20_000
CONNECT_TIMEOUT = "15s"
SCHEDULER_SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")
# Rough peak memory of one run: BASE + agents * (PER_AGENT + PER_TIE_END * mean degree),
# bytes; measured ~19 kB per agent at mean degree 10 (100,000 agents), with headroom.
MEMORY_BASE = 400 << 20
MEMORY_PER_AGENT = 8_000
MEMORY_PER_TIE_END = 2_000


# --------------------------------------------------------------------------- planning

def replication_seeds(root: int, replications: int) -> list[int]:
    """One seed per replication, spawned from the root seed (63-bit whole numbers)."""
    children = np.random.SeedSequence(root).spawn(replications)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def design_points(exp: ExperimentConfig) -> list[dict[str, Any]]:
    """The sweep points: every grid combination, or the sampled design's rows (Latin
    hypercube, Saltelli or Morris trajectories via SALib, drawn from the root seed). One
    empty point when nothing is swept."""
    sweep = exp.sweep
    if sweep.design == "morris":
        return morris_points(sweep, exp.seed)
    if sweep.design == "grid":
        if not sweep.grid:
            return [{}]
        names = [name for name, _ in sweep.grid]
        return [dict(zip(names, combo, strict=True))
                for combo in itertools.product(*(values for _, values in sweep.grid))]
    problem = salib_problem(exp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sweep.design == "lhs":
            from SALib.sample import latin

            rows = latin.sample(problem, sweep.samples, seed=exp.seed)
        else:
            from SALib.sample import sobol

            rows = sobol.sample(problem, sweep.samples, calc_second_order=sweep.second_order,
                                seed=exp.seed)
    return [{name: _cast(name, float(v)) for name, v in zip(problem["names"], row,
                                                            strict=True)}
            for row in rows]


def salib_problem(exp: ExperimentConfig) -> dict:
    """The SALib problem definition of a sampled design."""
    bounds = exp.sweep.bounds
    return {"num_vars": len(bounds), "names": [b[0] for b in bounds],
            "bounds": [[b[1], b[2]] for b in bounds]}


def _width(n: int) -> int:
    return max(1, len(str(max(0, n - 1))))


def plan_runs(exp: ExperimentConfig) -> list[RunSpec]:
    """Every run of the experiment in execution order: replication, then sweep point,
    then arm (so the runs finished first are complete comparisons). A Morris design's
    runs draw their seed from the replication's and their point's seed key, and their
    starting world from the replication's and their trajectory's."""
    points = design_points(exp)
    seeds = replication_seeds(exp.seed, exp.replications)
    keys = morris_seed_keys(exp.sweep, exp.seed) if exp.sweep.design == "morris" else None
    pw, rw = _width(len(points)), _width(exp.replications)
    plan = []
    for rep, seed in enumerate(seeds):
        for p, point in enumerate(points):
            for arm in exp.arm_names:
                parts = [arm]
                if len(points) > 1:
                    parts.append(f"p{p:0{pw}d}")
                parts.append(f"r{rep:0{rw}d}")
                run_seed, setup_seed = seed, None
                if keys is not None:
                    # a trajectory keeps its starting world; the seed dummies reseed only
                    # the dynamics (the noise a parameter's move is compared with)
                    run_seed = morris_run_seed(seed, keys[p])
                    setup_seed = morris_run_seed(seed, keys[p][:1])
                plan.append(RunSpec("-".join(parts), arm, p, rep, run_seed, dict(point),
                                    setup_seed))
    return plan


def make_tasks(exp: ExperimentConfig, plan: list[RunSpec],
               numba_threads: int | None = None) -> list[RunTask]:
    """The tasks of the planned runs (each with its resolved model configuration).

    ``numba_threads``: Numba threads per run; None: one thread for runs of fewer than
    ``PARALLEL_MIN_AGENTS`` agents (parallel regions cost more than they save there), all
    cores for bigger ones. Results do not depend on it.
    """
    configs: dict[tuple[str, int], tuple[ModelConfig, int | None]] = {}
    tasks = []
    for spec in plan:
        key = (spec.arm, spec.point)
        if key not in configs:
            cfg = exp.point_config(spec.arm, spec.params)
            threads = numba_threads
            if threads is None and _size(cfg)[0] < PARALLEL_MIN_AGENTS:
                threads = 1
            configs[key] = (cfg, threads)
        cfg, threads = configs[key]
        tasks.append(RunTask(spec, cfg, exp.steps, exp.output, threads))
    return tasks


def preflight(tasks: list[RunTask], max_configs: int = 50, max_agents: int = 20_000) -> None:
    """Build the starting state of each distinct configuration (up to ``max_configs``
    small ones) so that problems the model finds (an odd mean degree for a small world, an
    unreadable edge list ...) are reported before anything is written."""
    from simnet.model import ReputationModel

    seen: list[ModelConfig] = []
    for task in tasks:
        cfg = task.model
        if any(cfg == s for s in seen):
            continue
        seen.append(cfg)
        if len(seen) > max_configs:
            break
        if cfg.network.kind != "file" and cfg.population.n_agents > max_agents:
            continue
        where = f"arms.{task.spec.arm}" if task.spec.arm != "base" else "model"
        if task.spec.params:
            where += " at " + ", ".join(f"{k} = {v!r}" for k, v in task.spec.params.items())
        try:
            _build_like_the_run(ReputationModel, cfg, task)
        except ConfigError as err:
            raise ConfigError(f"{where}: {err}") from None
        except (ValueError, TypeError, OSError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            raise ConfigError(f"{where}: {type(err).__name__}: {first}") from None


def _build_like_the_run(model_class, cfg: ModelConfig, task: RunTask):
    """``model_class(cfg)`` on the Numba threads the task's run will have (as
    :func:`simnet.runner.execute_run` sets them): on one thread a kernel calls its serial
    build, so the check compiles (on a cold cache) or loads no build the runs do not use."""
    with numba_threads(task.numba_threads):
        return model_class(cfg, rng=task.spec.seed, create_agents=False)


def run_seconds(n_agents: int, mean_degree: float, steps: int,
                per_agent_step: float | None = None) -> float:
    """The cost model of one run, in seconds on one core: ``START_SECONDS +
    per_agent_step * agents * steps * sqrt(mean degree / 10)``. ``per_agent_step``:
    seconds per agent-step at mean degree 10 (default ``PER_AGENT_STEP``; ``simnet check``
    measures it on this machine, :func:`probe_per_agent_step`)."""
    rate = PER_AGENT_STEP if per_agent_step is None else per_agent_step
    return START_SECONDS + rate * n_agents * steps * math.sqrt(max(mean_degree, 1) / 10)


def estimate_seconds(exp: ExperimentConfig, plan: list[RunSpec] | None = None,
                     measured: Probe | None = None) -> float:
    """A rough estimate of the summed run time (seconds, one core) of the experiment:
    each run's :meth:`Probe.run_seconds` when ``measured`` (see :func:`probe`), else the
    fixed cost model :func:`run_seconds`."""
    plan = plan if plan is not None else plan_runs(exp)
    total = 0.0
    cache: dict[tuple[str, int], float] = {}
    for spec in plan:
        key = (spec.arm, spec.point)
        if key not in cache:
            cfg = exp.point_config(spec.arm, spec.params)
            n, degree = _size(cfg)
            cache[key] = measured.run_seconds(n, degree, exp.steps) if measured else \
                run_seconds(n, degree, exp.steps)
        total += cache[key]
    return total


# The probe of `simnet check`: the experiment's first configuration at (at most) this many
# agents, run for 1 step and for its own steps (at most PROBE_MAX_STEPS: a step's cost
# rises and falls over a run, so a few early steps mislead), one Numba thread (as in a
# sweep's workers).
PROBE_AGENTS = 500
PROBE_MAX_STEPS = 50
# A step's cost per agent grows slowly with the population (more news in flight per
# agent): x2.1 from 1,000 to 100,000 agents in benchmarks/model.py, so n ** 0.16.
SIZE_EXPONENT = 0.16
# What a sweep adds to each run besides the model (its tables' identity columns, writing
# them, in part in the background): about 40 ms on 2 cores (python -m benchmarks.sweep).
RUN_OVERHEAD_SECONDS = 0.04


@dataclass(frozen=True)
class Probe:
    """What :func:`probe` measured on this machine, now: seconds of a one-step run of
    ``agents`` agents (build, a step, tables) and seconds per further agent-step at mean
    degree 10."""

    agents: int
    start_seconds: float
    per_agent_step: float
    wall_seconds: float  # what the probe itself took, kernels' loading included

    def run_seconds(self, n_agents: int, mean_degree: float, steps: int) -> float:
        """One run, scaled from the probe: its one-step run in proportion to the agents,
        each further step by agents x sqrt(mean degree / 10) x (agents / probe's) **
        SIZE_EXPONENT, plus ``RUN_OVERHEAD_SECONDS``."""
        scale = max(n_agents, 1) / self.agents
        return (RUN_OVERHEAD_SECONDS + self.start_seconds * scale
                + self.per_agent_step * n_agents * max(steps - 1, 0)
                * math.sqrt(max(mean_degree, 1) / 10) * scale ** SIZE_EXPONENT)


def probe(exp: ExperimentConfig) -> Probe | None:
    """Time the experiment's first run configuration, shrunk to at most ``PROBE_AGENTS``
    agents, for 1 step and for its own number of steps (at most ``PROBE_MAX_STEPS``),
    after a one-step warm-up that loads the kernels, on one Numba thread: about a second,
    more on a cold Numba cache (the kernels are compiled then, once for the runs to come).
    None if it cannot be shrunk or run."""
    from simnet.runner import run_model

    plan = plan_runs(exp)
    if not plan:
        return None
    spec = plan[0]
    cfg = exp.point_config(spec.arm, spec.params)
    n, degree = _size(cfg)
    started = time.perf_counter()
    try:
        with numba_threads(1):
            if cfg.network.kind != "file" and n > PROBE_AGENTS:
                cfg = cfg.with_overrides(n_agents=PROBE_AGENTS)
                n = PROBE_AGENTS
            run_model(cfg, spec.seed, 1, exp.output, setup_seed=spec.setup_seed)  # warm-up
            times = []
            counts = (1, max(2, min(exp.steps, PROBE_MAX_STEPS)))
            for steps in counts:
                start = time.perf_counter()
                run_model(cfg, spec.seed, steps, exp.output, setup_seed=spec.setup_seed)
                times.append(time.perf_counter() - start)
    except (ConfigError, ValueError, TypeError, OSError):
        return None
    (s1, s2), (t1, t2) = counts, times
    per_step = max(t2 - t1, 1e-9) / (s2 - s1)
    per_agent_step = per_step / (n * math.sqrt(max(degree, 1) / 10))
    return Probe(n, t1, per_agent_step, time.perf_counter() - started)


def _size(cfg: ModelConfig) -> tuple[int, float]:
    """(agents, mean degree) of a configuration; for an edge-list file, from the file."""
    if cfg.network.kind == "file" and cfg.network.path:
        try:
            from simnet.network import read_edge_list, resolve_network_file

            edges = read_edge_list(*resolve_network_file(cfg.network.path))
            return int(edges.n), 2.0 * edges.m / max(1, edges.n)
        except Exception:  # an estimate only; the run reports the problem
            return cfg.population.n_agents, float(cfg.network.mean_degree)
    return cfg.population.n_agents, float(cfg.network.mean_degree)


# --------------------------------------------------------------------------- executors

def default_workers() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def iter_outputs(tasks: list[RunTask], workers: int = 1,
                 scheduler: str | None = None) -> Iterator[RunOutput]:
    """Do the tasks and yield each run's output as it finishes (in any order)."""
    if not tasks:
        return
    with _executor(tasks, workers, scheduler) as outputs:
        yield from outputs()


@contextmanager
def _executor(tasks: list[RunTask], workers: int, scheduler: str | None,
              pool: WorkerPool | None = None, first_alone: bool = False):
    """A callable yielding the tasks' outputs. A Dask scheduler is connected to (or a
    local cluster started) on entering, so that a failure comes before anything else.

    ``pool``: worker processes already started (see :class:`WorkerPool`); without one, one
    is started here when ``workers > 1``. ``first_alone``: do the first task in this
    process before handing any to the workers (it compiles the kernels, once, for all)."""
    if not tasks:
        yield lambda: iter(())
    elif scheduler is not None:
        with _dask_client(scheduler, max(1, min(workers, len(tasks)))) as client:
            yield lambda: _dask_outputs(client, tasks)
    elif workers <= 1 or len(tasks) == 1:
        yield lambda: (execute_run(task) for task in tasks)
    elif pool is not None:
        yield lambda: _process_outputs(tasks, pool, first_alone)
    else:
        with WorkerPool(min(workers, len(tasks))) as own:
            yield lambda: _process_outputs(tasks, own, first_alone)


# --------------------------------------------------------------------------- warm workers

# What a run needs, imported once by the fork server (its workers are forked with it
# loaded) or by a spawned worker as it starts: Mesa, pandas, scipy, Numba, the model, and
# the kernels in Numba's cache (see simnet/_worker.py).
WORKER_PRELOAD = ("simnet._worker",)
# A worker is handed batches of runs that take about this long (estimated), so that the
# hand-over (pickling a task and its tables, a wake-up) stays a small part of a run.
CHUNK_SECONDS = 0.25


def _pool_context():
    """``forkserver`` where there is one (Linux, macOS): a server process imports
    ``WORKER_PRELOAD`` once and forks each worker from itself, warm; it lives as long as
    this process, so later sweeps' workers start in milliseconds. ``spawn`` elsewhere
    (Windows): each worker imports on its own."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(WORKER_PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def _worker_start(parent: int) -> None:
    """A worker process's initializer: ignore Ctrl+C (this process stops the workers),
    exit when the parent is gone, and import what a run needs (already imported if the
    worker was forked from the fork server)."""
    import importlib
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent)
    for name in WORKER_PRELOAD:
        importlib.import_module(name)


def _worker_ready() -> int:
    return os.getpid()


def _execute_chunk(tasks: list[RunTask]) -> list[RunOutput]:
    """A batch of runs, in a worker process, each encoded for the store (in parallel,
    rather than by the one process that writes)."""
    return [_execute_encoded(task) for task in tasks]


def _execute_encoded(task: RunTask) -> RunOutput:
    """One run, encoded for the store where it was done (only bytes travel back)."""
    return execute_run(task).encode()


def _watch_parent(parent: int) -> None:
    """In a worker process: exit as soon as the process that started the sweep is gone
    (killed by any signal, even SIGKILL), instead of finishing runs nobody will collect.

    A spawned worker's parent is that process, so the parent changes when it dies. A
    forked worker's parent is the fork server, which outlives it while any worker lives:
    there, ``parent`` itself is watched, and a dead process that nobody has reaped yet (a
    zombie) counts as gone. (Polling rather than Linux's PR_SET_PDEATHSIG, which fires
    when the starting *thread* ends.)"""
    import threading

    start = os.getppid()

    def gone() -> bool:
        if os.getppid() != start:
            return True
        if os.name != "posix" or parent == start:  # Windows: os.kill(pid, 0) would end it
            return False
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        try:  # Linux: a killed process stays listed, as a zombie, until it is reaped
            state = Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state in ("Z", "X")

    def watch() -> None:
        while not gone():
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="simnet-watch-parent", daemon=True).start()


class WorkerPool:
    """``size`` worker processes for a sweep, started at once and in the background (a
    thread asks for them), so that their start-up overlaps the sweep's checks and this
    process's own imports. Close it (or use it as a context manager): workers that are
    still busy are terminated."""

    def __init__(self, size: int):
        import threading

        self.size = max(1, size)
        self.started = time.perf_counter()
        self._futures: list = []
        context = _pool_context()
        if context.get_start_method() == "forkserver":
            # Start the server here, with Ctrl+C ignored (its workers inherit that); asking
            # it for a worker waits for its imports, which the thread below does.
            from multiprocessing import forkserver

            with _workers_ignore_ctrl_c():
                forkserver.ensure_running()
        self.executor = ProcessPoolExecutor(max_workers=self.size, mp_context=context,
                                            initializer=_worker_start,
                                            initargs=(os.getpid(),))
        self._starter = threading.Thread(target=self._start, name="simnet-start-workers",
                                         daemon=True)
        with _workers_ignore_ctrl_c():  # spawned workers inherit SIGINT blocked
            self._starter.start()
            self._starter.join(0.05)

    def _start(self) -> None:
        try:
            for _ in range(self.size):  # one submit starts one process
                self._futures.append(self.executor.submit(_worker_ready))
        except Exception:  # closed meanwhile; submit() reports it
            pass

    def submit(self, fn, *args):
        self._starter.join()
        future = self.executor.submit(fn, *args)
        self._futures.append(future)
        return future

    def close(self) -> None:
        self._starter.join(timeout=30)
        busy = any(not f.done() for f in self._futures)
        self.executor.shutdown(wait=False, cancel_futures=True)
        if busy:  # copies of runs already done, or a sweep stopped early: do not wait
            for process in list((getattr(self.executor, "_processes", None) or {}).values()):
                process.terminate()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _chunk_size(tasks: list[RunTask], processes: int) -> int:
    """Runs per batch handed to a worker: about ``CHUNK_SECONDS`` of estimated work, and
    at most a quarter of each process's share (so the last batches still balance)."""
    n, degree = _size(tasks[0].model)
    per_run = run_seconds(n, degree, tasks[0].steps)
    return max(1, min(int(CHUNK_SECONDS / max(per_run, 1e-3)),
                      len(tasks) // (4 * max(1, processes))))


def _process_outputs(tasks: list[RunTask], pool: WorkerPool,
                     first_alone: bool = False) -> Iterator[RunOutput]:
    """The tasks' outputs, run by the pool's workers, with this process helping while
    they start.

    This process collects the outputs and writes them (the store's writer thread): a
    model run here would share the interpreter lock with that thread, which slowed
    small runs by a third. So it runs tasks itself only until a worker has delivered
    (no core waits while the workers start), and, at the end, the tasks of workers that
    have delivered nothing (whichever copy finishes first is kept: a run's tables depend
    only on its task). At most two batches per worker wait in the pool's queue; an idle
    worker takes the next. ``first_alone``: this process does the first task before any
    is handed out, so that the kernels are compiled once (then loaded from Numba's cache
    by the workers) rather than by every process at once.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    queue = deque(tasks)
    chunk = _chunk_size(tasks, pool.size)
    ahead = 2 * pool.size
    in_flight: dict = {}  # future -> its batch of tasks
    taken: set[str] = set()  # run ids already handed back
    delivered = False  # a worker has handed back a batch

    def top_up() -> None:
        while queue and len(in_flight) < ahead:
            batch = [queue.popleft() for _ in range(min(chunk, len(queue)))]
            in_flight[pool.submit(_execute_chunk, batch)] = batch

    def collect(futures) -> Iterator[RunOutput]:
        nonlocal delivered
        for future in futures:
            in_flight.pop(future)
            outputs = future.result()
            delivered = True
            for output in outputs:
                if output.spec.run_id not in taken:  # else this process did it meanwhile
                    taken.add(output.spec.run_id)
                    yield output

    def needed() -> list[RunTask]:
        return [t for batch in in_flight.values() for t in batch
                if t.spec.run_id not in taken]

    def run_here(task: RunTask) -> Iterator[RunOutput]:
        output = execute_run(task)
        if task.spec.run_id not in taken:
            taken.add(task.spec.run_id)
            yield output

    if first_alone and queue:
        yield from run_here(queue.popleft())
    while queue or needed():
        yield from collect([f for f in in_flight if f.done()])
        top_up()
        if not delivered and (queue or needed()):
            # the workers are still starting: do a run here meanwhile (the last one
            # handed out, once none is left to hand out)
            yield from run_here(queue.popleft() if queue else needed()[-1])
        elif in_flight:
            # short timeouts: Ctrl+C and SIGTERM are handled between waits
            wait(list(in_flight), timeout=0.5, return_when=FIRST_COMPLETED)


@contextmanager
def _workers_ignore_ctrl_c():
    """Start worker processes without Ctrl+C: Ctrl+C reaches the whole process group, and
    only this process should handle it (it stops the workers itself).

    SIGINT is *blocked* in this thread meanwhile, not ignored: the processes and threads
    started here inherit the mask, while a Ctrl+C that arrives in the window stays pending
    and is delivered to this process when it ends (ignored, it would be lost and the sweep
    would run to its end). Where signal masks do not exist (Windows) it is ignored."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if hasattr(signal, "pthread_sigmask"):
        previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _dask_client(scheduler: str, workers: int):
    """A connected Dask client: to a local cluster of ``workers`` processes (``"local"``),
    or to the scheduler at an address (ConfigError if it cannot be reached).

    The local cluster is safe on a shared machine: its scheduler and workers talk TLS
    with temporary credentials (so other local users cannot connect and run code as this
    user), and it serves no dashboard."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler == "local":
        # Dask starts an HTTP server in the scheduler and each worker whatever the
        # dashboard setting: serve nothing there, on a random loopback port.
        quiet_http = {"distributed.scheduler.http.routes": [],
                      "distributed.worker.http.routes": []}
        with dask.config.set(quiet_http):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   protocol="tls://", host="127.0.0.1",
                                   security=_local_security(),
                                   dashboard_address="127.0.0.1:0",
                                   scheduler_kwargs={"dashboard": False},
                                   worker_dashboard_address=None,
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as err:
            why = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ConfigError(f"--scheduler {scheduler}: cannot connect to a Dask scheduler "
                              f"({why})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _local_security():
    """Dask TLS security with a temporary self-signed certificate (in memory only)."""
    from distributed.security import Security

    try:
        return Security.temporary()
    except ImportError as err:  # pragma: no cover - cryptography is a dependency
        raise ConfigError(f"--scheduler local needs the 'cryptography' package ({err})"
                          ) from None


def _dask_outputs(client, tasks: list[RunTask]) -> Iterator[RunOutput]:
    from distributed import as_completed

    futures = client.map(_execute_encoded, tasks, pure=False)
    for future in as_completed(futures):
        yield future.result()


def _kernel_dispatchers() -> Iterator:
    """Every Numba dispatcher defined in the modules of ``simnet.kernels`` (imported)."""
    import importlib
    import pkgutil

    from numba.core.dispatcher import Dispatcher

    import simnet.kernels as kernels

    for info in pkgutil.iter_modules(kernels.__path__):
        module = importlib.import_module(f"{kernels.__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, Dispatcher) and getattr(obj, "_cache", None) is not None:
                yield obj


def _cached_signatures(dispatcher) -> list:
    """The signatures Numba's cache holds for ``dispatcher`` that it would load (same
    Numba, same machine, same source), read from the cache's index (private Numba API)."""
    cache = dispatcher._cache
    index = getattr(cache, "_cache_file", None)
    if index is None:
        return []
    codegen = dispatcher.targetctx.codegen()
    # Numba's own reader: {} when the index is missing, stale or from another Numba
    return [key[0] for key in index._load_index()
            if key == cache._index_key(key[0], codegen)]


def kernels_cached() -> bool | None:
    """Whether Numba's on-disk cache holds the model's kernels for this Numba version and
    these sources: True if any kernel of ``simnet.kernels`` has a valid cache entry (a
    run compiles the kernels it uses together, so one tells a machine that has run the
    model from a fresh one), False if none has, None if it cannot be told. Reads only the
    cache's index files."""
    try:
        return any(_cached_signatures(d) for d in _kernel_dispatchers())
    except Exception:  # private Numba API: if it changed, say nothing rather than fail
        return None


# Processes that compile the kernels at once on a cold cache (see warm_up_kernels).
WARMUP_PROCESSES = 2


def warm_up_kernels(tasks: list[RunTask], cores: int, say: bool = True) -> int:
    """Compile the kernels these runs call that Numba's cache lacks, once for this
    machine, in up to ``WARMUP_PROCESSES`` processes at once (at most ``cores``; with one,
    the first run compiles them as before), with a line saying so (``say``); returns how
    many were compiled. The runs then load them from the cache. See
    :mod:`simnet.kernels.warmup`."""
    processes = min(cores, WARMUP_PROCESSES)
    if processes < 2:
        return 0
    from simnet.kernels.warmup import compile_kernels

    modes = sorted({task.model.word_of_mouth.mode for task in tasks})

    def starting(kernels: int, parts: int) -> None:
        if say:
            print(f"simnet: compiling the model's kernels for this machine, once, in {parts} "
                  f"processes ({kernels} kernels; cached for later runs) ...",
                  file=sys.stderr, flush=True)

    try:
        compiled, seconds, ok = compile_kernels(modes, processes, say=starting)
    except Exception:  # the first run compiles what is missing, as without a warm-up
        return 0
    if compiled and say:
        print(f"simnet: kernels compiled and cached in {seconds:.0f} s"
              + ("" if ok else " (not all: the first run compiles the rest)"),
              file=sys.stderr, flush=True)
    return compiled


def load_cached_kernels() -> int:
    """Load every kernel that Numba's cache holds into this process, compiling nothing;
    returns how many were loaded. The fork server does this once, so that the workers
    forked from it do not each load them again (about a second each). Runs no kernel:
    a process that has not started Numba's threads can still fork safely."""
    loaded = 0
    try:
        for dispatcher in _kernel_dispatchers():
            for sig in _cached_signatures(dispatcher):
                dispatcher.compile(sig)  # a cache hit: loads, does not compile
                loaded += 1
    except Exception:  # a worker loads (or compiles) what it needs on its first run
        pass
    return loaded


# The ETA is shown once it means something: after this many runs of the session have
# finished since the first one, and this many seconds since the first one finished.
ETA_MIN_RUNS = 3
ETA_MIN_SECONDS = 5.0


class _Eta:
    """The time left in a sweep, from the rate at which runs finish after the first one
    (the first pays for compiling or loading the kernels and for the workers' start, so
    it says little about the rest). ``None`` until ``ETA_MIN_RUNS`` more runs finished
    over at least ``ETA_MIN_SECONDS``."""

    def __init__(self, todo: int):
        self.todo = todo
        self.done = 0
        self._first: float | None = None

    def update(self, now: float) -> None:
        self.done += 1
        if self._first is None:
            self._first = now

    def seconds_left(self, now: float) -> float | None:
        if self._first is None:
            return None
        since, runs = now - self._first, self.done - 1
        if runs < ETA_MIN_RUNS or since < ETA_MIN_SECONDS:
            return None
        return (self.todo - self.done) * since / runs

    def text(self, now: float) -> str:
        from tqdm import tqdm

        left = self.seconds_left(now)
        if self.done >= self.todo:
            return "done"
        return "ETA after a few runs" if left is None else \
            f"ETA {tqdm.format_interval(left)}"


# --------------------------------------------------------------------------- a sweep

@dataclass
class SweepReport:
    """What a call to :func:`run_experiment` did."""

    path: Path
    planned: int
    skipped: int
    done: int
    wall_seconds: float
    run_seconds: float = 0.0     # summed model time of the runs done
    write_seconds: float = 0.0   # summed time writing them (in the background writer)
    executor: str = ""
    runs: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the user should know


def results_dir(exp: ExperimentConfig, out_root: str | Path) -> Path:
    """``out_root/<name>`` (``<name>_quick`` at the quick size)."""
    return Path(out_root) / (f"{exp.name}_quick" if exp.quick else exp.name)


def input_files(exp: ExperimentConfig) -> dict[str, str]:
    """The files the experiment reads (edge lists and their labels, of every arm and
    sweep point), each with the SHA-256 of its contents."""
    from simnet.network import NetworkFileError, resolve_network_file
    from simnet.results import file_digest

    paths: set[str] = set()
    models = [exp.model, *(a.model for a in exp.arms if a.model is not None)]
    names = {m.network.path for m in models if m.network.kind == "file" and m.network.path}
    if "path" in exp.varied:  # a sweep over edge-list files
        for _, values in exp.sweep.grid:
            names.update(str(v) for v in values)
    for name in names:
        try:
            edges, labels = resolve_network_file(name)
        except NetworkFileError:
            continue  # refused by validation or the preflight, with a better message
        paths.update(str(p) for p in (edges, labels) if p is not None)
    digests = {}
    for path in sorted(paths):
        try:
            digests[path] = file_digest(Path(path))
        except OSError as err:
            raise ConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    return digests


def fingerprint(exp: ExperimentConfig, inputs: dict[str, str] | None = None) -> str:
    """The experiment's fingerprint, covering the contents of its input files too (so a
    changed edge list is not mixed with results made from the old one). Without input
    files it is ``exp.fingerprint()``."""
    inputs = input_files(exp) if inputs is None else inputs
    if not inputs:
        return exp.fingerprint()
    import hashlib
    import json

    text = json.dumps([exp.fingerprint(), sorted(inputs.values())])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_manifest(exp: ExperimentConfig, plan: list[RunSpec]) -> dict:
    """The manifest: enough to reproduce every run."""
    from simnet.results import FORMAT, git_commit, package_versions

    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    commit, versions = git_commit(), package_versions()
    inputs = input_files(exp)
    return {
        "format": FORMAT,
        "experiment_name": exp.name,
        "description": exp.description,
        "source": exp.source,
        "quick": exp.quick,
        "fingerprint": fingerprint(exp, inputs),
        "experiment_fingerprint": exp.fingerprint(),
        "inputs": inputs,
        "root_seed": exp.seed,
        "steps": exp.steps,
        "replications": exp.replications,
        "arms": list(exp.arm_names),
        "baseline": exp.reference_arm,
        "varied": list(exp.varied),
        "design": exp.sweep.design,
        "sweep": exp.sweep.to_dict(),
        "experiment": exp.to_dict(),
        "n_runs": len(plan),
        "runs": [spec.to_dict() for spec in plan],
        "versions": versions,
        "git_commit": commit,
        "created": now,
        "sessions": [{"started": now, "argv": sys.argv[1:], "git_commit": commit,
                      "simnet": versions.get("simnet")}],
    }


def check_scheduler(scheduler: str | None) -> None:
    """ConfigError unless ``scheduler`` is None, 'local' or a Dask address
    (``tcp://host:port``, ``tls://host:port``, or ``host:port``)."""
    if scheduler is None or scheduler == "local":
        return
    text = scheduler.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    host, colon, port = rest.rpartition(":")
    if (scheme not in SCHEDULER_SCHEMES or not colon or not host or not port.isdigit()
            or not 0 < int(port) < 65536 or any(c.isspace() or c == "/" for c in rest)):
        raise ConfigError(f"--scheduler {scheduler!r}: expected 'local' or a Dask scheduler "
                          f"address such as tcp://host:8786 (schemes: "
                          f"{', '.join(SCHEDULER_SCHEMES)})")


def run_experiment(exp: ExperimentConfig, out_root: str | Path = "results",
                   workers: int | None = None, scheduler: str | None = None,
                   restart: bool = False, progress: bool = True,
                   check: bool = True, memory_check: bool = True) -> SweepReport:
    """Run every unfinished run of ``exp`` and write it under ``results_dir(exp, out_root)``.

    Everything is checked before anything is written (a ConfigError names the problem):
    the folder, the runs (and, with ``memory_check``, that they fit in this machine's
    memory), the Dask scheduler (connected to first). Finished runs are verified and
    skipped; damaged ones are reported in ``notes`` and run again; a folder holding a
    different experiment is refused unless ``restart``.
    """
    from simnet.results import ResultsStore, audit_runs

    started = time.perf_counter()
    out_dir = results_dir(exp, out_root)
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers = {workers}: expected at least 1")
    check_scheduler(scheduler)
    workers = workers or default_workers()
    plan = plan_runs(exp)
    manifest = build_manifest(exp, plan)
    notes = ResultsStore.check(out_dir, manifest, restart)
    audit = None
    if not restart:
        audit = audit_runs(out_dir, [s.run_id for s in plan], manifest["fingerprint"])
        notes += audit.notes(out_dir)
    done_before = audit.sound if audit is not None else set()
    todo = [spec for spec in plan if spec.run_id not in done_before]
    threads = None if (scheduler is None and (workers <= 1 or len(todo) <= 1)) else 1
    tasks = make_tasks(exp, todo, threads)  # one Numba thread per worker process
    processes = min(workers, len(tasks))
    if tasks and scheduler in (None, "local"):
        # before the workers start, so that they find the kernels in the cache
        warm_up_kernels(tasks, min(workers, default_workers()), progress)
    with ExitStack() as stack:
        # Start the worker processes now: their start-up overlaps the checks below.
        pool = stack.enter_context(WorkerPool(processes)) \
            if scheduler is None and processes > 1 else None
        return _run_tasks(exp, tasks, plan, manifest, notes, audit, out_dir, workers,
                          scheduler, pool, restart, progress, check, memory_check, started)


def _run_tasks(exp, tasks, plan, manifest, notes, audit, out_dir, workers, scheduler, pool,
               restart, progress, check, memory_check, started) -> SweepReport:
    """The rest of :func:`run_experiment`: check the tasks, run them, write them."""
    from tqdm import tqdm

    from simnet.results import ResultsStore

    done_before = audit.sound if audit is not None else set()
    # Still cold after warm_up_kernels (one worker or core, or a warm-up that failed):
    # the first run compiles the kernels (tens of seconds): say so, and let this process
    # compile them alone, once, before the workers start on runs (they then load them
    # from the cache). Asked before the checks, which compile a few.
    cold = bool(tasks) and scheduler is None and kernels_cached() is False
    if check and tasks:
        preflight(tasks)
    if memory_check and tasks:
        check_memory(tasks, 1 if scheduler not in (None, "local") else
                     min(workers, len(tasks)))
    if scheduler is None:
        executor = "in-process"
        if pool is not None:
            how = "forked from a warm server" \
                if _pool_context().get_start_method() == "forkserver" else "spawned"
            executor = f"{pool.size} workers {how}"
    else:
        executor = f"Dask ({'local cluster' if scheduler == 'local' else scheduler})"
    report = SweepReport(out_dir, len(plan), len(plan) - len(tasks), 0, 0.0, executor=executor,
                         notes=notes)
    if done_before and tasks:
        old = _old_manifest(out_dir)
        made_by = (old.get("git_commit"), (old.get("versions") or {}).get("simnet"))
        if old and made_by != (manifest["git_commit"], manifest["versions"].get("simnet")):
            report.notes.append(
                f"{len(done_before)} finished runs in {out_dir} were made by another version "
                f"of simnet (commit {made_by[0] or '?'}); the new runs use commit "
                f"{manifest['git_commit'] or '?'}. Use --restart for results from one version.")
    damaged = tuple(audit.damaged) if audit is not None else ()
    if cold and progress:
        print("simnet: compiling the model's kernels for this machine (the first run; 15 to "
              "30 s on two cores; cached for later runs) ...", file=sys.stderr, flush=True)
    todo = len(tasks)
    eta = _Eta(todo)
    # Connect to the Dask scheduler before writing anything: an unreachable one leaves
    # the folder as it was.
    with _executor(tasks, workers, scheduler, pool, first_alone=cold) as outputs, \
            ResultsStore.open(out_dir, manifest, restart=restart, remove=damaged) as store:
        bar = tqdm(total=len(plan), initial=len(plan) - todo, unit="run",
                   desc=exp.name + (" (quick)" if exp.quick else ""), file=sys.stderr,
                   disable=not progress, dynamic_ncols=True,
                   bar_format="{desc}: {n_fmt}/{total_fmt} runs done{postfix} "
                              "|{bar}| {elapsed} elapsed")
        bar.set_postfix_str(f"{todo} left, {eta.text(time.perf_counter())}", refresh=False)
        with bar:
            for output in outputs():
                info = {**output.info(), "git_commit": manifest["git_commit"],
                        "simnet": manifest["versions"].get("simnet"),
                        "fingerprint": manifest["fingerprint"]}
                # encoded by the worker, or (a run done here) in the writer thread
                store.submit_run(output.spec.run_id, output.parquet, info)
                report.run_seconds += output.seconds
                report.done += 1
                report.runs.append(output.info())
                now = time.perf_counter()
                if cold and report.done == 1 and progress:
                    bar.write(f"simnet: kernels compiled and cached; the first run took "
                              f"{output.seconds:.0f} s", file=sys.stderr)
                eta.update(now)
                bar.set_postfix_str(f"{todo - report.done} left, {eta.text(now)}",
                                    refresh=False)
                bar.update(1)
        store.flush()
        report.write_seconds = store.write_seconds
        report.wall_seconds = time.perf_counter() - started
        store.update_manifest(complete=len(store.finished() & {s.run_id for s in plan})
                              == len(plan),
                              last_wall_seconds=round(report.wall_seconds, 3),
                              last_executor=executor)
    return report


def _old_manifest(out_dir: Path) -> dict:
    from simnet.results import ResultsStore

    return ResultsStore(out_dir).read_manifest() or {}


# --------------------------------------------------------------------------- memory

def estimate_memory(cfg: ModelConfig) -> int:
    """A rough (generous) estimate of the peak memory of one run, in bytes."""
    n, degree = _size(cfg)
    return int(MEMORY_BASE + n * (MEMORY_PER_AGENT + MEMORY_PER_TIE_END * max(degree, 1.0)))


def machine_memory() -> int | None:
    """This machine's physical memory in bytes (None if unknown)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def check_memory(tasks: list[RunTask], at_once: int) -> None:
    """ConfigError if ``at_once`` of the biggest runs would need more memory than this
    machine has (the run is refused before anything is written)."""
    total = machine_memory()
    if not total or not tasks:
        return
    seen: dict[int, int] = {}
    for task in tasks:
        key = id(task.model)
        if key not in seen:
            seen[key] = estimate_memory(task.model)
    need = max(seen.values())
    if need * max(1, at_once) > total:
        gb = 1 << 30
        n = _size(max(tasks, key=lambda t: seen[id(t.model)]).model)[0]
        raise ConfigError(
            f"runs of {n} agents need about {need / gb:.1f} GB each"
            + (f" ({at_once} at a time)" if at_once > 1 else "")
            + f", more than this machine's {total / gb:.1f} GB; make them smaller, use "
              f"fewer --workers, or pass --ignore-memory to run anyway")
