"""The results store: the only module that writes files.

Layout of one experiment's results folder (``results/<experiment>/`` by default)::

    manifest.json            the resolved experiment, root seed, every run's parameters and
                             seed, package versions, git commit (written before any run)
    tables/<table>/run_id=<run_id>/part-0.parquet
                             one Parquet file per table and finished run, hive-partitioned
                             by run id, so that any Parquet reader reads one table across
                             all runs: ``pandas.read_parquet("results/x/tables/groups")``
        groups               per step and group (strategy, conduct type)
        model                network-level metrics per step
        agents               per agent at the end
        opportunities, ties, news
    runs/run_id=<run_id>/run.json
                             the run's arm, replication, seed, parameters, size, time, the
                             experiment's fingerprint and the size and SHA-256 of every
                             file the run wrote (so damage is found on resume)
    summary_outcomes.csv     the end-of-run summary tables (rewritten after each sweep)
    summary_differences.csv
    figures/                 written by simnet.plots

The files of a table hold every column but ``run_id``, which the folder name carries (a
copy in the file would clash with the partition column in a dataset read); a table with
no rows in a run has no file for it. :func:`load_results` puts ``run_id`` back as the
first column.

Every file is written atomically. A run's tables go to hidden temporary folders (``.``
names, which Parquet readers skip) that are renamed to ``run_id=<run_id>`` once they are
all on disk; its ``run.json`` is renamed into place last and is what makes the run
finished. A sweep killed between those renames leaves table folders without a
``run.json``: the reader ignores them and the next sweep removes them.

A sweep that resumes verifies every finished run against the sizes and checksums in its
``run.json`` (:func:`audit_runs`): a run whose files are missing, damaged or changed is
reported and run again, a folder no planned run owns is reported and ignored, and a
missing manifest is rebuilt from the runs when they all belong to the experiment. No
entry inside the folder may be a symbolic link, so nothing is written (or removed)
outside it.

Folders written by simnet before format 3 (``runs/<run_id>/<table>.parquet``) are still
read, but not added to: a sweep refuses them with a message saying what to do.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simnet.config import ConfigError
from simnet.metric_registry import TABLES

PACKAGES = ("simnet", "mesa", "numpy", "numba", "scipy", "pandas", "pyarrow", "seaborn",
            "dask", "distributed", "SALib")
MANIFEST = "manifest.json"
RUNS = "runs"
TABLES_DIR = "tables"
PARTITION = "run_id="  # a hive partition: the folder name carries the run id
PART = "part-0.parquet"
LOCK = ".lock"
# 2: run.json records the size and SHA-256 of each file of the run;
# 3: tables/<table>/run_id=<run_id>/part-0.parquet and runs/run_id=<run_id>/run.json
FORMAT = 3
RUN_INFO = "run.json"
# run.json is small; anything bigger is not one of ours (and is not read into memory).
MAX_RUN_INFO_BYTES = 4 << 20
# The manifest lists every planned run with its parameters: about 2.2 kB a run for a
# 52-parameter screen, so 3,360 runs already take 7.5 MB.
MAX_MANIFEST_BYTES = 1 << 30
# Runs handed to the background writer and not yet on disk, at most.
MAX_PENDING_WRITES = 4
# Threads that flush a run's files to disk at once: fsyncs issued together share the file
# system's journal commits (ext4: 8 files in 1 to 5 ms, not 27 to 42 ms one by one, on
# the shared development machine).
SYNC_THREADS = 8
# What --restart removes (everything else in the folder is left alone); with OWNED_GLOBS,
# every file a previous experiment could have written here.
OWNED = (RUNS, TABLES_DIR, MANIFEST, "figures")
OWNED_GLOBS = ("summary_*.csv", ".*.tmp")


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


# --------------------------------------------------------------------------- Arrow tables

def arrow_table(frame: pd.DataFrame | pa.Table) -> pa.Table:
    """``frame`` as an Arrow table with the column types ``DataFrame.to_parquet`` writes
    (index dropped, NaN and None as nulls, strings as ``large_string``), except that a
    categorical column becomes plain strings, so that runs concatenate to identical types.
    An Arrow table is returned as it is.

    Column by column, without the pandas metadata that ``pa.Table.from_pandas`` builds
    (about a quarter of its time; pandas reads these files back the same without it);
    the numeric columns straight from pandas' blocks (:func:`_numeric_arrays`)."""
    if isinstance(frame, pa.Table):
        return frame
    arrays = _numeric_arrays(frame)
    for position, array in enumerate(arrays):
        if array is None:
            arrays[position] = _column_array(frame.iloc[:, position])
    return pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])


def _column_array(series: pd.Series) -> pa.Array:
    """One column of :func:`arrow_table`."""
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else ""
    if kind in ("b", "i", "u", "f"):
        # from the NumPy array: half the time of handing pyarrow the Series
        return pa.array(series.to_numpy(copy=False), from_pandas=kind == "f")
    array = pa.array(series, from_pandas=True)
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_string(array.type):
        array = array.cast(pa.large_string())
    return array


def _numeric_arrays(frame: pd.DataFrame) -> list[pa.Array | None]:
    """The Arrow arrays of ``frame``'s bool, integer and float NumPy columns, by position
    (None for its other columns), each made from its row of the 2-D array pandas keeps
    same-typed columns in, as :func:`_column_array` makes it from the column's array.
    Reading the blocks (``DataFrame._mgr``, pandas internals) skips making a Series per
    column (12 microseconds each, four times the conversion): most of the CPU time
    of turning a run's tables into Arrow, done while the next run waits for the
    interpreter lock. Where the blocks are not as expected, every column is left to
    the column-by-column path."""
    arrays: list[pa.Array | None] = [None] * frame.shape[1]
    try:
        blocks = frame._mgr.blocks
        found = [(block.values, block.mgr_locs.as_array) for block in blocks]
    except AttributeError:  # not a pandas with blocks
        return arrays
    for values, positions in found:
        if not (isinstance(values, np.ndarray) and values.ndim == 2
                and values.dtype.kind in "biuf" and values.shape == (len(positions), len(frame))):
            continue
        nan_is_null = values.dtype.kind == "f"
        for row, position in zip(values, positions, strict=True):
            arrays[position] = pa.array(row, from_pandas=nan_is_null)
    return arrays


def constant_column(value, n: int) -> pa.Array:
    """``value`` repeated ``n`` times: int64, float64, bool or large_string (the types a
    pandas column of it would be written with), all nulls for None or NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return pa.nulls(n, pa.float64() if value is not None else pa.null())
    if isinstance(value, str):
        scalar = pa.scalar(value, pa.large_string())
    elif isinstance(value, (bool, np.bool_)):
        scalar = pa.scalar(bool(value), pa.bool_())
    elif isinstance(value, (int, np.integer)):
        scalar = pa.scalar(int(value), pa.int64() if -2**63 <= value < 2**63 else pa.uint64())
    elif isinstance(value, (float, np.floating)):
        scalar = pa.scalar(float(value), pa.float64())
    else:
        scalar = pa.scalar(value)
    return pa.repeat(scalar, n)


def with_columns_in_front(table: pa.Table, columns: dict) -> pa.Table:
    """``table`` with one constant column per item of ``columns`` in front, in that
    order, replacing any of its own columns of those names. ``columns``: name -> a scalar
    (see :func:`constant_column`), or an Arrow array of the constant at least as long as
    the table (cut to it: several tables of a run share one)."""
    n = table.num_rows
    rest = [name for name in table.column_names if name not in columns]
    return pa.Table.from_arrays(
        [value.slice(0, n) if isinstance(value, pa.Array) else constant_column(value, n)
         for value in columns.values()]
        + [table.column(name) for name in rest], names=[*columns, *rest])


def parquet_bytes(table: pa.Table) -> pa.Buffer:
    """``table`` encoded as a Parquet file, in memory (Snappy, pyarrow's defaults)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue()


@dataclass(frozen=True)
class EncodedTable:
    """One table of a run as the store writes it: a Parquet file in memory, without the
    ``run_id`` column (the folder name carries it); no bytes when it has no rows (no file
    is written then). Made where the run was done (:meth:`simnet.runner.RunOutput.encode`),
    so that the process writing the files only writes them, or by the store's writer."""

    data: pa.Buffer | bytes
    rows: int

    @classmethod
    def of(cls, table: pd.DataFrame | pa.Table) -> EncodedTable:
        table = arrow_table(table)
        if table.num_rows == 0:
            return cls(b"", 0)
        if "run_id" in table.column_names:
            table = table.drop_columns(["run_id"])
        return cls(parquet_bytes(table), table.num_rows)

    def table(self) -> pa.Table:
        """The table decoded again (without ``run_id``; empty without columns if no rows)."""
        return pq.read_table(pa.BufferReader(self.data)) if self.rows else pa.table({})


def write_json(data: dict, path: Path) -> None:
    """Write a dict as indented JSON, atomically."""
    def dump(tmp: Path) -> None:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    atomic_write(path, dump)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame as CSV, atomically."""
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


# --------------------------------------------------------------------------- layout

def run_folder(root: Path, run_id: str) -> Path:
    """The folder of a run's ``run.json``: ``root/runs/run_id=<run_id>``."""
    return Path(root) / RUNS / f"{PARTITION}{run_id}"


def table_file(root: Path, table: str, run_id: str) -> Path:
    """The Parquet file of one table of one run:
    ``root/tables/<table>/run_id=<run_id>/part-0.parquet``."""
    return Path(root) / TABLES_DIR / table / f"{PARTITION}{run_id}" / PART


def _run_id_of(name: str) -> str:
    """The run id of a folder in ``runs/`` (a folder of the older layout is named by it)."""
    return name[len(PARTITION):] if name.startswith(PARTITION) else name


def _is_legacy(folder: Path) -> bool:
    """Whether a run folder is of the layout before format 3 (``runs/<run_id>/``, holding
    the run's tables as ``<table>.parquet``)."""
    return not Path(folder).name.startswith(PARTITION)


def _table_path(folder: Path, run_id: str, table: str) -> Path:
    """Where the run of ``folder`` keeps ``table``, in its layout."""
    folder = Path(folder)
    if _is_legacy(folder):
        return folder / f"{table}.parquet"
    return table_file(folder.parent.parent, table, run_id)


def _legacy_runs(root: Path) -> list[str]:
    """The run folders of the older layout in ``root/runs`` (sorted names)."""
    runs = Path(root) / RUNS
    if not runs.is_dir() or runs.is_symlink():
        return []
    return sorted(p.name for p in runs.iterdir()
                  if not p.name.startswith(".") and _is_legacy(p) and not p.is_symlink()
                  and p.is_dir() and (p / RUN_INFO).is_file())


# --------------------------------------------------------------------------- provenance

def package_versions() -> dict[str, str | None]:
    """Installed versions of simnet and its main dependencies, plus Python's (a new dict
    each call). Looked up once per process (reading the packages' metadata takes about
    12 ms, a third of a quick run): the modules a process has imported keep their
    version while it runs."""
    return dict(_package_versions())


@functools.cache
def _package_versions() -> tuple[tuple[str, str | None], ...]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return tuple(versions.items())


def git_commit(here: Path | None = None) -> str | None:
    """The git commit of the simnet source tree (with "+dirty" if it has uncommitted
    changes), if it is a git checkout. ``here``: the source folder (default: simnet's).

    Git is asked (two commands, 8 to 12 ms) only when the answer may have changed since
    the last call: when a file under ``here``, or git's HEAD, index or HEAD log for it,
    changed size or time (0.4 ms to check). So an edit made between two sweeps of one
    process (a notebook that reloads modules) is still recorded."""
    here = Path(here) if here is not None else Path(__file__).resolve().parent
    git_dir = _git_dir(here)
    if git_dir is None:
        return None
    state = _source_state(here, Path(git_dir))
    known = _COMMITS.get(here)
    if known is not None and known[0] == state:
        return known[1]
    commit = _ask_git_commit(here)
    # not kept while a file is newer than the clock's grain: a second change within
    # it could leave the same size and time (git itself re-checks such "racy" files)
    if max(entry[3] for entry in state) < time.time_ns() - RACY_NS:
        _COMMITS[here] = (state, commit)
    return commit


# source folder -> (the state of its files when git was asked, git's answer)
_COMMITS: dict[Path, tuple[tuple, str | None]] = {}
# git_commit asks git again while a file changed less than this long ago (nanoseconds)
RACY_NS = 2_000_000_000


@functools.cache
def _git_dir(here: Path) -> str | None:
    """The git folder of the checkout holding ``here`` (None if there is none)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--absolute-git-dir"], cwd=here,
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def _source_state(here: Path, git_dir: Path) -> tuple:
    """Size and modification time of every file under ``here`` (``__pycache__`` aside)
    and of git's HEAD, index and HEAD log: what an edit, a commit, a checkout, a reset or
    an add changes."""
    state = []
    for folder, subfolders, files in os.walk(here):
        subfolders[:] = sorted(f for f in subfolders if f != "__pycache__")
        for name in sorted(files):
            state.append((folder, name, *_size_and_time(os.path.join(folder, name))))
    for name in ("HEAD", "index", os.path.join("logs", "HEAD")):
        state.append(("git", name, *_size_and_time(git_dir / name)))
    return tuple(state)


def _size_and_time(path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def _ask_git_commit(here: Path) -> str | None:
    """``git rev-parse HEAD``, with "+dirty" if ``git status`` lists changed tracked files
    under ``here``."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=False)
        if out.returncode != 0 or not out.stdout.strip():
            return None
        commit = out.stdout.strip()
        # --no-optional-locks: git status would otherwise rewrite the index it
        # refreshes, which _source_state would take for a change
        status = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain",
                                 "--untracked-files=no", "--", "."], cwd=here,
                                capture_output=True, text=True, timeout=5, check=False)
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
        self._syncer = None  # threads flushing a run's files (see _fsync_all)
        self._pending: list = []
        self._slots = threading.BoundedSemaphore(MAX_PENDING_WRITES)
        self.write_seconds = 0.0  # summed time spent writing runs
        self._made: set[Path] = set()  # table folders known to exist

    # ---------------------------------------------------------------- opening
    @staticmethod
    def check(root: Path, manifest: dict | str, restart: bool = False) -> list[str]:
        """Raise ConfigError if ``root`` cannot take this experiment's results: it holds
        results of a different experiment (and ``restart`` is not set), something on its
        path is not a folder, or an entry inside it is a symbolic link. Returns notes for
        the user (a manifest that will be rebuilt). Writes nothing.

        ``manifest``: the new manifest (or only its fingerprint); with the manifest, the
        refusal says what differs (seed, steps, an input file's contents, the file)."""
        root = Path(root)
        new = manifest if isinstance(manifest, dict) else {"fingerprint": manifest}
        check_out_path(root)
        if not root.is_dir():
            return []
        refuse_links(root)
        if restart:
            return []
        legacy = _legacy_runs(root)
        if legacy:
            raise ConfigError(
                f"{root} holds results in the layout of an older simnet ({RUNS}/{legacy[0]}/"
                f"<table>.parquet); simnet still reads them (load_results, simnet plot) but "
                f"does not add runs to them: use --restart to run the experiment again in "
                f"the current layout, or --out to write elsewhere")
        path = root / MANIFEST
        if not path.is_file():
            return _check_without_manifest(root, new, "missing")
        try:
            old = _manifest_json(path)
        except (OSError, ValueError):
            return _check_without_manifest(root, new, "unreadable")
        if old.get("fingerprint") != new.get("fingerprint"):
            raise ConfigError(f"{root} holds results of {_difference(old, new)}; use "
                              f"--restart to start over, or --out to write elsewhere")
        return []

    @classmethod
    def open(cls, root: Path, manifest: dict, restart: bool = False,
             remove: tuple[str, ...] = ()) -> ResultsStore:
        """Check, lock and prepare ``root``; write ``manifest`` (keeping the original
        creation time when resuming). ``remove``: run ids whose folders are damaged, to
        be deleted (under the lock) so that they are run again. Returns the store."""
        root = Path(root)
        cls.check(root, manifest, restart)
        root.mkdir(parents=True, exist_ok=True)
        lock_fd = _lock(root)
        store = cls(root, lock_fd)
        try:
            refuse_links(root)  # again, now that the folder is ours
            if restart:
                store._clear()
            old = store.read_manifest() if (root / MANIFEST).is_file() else None
            if old is not None:
                manifest = {**manifest, "created": old.get("created", manifest.get("created")),
                            "sessions": [*old.get("sessions", []),
                                         *manifest.get("sessions", [])]}
            store.runs.mkdir(exist_ok=True)
            store._remove_temporary()
            for run_id in remove:
                store._remove_run(run_id)
            write_json(manifest, root / MANIFEST)
        except BaseException:
            store.close()
            raise
        return store

    def _table_folders(self) -> list[Path]:
        """The folders ``tables/<table>/`` (real folders only)."""
        tables = self.root / TABLES_DIR
        if not tables.is_dir() or tables.is_symlink():
            return []
        return [p for p in sorted(tables.iterdir()) if p.is_dir() and not p.is_symlink()]

    def _remove_temporary(self) -> None:
        """Remove what an interrupted sweep or plot left: hidden ``*.tmp`` files and
        folders in the results folder, ``runs/``, ``tables/<table>/`` and ``figures/``,
        and the table folders of runs killed before their ``run.json`` was in place
        (which a Parquet reader of ``tables/<table>`` would otherwise read)."""
        tables = self._table_folders()
        for folder in (self.root, self.runs, self.root / "figures", *tables):
            if folder.is_dir() and not folder.is_symlink():
                for stale in folder.glob(".*.tmp"):
                    _remove_entry(stale)
        for folder in tables:
            for part in folder.glob(f"{PARTITION}*"):
                if not (self.runs / part.name / RUN_INFO).is_file():
                    _remove_entry(part)

    def _remove_run(self, run_id: str) -> None:
        """Remove a run's ``run.json`` folder and its table folders (a damaged run)."""
        _remove_entry(run_folder(self.root, run_id))
        for folder in self._table_folders():
            _remove_entry(folder / f"{PARTITION}{run_id}")

    def _clear(self) -> None:
        """Remove everything a previous experiment wrote here (--restart)."""
        for name in OWNED:
            _remove_entry(self.root / name)
        for pattern in OWNED_GLOBS:
            for path in self.root.glob(pattern):
                _remove_entry(path)

    def close(self) -> None:
        """Wait for the runs being written, then release the folder (also when a write
        failed: its error is raised after)."""
        try:
            if self._writer is not None:
                try:
                    self.flush()
                finally:
                    self._writer.shutdown(wait=True)
                    self._writer = None
        finally:
            if self._syncer is not None:
                self._syncer.shutdown(wait=True)
                self._syncer = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- reading state
    def read_manifest(self) -> dict | None:
        """The folder's manifest, or None if it has none (or an unreadable one)."""
        path = self.root / MANIFEST
        if not path.is_file():
            return None
        try:
            return _manifest_json(path)
        except (OSError, ValueError):
            return None

    def update_manifest(self, **fields) -> None:
        """Add ``fields`` to the manifest. ConfigError, and the file left as it is, when a
        manifest is there but cannot be read: never replace it with the fields alone."""
        path = self.root / MANIFEST
        manifest = self.read_manifest()
        if manifest is None:
            if path.exists() or path.is_symlink():
                raise ConfigError(f"{path}: unreadable manifest, left as it is (not updated "
                                  f"with {', '.join(sorted(fields))})")
            manifest = {}
        manifest.update(fields)
        write_json(manifest, path)

    def finished(self) -> set[str]:
        """The run ids with a finished run folder."""
        return finished_runs(self.root)

    # ---------------------------------------------------------------- writing
    def submit_run(self, run_id: str, tables: dict | Callable[[], dict], info: dict) -> None:
        """Hand a run to the background writer (:meth:`write_run` in a thread, so that
        writing overlaps the next run); at most ``MAX_PENDING_WRITES`` wait. A failed
        write is raised here or by :meth:`flush`. ``tables``: as for :meth:`write_run`, or
        a function returning them, called in the writer thread (so that converting and
        encoding them overlaps the next run too)."""
        from concurrent.futures import ThreadPoolExecutor

        self._raise_failed()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="simnet-write")
        self._slots.acquire()
        try:
            future = self._writer.submit(self._write_later, run_id, tables, info)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        self._pending.append(future)

    def _write_later(self, run_id: str, tables: dict | Callable[[], dict],
                     info: dict) -> Path:
        started = time.perf_counter()
        if callable(tables):
            tables = tables()
        self.write_seconds += time.perf_counter() - started
        return self.write_run(run_id, tables, info)

    def _fsync_all(self, paths: list[Path]) -> None:
        """Flush ``paths`` to disk, all at once (see ``SYNC_THREADS``); returns when all
        are flushed, raising the first error."""
        from concurrent.futures import ThreadPoolExecutor

        if self._syncer is None:
            self._syncer = ThreadPoolExecutor(max_workers=SYNC_THREADS,
                                              thread_name_prefix="simnet-fsync")
        for future in [self._syncer.submit(_fsync_path, path) for path in paths]:
            future.result()

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

    def write_run(self, run_id: str,
                  tables: dict[str, pd.DataFrame | pa.Table | EncodedTable],
                  info: dict) -> Path:
        """Write one run: each table with rows to ``tables/<table>/run_id=<run_id>/
        part-0.parquet`` (without its ``run_id`` column, which the folder name carries),
        then ``runs/run_id=<run_id>/run.json``, which makes the run finished. Returns the
        run's folder in ``runs/``; an existing one is left as it is. ``tables``: name ->
        an :class:`EncodedTable` (written as it is), an Arrow table or a DataFrame.

        Each table is encoded in memory (its size and SHA-256 taken from those bytes) and
        written in a hidden temporary folder that is renamed into place; on an error every
        folder this call made is removed again. Unless ``SIMNET_FSYNC=0``, every file is
        flushed to disk (fsync; all of the run's files at once, in ``SYNC_THREADS``
        threads) before any is renamed into place, and ``runs/`` once after ``run.json``
        is: the renames alone already make a killed process leave no finished-looking
        partial run; the fsyncs also protect finished runs against a power cut. One
        directory fsync per run, not one per table folder: on ext4 and XFS (one journal,
        committed in order) it also commits the table folders' renames made before it;
        where it does not, a power cut can leave a finished run without a table file,
        which :func:`verify_run` finds, so the run is done again."""
        final = run_folder(self.root, run_id)
        if final.exists():
            return final
        started = time.perf_counter()
        sync = os.environ.get("SIMNET_FSYNC", "1") != "0"
        staged: list[tuple[Path, Path]] = []  # (temporary folder, table folder)
        written: list[Path] = []
        published: list[Path] = []
        record = None
        try:
            files, empty = {}, []
            for name, table in tables.items():
                encoded = table if isinstance(table, EncodedTable) else EncodedTable.of(table)
                if encoded.rows == 0:
                    # no file: the all-null columns of a zero-row file would clash with
                    # the other runs' column types when the table is read as a dataset
                    empty.append(name)
                    continue
                data = encoded.data
                dest = table_file(self.root, name, run_id).parent
                if dest.parent not in self._made:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    self._made.add(dest.parent)
                tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp",
                                            dir=dest.parent))
                staged.append((tmp, dest))
                _write_file(tmp / PART, data)
                written.append(tmp / PART)
                files[(dest / PART).relative_to(self.root).as_posix()] = \
                    {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            info = {**info, "run_id": run_id, "tables": sorted(tables),
                    "empty": sorted(empty),
                    "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": files}
            self.runs.mkdir(exist_ok=True)
            record = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp",
                                           dir=self.runs))
            _write_file(record / RUN_INFO, _sealed_json(info).encode())
            if sync:
                self._fsync_all([*written, record / RUN_INFO])
            for tmp, dest in staged:
                if dest.exists() or dest.is_symlink():
                    # left by an attempt killed before its run.json: never a finished run
                    _remove_entry(dest)
                os.chmod(tmp, 0o755)
                os.rename(tmp, dest)
                published.append(dest)
            os.chmod(record, 0o755)
            os.rename(record, final)  # the run is finished from here on
        except BaseException:
            for path in [*(tmp for tmp, _ in staged), *published, record]:
                if path is not None:
                    with contextlib.suppress(OSError):
                        _remove_entry(path)
            raise
        if sync:
            _fsync_dir(self.runs)
        self.write_seconds += time.perf_counter() - started
        return final

    def write_table(self, table: pd.DataFrame, name: str) -> Path:
        """Write a summary table as ``<name>.csv`` in the results folder, atomically."""
        path = self.root / f"{name}.csv"
        write_csv(table, path)
        return path


def _write_file(path: Path, data) -> None:
    """Write ``data`` (bytes or a buffer) to a new file."""
    with open(path, "wb") as fh:
        fh.write(data)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _lock(root: Path) -> int:
    """An exclusive lock on ``root/.lock`` (released when the returned descriptor is closed
    or the process ends, even if killed); ConfigError if another sweep holds it.

    portalocker takes the lock the platform's way (``flock`` on Linux and macOS,
    ``LockFileEx`` on Windows); fcntl alone does not exist on Windows."""
    import portalocker

    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    # a file object over the descriptor that does not own it: closing fd releases the lock
    handle = open(fd, "rb", buffering=0, closefd=False)
    try:
        portalocker.lock(handle, portalocker.LockFlags.EXCLUSIVE
                         | portalocker.LockFlags.NON_BLOCKING)
    except portalocker.AlreadyLocked:
        os.close(fd)
        raise ConfigError(f"{root} is in use by another simnet run (wait for it to finish, "
                          f"or use --out to write elsewhere)") from None
    except BaseException:
        os.close(fd)
        raise
    finally:
        handle.close()
    return fd


def finished_runs(root: Path) -> set[str]:
    """Run ids with a finished run folder (renamed into place, holding its ``run.json``)
    under ``root/runs``. Cheap: the files are not verified (see :func:`audit_runs`)."""
    runs = Path(root) / RUNS
    if not runs.is_dir() or runs.is_symlink():
        return set()
    return {_run_id_of(p.name) for p in runs.iterdir()
            if not p.name.startswith(".") and not p.is_symlink() and p.is_dir()
            and (p / RUN_INFO).is_file()}


# --------------------------------------------------------------------------- verifying

def file_digest(path: Path) -> str:
    """The SHA-256 of a file's contents (hex), read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _seal(info: dict) -> str:
    body = {k: v for k, v in info.items() if k != "seal"}
    text = json.dumps(body, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _sealed_json(info: dict) -> str:
    """``info`` as JSON with a ``seal``: the SHA-256 of the rest, so that an edited
    ``run.json`` is found too."""
    info = json.loads(json.dumps(info, default=str))  # what reading it back will give
    return json.dumps({**info, "seal": _seal(info)}, indent=1) + "\n"


def _manifest_json(path: Path) -> dict:
    """A manifest file's JSON object (up to ``MAX_MANIFEST_BYTES``); OSError or ValueError
    if it cannot be read or is not a JSON object. Every reader of a manifest uses this."""
    data = json.loads(_read_small(path, MAX_MANIFEST_BYTES))
    if not isinstance(data, dict):
        raise ValueError("not a simnet manifest")
    return data


def _read_small(path: Path, limit: int = MAX_RUN_INFO_BYTES) -> str:
    """A small regular file's text; ValueError if it is not one (never blocks on a FIFO,
    never reads a huge file into memory)."""
    import stat

    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError("not a regular file")
    if st.st_size > limit:
        raise ValueError(f"{st.st_size} bytes, more than {limit}")
    with open(path, "rb") as fh:
        return fh.read(limit + 1).decode("utf-8")


def read_run_info(folder: Path) -> dict:
    """The ``run.json`` of a run folder; ValueError naming the problem."""
    path = Path(folder) / RUN_INFO
    if not path.exists() and not path.is_symlink():
        raise ValueError(f"{RUN_INFO} is missing")
    try:
        info = json.loads(_read_small(path))
    except (OSError, ValueError) as err:
        raise ValueError(f"{RUN_INFO} is unreadable ({str(err).splitlines()[0]})") from None
    if not isinstance(info, dict):
        raise ValueError(f"{RUN_INFO} is not a JSON object")
    return info


def verify_run(folder: Path, run_id: str, fingerprint: str | None = None,
               checksums: bool = True) -> str | None:
    """What is wrong with a finished run folder, in a few words, or None if it is sound.

    Sound means: a real folder (not a link) with a ``run.json`` for this run id (not
    edited since it was written), every file the run wrote present with its recorded size
    and (``checksums``) SHA-256, and, given ``fingerprint``, made by that experiment. A
    run written before checksums were recorded is checked by reading its Parquet footers.
    ``folder``: ``runs/run_id=<run_id>`` (or ``runs/<run_id>`` of the older layout, whose
    files are in the folder itself).
    """
    folder = Path(folder)
    if folder.is_symlink():
        return "it is a symbolic link"
    if not folder.is_dir():
        return "it is not a folder"
    try:
        info = read_run_info(folder)
    except ValueError as err:
        return str(err)
    if info.get("run_id", run_id) != run_id:
        return f"its {RUN_INFO} belongs to run {info.get('run_id')!r}"
    if "seal" in info and info["seal"] != _seal(info):
        return f"its {RUN_INFO} was changed after the run"
    if fingerprint is not None and info.get("fingerprint", fingerprint) != fingerprint:
        return "it was made by a different experiment"
    files = info.get("files")
    if not isinstance(files, dict):
        return _verify_legacy(folder, run_id, info)
    base = folder if _is_legacy(folder) else folder.parent.parent
    if not _is_legacy(folder):
        # the records name files of this run only (a run.json of this format is sealed)
        tables, empty = info.get("tables"), info.get("empty", [])
        if not isinstance(tables, list) or not isinstance(empty, list) or set(files) != {
                table_file(Path(), str(t), run_id).as_posix() for t in tables
                if t not in empty}:
            return f"its {RUN_INFO} is damaged"
    for name, record in files.items():
        path = base / str(name)
        if path.is_symlink() or not path.is_file():
            return f"{name} is missing"
        if not isinstance(record, dict):
            return f"its {RUN_INFO} is damaged"
        if path.stat().st_size != record.get("size"):
            return f"{name} is damaged (size changed)"
        if checksums and file_digest(path) != record.get("sha256"):
            return f"{name} is damaged (checksum differs)"
    return None


def _verify_legacy(folder: Path, run_id: str, info: dict) -> str | None:
    """A run of a format without checksums: every table readable as Parquet."""
    import pyarrow.parquet as pq

    tables, empty = info.get("tables"), info.get("empty", [])
    if not isinstance(tables, list) or not isinstance(empty, list):
        return f"its {RUN_INFO} lists no tables"
    base = folder if _is_legacy(folder) else folder.parent.parent
    for name in tables:
        if name in empty:
            continue
        path = _table_path(folder, run_id, str(name))
        shown = path.relative_to(base).as_posix()
        if path.is_symlink() or not path.is_file():
            return f"{shown} is missing"
        try:
            pq.ParquetFile(path).metadata  # noqa: B018 - reads and checks the footer
        except Exception:
            return f"{shown} is damaged (not a Parquet file)"
    return None


@dataclass
class Audit:
    """What :func:`audit_runs` found in ``runs/``: sound finished runs, damaged ones
    (run id -> what is wrong) and folders that no planned run owns."""

    sound: set[str] = field(default_factory=set)
    damaged: dict[str, str] = field(default_factory=dict)
    orphans: list[str] = field(default_factory=list)
    folders: dict[str, Path] = field(default_factory=dict)  # run id -> its folder

    def notes(self, root: Path) -> list[str]:
        """One line per problem (at most a few, then a count), for the user."""
        lines = [f"{self.folders.get(run_id, run_folder(root, run_id))}: {why}; it is run "
                 f"again" for run_id, why in sorted(self.damaged.items())]
        if len(lines) > 5:
            lines = [*lines[:4], f"... and {len(lines) - 4} more damaged runs, run again"]
        if self.orphans:
            shown = ", ".join(self.orphans[:5]) + (" ..." if len(self.orphans) > 5 else "")
            lines.append(f"{root}/runs holds {len(self.orphans)} folder(s) that are not "
                         f"runs of this experiment ({shown}); they are ignored")
        return lines


def audit_runs(root: Path, planned: list[str] | set[str], fingerprint: str | None = None,
               checksums: bool = True) -> Audit:
    """Verify every entry of ``root/runs`` (see :func:`verify_run`). Reads only."""
    runs = Path(root) / RUNS
    audit = Audit()
    if not runs.is_dir() or runs.is_symlink():
        return audit
    planned = set(planned)
    for entry in sorted(runs.iterdir()):
        name = entry.name
        if name.startswith("."):
            continue
        run_id = _run_id_of(name)
        if run_id not in planned:
            audit.orphans.append(name)
            continue
        audit.folders[run_id] = entry
        why = verify_run(entry, run_id, fingerprint, checksums)
        if why is None:
            audit.sound.add(run_id)
        else:
            audit.damaged[run_id] = why
    return audit


def _remove_entry(path: Path) -> None:
    """Remove a file, link or folder tree (a link itself, never what it points to)."""
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path)


def check_out_path(root: Path) -> None:
    """ConfigError if ``root`` or one of its parents exists but is not a folder."""
    root = Path(root)
    for path in (root, *root.parents):
        if path.exists() and not path.is_dir():
            what = "the results folder" if path == root else "a parent of the results folder"
            raise ConfigError(f"{path} ({what}) exists and is not a folder; use --out to "
                              f"choose a folder")
        if path.is_dir():
            return


def refuse_links(root: Path) -> None:
    """ConfigError if an entry of the results folder that simnet writes is a symbolic
    link: writing (or --restart removing) through it would touch files outside."""
    root = Path(root)
    tables = root / TABLES_DIR
    inside = [p for p in tables.iterdir()] if tables.is_dir() and not tables.is_symlink() \
        else []
    for path in (*(root / name for name in (*OWNED, LOCK)), *inside):
        if path.is_symlink():
            raise ConfigError(f"{path} is a symbolic link; simnet does not write "
                              f"through links (remove it, or use --out for another folder)")
    for pattern in OWNED_GLOBS:
        for path in root.glob(pattern):
            if path.is_symlink():
                raise ConfigError(f"{path} is a symbolic link; simnet does not write "
                                  f"through links (remove it, or use --out for another "
                                  f"folder)")


def _check_without_manifest(root: Path, new: dict, state: str) -> list[str]:
    """A folder with runs but no readable manifest (``state``: "missing" or "unreadable"):
    fine (the manifest is rebuilt) if every run in it was made by this experiment; else
    ConfigError."""
    runs = root / RUNS
    names = [p.name for p in runs.iterdir() if not p.name.startswith(".")] \
        if runs.is_dir() else []
    if not names:
        return [f"{root}/{MANIFEST} was {state}; it is written anew"] \
            if state == "unreadable" else []
    fingerprint = new.get("fingerprint")
    foreign = []
    for name in names:
        try:
            info = read_run_info(runs / name)
        except ValueError:
            continue  # damaged: found and run again by the audit
        if info.get("fingerprint") != fingerprint:
            foreign.append(_run_id_of(name))
    if foreign:
        raise ConfigError(f"{root}/{MANIFEST} is {state}, and run {foreign[0]} there was "
                          f"not made by this experiment; use --restart to start over or "
                          f"--out to choose another folder")
    return [f"{root}/{MANIFEST} was {state}; it is rebuilt from the {len(names)} run "
            f"folder(s) there, which belong to this experiment"]


def _difference(old: dict, new: dict) -> str:
    """What makes two manifests' experiments differ, as the end of a sentence."""
    what = old.get("experiment_name") or "another experiment"
    for key, option in (("root_seed", "--seed"), ("steps", "--steps")):
        if key in old and key in new and old[key] != new[key]:
            label = "seed" if key == "root_seed" else "steps"
            return (f"{what} with {label} {old[key]}, not {new[key]} (check {option} or the "
                    f"experiment file)")
    if old.get("quick") is not None and new.get("quick") is not None \
            and old.get("quick") != new.get("quick"):
        return f"{what} at {'the quick' if old['quick'] else 'the full'} size"
    old_inputs, new_inputs = old.get("inputs") or {}, new.get("inputs") or {}
    if "inputs" not in old and new_inputs \
            and old.get("fingerprint") == new.get("experiment_fingerprint"):
        return (f"{what} made by an older simnet that did not record the contents of its "
                f"input files, so they cannot be checked")
    if old.get("experiment_fingerprint") is not None \
            and old.get("experiment_fingerprint") == new.get("experiment_fingerprint"):
        changed = sorted(p for p in set(old_inputs) | set(new_inputs)
                         if old_inputs.get(p) != new_inputs.get(p))
        if changed:
            return f"{what} made from other contents of the input file {changed[0]}"
    return f"a different version of {what} (the experiment file changed)"


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
    - ``tie_exposure``: per run, opportunities per seeker tie-step by tie strength and by
      mutual connections, and the job leads told over such ties (simnet.leads)
    - ``runs``: one row per finished run (arm, point, replication, seed, parameters,
      n_agents, seconds)
    - ``manifest``: the manifest (dict); ``params``: the varied parameters; ``missing``:
      run ids planned but not finished (or damaged); ``damaged``: run id -> what is wrong;
      ``orphans``: folders in ``runs/`` that are not planned runs (not read)
    """

    path: Path
    manifest: dict
    groups: pd.DataFrame
    model: pd.DataFrame
    agents: pd.DataFrame
    opportunities: pd.DataFrame
    ties: pd.DataFrame
    news: pd.DataFrame
    tie_exposure: pd.DataFrame
    runs: pd.DataFrame
    params: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    damaged: dict[str, str] = field(default_factory=dict)
    orphans: list[str] = field(default_factory=list)

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
        data = _manifest_json(path)
    except (OSError, ValueError) as err:
        raise ConfigError(f"{path}: unreadable manifest ({str(err).splitlines()[0]})"
                          ) from None
    if not isinstance(data.get("runs", []), list):
        raise ConfigError(f"{path}: unreadable manifest (not a simnet manifest)")
    return data


def load_results(results_dir: str | Path, tables: tuple[str, ...] | None = None,
                 checksums: bool = True, strict: bool = True) -> ResultSet:
    """Read an experiment's results folder (finished runs only) into a :class:`ResultSet`.

    ``tables`` limits which tables are read (the others are empty); default: all. Only
    the runs the manifest plans are read, each verified first (:func:`verify_run`, with
    ``checksums``), so a table never silently lacks part of a run or holds an edited
    value: a damaged run raises ConfigError naming it (``strict``), or counts as missing
    and is listed in ``damaged``. ConfigError names a file that cannot be read. Reads
    the current layout and the one before format 3 (``runs/<run_id>/<table>.parquet``).

    Without simnet, one table across all runs (unverified, in folder order, ``run_id``
    last and categorical): ``pandas.read_parquet(results_dir / "tables" / "groups")``.
    """
    root = Path(results_dir)
    manifest = read_manifest(root)
    planned = [r.get("run_id") for r in manifest.get("runs", []) if isinstance(r, dict)]
    audit = audit_runs(root, planned, manifest.get("fingerprint"), checksums)
    if strict and audit.damaged:
        run, why = next(iter(sorted(audit.damaged.items())))
        more = f" (and {len(audit.damaged) - 1} more)" if len(audit.damaged) > 1 else ""
        raise ConfigError(f"{root}: not a readable simnet results folder: run {run}"
                          f"{more}: {why}; run the experiment again to redo it")
    order = [r for r in planned if r in audit.sound]
    params = list(manifest.get("varied", []))
    wanted = TABLES if tables is None else tables
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        if name not in wanted:
            frames[name] = pd.DataFrame()
            continue
        parts = []
        for run in order:
            folder = audit.folders[run]
            path = _table_path(folder, run, name)
            if path.is_file():
                parts.append(_read_parquet(path) if _is_legacy(folder)
                             else _with_run_id(_read_parquet(path), run))
        frames[name] = _concat(parts)
    infos = []
    for run in order:
        info = read_run_info(audit.folders[run])
        flat = {k: v for k, v in info.items() if k not in ("params", "tables", "empty",
                                                          "files", "seal")}
        flat.update(info.get("params", {}))
        infos.append(flat)
    runs = pd.DataFrame(infos)
    return ResultSet(path=root, manifest=manifest, runs=runs, params=params,
                     missing=[r for r in planned if r not in audit.sound],
                     damaged=dict(audit.damaged), orphans=list(audit.orphans), **frames)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as err:  # a damaged file the size check did not catch
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ConfigError(f"{path}: unreadable ({first}); run the experiment again to "
                          f"redo this run") from None


def _with_run_id(table: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """``table`` with its run's id as the first column (as the run wrote it)."""
    table.insert(0, "run_id", pd.Series([run_id] * len(table), dtype="str",
                                        index=table.index))
    return table


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame()
    non_empty = [p for p in parts if len(p)]
    if not non_empty:
        return parts[0].iloc[0:0].reset_index(drop=True)
    return pd.concat(non_empty, ignore_index=True)
