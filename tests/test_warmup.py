"""The kernels' warm-up on a cold Numba cache (simnet.kernels.warmup): its recorded
signatures name real kernels, the work is shared out evenly, and after it a run compiles
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


def test_shares_are_even_and_longest_first():
    entries = [(f"k{i}", "", s) for i, s in enumerate([9.0, 1.0, 4.0, 3.0, 3.0, 2.0])]
    parts = warmup.shares(entries, 2)
    assert sorted(e for p in parts for e in p) == sorted(entries)
    assert sorted(sum(e[2] for e in p) for p in parts) == [11.0, 11.0]
    for part in parts:
        assert [e[2] for e in part] == sorted((e[2] for e in part), reverse=True)
    assert len(warmup.shares(entries[:1], 2)) == 1  # no empty share


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
