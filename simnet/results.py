"""The results store: the only module that writes files.

Layout of one experiment's results folder (``results/<experiment>/`` by default)::

    manifest.json            the resolved experiment, root seed, every run's parameters and
                             seed, package versions, git commit (written before any run)
    runs/<run_id>/           one folder per finished run, renamed into place in one step:
        groups.parquet       per step and group (strategy, conduct type)
        model.parquet        network-level metrics per step
        agents.parquet       per agent at the end
        opportunities.parquet, ties.parquet, news.parquet
        run.json             the run's arm, replication, seed, parameters, size and time
    summary_outcomes.csv     the end-of-run summary tables (rewritten after each sweep)
    summary_differences.csv
    figures/                 written by simnet.plots

Every file is written atomically. A run's files go to a hidden temporary folder in
``runs/`` which is renamed to ``runs/<run_id>/`` only when all of them are on disk, so a
run folder that exists is a finished run, and a sweep killed at any moment leaves nothing
that looks finished. The reader ignores hidden folders; the next sweep removes them.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from simnet.config import ConfigError

PACKAGES = ("simnet", "mesa", "numpy", "numba", "scipy", "pandas", "pyarrow", "seaborn",
            "dask", "distributed", "SALib")
TABLES = ("groups", "model", "agents", "opportunities", "ties", "news")
MANIFEST = "manifest.json"
RUNS = "runs"
LOCK = ".lock"
FORMAT = 1
# Runs handed to the background writer and not yet on disk, at most.
MAX_PENDING_WRITES = 4
# What --restart removes (everything else in the folder is left alone).
OWNED = (RUNS, MANIFEST, "summary_outcomes.csv", "summary_model.csv",
         "summary_differences.csv", "figures")


# --------------------------------------------------------------------------- atomic files

def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` then rename tmp_path to ``path`` (same folder, atomic)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame as Parquet, atomically."""
    atomic_write(path, lambda tmp: table.to_parquet(tmp, index=False))


def write_json(data: dict, path: Path) -> None:
    """Write a dict as indented JSON, atomically."""
    def dump(tmp: Path) -> None:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    atomic_write(path, dump)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame as CSV, atomically."""
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


# --------------------------------------------------------------------------- provenance

def package_versions() -> dict[str, str | None]:
    """Installed versions of simnet and its main dependencies, plus Python's."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit() -> str | None:
    """The git commit of the simnet source tree (with "+dirty" if it has uncommitted
    changes), if it is a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=False)
        if out.returncode != 0 or not out.stdout.strip():
            return None
        commit = out.stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no",
                                 "--", "."], cwd=here, capture_output=True, text=True,
                                timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if status.stdout.strip() else "")


# --------------------------------------------------------------------------- the store

class ResultsStore:
    """One experiment's results folder, open for writing runs.

    Open it with :meth:`open`, which checks that the folder belongs to the same experiment
    (same fingerprint) before anything is written, holds a lock so that two sweeps cannot
    write to the same folder, and removes temporary folders an interrupted sweep left.
    """

    def __init__(self, root: Path, lock_fd: int | None = None):
        self.root = Path(root)
        self.runs = self.root / RUNS
        self._lock_fd = lock_fd
        self._writer = None
        self._pending: list = []
        self._slots = threading.BoundedSemaphore(MAX_PENDING_WRITES)
        self.write_seconds = 0.0  # summed time spent writing runs

    # ---------------------------------------------------------------- opening
    @staticmethod
    def check(root: Path, fingerprint: str, restart: bool = False) -> None:
        """Raise ConfigError if ``root`` holds results of a different experiment (and
        ``restart`` is not set). Writes nothing."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise ConfigError(f"{root} exists and is not a folder")
        if restart or not root.is_dir():
            return
        manifest = root / MANIFEST
        if not manifest.is_file():
            if (root / RUNS).exists():
                raise ConfigError(f"{root} holds runs but no {MANIFEST}; use --restart to "
                                  f"start over or --out to choose another folder")
            return
        try:
            old = json.loads(manifest.read_text())
        except (OSError, ValueError) as err:
            raise ConfigError(f"{manifest}: unreadable ({err}); use --restart to start over"
                              ) from None
        if old.get("fingerprint") != fingerprint:
            what = old.get("experiment_name") or "another experiment"
            raise ConfigError(f"{root} holds results of a different version of "
                              f"{what} (the experiment file changed); use --restart to "
                              f"start over, or --out to write elsewhere")

    @classmethod
    def open(cls, root: Path, manifest: dict, restart: bool = False) -> ResultsStore:
        """Check, lock and prepare ``root``; write ``manifest`` (keeping the original
        creation time when resuming). Returns the store."""
        root = Path(root)
        cls.check(root, manifest["fingerprint"], restart)
        root.mkdir(parents=True, exist_ok=True)
        lock_fd = _lock(root)
        store = cls(root, lock_fd)
        try:
            if restart:
                store._clear()
            old = store.read_manifest()
            if old is not None:
                manifest = {**manifest, "created": old.get("created", manifest.get("created")),
                            "sessions": [*old.get("sessions", []),
                                         *manifest.get("sessions", [])]}
            store.runs.mkdir(exist_ok=True)
            for stale in store.runs.glob(".*.tmp"):
                shutil.rmtree(stale, ignore_errors=True)
            write_json(manifest, root / MANIFEST)
        except BaseException:
            store.close()
            raise
        return store

    def _clear(self) -> None:
        for name in OWNED:
            path = self.root / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def close(self) -> None:
        """Wait for the runs being written, then release the folder."""
        if self._writer is not None:
            try:
                self.flush()
            finally:
                self._writer.shutdown(wait=True)
                self._writer = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- reading state
    def read_manifest(self) -> dict | None:
        path = self.root / MANIFEST
        if not path.is_file():
            return None
        return json.loads(path.read_text())

    def update_manifest(self, **fields) -> None:
        manifest = self.read_manifest() or {}
        manifest.update(fields)
        write_json(manifest, self.root / MANIFEST)

    def finished(self) -> set[str]:
        """The run ids with a finished run folder."""
        return finished_runs(self.root)

    # ---------------------------------------------------------------- writing
    def submit_run(self, run_id: str, tables: dict[str, pd.DataFrame], info: dict) -> None:
        """Hand a run to the background writer (:meth:`write_run` in a thread, so that
        writing overlaps the next run); at most ``MAX_PENDING_WRITES`` wait. A failed
        write is raised here or by :meth:`flush`."""
        from concurrent.futures import ThreadPoolExecutor

        self._raise_failed()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="simnet-write")
        self._slots.acquire()
        try:
            future = self._writer.submit(self.write_run, run_id, tables, info)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        self._pending.append(future)

    def _raise_failed(self) -> None:
        still = []
        for future in self._pending:
            if future.done():
                future.result()  # raises the write's exception, if any
            else:
                still.append(future)
        self._pending = still

    def flush(self) -> None:
        """Wait until every submitted run is on disk (raising a failed write's error)."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def write_run(self, run_id: str, tables: dict[str, pd.DataFrame], info: dict) -> Path:
        """Write one run's tables and ``run.json`` to a temporary folder, then rename it to
        ``runs/<run_id>/`` in one step. An existing run folder is left as it is.

        Files are flushed to disk (fsync) before the rename unless ``SIMNET_FSYNC=0``:
        the rename alone already makes a killed process leave no partial run; the fsync
        also protects finished runs against a power cut."""
        final = self.runs / run_id
        if final.exists():
            return final
        started = time.perf_counter()
        sync = os.environ.get("SIMNET_FSYNC", "1") != "0"
        tmp = Path(tempfile.mkdtemp(prefix=f".{run_id}.", suffix=".tmp", dir=self.runs))
        try:
            for name, table in tables.items():
                path = tmp / f"{name}.parquet"
                table.to_parquet(path, index=False)
                if sync:
                    _fsync_file(path)
            info = {**info, "tables": sorted(tables),
                    "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            (tmp / "run.json").write_text(json.dumps(info, indent=1, default=str) + "\n")
            if sync:
                _fsync_file(tmp / "run.json")
                _fsync_dir(tmp)
            os.chmod(tmp, 0o755)
            os.rename(tmp, final)
            if sync:
                _fsync_dir(self.runs)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.write_seconds += time.perf_counter() - started
        return final

    def write_table(self, table: pd.DataFrame, name: str) -> Path:
        """Write a summary table as ``<name>.csv`` in the results folder, atomically."""
        path = self.root / f"{name}.csv"
        write_csv(table, path)
        return path


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _lock(root: Path) -> int:
    """An exclusive lock on ``root/.lock`` (released when the process ends, even if
    killed); ConfigError if another sweep holds it."""
    import fcntl

    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ConfigError(f"{root} is in use by another simnet run (wait for it to finish, "
                          f"or use --out to write elsewhere)") from None
    return fd


def finished_runs(root: Path) -> set[str]:
    """Run ids with a finished (renamed into place) run folder under ``root/runs``."""
    runs = Path(root) / RUNS
    if not runs.is_dir():
        return set()
    return {p.name for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".")}


# --------------------------------------------------------------------------- reading

@dataclass
class ResultSet:
    """The results of one experiment folder, as tidy DataFrames.

    Every table starts with the run columns ``run_id, arm, replication, seed`` and one
    column per varied parameter; rows are in the manifest's run order, so the same runs
    give equal tables however they were executed or resumed.

    - ``groups``: per step and group (``group_by`` "strategy" or "conduct_type",
      ``group``, ``n_agents``) the mean of every metric of ``simnet.metrics.GROUP_METRICS``
    - ``model``: network-level metrics per step (``simnet.model.MODEL_REPORTERS``)
    - ``agents``: one row per agent at the end of each run
    - ``opportunities``: every won opportunity and its provenance
    - ``ties``: the ties (u, v, strength) at the end (runs of at most 2000 agents)
    - ``news``: how far the traced bad interaction travelled, per step
    - ``runs``: one row per finished run (arm, point, replication, seed, parameters,
      n_agents, seconds)
    - ``manifest``: the manifest (dict); ``params``: the varied parameters; ``missing``:
      run ids planned but not finished
    """

    path: Path
    manifest: dict
    groups: pd.DataFrame
    model: pd.DataFrame
    agents: pd.DataFrame
    opportunities: pd.DataFrame
    ties: pd.DataFrame
    news: pd.DataFrame
    runs: pd.DataFrame
    params: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def arms(self) -> list[str]:
        return list(self.manifest.get("arms") or [])

    @property
    def baseline(self) -> str | None:
        return self.manifest.get("baseline")


def read_manifest(results_dir: Path) -> dict:
    """The manifest of a results folder; ConfigError (one line) if there is none."""
    path = Path(results_dir) / MANIFEST
    if not Path(results_dir).is_dir():
        raise ConfigError(f"{results_dir}: no such results folder")
    if not path.is_file():
        raise ConfigError(f"{results_dir}: not a simnet results folder ({MANIFEST} missing)")
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise ConfigError(f"{path}: unreadable manifest ({err})") from None


def load_results(results_dir: str | Path, tables: tuple[str, ...] | None = None) -> ResultSet:
    """Read an experiment's results folder (finished runs only) into a :class:`ResultSet`.

    ``tables`` limits which tables are read (the others are empty); default: all.
    """
    root = Path(results_dir)
    manifest = read_manifest(root)
    planned = [r["run_id"] for r in manifest.get("runs", [])]
    done = finished_runs(root)
    order = [r for r in planned if r in done]
    order += sorted(done - set(planned))  # runs the manifest does not know (should not be)
    params = list(manifest.get("varied", []))
    wanted = TABLES if tables is None else tables
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        if name not in wanted:
            frames[name] = pd.DataFrame()
            continue
        parts = [pd.read_parquet(root / RUNS / run / f"{name}.parquet") for run in order
                 if (root / RUNS / run / f"{name}.parquet").is_file()]
        frames[name] = _concat(parts)
    infos = []
    for run in order:
        path = root / RUNS / run / "run.json"
        info = json.loads(path.read_text()) if path.is_file() else {"run_id": run}
        flat = {k: v for k, v in info.items() if k not in ("params", "tables")}
        flat.update(info.get("params", {}))
        infos.append(flat)
    runs = pd.DataFrame(infos)
    return ResultSet(path=root, manifest=manifest, runs=runs, params=params,
                     missing=[r for r in planned if r not in done], **frames)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame()
    non_empty = [p for p in parts if len(p)]
    if not non_empty:
        return parts[0].iloc[0:0].reset_index(drop=True)
    return pd.concat(non_empty, ignore_index=True)
