"""The results store: the only module that writes files.

Every file is written atomically: to a temporary name in the same folder, flushed, then
renamed into place, so a reader never sees a half-written table and an interrupted run
leaves nothing that looks finished.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pandas as pd

PACKAGES = ("simnet", "mesa", "numpy", "numba", "scipy", "pandas", "pyarrow", "seaborn")


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
    """The git commit of the simnet source tree, if it is a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def write_run(out_dir: Path, tables: dict[str, pd.DataFrame], manifest: dict) -> None:
    """Write a run's tables (``name.parquet`` each) and then its manifest, all atomically;
    the manifest is written last, so its presence marks a finished run."""
    out_dir = Path(out_dir)
    for name, table in tables.items():
        write_parquet(table, out_dir / f"{name}.parquet")
    write_json(manifest, out_dir / "manifest.json")


def read_run(out_dir: Path) -> dict[str, pd.DataFrame]:
    """Read back the tables of a finished run folder (one with a manifest)."""
    out_dir = Path(out_dir)
    if not (out_dir / "manifest.json").exists():
        raise FileNotFoundError(f"{out_dir}: no finished run here (manifest.json missing)")
    return {p.stem: pd.read_parquet(p) for p in sorted(out_dir.glob("*.parquet"))}
