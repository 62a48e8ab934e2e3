"""Reading experiment files: :func:`read_experiment_file` refuses anything that is not a
small UTF-8 TOML file of sane depth, with a one-line message; :func:`load_experiment`
reads and validates one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from simnet._files import FileRefused, read_regular_file
from simnet.experiment.checks import (
    _err,
)
from simnet.experiment.config import (
    ExperimentConfig,
    experiment_from_dict,
)
from simnet.experiment.schema import (
    MAX_FILE_BYTES,
    MAX_NESTING,
)


def read_experiment_file(path: str | Path) -> dict:
    """Parse an experiment TOML file, refusing (ConfigError naming the file) anything that
    is not a small UTF-8 text file of sane depth: folders, devices, FIFOs and sockets
    (never opened, so never blocked on), files over ``MAX_FILE_BYTES``, binary or non-UTF-8
    contents and nesting deeper than ``MAX_NESTING``."""
    import tomllib

    path = Path(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except FileRefused as why:
        expected = "expected an experiment .toml file"
        raise _err({
            "missing": f"{path}: no such file",
            "unreadable": f"{path}: cannot read: {why.detail}",
            "folder": f"{path}: is a folder; {expected}",
            "special": f"{path}: not a regular file (a device, FIFO or socket); {expected}",
            "too big": f"{path}: {why.size} bytes, too big for an experiment file (at most "
                       f"{MAX_FILE_BYTES})" if why.size is not None else
                       f"{path}: too big for an experiment file (at most {MAX_FILE_BYTES} "
                       f"bytes)",
        }[why.reason]) from None
    if b"\x00" in data:
        raise _err(f"{path}: a binary file, not an experiment TOML file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise _err(f"{path}: line {line}: not UTF-8 text; expected an experiment TOML file"
                   ) from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _err(f"{path}: malformed TOML: {err}") from None
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise _err(f"{path}: nested too deeply (at most {MAX_NESTING} levels)") from None
    if _nesting(parsed) > MAX_NESTING:
        raise _err(f"{path}: nested too deeply (at most {MAX_NESTING} levels)")
    return parsed

def _nesting(value: Any) -> int:
    """Nesting depth of parsed TOML, up to just past ``MAX_NESTING`` (iterative, so deep
    dotted keys cannot overflow the stack here or in later recursive code)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            return depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest

def load_experiment(path: str | Path, quick: bool = False) -> ExperimentConfig:
    """Read, validate and resolve an experiment TOML file (at its quick size if asked)."""
    path = Path(path)
    exp = experiment_from_dict(read_experiment_file(path), default_name=path.stem,
                               base_dir=str(path.resolve().parent))
    exp = replace(exp, source=str(path))
    return exp.with_quick() if quick else exp
