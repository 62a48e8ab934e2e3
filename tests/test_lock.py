"""The results folder's lock (simnet.results._lock): exclusive across processes, released
when the holder closes it or dies, portable (portalocker, not fcntl)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from simnet.config import ConfigError
from simnet.results import LOCK, _lock

HOLD = """
import sys, time
from pathlib import Path
from simnet.results import _lock
_lock(Path(sys.argv[1]))
print("locked", flush=True)
time.sleep(60)
"""


def test_lock_is_exclusive_and_released_on_close(tmp_path):
    fd = _lock(tmp_path)
    with pytest.raises(ConfigError, match="in use by another simnet run"):
        _lock(tmp_path)
    os.close(fd)
    os.close(_lock(tmp_path))
    assert (tmp_path / LOCK).is_file()


def test_lock_held_by_another_process_is_released_when_it_is_killed(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ConfigError, match="in use by another simnet run"):
            _lock(tmp_path)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    deadline = time.monotonic() + 10
    while True:  # the OS releases a dead process's lock at once; allow a moment anyway
        try:
            os.close(_lock(tmp_path))
            break
        except ConfigError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)

