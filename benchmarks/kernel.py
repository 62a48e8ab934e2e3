"""Benchmark of the word-of-mouth kernels.

Run from the repository root::

    python -m benchmarks.kernel            # full run (100,000-node graphs; a few minutes)
    python -m benchmarks.kernel --quick    # smaller graphs and fewer repeats (< 1 minute)

It prints markdown tables. All timings of one table are taken in this process, side by
side and interleaved (round 1 of every implementation, then round 2, ...; each fast case
gets an untimed call before its timed one in every round, and the slow references run in
one round out of three), and reported as medians, so that ratios compare like with like
on a shared machine:

- one hop of gossip (``propagate_step``) on the *fresh news* workload: every agent witnessed
  one interaction with a random contact and passes it on (bad news with probability 0.3),
  no threshold, so every relaxation is heard and forwarded. Implementations: the Numba
  kernel with 1 and 2 threads, the NumPy twin, and a plain-Python dict-and-list
  implementation run on a subsample of the messages and extrapolated per
  relaxation (labelled as such). A relaxation is one (message, neighbour of its holder)
  pair, whether or not it survives the echo rule. Each row also shows the memory faulted
  in per call (fresh zeroed pages: with glibc malloc this depends on what the process
  freed before, which is why a last table repeats the kernel rows with malloc told to
  keep freed memory);
- the linear mode, one hop, vs ``scipy.sparse`` CSR matrix-vector (1 column) and
  matrix-matrix (8 columns) products;
- peak memory of one propagation pass (in a fresh subprocess, peak RSS above the resident
  set before the call) against the bytes of the graph, the input and the output frontier;
- the import and first-call time of every kernel in a fresh process, with an empty Numba
  cache (cold: NUMBA_CACHE_DIR pointed at a new temporary directory) and with that cache
  filled (warm).

Graphs are generated here with NumPy from a seeded Generator: a random graph (G(n, m)) and a
scale-free graph (Chung-Lu, degree exponent 2.5, so a few hubs have thousands of ties), with
100,000 nodes and mean degree 20, and the real network ``simnet/data/facebook_combined.txt``
(4,039 nodes, 88,234 ties). Tie strengths are uniform in (0, 1].
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import scipy
import scipy.sparse as sp

from simnet.kernels import csr_from_edges, propagate_linear, propagate_step_parallel
from simnet.kernels import reference as ref

ROOT = Path(__file__).resolve().parent.parent
FACEBOOK = ROOT / "simnet" / "data" / "facebook_combined.txt"
PARAMS = {"decay_good": 0.5, "decay_bad": 0.8, "max_hops": 3, "min_weight": 0.0,
          "echo_rule": True}


# --- workloads -------------------------------------------------------------------------------

def random_graph(n, mean_degree, rng):
    """G(n, m) with m = n * mean_degree / 2 edges drawn uniformly (duplicates dropped)."""
    m = n * mean_degree // 2
    u = rng.integers(0, n, m + m // 50)
    v = rng.integers(0, n, m + m // 50)
    return csr_from_edges(n, u, v, 1.0 - rng.random(u.size))


def scale_free_graph(n, mean_degree, rng, exponent=2.5):
    """Chung-Lu graph with power-law expected degrees (exponent 2.5), mean degree ~ given."""
    weights = (1.0 - rng.random(n)) ** (-1.0 / (exponent - 1.0))  # Pareto, P(w) ~ w^-2.5
    p = weights / weights.sum()
    m = n * mean_degree // 2
    u = rng.choice(n, size=m, p=p)
    v = rng.choice(n, size=m, p=p)
    graph = csr_from_edges(n, u, v, 1.0 - rng.random(m))
    # top up for the duplicates and self-loops dropped, to get close to the mean degree
    missing = m - graph[1].size // 2
    u = np.concatenate([u, rng.choice(n, size=int(missing * 1.3), p=p)])
    v = np.concatenate([v, rng.choice(n, size=int(missing * 1.3), p=p)])
    return csr_from_edges(n, u, v, 1.0 - rng.random(u.size))


def facebook_graph(rng):
    edges = np.loadtxt(FACEBOOK, dtype=np.int64)
    n = int(edges.max()) + 1
    return csr_from_edges(n, edges[:, 0], edges[:, 1], 1.0 - rng.random(len(edges)))


def fresh_frontier(indptr, indices, rng):
    """Every agent witnessed one interaction with a random contact (or anyone, if alone)."""
    n = indptr.shape[0] - 1
    deg = np.diff(indptr)
    pick = indptr[:-1] + (rng.random(n) * np.maximum(deg, 1)).astype(np.int64)
    subject = np.where(deg > 0, indices[np.minimum(pick, indices.size - 1)],
                       rng.integers(0, n, n))
    return (np.arange(n, dtype=np.int32), np.full(n, -1, np.int32),
            subject.astype(np.int32), rng.random(n) < 0.3, np.ones(n),
            np.zeros(n, np.int32))


def relaxations(indptr, holder):
    return int(np.diff(indptr)[holder].sum())


# --- the plain-Python reference ----------------------------------------------------------

def python_propagate(adj, holder, sender, subject, is_bad, weight, hops,
                     decay_good, decay_bad, max_hops, min_weight, echo_rule):
    """Dicts and lists: ``adj[h]`` is a list of (neighbour, strength)."""
    heard = {}
    nxt = {}
    for h, snd, subj, bad, wt, hp in zip(holder, sender, subject, is_bad, weight, hops,
                                          strict=True):
        dec = decay_bad if bad else decay_good
        for w, s in adj[h]:
            if echo_rule and (w == snd or w == subj):
                continue
            x = wt * s * dec
            if x < min_weight:
                continue
            acc = heard.get((w, subj))
            if acc is None:
                acc = heard[(w, subj)] = [0.0, 0.0]
            acc[1 if bad else 0] += x
            if hp + 1 < max_hops:
                key = (w, subj, bad, h, hp + 1)
                nxt[key] = nxt.get(key, 0.0) + x
    heard_rows = sorted((w, s, g, b) for (w, s), (g, b) in heard.items())
    next_rows = sorted((*key, x) for key, x in nxt.items())
    return heard_rows, next_rows


def python_adjacency(indptr, indices, strength, holders):
    return {int(h): list(zip(indices[indptr[h]:indptr[h + 1]].tolist(),
                             strength[indptr[h]:indptr[h + 1]].tolist(), strict=True))
            for h in np.unique(holders)}


# --- timing ------------------------------------------------------------------------------

FAULTS = {}  # name -> minor page faults per call (median), filled by ``interleaved``


def interleaved(cases, rounds):
    """Time ``cases`` side by side: round 1 of every case, then round 2, and so on.

    ``cases``: name -> (threads or None, callable, every). A case with ``every = k`` runs in
    one round out of ``k`` (for the slow references). Fast cases (``every == 1``) get one
    untimed call first in each round, so that each is timed in its own steady state rather
    than in the cache state left by the previous case. Returns name -> list of seconds, and
    records the median number of minor page faults per timed call in ``FAULTS``.
    """
    times = {name: [] for name in cases}
    faults = {name: [] for name in cases}
    for r in range(rounds):
        for name, (threads, fn, every) in cases.items():
            if r % every:
                continue
            if threads is not None:
                numba.set_num_threads(threads)
            if every == 1:
                fn()
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            t = time.perf_counter()
            out = fn()
            times[name].append(time.perf_counter() - t)
            faults[name].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
            del out
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    FAULTS.update({name: float(np.median(v)) for name, v in faults.items()})
    return times


def fmt_time(s):
    return f"{s * 1e3:.1f} ms" if s < 10 else f"{s:.1f} s"


def gossip_table(name, graph, rng, repeats, py_relax):
    indptr, indices, strength = graph
    frontier = fresh_frontier(indptr, indices, rng)
    p = PARAMS
    args = (*graph, *frontier, p["decay_good"], p["decay_bad"], p["max_hops"],
            p["min_weight"], p["echo_rule"])
    relax = relaxations(indptr, frontier[0])
    # python on a subsample of the messages, extrapolated per relaxation
    deg = np.diff(indptr)[frontier[0]]
    take = rng.permutation(frontier[0].size)
    take = take[: max(1, int(np.searchsorted(np.cumsum(deg[take]), py_relax)))]
    sub = tuple(a[take] for a in frontier)
    sub_lists = tuple(a.tolist() for a in sub)
    adj = python_adjacency(indptr, indices, strength, sub[0])
    sub_relax = relaxations(indptr, sub[0])

    # warm up and check agreement once
    one = propagate_step_parallel(*args)
    twin = ref.propagate_step(*args)
    for a, b in zip(one, twin, strict=True):
        if a.dtype == np.float64:
            np.testing.assert_allclose(a, b, rtol=1e-12)
        else:
            np.testing.assert_array_equal(a, b)
    heard_rows, out_rows = one[0].size, one[4].size
    del one, twin

    slow = max(1, repeats // 3)
    cases = {
        "kernel, 1 thread": (1, lambda: propagate_step_parallel(*args), 1),
        "kernel, 2 threads": (2, lambda: propagate_step_parallel(*args), 1),
        "NumPy twin": (None, lambda: ref.propagate_step(*args), slow),
        "plain Python (subsample)": (
            None, lambda: python_propagate(adj, *sub_lists, p["decay_good"], p["decay_bad"],
                                           p["max_hops"], p["min_weight"], p["echo_rule"]),
            slow),
    }
    times = interleaved(cases, repeats)
    med = {k: float(np.median(v)) for k, v in times.items()}
    rate = {k: relax / med[k] for k in med}
    rate["plain Python (subsample)"] = sub_relax / med["plain Python (subsample)"]
    base = rate["kernel, 1 thread"]
    rows = []
    for k in cases:
        t = med[k] if k != "plain Python (subsample)" else relax / rate[k]
        label = k if k != "plain Python (subsample)" else (
            f"plain Python (extrapolated from {sub_relax:,} relaxations)")
        rows.append((label, fmt_time(t), f"{rate[k] / 1e6:.2f}", f"{rate[k] / base:.2f}x",
                     f"{FAULTS[k] * 4 / 1024:.0f} MB" if k.startswith("kernel")
                     else ""))
    n = indptr.shape[0] - 1
    print(f"\n### Gossip, one hop of fresh news: {name}\n")
    print(f"n = {n:,}, ties = {indices.size // 2:,}, max degree = {np.diff(indptr).max():,}, "
          f"messages = {frontier[0].size:,}, relaxations = {relax:,}, heard rows = "
          f"{heard_rows:,}, next-frontier rows = {out_rows:,}; median of {repeats} (kernel) and "
          f"{len(times['NumPy twin'])} (references)\n")
    print("| implementation | time | M relaxations/s | vs kernel 1 thread | fresh pages/call |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return {"graph": name, "rate": rate, "med": med, "args": args, "relax": relax}


def allocator_table(summary, repeats):
    """The same gossip passes after telling glibc malloc to keep freed memory (no fresh
    pages per call). Changes this process's allocator, so it runs last."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(-3, 1 << 30) and libc.mallopt(-1, 1 << 31)  # MMAP_, TRIM_THRESHOLD
    except OSError:
        ok = False
    if not ok:
        return
    print("\n### The same gossip passes with glibc malloc retaining freed memory\n")
    print("After `mallopt(M_MMAP_THRESHOLD, 1 GiB)` and `mallopt(M_TRIM_THRESHOLD, 2 GiB)` "
          "in this process, the arrays of one call reuse the memory freed by the previous "
          "call instead of faulting in fresh zeroed pages. Same workloads as above.\n")
    print("| graph | kernel, 1 thread | M relax/s | kernel, 2 threads | M relax/s | 2 vs 1 |"
          " fresh pages/call |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in summary:
        args = s["args"]
        propagate_step_parallel(*args)
        times = interleaved({"1": (1, lambda a=args: propagate_step_parallel(*a), 1),
                             "2": (2, lambda a=args: propagate_step_parallel(*a), 1)},
                            repeats)
        m1, m2 = float(np.median(times["1"])), float(np.median(times["2"]))
        print(f"| {s['graph']} | {fmt_time(m1)} | {s['relax'] / m1 / 1e6:.1f} | "
              f"{fmt_time(m2)} | {s['relax'] / m2 / 1e6:.1f} | {m1 / m2:.2f}x | "
              f"{FAULTS['1'] * 4 / 1024:.0f} MB |")
        s["rate_retained"] = (s["relax"] / m1, s["relax"] / m2)


def linear_table(name, graph, rng, repeats):
    indptr, indices, strength = graph
    n = indptr.shape[0] - 1
    w = sp.csr_matrix((strength, indices, indptr), shape=(n, n))
    x1 = rng.random(n)
    x1c = x1[:, None].copy()
    x8 = rng.random((n, 8))
    np.testing.assert_allclose(propagate_linear(*graph, x1c, 1.0, 1)[:, 0], w @ x1, rtol=1e-12)
    np.testing.assert_allclose(propagate_linear(*graph, x8, 1.0, 1), w @ x8, rtol=1e-12)
    cases = {
        "1 col: kernel, 1 thread": (1, lambda: propagate_linear(*graph, x1c, 1.0, 1), 1),
        "1 col: kernel, 2 threads": (2, lambda: propagate_linear(*graph, x1c, 1.0, 1), 1),
        "1 col: scipy W @ x": (None, lambda: w @ x1, 1),
        "8 cols: kernel, 1 thread": (1, lambda: propagate_linear(*graph, x8, 1.0, 1), 1),
        "8 cols: kernel, 2 threads": (2, lambda: propagate_linear(*graph, x8, 1.0, 1), 1),
        "8 cols: scipy W @ X": (None, lambda: w @ x8, 1),
    }
    times = interleaved(cases, repeats)
    med = {k: float(np.median(v)) for k, v in times.items()}
    print(f"\n### Linear mode, one hop: {name}\n")
    print(f"nnz = {indices.size:,}; median of {repeats}\n")
    print("| implementation | time | M nnz/s | vs scipy |")
    print("|---|---:|---:|---:|")
    for k in cases:
        sc = med["1 col: scipy W @ x"] if k.startswith("1 col") else med["8 cols: scipy W @ X"]
        print(f"| {k} | {fmt_time(med[k])} | {indices.size / med[k] / 1e6:.0f} | "
              f"{sc / med[k]:.2f}x |")
    return {"graph": name, "med": med}


# --- memory (subprocess) -----------------------------------------------------------------

def _hwm_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            yield int(line.split()[1])


def memory_probe(kind, n, impl):
    """Run in a subprocess: peak RSS of one pass above the RSS just before it."""
    rng = np.random.default_rng(1)
    graph = {"random": random_graph, "scale-free": scale_free_graph}[kind](n, 20, rng) \
        if kind != "facebook" else facebook_graph(rng)
    frontier = fresh_frontier(graph[0], graph[1], rng)
    p = PARAMS
    fn = {"kernel": propagate_step_parallel, "twin": ref.propagate_step}[impl]
    tiny = csr_from_edges(3, [0, 1], [1, 2])
    fn(*tiny, *(a[:0] for a in frontier), 0.5, 0.5, 2, 0.0, True)  # compile / warm up
    fn(*tiny, *fresh_frontier(tiny[0], tiny[1], rng), 0.5, 0.5, 2, 0.0, True)
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS
    except OSError:
        pass
    hwm0, rss0 = _hwm_kb()
    out = fn(*graph, *frontier, p["decay_good"], p["decay_bad"], p["max_hops"],
             p["min_weight"], p["echo_rule"])
    hwm1, _ = _hwm_kb()
    graph_b = sum(a.nbytes for a in graph)
    in_b = sum(a.nbytes for a in frontier)
    heard_b = sum(a.nbytes for a in out[:4])
    next_b = sum(a.nbytes for a in out[4:])
    print(json.dumps({"peak": (hwm1 - max(hwm0, rss0)) * 1024, "graph": graph_b,
                      "frontier_in": in_b, "heard": heard_b, "frontier_out": next_b,
                      "reset": hwm0 == rss0}))


def memory_table(specs):
    print("\n### Peak memory of one propagation pass\n")
    print("Peak resident memory above the resident set before the call, in a fresh process; "
          "it includes the returned arrays.\n")
    print("| graph | impl | graph | frontier in | heard out | frontier out | peak of the pass |"
          " peak / (graph + frontier in + out) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    mb = 1 / 2**20
    for kind, n, impl in specs:
        res = subprocess.run([sys.executable, "-m", "benchmarks.kernel", "--memory-probe",
                              kind, str(n), impl], capture_output=True, text=True, cwd=ROOT,
                             check=True)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        base = r["graph"] + r["frontier_in"] + r["frontier_out"]
        print(f"| {kind} {n:,} | {impl} | {r['graph'] * mb:.0f} MB | "
              f"{r['frontier_in'] * mb:.1f} MB | {r['heard'] * mb:.0f} MB | "
              f"{r['frontier_out'] * mb:.0f} MB | {r['peak'] * mb:.0f} MB | "
              f"{r['peak'] / base:.2f} |")


# --- compile / import times (subprocess) -------------------------------------------------

_FIRST_CALLS = r"""
import json, sys, time
t0 = time.perf_counter()
if sys.argv[1] == "kernels-only":  # the kernel modules alone, not simnet/__init__.py
    import types
    pkg = types.ModuleType("simnet"); pkg.__path__ = [sys.argv[2] + "/simnet"]
    sys.modules["simnet"] = pkg
import numpy as np
import simnet.kernels as K
res = {"import": time.perf_counter() - t0}
g = K.csr_from_edges(4, [0, 1, 2], [1, 2, 3], [0.5, 0.8, 0.25])
i32 = lambda *v: np.array(v, np.int32)
fr = (i32(1, 2), i32(-1, 1), i32(0, 0), np.array([True, False]), np.array([1.0, 0.5]),
      i32(0, 1))
calls = {
    "propagate_step": lambda: K.propagate_step(*g, *fr, 0.5, 0.8, 3, 0.0, True),
    "propagate_linear": lambda: K.propagate_linear(*g, np.ones((4, 2)), 0.5, 2),
    "count_common_neighbors": lambda: K.count_common_neighbors(g[0], g[1], i32(0, 1),
                                                               i32(2, 3)),
    "second_degree_reach": lambda: K.second_degree_reach(g[0], g[1]),
    "local_clustering": lambda: K.local_clustering(g[0], g[1]),
    "cascade": lambda: K.cascade(g[0], g[1], i32(0), np.zeros(g[1].size), 0.5),
}
import resource
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
res["import cpu"] = cpu()
for name, fn in calls.items():
    t = time.perf_counter(); fn(); res[name] = time.perf_counter() - t
res["total"] = time.perf_counter() - t0
res["total cpu"] = cpu()
print(json.dumps(res))
"""


def compile_table():
    print("\n### Import and first call of every kernel, fresh process\n")
    print("cold: empty Numba cache (NUMBA_CACHE_DIR = a new temporary directory); warm: the "
          "same cache, filled by the cold run. 'import' of simnet.kernels imports the simnet "
          "package (its __init__ imports the model, Mesa, pandas...); 'kernels only' imports "
          "the kernel modules without it. Wall-clock seconds per step, and the process's CPU "
          "time (user + system) at the end of the import and in total: compiling is "
          "single-threaded, so on a busy machine the CPU time is the better measure.\n")
    rows = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label, mode in (("cold", "package"), ("warm", "package"),
                            ("warm, kernels only", "kernels-only")):
            res = subprocess.run([sys.executable, "-c", _FIRST_CALLS, mode, str(ROOT)],
                                 env=env, capture_output=True, text=True, cwd=ROOT, check=True)
            rows[label] = json.loads(res.stdout.strip().splitlines()[-1])
    keys = [k for k in rows["cold"] if "cpu" not in k] + ["import cpu", "total cpu"]
    print("| | " + " | ".join(rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for k in keys:
        print(f"| {k} | " + " | ".join(f"{rows[r][k]:.2f} s" for r in rows) + " |")
    return rows


# --- main --------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks.kernel", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small graphs, few repeats (< 1 min)")
    ap.add_argument("--memory-probe", nargs=3, metavar=("KIND", "N", "IMPL"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_probe:
        kind, n, impl = args.memory_probe
        memory_probe(kind, int(n), impl)
        return
    t_start = time.perf_counter()
    n = 20_000 if args.quick else 100_000
    repeats = 6 if args.quick else 15
    py_relax = 20_000 if args.quick else 200_000
    print("## simnet kernel benchmark" + (" (--quick)" if args.quick else ""))
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, NumPy {np.__version__}, Numba "
          f"{numba.__version__}, SciPy {scipy.__version__}, Numba threads "
          f"{numba.config.NUMBA_NUM_THREADS}, OMP_WAIT_POLICY="
          f"{os.environ.get('OMP_WAIT_POLICY')} (set by simnet.kernels unless already set)")
    print(f"Load average at start: {os.getloadavg()[0]:.2f} (1 min; other processes share "
          "these cores)")
    rng = np.random.default_rng(20240601)
    graphs = [
        (f"random graph, n = {n:,}, mean degree 20", random_graph(n, 20, rng)),
        (f"scale-free graph (Chung-Lu, exponent 2.5), n = {n:,}, mean degree 20",
         scale_free_graph(n, 20, rng)),
        ("facebook_combined (real network)", facebook_graph(rng)),
    ]
    summary = []
    for name, graph in graphs:
        summary.append(gossip_table(name, graph, rng, repeats, py_relax))
    for name, graph in graphs:
        linear_table(name, graph, rng, repeats * 2)
    memory_table([("random", n, "kernel"), ("scale-free", n, "kernel"),
                  ("random", n, "twin")])
    compile_table()
    allocator_table(summary, repeats)
    print("\n### Summary against the targets (issue 3)\n")
    for s in summary:
        r = s["rate"]
        print(f"- {s['graph']}: {r['kernel, 1 thread'] / 1e6:.1f} M relaxations/s on 1 thread; "
              f"2 threads {r['kernel, 2 threads'] / r['kernel, 1 thread']:.2f}x; "
              f"{r['kernel, 1 thread'] / r['plain Python (subsample)']:.0f}x plain Python; "
              f"{r['kernel, 1 thread'] / r['NumPy twin']:.1f}x the NumPy twin"
              + (f"; with malloc retaining memory {s['rate_retained'][0] / 1e6:.1f} M/s on 1 "
                 f"thread, 2 threads {s['rate_retained'][1] / s['rate_retained'][0]:.2f}x"
                 if "rate_retained" in s else ""))
    print(f"\n(Numba threading layer: {numba.threading_layer()}; load average at the end "
          f"{os.getloadavg()[0]:.2f}; benchmark ran in {time.perf_counter() - t_start:.0f} s)")


if __name__ == "__main__":
    main()
