"""Sweep benchmark: 40 quick runs with 1 vs 2 workers, and the runner's overhead per run.

    python -m benchmarks.sweep [EXPERIMENT] [--runs 40] [--workers 2] [--repeat 1]
                               [--n-agents N] [--steps N]

The experiment (default ``experiments/open_vs_selective.toml``) is taken at its quick size
with as many replications as it takes to make ``--runs`` runs. It reports:

- the wall time of the sweep with 1 worker (in this process) and with ``--workers``
  worker processes (spawned, so their start-up is included), and the speed-up;
- the runner's overhead per run, as a share of a quick run: everything
  :func:`simnet.sweep.run_experiment` does with 1 worker besides running models (planning,
  seeding, checking, opening the store, writing each run atomically, the manifest, the
  progress bar), i.e. ``(wall - summed model time) / runs``, and the write alone.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def _experiment(path: str, runs: int, n_agents: int | None, steps: int | None):
    from simnet.experiment import load_experiment

    exp = load_experiment(path, quick=True)
    if n_agents is not None:
        exp = replace(exp, model=exp.model.with_overrides(n_agents=n_agents))
    if steps is not None:
        exp = replace(exp, steps=steps)
    per_rep = exp.n_runs() // exp.replications
    reps = max(1, math.ceil(runs / per_rep))
    return replace(exp, replications=reps)


def _sweep(exp, out: Path, workers: int):
    from simnet.sweep import run_experiment

    start = time.perf_counter()
    report = run_experiment(exp, out, workers=workers, restart=True, progress=False)
    return time.perf_counter() - start, report


def _seed_and_plan_seconds(exp) -> float:
    from simnet.sweep import make_tasks, plan_runs

    start = time.perf_counter()
    make_tasks(exp, plan_runs(exp))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep")
    parser.add_argument("experiment", nargs="?", default="experiments/open_vs_selective.toml")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="best of N sweeps each")
    parser.add_argument("--n-agents", type=int, default=None,
                        help="agents per run (default: the quick size's)")
    parser.add_argument("--steps", type=int, default=None,
                        help="steps per run (default: the quick size's)")
    args = parser.parse_args(argv)

    exp = _experiment(args.experiment, args.runs, args.n_agents, args.steps)
    n = exp.n_runs()
    print(f"{exp.name} at its quick size: {n} runs "
          f"({exp.model.population.n_agents} agents, {exp.steps} steps); "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="simnet-bench-") as tmp:
        # warm up: Numba's on-disk cache, imports
        _sweep(replace(exp, replications=1), Path(tmp) / "warm", 1)
        best1 = bestn = None
        for _ in range(args.repeat):
            t1, r1 = _sweep(exp, Path(tmp) / "one", 1)
            tn, _ = _sweep(exp, Path(tmp) / "many", args.workers)
            if best1 is None or t1 < best1[0]:
                best1 = (t1, r1)
            if bestn is None or tn < bestn:
                bestn = tn
        t1, r1 = best1
        plan_seconds = _seed_and_plan_seconds(exp)
        # the fixed part: a sweep with every run already finished (plan, checks, store,
        # manifest), and the up-front check of the configurations
        from simnet.sweep import make_tasks, plan_runs, preflight, run_experiment

        start = time.perf_counter()
        run_experiment(exp, Path(tmp) / "one", workers=1, progress=False)
        fixed = time.perf_counter() - start
        start = time.perf_counter()
        preflight(make_tasks(exp, plan_runs(exp)))
        fixed += time.perf_counter() - start
    run_mean = r1.run_seconds / n
    overhead = (t1 - r1.run_seconds) / n
    print(f"1 worker:  {t1:7.2f} s")
    print(f"{args.workers} workers: {bestn:7.2f} s   speed-up {t1 / bestn:.2f}x")
    print(f"quick run (model only): {run_mean * 1000:.0f} ms on average")
    marginal = max(0.0, overhead - fixed / n)
    print(f"runner overhead per run: {overhead * 1000:.1f} ms = {overhead / run_mean:.1%} of a "
          f"quick run, of which {fixed / n * 1000:.1f} ms is the sweep's fixed cost "
          f"({fixed:.2f} s: checks, store, manifest) spread over {n} runs and "
          f"{marginal * 1000:.1f} ms ({marginal / run_mean:.1%}) is per run (start, seed "
          f"{plan_seconds / n * 1000:.2f} ms, hand-over to the writer)")
    print(f"writing a run: {r1.write_seconds / n * 1000:.1f} ms, in a background thread "
          f"(overlaps the next run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
