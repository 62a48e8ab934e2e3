"""The kernels' warm-up on a cold Numba cache (simnet.kernels.warmup): its recorded
signatures name real kernels, each is compiled by one process, and after it a run compiles
nothing."""

import os
import subprocess
import sys

import pytest

from simnet.kernels import warmup
from simnet.sweep import _kernel_dispatchers


def test_every_recorded_signature_names_a_cached_kernel_and_parses():
    kernels = {id(d) for d in _kernel_dispatchers()}
    for mode, entries in warmup.SIGNATURES.items():
        assert entries, mode
        for target, args, seconds in entries:
            assert id(warmup.dispatcher(target)) in kernels, target
            assert seconds >= 0
            sig = warmup.signature(args)
            assert "; ".join(warmup.type_text(t) for t in sig) == args


def test_type_text_round_trips():
    from numba.core import types

    for t in (types.int64, types.boolean, types.uint64, types.float32,
              types.Array(types.int32, 2, "C"), types.Array(types.float64, 1, "A"),
              types.Array(types.int64, 1, "C", readonly=True),
              types.Array(types.boolean, 3, "F")):
        assert warmup.parse_type(warmup.type_text(t)) == t


def test_each_kernel_is_compiled_by_whichever_process_claims_it_first(tmp_path):
    entries = [e for e in warmup.entries_for(["once"]) if e[0].startswith("hop.")]
    assert len(entries) >= 2
    first = warmup.compile_entries(entries[:1], str(tmp_path))  # (loaded: cached here)
    rest = warmup.compile_entries(entries, str(tmp_path))
    assert [t for t, _ in first] == [entries[0][0]]
    assert [t for t, _ in rest] == [e[0] for e in entries[1:]]
    assert warmup.compile_entries(entries, str(tmp_path)) == []


def test_a_mode_lists_only_what_it_calls():
    once = {t for t, _, _ in warmup.entries_for(["once"])}
    linear = {t for t, _, _ in warmup.entries_for(["linear"])}
    assert "gossip.propagate_step_parallel" in linear - once  # linear mode's own hop
    assert {t for t, _, _ in warmup.entries_for(["once", "linear"])} == once | linear


AFTER_WARM_UP = """
import sys
from simnet.cli import main
from simnet.sweep import _kernel_dispatchers
code = main(["run", sys.argv[1], "--quick", "--no-plots", "--quiet", "--workers", "1",
             "--out", sys.argv[2]])
compiled = sorted(d.py_func.__name__ for d in _kernel_dispatchers()
                  for _ in range(sum(d._cache_misses.values())))
loaded = sum(sum(d._cache_hits.values()) for d in _kernel_dispatchers())
print("compiled:", compiled, "loaded:", loaded)
sys.exit(code)
"""


@pytest.mark.slow
def test_after_the_warm_up_a_run_compiles_nothing(tmp_path):
    """The warm-up's processes fill the cache with every kernel the flagship's run (and
    its summary) calls: a new process then loads them all and compiles none. If this
    fails after a kernel was added or its argument types changed, record the signatures
    again: python -m simnet.kernels.warmup --record."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONWARNINGS": "ignore"}
    warm = subprocess.run(
        [sys.executable, "-c", "from simnet.kernels.warmup import compile_kernels; "
         "print(compile_kernels(('once',), 2))"],
        env=env, capture_output=True, text=True, timeout=900)
    assert warm.returncode == 0, warm.stderr[-2000:]
    count, _, ok = eval(warm.stdout.strip())
    assert ok and count == len(warmup.entries_for(["once"]))
    again = subprocess.run(
        [sys.executable, "-c", "from simnet.kernels.warmup import compile_kernels; "
         "print(compile_kernels(('once',), 2))"],
        env=env, capture_output=True, text=True, timeout=300)
    assert again.stdout.strip() == "(0, 0.0, True)"  # all cached: nothing to do
    run = subprocess.run([sys.executable, "-c", AFTER_WARM_UP, warmup.FLAGSHIP,
                          str(tmp_path / "out")],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    line = run.stdout.strip().splitlines()[-1]
    assert line.startswith("compiled: [] loaded:"), line
    assert int(line.rsplit(" ", 1)[1]) > 0
