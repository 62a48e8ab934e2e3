"""Compile the model's kernels once per machine, in parallel, before a sweep starts.

On a cold Numba cache (a fresh clone, another Numba, edited kernels) the first run would
compile every kernel it calls, one after the other, on one core (15 to 30 s). Instead,
:func:`compile_kernels` compiles them in ``processes`` separate processes at once (each,
when free, takes the longest kernel no other has taken), each writing Numba's on-disk
cache; the sweep's own process and its workers then load them from the cache (a kernel's
callees are compiled and cached with it, so a process's work is whole call trees).

Which kernels, with which argument types: :data:`SIGNATURES`, per word-of-mouth mode, the
kernels a run (and ``simnet run``'s summary) calls from Python, each with the CPU seconds
its compile took when recorded (its callees included; what it shares with kernels compiled
before it in the recording, not). Recorded by running every experiment in ``experiments/``
(and the flagship in linear mode) on an empty cache::

    python -m simnet.kernels.warmup --record      # prints SIGNATURES; paste it below

``tests/test_warmup.py`` checks that it is current: after the warm-up, a run compiles
nothing. A kernel missing from it is still compiled, by the first run, as before.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import subprocess
import sys
import time

# Per word-of-mouth mode: (module.attribute in simnet.kernels, its argument types, the CPU
# seconds its compile took when recorded), longest first. Types as type_text writes them.
SIGNATURES: dict[str, tuple[tuple[str, str, float], ...]] = {
    'once': (
        ('spread._spread_serial',
         'int64[1d,C]; int32[1d,C]; float64[1d,C]; uint64[1d,C]; bool[1d,C]; int64[1d,C]; '
         'int32[1d,C]; float64[1d,C]; int64[1d,C]; int32[1d,C]; float64; float64; float64; '
         'float64; float64; float64; float64; bool; int64; bool[1d,C]',
         3.34),
        ('retell._retell_rows_serial',
         'bool[1d,C]; int32[1d,C]; int64[1d,C]; uint64[1d,C]; bool[1d,C]; int64; int64; '
         'int64; int64',
         1.26),
        ('slots._slots_add_serial',
         'int32[2d,C]; float32[3d,C]; int32[1d,C]; int64[1d,C]; int64[1d,C,readonly]; '
         'float64[2d,C]; int64; int32[1d,C]',
         1.07),
        ('graph._two_hop_serial',
         'int64[1d,C]; int32[1d,C]; bool[1d,C]',
         0.97),
        ('rank.kendall_tau_b',
         'float64[1d,C]; float64[1d,C]',
         0.81),
        ('paths.component_summary',
         'int64[1d,C]; int32[1d,C]',
         0.7),
        ('summary.slots_subject_totals',
         'int32[2d,C]; float32[3d,C]; int32[1d,C]; float64; float64',
         0.58),
        ('_chunks.group_by_owner',
         'int64[1d,C]; int64',
         0.49),
        ('tietable.insert_ties',
         'int64[1d,C]; int32[1d,C]; int32[1d,C]; float64[1d,C]; int32[1d,C]; int64[1d,C]; '
         'float64[1d,C]; int64; int64',
         0.38),
        ('summary._views_serial',
         'int64[1d,C]; int32[1d,C]; int32[2d,C]; float32[3d,C]; int32[1d,C]; float64; '
         'float64; int32[1d,C]',
         0.37),
        ('groups.group_sums',
         'float64[2d,C]; int64[1d,C]; int64',
         0.33),
        ('graph.count_common_neighbors',
         'int64[1d,C]; int32[1d,C]; int32[1d,C]; int32[1d,C]',
         0.32),
        ('summary._counts_serial',
         'int32[2d,C]; float32[3d,C]; int32[1d,C]; int64[1d,C]; int64[1d,C]; float64; '
         'float64',
         0.27),
        ('hop.go_on_rows',
         'int64[1d,C]; float64[1d,C]; bool[1d,C]; float64[1d,C]; float64',
         0.24),
        ('paths._bfs_serial',
         'int64[1d,C]; int32[1d,C]; int64[1d,C]',
         0.21),
        ('slots._slots_forget_serial',
         'int32[2d,C]; float32[3d,C]; int32[1d,C]; float64; float64',
         0.19),
        ('hop.true_per_segment',
         'int64[1d,C]; bool[1d,C]',
         0.12),
        ('hop.compact_segments',
         'int64[1d,C]; int32[1d,C]; bool[1d,C]',
         0.1),
    ),
    'linear': (
        ('gossip.propagate_step_parallel',
         'int64[1d,C]; int32[1d,C]; float64[1d,C]; int32[1d,C]; int32[1d,C]; int32[1d,C]; '
         'bool[1d,C]; float64[1d,C]; int32[1d,C]; float64; float64; int64; float64; bool',
         9.91),
        ('spread._spread_serial',
         'int64[1d,C]; int32[1d,C]; float64[1d,C]; uint64[1d,C]; bool[1d,C]; int64[1d,C]; '
         'int32[1d,C]; float64[1d,C]; int64[1d,C]; int32[1d,C]; float64; float64; float64; '
         'float64; float64; float64; float64; bool; int64; bool[1d,C]',
         3.72),
        ('rank.kendall_tau_b',
         'float64[1d,C]; float64[1d,C]',
         1.19),
        ('slots._slots_add_serial',
         'int32[2d,C]; float32[3d,C]; int32[1d,C]; int64[1d,C]; int64[1d,C,readonly]; '
         'float64[2d,C]; int64; int32[1d,C]',
         1.0),
        ('graph._two_hop_serial',
         'int64[1d,C]; int32[1d,C]; bool[1d,C]',
         0.96),
        ('paths.component_summary',
         'int64[1d,C]; int32[1d,C]',
         0.64),
        ('summary.slots_subject_totals',
         'int32[2d,C]; float32[3d,C]; int32[1d,C]; float64; float64',
         0.48),
        ('_chunks.group_by_owner',
         'int64[1d,C]; int64',
         0.45),
        ('tietable.insert_ties',
         'int64[1d,C]; int32[1d,C]; int32[1d,C]; float64[1d,C]; int32[1d,C]; int64[1d,C]; '
         'float64[1d,C]; int64; int64',
         0.4),
        ('groups.group_sums',
         'float64[2d,C]; int64[1d,C]; int64',
         0.35),
        ('summary._views_serial',
         'int64[1d,C]; int32[1d,C]; int32[2d,C]; float32[3d,C]; int32[1d,C]; float64; '
         'float64; int32[1d,C]',
         0.35),
        ('graph.count_common_neighbors',
         'int64[1d,C]; int32[1d,C]; int32[1d,C]; int32[1d,C]',
         0.29),
        ('hop.go_on_rows',
         'int64[1d,C]; float64[1d,C]; bool[1d,C]; float64[1d,C]; float64',
         0.29),
        ('summary._counts_serial',
         'int32[2d,C]; float32[3d,C]; int32[1d,C]; int64[1d,C]; int64[1d,C]; float64; '
         'float64',
         0.26),
        ('slots._slots_forget_serial',
         'int32[2d,C]; float32[3d,C]; int32[1d,C]; float64; float64',
         0.25),
        ('paths._bfs_serial',
         'int64[1d,C]; int32[1d,C]; int64[1d,C]',
         0.2),
        ('hop.true_per_segment',
         'int64[1d,C]; bool[1d,C]',
         0.14),
        ('hop.compact_segments',
         'int64[1d,C]; int32[1d,C]; bool[1d,C]',
         0.11),
    ),
}

_ARRAY = re.compile(r"^(\w+)\[(\d+)d,([CFA])(,readonly)?\]$")


def type_text(t) -> str:
    """A Numba type as text: ``int32[2d,C]`` for an aligned C-contiguous 2-d int32 array
    (``,readonly`` if it is), a scalar's name, else Numba's ``repr``."""
    from numba.core import types

    if isinstance(t, types.Array) and t.aligned and type(t) is types.Array:
        return f"{t.dtype}[{t.ndim}d,{t.layout}{'' if t.mutable else ',readonly'}]"
    return repr(t)


def parse_type(text: str):
    """The Numba type ``text`` stands for (see :func:`type_text`)."""
    from numba.core import types

    match = _ARRAY.match(text)
    if match:
        dtype, ndim, layout, readonly = match.groups()
        return types.Array(_SCALARS()[dtype], int(ndim), layout, readonly=bool(readonly))
    return eval(text, {"__builtins__": {}}, {**_SCALARS(), "Array": types.Array})


def _SCALARS() -> dict:
    from numba.core import types

    names = {name: getattr(types, name) for name in dir(types)
             if isinstance(getattr(types, name), types.Type)}
    names["bool"] = types.boolean
    return names


@functools.cache
def signature(args: str) -> tuple:
    """The argument types of an entry of SIGNATURES."""
    return tuple(parse_type(a) for a in args.split("; ")) if args else ()


def dispatcher(target: str):
    """The dispatcher ``module.attribute`` of ``simnet.kernels``."""
    module, name = target.rsplit(".", 1)
    return getattr(importlib.import_module(f"simnet.kernels.{module}"), name)


def entries_for(modes) -> list[tuple[str, str, float]]:
    """The recorded kernels of the word-of-mouth ``modes``, each once, longest first."""
    seen: dict[tuple[str, str], float] = {}
    for mode in modes:
        for target, args, seconds in SIGNATURES.get(mode, ()):
            seen[(target, args)] = max(seen.get((target, args), 0.0), seconds)
    return sorted(((t, a, s) for (t, a), s in seen.items()), key=lambda e: -e[2])


def missing(entries) -> list:
    """The entries Numba's cache does not hold (for this Numba, machine and source);
    all of them if the cache cannot be read (private Numba API). One this process has
    loaded or compiled is not looked for (a sweep's second look costs nothing)."""
    from simnet.sweep import _cached_signatures

    out = []
    try:
        for target, args, seconds in entries:
            kernel = dispatcher(target)
            sig = signature(args)
            if sig not in kernel.overloads and sig not in _cached_signatures(kernel):
                out.append((target, args, seconds))
    except Exception:
        return list(entries)
    return out


def compile_entries(entries, claims: str | None = None) -> list[tuple[str, float]]:
    """Compile (or load from the cache) each entry in this process, in order; returns
    each one's target and wall seconds. ``claims``: a folder shared with the other
    processes of the warm-up: an entry is done by whichever process claims it first
    (creates the file named by its position), so each process takes the next entry
    not taken when it is free, and none waits while work is left."""
    done = []
    for i, (target, args, _) in enumerate(entries):
        if claims is not None:
            try:
                os.close(os.open(os.path.join(claims, str(i)), os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                continue
        start = time.perf_counter()
        dispatcher(target).compile(signature(args))
        done.append((target, time.perf_counter() - start))
    return done


def compile_kernels(modes=("once",), processes: int = 2, timeout: float = 900.0,
                    say=None) -> tuple[int, float, bool]:
    """Compile the kernels of ``modes`` that Numba's cache lacks in ``processes`` separate
    processes at once, before anything else runs: each takes the longest kernel not yet
    taken, compiles it and fills the cache with it, until none is left. ``say(kernels,
    processes)`` (if given) is called before they start. Returns (kernels compiled, wall
    seconds, whether every process succeeded); (0, 0.0, True) when the cache held them
    all."""
    import tempfile

    todo = missing(entries_for(modes))
    if not todo:
        return 0, 0.0, True
    processes = max(1, min(processes, len(todo)))
    if say is not None:
        say(len(todo), processes)
    start = time.perf_counter()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    ok = True
    with tempfile.TemporaryDirectory(prefix="simnet-warmup-") as claims:
        children = []
        for i in range(processes):
            with open(os.path.join(claims, f"stderr-{i}"), "wb") as err:
                children.append(subprocess.Popen(
                    [sys.executable, "-m", "simnet.kernels.warmup", "--compile", claims,
                     *(_encode(e) for e in todo)],
                    env=env, stdout=subprocess.DEVNULL, stderr=err))
        for child in children:
            try:
                child.wait(timeout=max(1.0, timeout - (time.perf_counter() - start)))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            ok = ok and child.returncode == 0
    return len(todo), time.perf_counter() - start, ok


def _encode(entry) -> str:
    target, args, _ = entry
    return f"{target}={args}"


def _decode(text: str):
    target, args = text.split("=", 1)
    return target, args, 0.0


# --------------------------------------------------------------------------- recording

RECORD_EXPERIMENTS = "experiments"
FLAGSHIP = "experiments/open_vs_selective.toml"


def _record_in_process(paths_by_mode: dict[str, list[str]], out: str) -> dict:
    """In a process whose Numba cache is empty: run the first experiment of each mode
    through ``simnet run`` at its quick size, and the first run of each other one, noting
    every kernel compiled for a call from Python (its seconds include its callees')."""
    from numba.core import event

    from simnet.cli import main
    from simnet.experiment import load_experiment
    from simnet.runner import execute_run
    from simnet.sweep import _kernel_dispatchers, make_tasks, plan_runs

    names = {}
    for d in _kernel_dispatchers():
        module = d.py_func.__module__
        for attr, obj in vars(sys.modules[module]).items():
            if obj is d:
                names[id(d)] = f"{module.rsplit('.', 1)[1]}.{attr}"
    depth = [0]
    found: dict[str, dict] = {}
    current: list[str] = [""]

    class Listener(event.Listener):
        def on_start(self, ev):
            ev.data["_start"] = time.thread_time()
            depth[0] += 1

        def on_end(self, ev):
            depth[0] -= 1
            target = names.get(id(ev.data["dispatcher"]))
            if depth[0] == 0 and target is not None:
                args = "; ".join(type_text(a) for a in ev.data["args"])
                seconds = time.thread_time() - ev.data["_start"]
                found[current[0]][(target, args)] = round(seconds, 2)

    event.register("numba:compile", Listener())
    for mode, paths in paths_by_mode.items():
        current[0] = mode
        found.setdefault(mode, {})
        main(["run", paths[0], "--quick", "--no-plots", "--quiet", "--workers", "1",
              "--restart", "--out", out])
        for path in paths[1:]:
            exp = load_experiment(path, quick=True)
            execute_run(make_tasks(exp, plan_runs(exp)[:1])[0])
    return {mode: sorted(([t, a, s] for (t, a), s in entries.items()),
                         key=lambda e: -e[2])
            for mode, entries in found.items()}


def record() -> dict:
    """SIGNATURES as recorded now (in a child process with an empty Numba cache)."""
    import json
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="simnet-record-") as name:
        tmp = Path(name)
        linear = tmp / "linear.toml"
        linear.write_text(Path(FLAGSHIP).read_text().replace('mode = "once"',
                                                             'mode = "linear"'))
        others = sorted(str(p) for p in Path(RECORD_EXPERIMENTS).glob("*.toml")
                        if p != Path(FLAGSHIP))
        paths = {"once": [FLAGSHIP, *others], "linear": [str(linear)]}
        found = {}
        for mode, files in paths.items():  # each mode on its own empty cache
            env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp / f"cache-{mode}"),
                   "PYTHONWARNINGS": "ignore"}
            subprocess.run([sys.executable, "-m", "simnet.kernels.warmup", "--record-here",
                            json.dumps({mode: files}), str(tmp / "out"),
                            str(tmp / "found.json")],
                           env=env, stdout=subprocess.DEVNULL, check=True)
            found.update(json.loads((tmp / "found.json").read_text()))
    return {mode: tuple((t, a, s) for t, a, s in entries) for mode, entries in found.items()}


def _literal(signatures: dict) -> str:
    """``signatures`` as the Python source of SIGNATURES."""
    lines = ["SIGNATURES: dict[str, tuple[tuple[str, str, float], ...]] = {"]
    for mode, entries in signatures.items():
        lines.append(f"    {mode!r}: (")
        for target, args, seconds in entries:
            lines.append(f"        ({target!r},")
            pieces, line = [], ""
            for a in args.split("; "):
                if line and len(line) + len(a) > 80:
                    pieces.append(line)
                    line = ""
                line += a + "; "
            pieces.append(line[:-2])
            lines.extend(f"         {p!r}" for p in pieces)
            lines[-1] += ","
            lines.append(f"         {seconds}),")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--compile":  # a folder of claims, then the entries
        compile_entries([_decode(a) for a in argv[2:]], argv[1])
        return 0
    if argv and argv[0] == "--record-here":
        import json

        found = _record_in_process(json.loads(argv[1]), argv[2])
        with open(argv[3], "w") as f:
            json.dump(found, f)
        return 0
    if argv and argv[0] == "--record":
        print(_literal(record()))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
