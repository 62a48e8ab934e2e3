"""Sweep benchmark: 1 vs 2 workers, the first run on a cold Numba cache, per-run overhead.

    python -m benchmarks.sweep [EXPERIMENT] [--runs 40] [--workers 2] [--repeat 2]
                               [--no-laptop] [--no-cold] [--cold-only] [--cold-repeat 1]

The experiment (default ``experiments/open_vs_selective.toml``, the flagship) is measured:

- **quick size, ``--runs`` runs** (its quick configuration with as many replications as it
  takes): the wall time of the sweep with 1 worker (in this process) and with
  ``--workers``, in this process, after a warm-up sweep (so imports, Numba's cache and the
  fork server are warm, as for a second sweep in a notebook), each into a new empty
  folder, and of the same runs alone (``execute_run`` in a loop, nothing written); the
  three are interleaved, ``--repeat`` times each, best of each reported;
- **laptop size** (the experiment as written): the same, best of one each by default;
- **cold vs warm first run**: ``simnet run EXPERIMENT --no-plots`` in a fresh process, first
  with an empty temporary ``NUMBA_CACHE_DIR`` (a fresh clone: every kernel compiled), then
  again with that cache filled (warm), each on every core; ``--cold-repeat`` pairs, each
  cold run on a new empty cache, with the CPU time of each (the process and its children:
  compiling on a busy machine shows in wall time more than in CPU time); ``--cold-only``
  measures this alone;
- **per-run overhead**: what :func:`simnet.sweep.run_experiment` adds to the runs with 1
  worker, ``(sweep wall - wall of the same runs alone) / runs``, as a share of a run
  alone, with the sweep's fixed cost (plan, checks, store, manifest) spread over the
  runs; and, as measured before, ``(wall - summed model time) / runs``, which misses most
  of it: the model time a sweep measures includes the time its run waited for the
  interpreter lock and a core while the store's writer thread converted, encoded and
  wrote the run before (measured 12% to 60% above the same runs alone). Also what the
  writer thread spends on a run, of which adding the identity columns and encoding the
  tables (done by the worker process when there are worker processes).

Ratios are of times measured side by side in one run of this program; the load average is
printed at the start and the end (other processes share the cores).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def _experiment(path: str, runs: int | None, quick: bool):
    from simnet.experiment import load_experiment

    exp = load_experiment(path, quick=quick)
    if runs is None:
        return exp
    per_rep = exp.n_runs() // exp.replications
    return replace(exp, replications=max(1, math.ceil(runs / per_rep)))


def _sweep(exp, out: Path, workers: int):
    from simnet.sweep import run_experiment

    start = time.perf_counter()
    report = run_experiment(exp, out, workers=workers, restart=True, progress=False)
    return time.perf_counter() - start, report


def _alone(exp) -> float:
    """Wall time of the sweep's runs done one after the other in this process by
    :func:`simnet.runner.execute_run` alone, as a 1-worker sweep does them (same tasks,
    same Numba threads), with nothing checked, kept or written: the runs without the
    runner."""
    from simnet.runner import execute_run
    from simnet.sweep import make_tasks, plan_runs

    tasks = make_tasks(exp, plan_runs(exp))
    start = time.perf_counter()
    for task in tasks:
        execute_run(task)
    return time.perf_counter() - start


def _side_by_side(exp, tmp: Path, workers: int, repeat: int, alone: bool = False) -> dict:
    """Best wall time (and report) of ``repeat`` interleaved sweeps with 1 and ``workers``
    workers, each into a new empty folder (so that no sweep also removes the results of
    the one before); with ``alone``, also of the same runs without the runner (key 0,
    :func:`_alone`), interleaved with them. Key ``"cpu"``: the least CPU time (user and
    system, all threads of this process) of the runs alone and of the 1-worker sweeps."""
    best: dict = {"cpu": {}}
    for i in range(repeat):
        for n in ((0, 1, workers) if alone else (1, workers)):
            cpu = _cpu_seconds()
            if n == 0:
                seconds, report = _alone(exp), None
            else:
                seconds, report = _sweep(exp, tmp / f"w{n}-{i}", n)
            if n <= 1:
                cpu = _cpu_seconds() - cpu
                best["cpu"][n] = min(best["cpu"].get(n, math.inf), cpu)
            if n not in best or seconds < best[n][0]:
                best[n] = (seconds, report)
    return best


def _cpu_seconds() -> float:
    """CPU time of this process so far (user and system, all its threads)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _fixed_seconds(exp, tmp: Path, repeat: int = 3) -> float:
    """The sweep's fixed cost, best of ``repeat``: a sweep with every run already finished
    (plan, checks, store, manifest; it also verifies the finished runs, which a fresh
    sweep does not), plus the up-front check of the configurations."""
    from simnet.sweep import make_tasks, plan_runs, preflight, run_experiment

    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        run_experiment(exp, tmp / "w1-0", workers=1, progress=False)
        preflight(make_tasks(exp, plan_runs(exp)))
        best = min(best, time.perf_counter() - start)
    return best


def _encode_seconds(exp, runs: int = 20) -> float:
    """Time to turn a run's tables into Arrow tables with its identity columns in front
    and encode them as Parquet (RunOutput.encode: in the worker process that did the
    run, or in the store's writer thread for a run done in the sweep's process); the
    median of ``runs`` (other processes share the cores)."""
    import statistics

    from simnet.runner import execute_run
    from simnet.sweep import make_tasks, plan_runs

    task = make_tasks(exp, plan_runs(exp)[:1], 1)[0]
    output = execute_run(task)
    frames = output.frames
    times = []
    for _ in range(runs):
        output.frames, output.encoded = frames, None
        start = time.perf_counter()
        output.encode()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cli_run(path: str, cache: Path, out: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, of the process and its children) of
    ``simnet run PATH --no-plots`` in a fresh process with Numba's cache in ``cache``."""
    import resource

    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "simnet.cli", "run", path, "--out", str(out),
                    "--no-plots", "--quiet", "--restart"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _cold_vs_warm(path: str, tmp: Path, repeat: int) -> list[tuple[float, float, float, float]]:
    """``repeat`` pairs of (cold wall, cold CPU, warm wall, warm CPU) of the first run of
    ``path``: cold on a new empty Numba cache, warm on the cache the cold run filled."""
    pairs = []
    for i in range(repeat):  # each pair printed as it ends
        cache = tmp / f"numba-cache-{i}"
        cache.mkdir()
        cold = _cli_run(path, cache, tmp / "cli")
        warm = _cli_run(path, cache, tmp / "cli")
        pairs.append((*cold, *warm))
        (cold, cold_cpu), (warm, warm_cpu) = cold, warm
        print(f"  pair {i + 1}: cold {cold:.1f} s vs warm {warm:.1f} s: {cold / warm:.2f}x "
              f"(CPU {cold_cpu:.1f} s vs {warm_cpu:.1f} s: {cold_cpu / warm_cpu:.2f}x); "
              f"load average {_load()}", flush=True)
    return pairs


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:  # pragma: no cover - not POSIX
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep")
    parser.add_argument("experiment", nargs="?", default="experiments/open_vs_selective.toml")
    parser.add_argument("--runs", type=int, default=40, help="runs of the quick sweep")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2,
                        help="interleaved sweeps of each kind at the quick size (best of)")
    parser.add_argument("--laptop-repeat", type=int, default=1)
    parser.add_argument("--no-laptop", action="store_true", help="skip the laptop size")
    parser.add_argument("--no-cold", action="store_true", help="skip cold vs warm")
    parser.add_argument("--cold-only", action="store_true",
                        help="measure cold vs warm only")
    parser.add_argument("--cold-repeat", type=int, default=1,
                        help="pairs of cold and warm runs (each cold on a new cache)")
    args = parser.parse_args(argv)

    import numba
    import numpy

    quick = _experiment(args.experiment, args.runs, quick=True)
    laptop = _experiment(args.experiment, None, quick=False)
    print(f"{sys.platform}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"NumPy {numpy.__version__}, Numba {numba.__version__}; load average at start "
          f"{_load()} (1 min; other processes share these cores)")
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="simnet-bench-") as name:
        tmp = Path(name)
        if not args.cold_only:
            _quick_and_laptop(args, quick, laptop, tmp, rows)
        if not args.no_cold:
            what = (f"first `simnet run {args.experiment} --no-plots`, fresh process, "
                    f"{os.cpu_count()} workers: cold vs warm Numba cache")
            print(what, flush=True)
            pairs = _cold_vs_warm(args.experiment, tmp, max(1, args.cold_repeat))
            ratios = sorted(c / w for c, _, w, _ in pairs)
            cold, _, warm, _ = sorted(pairs, key=lambda p: p[0] / p[2])[(len(pairs) - 1) // 2]
            label = what if len(pairs) == 1 else f"{what} (median of {len(pairs)} pairs)"
            rows.append((label, f"{cold:.1f} s vs {warm:.1f} s",
                         f"{ratios[(len(ratios) - 1) // 2]:.2f}x"))
    print(f"load average at the end {_load()}")
    print()
    print("| measurement | time | ratio |")
    print("|---|---:|---:|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")
    return 0


def _quick_and_laptop(args, quick, laptop, tmp: Path, rows: list) -> None:
    """1 vs ``args.workers`` workers at the quick size (with the per-run overhead) and,
    unless ``--no-laptop``, at the laptop size; appends the table's rows to ``rows``."""
    n = quick.n_runs()
    # warm-up: imports, Numba's cache, the fork server and its workers
    _sweep(replace(quick, replications=2), tmp / "warm", args.workers)

    best = _side_by_side(quick, tmp, args.workers, args.repeat, alone=True)
    (t1, r1), (tn, _), (t0, _) = best[1], best[args.workers], best[0]
    print(f"quick size: {n} runs of {quick.model.population.n_agents} agents x "
          f"{quick.steps} steps")
    print(f"  1 worker {t1:.2f} s, {args.workers} workers {tn:.2f} s: {t1 / tn:.2f}x")
    rows.append((f"quick size, {n} runs ({quick.model.population.n_agents} agents, "
                 f"{quick.steps} steps): 1 vs {args.workers} workers",
                 f"{t1:.2f} s vs {tn:.2f} s", f"{t1 / tn:.2f}x"))

    alone_mean = t0 / n
    overhead = (t1 - t0) / n
    cpu = (best["cpu"][1] - best["cpu"][0]) / n
    run_mean = r1.run_seconds / n
    inside = (t1 - r1.run_seconds) / n
    fixed = _fixed_seconds(quick, tmp) / n
    encode = _encode_seconds(quick)
    write = r1.write_seconds / n
    print(f"  quick run alone {alone_mean * 1000:.0f} ms; runner overhead (1 worker: sweep "
          f"- the same runs alone) {overhead * 1000:.1f} ms per run = "
          f"{overhead / alone_mean:.1%}, of which the sweep's fixed cost {fixed * 1000:.1f} ms "
          f"({fixed / alone_mean:.1%}); in CPU time (all threads) {cpu * 1000:.1f} ms "
          f"per run = {cpu / alone_mean:.1%}; the model time measured in the sweep "
          f"{run_mean * 1000:.0f} ms a run (the writer thread's share of the interpreter "
          f"lock and of the cores included), wall - that {inside * 1000:.1f} ms "
          f"({inside / run_mean:.1%}); in the background writer: writing a run "
          f"{write * 1000:.1f} ms, of which converting and encoding its tables "
          f"{encode * 1000:.1f} ms")
    rows.append(("runner overhead per quick run (1 worker: sweep - the same runs alone)",
                 f"{overhead * 1000:.1f} ms of {alone_mean * 1000:.0f} ms",
                 f"{overhead / alone_mean:.1%}"))
    rows.append(("  of which the sweep's fixed cost, spread over the runs",
                 f"{fixed * 1000:.1f} ms", f"{fixed / alone_mean:.1%}"))
    rows.append(("  in CPU time: the sweep's - the runs' alone (all threads)",
                 f"{cpu * 1000:.1f} ms", f"{cpu / alone_mean:.1%}"))
    rows.append(("  as measured before: wall - the model time measured in the sweep",
                 f"{inside * 1000:.1f} ms of {run_mean * 1000:.0f} ms",
                 f"{inside / run_mean:.1%}"))
    rows.append(("writing a run (1 worker: background thread, overlaps the next run)",
                 f"{write * 1000:.1f} ms", f"{write / alone_mean:.0%} of a run"))
    rows.append(("  of which its identity columns, Arrow tables, Parquet encoding "
                 "(done by the worker with 2 workers)",
                 f"{encode * 1000:.1f} ms", f"{encode / alone_mean:.0%} of a run"))

    if not args.no_laptop:
        best = _side_by_side(laptop, tmp, args.workers, args.laptop_repeat)
        (t1, _), (tn, _) = best[1], best[args.workers]
        what = (f"laptop size, {laptop.n_runs()} runs ({laptop.model.population.n_agents}"
                f" agents, {laptop.steps} steps): 1 vs {args.workers} workers")
        print(f"{what}: {t1:.2f} s vs {tn:.2f} s: {t1 / tn:.2f}x")
        rows.append((what, f"{t1:.2f} s vs {tn:.2f} s", f"{t1 / tn:.2f}x"))


if __name__ == "__main__":
    raise SystemExit(main())
