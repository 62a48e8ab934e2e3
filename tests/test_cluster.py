"""A real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1,
started as separate programs (not an in-process LocalCluster), a sweep through
``simnet run --scheduler tcp://127.0.0.1:PORT``, one worker killed (SIGKILL) mid-sweep.
The sweep must finish and its tables must equal a local run's, row for row. Everything
started here is torn down, even when the test fails."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simnet.experiment import load_experiment
from simnet.results import finished_runs, load_results
from simnet.sweep import run_experiment

BIN = Path(sys.executable).parent
DASK = [str(BIN / "dask")] if (BIN / "dask").is_file() else [sys.executable, "-m", "dask"]
# Enough runs that one worker is still busy when the other is killed, small enough for CI.
SWEEP = """
[experiment]
name = "cluster"
seed = 7
steps = 12
replications = 6

[population]
n_agents = 300

[network]
mean_degree = 6

[sweep]
open_share = [0.2, 0.8]

[arms.slow]
decay_bad = 0.3

[arms.fast]
decay_bad = 0.9
"""
TABLES = ("groups", "model", "agents", "opportunities", "ties", "news")


def _start(args: list[str], log: Path) -> subprocess.Popen:
    """A program in its own session (so that it and its children can be ended as one
    group), its output to ``log``."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with open(log, "wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def _end(proc: subprocess.Popen) -> None:
    """End a program started by :func:`_start` and everything it started."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=10)


def _wait(what: str, ready, procs: list[subprocess.Popen], logs: list[Path],
          timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        dead = [log for proc, log in zip(procs, logs, strict=True) if proc.poll() is not None]
        if dead or time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text()[-1500:]}" for log in logs)
            pytest.fail(f"{what}: {'a process ended' if dead else 'timed out'}\n{tails}")
        time.sleep(0.1)


def _workers(address: str) -> int:
    from distributed import Client

    with Client(address, timeout="10s") as client:
        return len(client.scheduler_info(n_workers=-1)["workers"])


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    rs = load_results(path)
    runs = rs.runs.drop(columns=["seconds", "finished"])
    return {"runs": runs, **{name: getattr(rs, name) for name in TABLES}}


@pytest.mark.skipif(os.name != "posix", reason="process groups and SIGKILL (POSIX)")
def test_a_real_cluster_survives_a_killed_worker_and_matches_a_local_run(tmp_path):
    started = time.monotonic()
    experiment = tmp_path / "cluster.toml"
    experiment.write_text(SWEEP)
    info = tmp_path / "scheduler.json"
    procs: list[subprocess.Popen] = []
    logs: list[Path] = []
    try:
        logs.append(tmp_path / "scheduler.log")
        procs.append(_start([*DASK, "scheduler", "--host", "127.0.0.1", "--port", "0",
                             "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                             "--scheduler-file", str(info)], logs[-1]))
        _wait("the scheduler", lambda: info.is_file() and info.stat().st_size > 0, procs,
              logs)
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):  # each a program of its own, one thread, no nanny to revive it
            logs.append(tmp_path / f"worker{i}.log")
            procs.append(_start([*DASK, "worker", address, "--nthreads", "1",
                                 "--no-nanny", "--host", "127.0.0.1", "--name", f"w{i}",
                                 "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                                 "--local-directory", str(tmp_path / f"w{i}")], logs[-1]))
        _wait("two workers", lambda: _workers(address) == 2, procs, logs)

        out = tmp_path / "out"
        folder = out / "cluster"
        logs.append(tmp_path / "sweep.log")
        sweep = _start([sys.executable, "-m", "simnet.cli", "run", str(experiment),
                        "--scheduler", address, "--out", str(out), "--no-plots"], logs[-1])
        procs.append(sweep)
        # kill a worker once the cluster has delivered runs, while the sweep goes on
        _wait("the first runs", lambda: len(finished_runs(folder)) >= 2, procs, logs)
        assert sweep.poll() is None, "the sweep ended before a worker could be killed"
        os.killpg(procs[1].pid, signal.SIGKILL)
        procs[1].wait(timeout=10)
        try:
            sweep.wait(timeout=300)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the sweep did not finish:\n{logs[-1].read_text()[-2000:]}")
        text = logs[-1].read_text()
        assert sweep.returncode == 0, text[-2000:]
        assert "Dask (tcp://127.0.0.1:" in text
        assert len(finished_runs(folder)) == 24
        assert _workers(address) == 1  # the killed worker is gone; the other did the rest
    finally:
        for proc in reversed(procs):
            _end(proc)
    cluster_seconds = time.monotonic() - started

    local = run_experiment(load_experiment(experiment), tmp_path / "local", workers=1,
                           progress=False)
    reference = _tables(local.path)
    assert len(reference["agents"]) == 24 * 300
    tables = _tables(folder)
    for name, table in reference.items():
        pd.testing.assert_frame_equal(table, tables[name], obj=name)
    print(f"real cluster: {cluster_seconds:.1f} s (scheduler, 2 workers, sweep, teardown)")
