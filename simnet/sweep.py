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
    runs draw their seed from the replication's and their point's seed key."""
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
                run_seed = seed if keys is None else morris_run_seed(seed, keys[p])
                plan.append(RunSpec("-".join(parts), arm, p, rep, run_seed, dict(point)))
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
    if scheduler is not None:
        yield from _dask_outputs(tasks, workers, scheduler)
    elif workers <= 1 or len(tasks) == 1:
        for task in tasks:
            yield execute_run(task)
    else:
        yield from _process_outputs(tasks, min(workers, len(tasks)))


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
    pool = ProcessPoolExecutor(max_workers=workers - 1, mp_context=get_context("spawn"))

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


def _dask_outputs(tasks: list[RunTask], workers: int, scheduler: str) -> Iterator[RunOutput]:
    import logging

    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, min(workers, len(tasks))),
                               threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as err:
            why = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ConfigError(f"--scheduler {scheduler}: cannot connect to a Dask scheduler "
                              f"({why})") from None
    try:
        futures = client.map(execute_run, tasks, pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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


def build_manifest(exp: ExperimentConfig, plan: list[RunSpec]) -> dict:
    """The manifest: enough to reproduce every run."""
    from simnet.results import FORMAT, git_commit, package_versions

    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    commit, versions = git_commit(), package_versions()
    return {
        "format": FORMAT,
        "experiment_name": exp.name,
        "description": exp.description,
        "source": exp.source,
        "quick": exp.quick,
        "fingerprint": exp.fingerprint(),
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


def run_experiment(exp: ExperimentConfig, out_root: str | Path = "results",
                   workers: int | None = None, scheduler: str | None = None,
                   restart: bool = False, progress: bool = True,
                   check: bool = True) -> SweepReport:
    """Run every unfinished run of ``exp`` and write it under ``results_dir(exp, out_root)``.

    Everything is checked before anything is written (a ConfigError names the problem);
    finished runs are skipped; a folder holding a different experiment is refused unless
    ``restart``.
    """
    from tqdm import tqdm

    from simnet.results import ResultsStore

    started = time.perf_counter()
    out_dir = results_dir(exp, out_root)
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers = {workers}: expected at least 1")
    workers = workers or default_workers()
    plan = plan_runs(exp)
    ResultsStore.check(out_dir, exp.fingerprint(), restart)
    done_before = set() if restart else _finished(out_dir)
    todo = [spec for spec in plan if spec.run_id not in done_before]
    threads = None if (scheduler is None and (workers <= 1 or len(todo) <= 1)) else 1
    tasks = make_tasks(exp, todo, threads)  # one Numba thread per worker process
    if check and tasks:
        preflight(tasks)
    if scheduler is None:
        executor = "in-process" if workers <= 1 or len(tasks) <= 1 else \
            f"{min(workers, len(tasks))} workers: this process and " \
            f"{min(workers, len(tasks)) - 1} spawned"
    else:
        executor = f"Dask ({'local cluster' if scheduler == 'local' else scheduler})"
    report = SweepReport(out_dir, len(plan), len(plan) - len(todo), 0, 0.0, executor=executor)
    manifest = build_manifest(exp, plan)
    if done_before and todo:
        old = _old_manifest(out_dir)
        made_by = (old.get("git_commit"), (old.get("versions") or {}).get("simnet"))
        if made_by != (manifest["git_commit"], manifest["versions"].get("simnet")):
            report.notes.append(
                f"{len(done_before)} finished runs in {out_dir} were made by another version "
                f"of simnet (commit {made_by[0] or '?'}); the new runs use commit "
                f"{manifest['git_commit'] or '?'}. Use --restart for results from one version.")
    with ResultsStore.open(out_dir, manifest, restart=restart) as store:
        bar = tqdm(total=len(plan), initial=len(plan) - len(todo), unit="run",
                   desc=exp.name + (" (quick)" if exp.quick else ""), file=sys.stderr,
                   disable=not progress, dynamic_ncols=True, smoothing=0.05,
                   bar_format="{desc}: {n_fmt}/{total_fmt} runs done{postfix} "
                              "|{bar}| {elapsed} elapsed, ETA {remaining}")
        bar.set_postfix_str(f"{len(todo)} left", refresh=False)
        with bar:
            for output in iter_outputs(tasks, workers, scheduler):
                info = {**output.info(), "git_commit": manifest["git_commit"],
                        "simnet": manifest["versions"].get("simnet")}
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
    import json

    try:
        return json.loads((Path(out_dir) / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}


def _finished(out_dir: Path) -> set[str]:
    from simnet.results import finished_runs

    return finished_runs(out_dir)
