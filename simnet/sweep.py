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
- ``workers=N``: N runs at a time: this process and N - 1 worker processes (``spawn``
  start method), one Numba thread each;
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
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
from simnet.runner import RunOutput, RunSpec, RunTask, execute_run

# Rough cost model of one run, for ``simnet check``: seconds = START + PER_AGENT_STEP *
# agents * steps * sqrt(mean degree / 10). Calibrated on a 2-core laptop-class machine.
START_SECONDS = 0.3
PER_AGENT_STEP = 1.6e-4
WORKER_START_SECONDS = 3.0
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
            ReputationModel(cfg, rng=task.spec.seed, create_agents=False)
        except ConfigError as err:
            raise ConfigError(f"{where}: {err}") from None
        except (ValueError, TypeError, OSError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            raise ConfigError(f"{where}: {type(err).__name__}: {first}") from None


def estimate_seconds(exp: ExperimentConfig, plan: list[RunSpec] | None = None) -> float:
    """A rough estimate of the summed run time (seconds, one core) of the experiment."""
    plan = plan if plan is not None else plan_runs(exp)
    total = 0.0
    cache: dict[tuple[str, int], float] = {}
    for spec in plan:
        key = (spec.arm, spec.point)
        if key not in cache:
            cfg = exp.point_config(spec.arm, spec.params)
            n, degree = _size(cfg)
            cache[key] = (START_SECONDS
                          + PER_AGENT_STEP * n * exp.steps * math.sqrt(max(degree, 1) / 10))
        total += cache[key]
    return total


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
def _executor(tasks: list[RunTask], workers: int, scheduler: str | None):
    """A callable yielding the tasks' outputs. A Dask scheduler is connected to (or a
    local cluster started) on entering, so that a failure comes before anything else."""
    if not tasks:
        yield lambda: iter(())
    elif scheduler is not None:
        with _dask_client(scheduler, max(1, min(workers, len(tasks)))) as client:
            yield lambda: _dask_outputs(client, tasks)
    elif workers <= 1 or len(tasks) == 1:
        yield lambda: (execute_run(task) for task in tasks)
    else:
        yield lambda: _process_outputs(tasks, min(workers, len(tasks)))


def _watch_parent(parent: int) -> None:
    """In a worker process: exit as soon as the process that started it is gone (killed by
    any signal, even SIGKILL), instead of finishing runs nobody will collect. (Polling
    rather than Linux's PR_SET_PDEATHSIG, which fires when the starting *thread* ends.)"""
    import threading

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="simnet-watch-parent", daemon=True).start()


def _process_outputs(tasks: list[RunTask], workers: int) -> Iterator[RunOutput]:
    """``workers`` runs at a time: this process and ``workers - 1`` spawned processes.

    This process works too, so the seconds a spawned process takes to start (imports,
    Numba's cache) are not lost. Each worker process gets at most two tasks ahead; once no
    task is left to hand out, this process also does the tasks the workers have not
    finished yet (whichever copy finishes first is kept: a run's tables depend only on its
    task), so a sweep never waits long for a slow or late-starting worker.
    """
    queue = deque(tasks)
    ahead = 2 * (workers - 1)
    in_flight: dict = {}  # future -> task
    taken: set[str] = set()  # run ids already handed back
    pool = ProcessPoolExecutor(max_workers=workers - 1, mp_context=get_context("spawn"),
                               initializer=_watch_parent, initargs=(os.getpid(),))

    def top_up() -> None:
        while queue and len(in_flight) < ahead:
            task = queue.popleft()
            in_flight[pool.submit(execute_run, task)] = task

    def collect(futures) -> Iterator[RunOutput]:
        for future in futures:
            task = in_flight.pop(future)
            if task.spec.run_id in taken:
                continue  # this process did it meanwhile
            taken.add(task.spec.run_id)
            yield future.result()

    def needed() -> list:
        return [f for f, t in in_flight.items() if t.spec.run_id not in taken]

    try:
        with _workers_ignore_ctrl_c():
            top_up()  # starts the worker processes
        while queue or needed():
            yield from collect([f for f in in_flight if f.done()])
            top_up()
            if queue:
                task = queue.popleft()
            elif needed():
                task = in_flight[needed()[-1]]  # the one handed out last
            else:
                break
            output = execute_run(task)
            if task.spec.run_id not in taken:
                taken.add(task.spec.run_id)
                yield output
    finally:
        unfinished = [f for f in in_flight if not f.done()]
        pool.shutdown(wait=False, cancel_futures=True)
        if unfinished:  # copies of runs already done here: do not wait for them
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()


@contextmanager
def _workers_ignore_ctrl_c():
    """Start worker processes with SIGINT ignored: Ctrl+C reaches the whole process group,
    and only this process should handle it (it stops the workers itself)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
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

    futures = client.map(execute_run, tasks, pure=False)
    for future in as_completed(futures):
        yield future.result()


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
    from tqdm import tqdm

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
    if check and tasks:
        preflight(tasks)
    if memory_check and tasks:
        check_memory(tasks, 1 if scheduler not in (None, "local") else
                     min(workers, len(tasks)))
    if scheduler is None:
        executor = "in-process" if workers <= 1 or len(tasks) <= 1 else \
            f"{min(workers, len(tasks))} workers: this process and " \
            f"{min(workers, len(tasks)) - 1} spawned"
    else:
        executor = f"Dask ({'local cluster' if scheduler == 'local' else scheduler})"
    report = SweepReport(out_dir, len(plan), len(plan) - len(todo), 0, 0.0, executor=executor,
                         notes=notes)
    if done_before and todo:
        old = _old_manifest(out_dir)
        made_by = (old.get("git_commit"), (old.get("versions") or {}).get("simnet"))
        if old and made_by != (manifest["git_commit"], manifest["versions"].get("simnet")):
            report.notes.append(
                f"{len(done_before)} finished runs in {out_dir} were made by another version "
                f"of simnet (commit {made_by[0] or '?'}); the new runs use commit "
                f"{manifest['git_commit'] or '?'}. Use --restart for results from one version.")
    damaged = tuple(audit.damaged) if audit is not None else ()
    # Connect to the Dask scheduler before writing anything: an unreachable one leaves
    # the folder as it was.
    with _executor(tasks, workers, scheduler) as outputs, \
            ResultsStore.open(out_dir, manifest, restart=restart, remove=damaged) as store:
        bar = tqdm(total=len(plan), initial=len(plan) - len(todo), unit="run",
                   desc=exp.name + (" (quick)" if exp.quick else ""), file=sys.stderr,
                   disable=not progress, dynamic_ncols=True, smoothing=0.05,
                   bar_format="{desc}: {n_fmt}/{total_fmt} runs done{postfix} "
                              "|{bar}| {elapsed} elapsed, ETA {remaining}")
        bar.set_postfix_str(f"{len(todo)} left", refresh=False)
        with bar:
            for output in outputs():
                info = {**output.info(), "git_commit": manifest["git_commit"],
                        "simnet": manifest["versions"].get("simnet"),
                        "fingerprint": manifest["fingerprint"]}
                store.submit_run(output.spec.run_id, output.tables, info)
                report.run_seconds += output.seconds
                report.done += 1
                report.runs.append(output.info())
                bar.set_postfix_str(f"{len(todo) - report.done} left", refresh=False)
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
