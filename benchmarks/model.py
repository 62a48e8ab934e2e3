"""Benchmark of the whole model: seconds per step against Mesa and against the yardstick.

Run from the repository root, on a machine as quiet as you can get::

    python -m benchmarks.model                 # 150 to 100,000 agents; about ten minutes
    python -m benchmarks.model --quick         # 150 to 10,000 agents, a few minutes
    python -m benchmarks.model --sizes 1000 10000 --flat-steps 0 --yardstick-sizes 2000
    python -m benchmarks.model --scale         # 1,000,000 agents, 10 million ties, 10 steps

Every ratio is of two timings taken in this process, interleaved (one model step, then the
thing it is compared with), and each figure is a median, so that a shared machine's load
falls on both sides alike. It prints markdown tables:

- **Seconds per step** at each ``--sizes`` (mean degree ``--degree``, default 20; the
  default model otherwise, ``create_agents=False`` as in sweeps): the median of
  ``--rounds`` steps after ``--warmup`` steps (4 by default: news travels at most 3 hops,
  so from step 4 on the news in flight is at its steady state), against the median of an
  empty Mesa ``agents.shuffle_do("step")`` sweep over the same number of agents, timed
  between the steps. First the CI size (``--ci-size``, 150 agents at the model's default
  mean degree), collecting metrics every step and every tenth (``collect_every=10``);
  and the largest size again, collecting every tenth step.
  The peak RSS column is the process's peak so far (sizes run smallest first).
- **Flatness**: one model at ``--flat-size`` agents run for ``--flat-steps`` steps; the
  median step time around the last step (its last five) over the median around step 10
  (steps 8 to 12).
- **Yardstick**: simnet against :mod:`benchmarks.yardstick` (plain Mesa + networkx, same
  core, see its docstring for what it leaves out) at ``--yardstick-sizes``, both built
  with the same size and degree and stepped alternately; median of
  ``--yardstick-rounds`` steps after ``--warmup``. simnet twice: collecting its metrics
  every step, and every tenth (the yardstick collects none: see its docstring).
- ``--scale``: only this: build 1,000,000 agents with mean degree 20 (10 million ties),
  then ``--scale-steps`` (10) steps; build time, seconds per step, evidence and news in
  flight, and the peak RSS. ``--max-memory`` (GB, default 16) caps the process's address
  space, so a run that does not fit fails with MemoryError instead of pressing the
  machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import statistics
import sys
import time

from benchmarks import parse_overrides


def peak_rss_gb() -> float:
    """Peak resident set size of this process so far, GB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def empty_mesa(n: int):
    """A Mesa model holding ``n`` agents whose step does nothing."""
    import mesa

    class Idle(mesa.Agent):
        def step(self) -> None:
            pass

    model = mesa.Model(seed=0)
    for _ in range(n):
        Idle(model)
    return model


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# model parameters set with --set, for every simnet model the benchmark builds
OVERRIDES: dict = {}


def simnet_model(n: int, degree: int, seed: int = 1, **kwargs):
    from simnet import ReputationModel

    return ReputationModel(n_agents=n, mean_degree=degree, rng=seed, create_agents=False,
                           **{**OVERRIDES, **kwargs})


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def header() -> None:
    import mesa
    import numba
    import numpy

    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"Mesa {mesa.__version__}, NumPy {numpy.__version__}, Numba {numba.__version__}, "
          f"Numba threads {numba.get_num_threads()}")
    print(f"Load average at start: {os.getloadavg()[0]:.2f} (1 min; other processes share "
          f"these cores)\n")


# --------------------------------------------------------------------------- sections

def step_rows(sizes, warmup, rounds_of) -> list[dict]:
    """Median seconds per step against an empty Mesa sweep, per (agents, mean degree,
    collect_every) in ``sizes`` (see the module docstring)."""
    rows = []
    for n, degree_n, every in sizes:
        gc.collect()
        start = time.perf_counter()
        model = simnet_model(n, degree_n, collect_every=every)
        build = time.perf_counter() - start
        mesa_model = empty_mesa(n)
        for _ in range(warmup):
            model.step()
        steps, sweeps = [], []
        for _ in range(rounds_of(n)):
            steps.append(timed(model.step))
            for _ in range(3):
                sweeps.append(timed(lambda m=mesa_model: m.agents.shuffle_do("step")))
        step, sweep = statistics.median(steps), statistics.median(sweeps)
        rows.append({"n": n, "degree": degree_n, "every": every,
                     "ties": len(model.world.ties), "build": build,
                     "step": step, "sweep": sweep, "ratio": step / sweep,
                     "steps": f"{warmup + 1}-{warmup + len(steps)}",
                     "evidence": len(model.world.evidence),
                     "in_flight": model.world.news.frontier_size, "rss": peak_rss_gb()})
        print(f"  {n:,} agents, degree {degree_n}, collect every {every}: {fmt_s(step)} per "
              f"step, {step / sweep:.1f}x an empty Mesa sweep", file=sys.stderr)
        del model, mesa_model
    return rows


def flatness(n, degree, steps) -> dict:
    """Step time around the last of ``steps`` steps over step time around step 10."""
    gc.collect()
    model = simnet_model(n, degree)
    times, ties = [], []
    for _ in range(steps):
        times.append(timed(model.step))
        ties.append(len(model.world.ties))
    early = statistics.median(times[7:12])
    late = statistics.median(times[-5:])
    out = {"n": n, "steps": steps, "early": early, "late": late, "ratio": late / early,
           "ties_early": ties[9], "ties_late": ties[-1],
           "evidence": len(model.world.evidence),
           "in_flight": model.world.news.frontier_size, "rss": peak_rss_gb()}
    print(f"  flatness at {n:,}: {out['ratio']:.2f}", file=sys.stderr)
    return out


def yardstick_rows(sizes, degree, warmup, rounds) -> list[dict]:
    """simnet and the Mesa + networkx yardstick stepped alternately, per size."""
    if not sizes:
        return []
    from benchmarks.yardstick import YardstickModel

    rows = []
    for n in sizes:
        gc.collect()
        # simnet collecting its metrics every step, and every tenth (the yardstick
        # collects none)
        model = simnet_model(n, degree)
        model10 = simnet_model(n, degree, collect_every=10)
        plain = YardstickModel(n, degree, seed=1)
        for _ in range(warmup):
            model.step()
            model10.step()
            plain.step()
        ours, ours10, theirs = [], [], []
        for _ in range(rounds):
            ours.append(timed(model.step))
            theirs.append(timed(plain.step))
            ours10.append(timed(model10.step))
        a, a10 = statistics.median(ours), statistics.median(ours10)
        b = statistics.median(theirs)
        rows.append({"n": n, "simnet": a, "simnet10": a10, "yardstick": b, "ratio": b / a,
                     "ratio10": b / a10, "steps": f"{warmup + 1}-{warmup + rounds}",
                     "evidence": len(model.world.evidence),
                     "plain_evidence": plain.evidence_entries()})
        print(f"  yardstick at {n:,}: {b / a:.0f}x (simnet collecting every tenth step: "
              f"{b / a10:.0f}x)", file=sys.stderr)
        del model, model10, plain
    return rows


def scale(n, degree, steps, max_memory_gb) -> None:
    """Build ``n`` agents and run ``steps`` steps; print build time, per-step times, RSS."""
    if max_memory_gb > 0:
        limit = int(max_memory_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    print(f"### Scale: {n:,} agents, mean degree {degree}\n")
    start = time.perf_counter()
    model = simnet_model(n, degree)
    build = time.perf_counter() - start
    print(f"build: {build:.1f} s, {len(model.world.ties):,} ties, peak RSS "
          f"{peak_rss_gb():.2f} GB\n")
    print("| step | seconds | evidence held | news in flight | peak RSS |")
    print("|---:|---:|---:|---:|---:|")
    times = []
    for _ in range(steps):
        try:
            times.append(timed(model.step))
        except MemoryError:
            print(f"\nMemoryError at step {len(times) + 1}: the run does not fit in "
                  f"{max_memory_gb:g} GB of address space (--max-memory)")
            break
        w = model.world
        print(f"| {len(times)} | {times[-1]:.1f} | {len(w.evidence):,} | "
              f"{w.news.frontier_size:,} | {peak_rss_gb():.2f} GB |", flush=True)
    if times:
        print(f"\nmedian {statistics.median(times):.1f} s per step over {len(times)} steps; "
              f"peak RSS {peak_rss_gb():.2f} GB; load average at the end "
              f"{os.getloadavg()[0]:.2f}")


# --------------------------------------------------------------------------- report

def report(rows, flat, yard) -> None:
    if rows:
        print("### Seconds per step against an empty Mesa sweep\n")
        print("| agents | mean degree | ties | collect every | steps timed | build | simnet step "
              "| empty Mesa sweep | ratio | evidence held | news in flight | peak RSS so far |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['n']:,} | {r['degree']} | {r['ties']:,} | {r['every']} | "
                  f"{r['steps']} | "
                  f"{fmt_s(r['build'])} | {fmt_s(r['step'])} | {fmt_s(r['sweep'])} | "
                  f"{r['ratio']:.1f}x | {r['evidence']:,} | {r['in_flight']:,} | "
                  f"{r['rss']:.2f} GB |")
        print()
    if flat:
        print("### Flatness\n")
        print(f"{flat['n']:,} agents, {flat['steps']} steps: median of steps 8-12 "
              f"{fmt_s(flat['early'])}, median of the last five steps {fmt_s(flat['late'])}: "
              f"**{flat['ratio']:.2f}x**; ties {flat['ties_early']:,} at step 10, "
              f"{flat['ties_late']:,} at step {flat['steps']} (evidence held "
              f"{flat['evidence']:,}, news in flight "
              f"{flat['in_flight']:,}, peak RSS so far {flat['rss']:.2f} GB)\n")
    if yard:
        print("### Against the plain Mesa + networkx yardstick (benchmarks/yardstick.py)\n")
        print("| agents | steps timed | simnet step | yardstick step | yardstick / simnet "
              "| simnet step, collecting every 10th | yardstick / simnet "
              "| simnet evidence held | yardstick evidence entries |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in yard:
            print(f"| {r['n']:,} | {r['steps']} | {fmt_s(r['simnet'])} | "
                  f"{fmt_s(r['yardstick'])} | **{r['ratio']:.0f}x** | "
                  f"{fmt_s(r['simnet10'])} | **{r['ratio10']:.0f}x** | {r['evidence']:,} | "
                  f"{r['plain_evidence']:,} |")
        print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.model",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=None,
                        help="agents per model (default 1000 10000 100000)")
    parser.add_argument("--degree", type=int, default=20, help="mean degree (default 20)")
    parser.add_argument("--ci-size", type=int, default=150,
                        help="also this many agents at the model's default mean degree, "
                             "collecting every step and every tenth (the CI size; 0: skip)")
    parser.add_argument("--warmup", type=int, default=4, help="untimed steps first")
    parser.add_argument("--rounds", type=int, default=None,
                        help="timed steps per size (default: 20 up to 1,000 agents, 5 up to "
                             "10,000, 3 above)")
    parser.add_argument("--flat-size", type=int, default=10_000)
    parser.add_argument("--flat-steps", type=int, default=100,
                        help="steps of the flatness run (0: skip it)")
    parser.add_argument("--yardstick-sizes", type=int, nargs="*", default=[2000, 10_000])
    parser.add_argument("--yardstick-rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help="sizes 1000 10000, flatness over 30 steps, yardstick at "
                             "2,000 only")
    parser.add_argument("--scale", action="store_true",
                        help="only the scale run: 1,000,000 agents, 10 million ties")
    parser.add_argument("--scale-agents", type=int, default=1_000_000)
    parser.add_argument("--scale-steps", type=int, default=10)
    parser.add_argument("--max-memory", type=float, default=16.0, metavar="GB",
                        help="--scale: address-space cap in GB (0: none)")
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                        help="simnet model parameters to override (the yardstick keeps the "
                             "defaults)")
    args = parser.parse_args(argv)
    OVERRIDES.update(parse_overrides(args.set))
    if args.quick:
        args.sizes = args.sizes or [1000, 10_000]
        args.flat_steps = min(args.flat_steps, 30)
        args.yardstick_sizes = [2000]
    sizes = args.sizes if args.sizes is not None else [1000, 10_000, 100_000]
    if args.yardstick_sizes and not args.scale:
        import importlib.util

        if importlib.util.find_spec("networkx") is None:
            print("error: the yardstick (benchmarks/yardstick.py) needs networkx, which the "
                  "test and viz extras install: pip install -e '.[test]', or leave the "
                  "yardstick out with --yardstick-sizes (no sizes)", file=sys.stderr)
            return 2

    start = time.perf_counter()
    # simnet first: it sets OMP_WAIT_POLICY=passive before Numba's threads start (with
    # spinning OpenMP workers a step on a busy machine was 30x slower)
    import simnet  # noqa: F401

    header()
    if args.scale:
        scale(args.scale_agents, args.degree, args.scale_steps, args.max_memory)
        return 0

    def rounds_of(n: int) -> int:
        if args.rounds is not None:
            return args.rounds
        return 20 if n <= 1000 else 5 if n <= 10_000 else 3

    runs = []
    if args.ci_size:
        from simnet.config import ModelConfig

        default_degree = ModelConfig().network.mean_degree
        runs += [(args.ci_size, default_degree, 1), (args.ci_size, default_degree, 10)]
    runs += [(n, args.degree, 1) for n in sorted(sizes)]
    if sizes:  # the largest again, collecting every tenth step
        runs.append((max(sizes), args.degree, 10))
    rows = step_rows(runs, args.warmup, rounds_of)
    flat = (flatness(args.flat_size, args.degree, args.flat_steps)
            if args.flat_steps >= 15 else None)
    yard = yardstick_rows(args.yardstick_sizes, args.degree, args.warmup,
                          args.yardstick_rounds)
    report(rows, flat, yard)
    print(f"(load average at the end {os.getloadavg()[0]:.2f}; benchmark ran in "
          f"{time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
