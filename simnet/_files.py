"""The one check every file a user names goes through before it is read (an experiment
file, an edge list, a labels file): it must be a regular file of at most a given size.

Standard library only, so that any module may use it without importing simnet.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Why a file was refused: :attr:`FileRefused.reason` is one of these.
REASONS = ("missing", "unreadable", "folder", "special", "too big")


class FileRefused(Exception):
    """A file that :func:`read_regular_file` did not read. Each caller words the message
    for its own kind of file.

    ``reason``: one of :data:`REASONS` ("special": a device, FIFO or socket); ``detail``:
    the system's words for "unreadable"; ``size``: the file's size in bytes for "too big"
    (None if it grew past the limit while being read).
    """

    def __init__(self, reason: str, detail: str = "", size: int | None = None):
        super().__init__(reason, detail, size)
        self.reason, self.detail, self.size = reason, detail, size


def read_regular_file(path: Path, limit: int) -> bytes:
    """The contents of the regular file ``path`` (at most ``limit`` bytes), or
    :class:`FileRefused`. A folder, device, FIFO or socket is never opened (a FIFO would
    block, ``/dev/zero`` would not end), and a file over ``limit`` bytes is not read into
    memory; symbolic links are followed."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileRefused("missing") from None
    except OSError as exc:
        raise FileRefused("unreadable", str(exc.strerror or exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise FileRefused("folder")
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused("special")
    if st.st_size > limit:
        raise FileRefused("too big", size=st.st_size)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FileRefused("unreadable", str(exc.strerror or exc)) from None
    if len(data) > limit:  # it grew since the size was checked
        raise FileRefused("too big")
    return data
