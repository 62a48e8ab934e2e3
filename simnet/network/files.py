"""Real networks from edge-list files: :func:`read_edge_list` (plain text or gzipped,
with an optional community labels file), the networks shipped in ``simnet/data/`` and
:func:`resolve_network_file`. Every problem with a file is a one-line
:class:`NetworkFileError` naming the file (and the line).
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np

from simnet._files import FileRefused, read_regular_file
from simnet.network.edges import EdgeList

#: Shipped real networks: name -> (edge file, labels file or None), files in simnet/data/.
BUILTIN_NETWORKS: dict[str, tuple[str, str | None]] = {
    "email-eu-core": ("email-Eu-core.txt", "email-Eu-core-department-labels.txt"),
    "facebook": ("facebook_combined.txt", None),
}


class NetworkFileError(ValueError):
    """An edge-list or labels file is missing, unreadable or malformed.

    The message is one line that names the file and the problem (with a line number where
    there is one), fit to be shown to a user as is.
    """


_HEADER_WORDS = frozenset(
    "source target src dst from to u v node1 node2 node_1 node_2 id1 id2 i j head tail "
    "node label community block department user friend".split()
)


# An edge list bigger than this (on disk, or once decompressed) is refused rather than
# read into memory: the largest real networks the model can run are far smaller.
MAX_EDGE_FILE_BYTES = 2 << 30


def _read_bytes(path: Path, what: str) -> bytes:
    """The text of an edge-list or labels file (``what``: "edge list" or "labels"), as
    UTF-8 bytes with ``%`` comments made ``#``; NetworkFileError (one line) otherwise."""
    try:
        data = read_regular_file(path, MAX_EDGE_FILE_BYTES)
    except FileRefused as why:
        size = (f"{why.size} bytes; at most {MAX_EDGE_FILE_BYTES}" if why.size is not None
                else f"more than {MAX_EDGE_FILE_BYTES} bytes")
        raise NetworkFileError({
            "missing": f"{what} file not found: {path}",
            "unreadable": f"cannot read {what} file {path}: {why.detail}",
            "folder": f"{what} file {path} is a directory, not a file",
            "special": f"{what} file {path} is not a regular file (a device, FIFO or socket)",
            "too big": f"{what} file {path} is too big ({size})",
        }[why.reason]) from None
    if path.suffix == ".gz":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(MAX_EDGE_FILE_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise NetworkFileError(f"{what} file {path}: not a valid gzip file ({exc})") from None
        if len(data) > MAX_EDGE_FILE_BYTES:
            raise NetworkFileError(f"{what} file {path} is too big once decompressed (more "
                                   f"than {MAX_EDGE_FILE_BYTES} bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:65536]:
        raise NetworkFileError(f"{what} file {path} looks binary, not a text edge list")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NetworkFileError(f"{what} file {path}: line {line}: not UTF-8 text") from None
    # '%' (Matrix Market, KONECT) and '#' (SNAP) both start a comment
    return data.replace(b"%", b"#")


def _fields(line: str, sep: str | None) -> list[str]:
    line = line.split("#", 1)[0]
    toks = line.split(sep) if sep else line.split()
    return [t.strip().strip("\"'") for t in toks]


def _is_int(tok: str) -> bool:
    try:
        x = int(tok)
    except ValueError:
        return False
    return -(2**63) <= x < 2**63


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _check_id_range(tok: str, no: int, path: Path, what: str) -> None:
    """NetworkFileError if ``tok`` is a whole number outside the 64-bit id range."""
    if tok.lstrip("+-").isdigit() and not _is_int(tok):
        raise NetworkFileError(
            f"{what} file {path}: line {no}: node id {tok[:40]!r} is out of range (integer "
            "ids must lie in [-2**63, 2**63 - 1])"
        )


def _iter_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(line number, char offset, line) of every line, lazily."""
    pos, no, size = 0, 1, len(text)
    while pos < size:
        nl = text.find("\n", pos)
        end = size if nl < 0 else nl + 1
        yield no, pos, text[pos:end]
        pos, no = end, no + 1


def _data_lines(text: str, sep: str | None) -> Iterator[tuple[int, int, str, list[str]]]:
    """(line number, char offset, line, fields) of each non-blank, non-comment line."""
    for no, offset, line in _iter_lines(text):
        if line.split("#", 1)[0].strip():
            yield no, offset, line, _fields(line, sep)


def _layout(text: str, path: Path, what: str) -> tuple[str | None, int | None, int, bool]:
    """Separator, header line number or None, header char offset, and whether ids are ints."""
    head = []
    for item in _data_lines(text, None):
        head.append(item)
        if len(head) == 2:
            break
    if not head:
        raise NetworkFileError(
            f"{what} file {path} holds no data (empty, or only comments and blank lines)"
        )
    sep = "," if "," in head[0][2].split("#", 1)[0] else None
    rows = [(no, off, line, _fields(line, sep)) for no, off, line, _ in head]
    no1, off1, line1, f1 = rows[0]
    if len(f1) < 2 or not f1[0] or not f1[1]:
        raise NetworkFileError(
            f"{what} file {path}: line {no1}: expected two fields, got {line1.strip()[:60]!r}"
        )
    for tok in f1[:2]:
        _check_id_range(tok, no1, path, what)
    ints1 = _is_int(f1[0]) and _is_int(f1[1])
    header = None
    # A line holding a number is data, never a header (a header names its columns).
    if not ints1 and not any(_NUMBER.match(tok) for tok in f1[:2]):
        f2 = rows[1][3] if len(rows) > 1 else []
        second_ints = len(f2) >= 2 and _is_int(f2[0]) and _is_int(f2[1])
        words = {f1[0].lower(), f1[1].lower()} <= _HEADER_WORDS
        if second_ints or words:
            header = no1
    if header is None:
        return sep, None, 0, ints1
    if len(rows) < 2:
        raise NetworkFileError(f"{what} file {path} holds a header line but no data")
    f2 = rows[1][3]
    return sep, header, off1, len(f2) >= 2 and _is_int(f2[0]) and _is_int(f2[1])


def _scan(
    text: str, sep: str | None, header: int | None, int_ids: bool, path: Path, what: str
) -> tuple[list[int], list[str], list[str]]:
    """Slow, line-numbered parse: the labels reader and the edge reader's error path."""
    nos, first, second = [], [], []
    for no, _, line, f in _data_lines(text, sep):
        if no == header:
            continue
        if len(f) < 2 or not f[0] or not f[1]:
            raise NetworkFileError(
                f"{what} file {path}: line {no}: expected two fields, got {line.strip()[:60]!r}"
            )
        if int_ids:
            _check_id_range(f[0], no, path, what)
            _check_id_range(f[1], no, path, what)
        if int_ids and not (_is_int(f[0]) and _is_int(f[1])):
            raise NetworkFileError(
                f"{what} file {path}: line {no}: expected two integer node ids, "
                f"got {line.strip()[:60]!r}"
            )
        nos.append(no)
        first.append(f[0])
        second.append(f[1])
    return nos, first, second


def _read_pairs(path: Path, what: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """First two columns of every data line: (int64, int64, True) or (str, str, False)."""
    import pandas as pd

    data = _read_bytes(path, what)
    text = data.decode("utf-8")
    sep, header, offset, int_ids = _layout(text, path, what)
    if header is not None:  # comment the header line out
        at = len(text[:offset].encode("utf-8"))
        data = data[:at] + b"#" + data[at:]
    kwargs = {
        "sep": "," if sep else r"\s+",
        "header": None,
        "usecols": [0, 1],
        "comment": "#",
        "skip_blank_lines": True,
        "engine": "c",
    }
    if sep:
        kwargs["skipinitialspace"] = True
    try:
        if int_ids:
            df = pd.read_csv(io.BytesIO(data), dtype=np.int64, **kwargs)
            if (df.dtypes != np.int64).any():
                # pandas 2 reads an id of 2**63 or more as uint64 despite the dtype, and
                # to_numpy(np.int64) would wrap it: the scan below names the line
                raise OverflowError("node id out of the int64 range")
            a = df[0].to_numpy(np.int64)
            b = df[1].to_numpy(np.int64)
        else:
            df = pd.read_csv(
                io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False, **kwargs
            )
            a = df[0].str.strip().str.strip("\"'").to_numpy(object)
            b = df[1].str.strip().str.strip("\"'").to_numpy(object)
            if ((a == "") | (b == "")).any():
                raise ValueError("empty field")
    except (ValueError, TypeError, OverflowError, pd.errors.ParserError) as exc:
        _scan(text, sep, header, int_ids, path, what)  # raises with the line number
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NetworkFileError(f"{what} file {path}: cannot parse: {msg}") from None
    return a, b, int_ids


def _relabel(a: np.ndarray, b: np.ndarray, int_ids: bool):
    """Map ids to 0..n-1: integers in ascending order, text in order of first appearance."""
    if int_ids:
        ids, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
        return ids, inv[: a.size], inv[a.size :]
    import pandas as pd

    both = np.empty(2 * a.size, dtype=object)
    both[0::2] = a
    both[1::2] = b
    codes, ids = pd.factorize(both)
    return np.asarray(ids, dtype=object), codes[0::2], codes[1::2]


def _read_labels(labels_path: Path, ids: np.ndarray, int_ids: bool) -> np.ndarray:
    what = "labels"
    data = _read_bytes(labels_path, what)
    text = data.decode("utf-8")
    sep, header, _, _ = _layout(text, labels_path, what)
    nos, nodes, labels = _scan(text, sep, header, False, labels_path, what)
    if int_ids:
        keys = []
        for no, tok in zip(nos, nodes, strict=True):
            if not _is_int(tok):
                raise NetworkFileError(
                    f"labels file {labels_path}: line {no}: node id {tok!r} is not an integer "
                    "like the edge list's ids"
                )
            keys.append(int(tok))
        key_arr = np.array(keys, dtype=np.int64)
        idx = np.searchsorted(ids, key_arr)
        idx[idx == ids.size] = 0
        known = ids[idx] == key_arr
    else:
        lookup = {tok: i for i, tok in enumerate(ids.tolist())}
        idx = np.array([lookup.get(t, -1) for t in nodes], dtype=np.int64)
        known = idx >= 0
    if not known.all():
        bad = int(np.flatnonzero(~known)[0])
        raise NetworkFileError(
            f"labels file {labels_path}: line {nos[bad]}: node {nodes[bad]!r} is not in the "
            "edge list"
        )
    if all(_is_int(t) for t in labels):
        _, lab = np.unique(np.array([int(t) for t in labels], dtype=np.int64), return_inverse=True)
    else:
        import pandas as pd

        lab, _ = pd.factorize(np.array(labels, dtype=object))
    order = np.argsort(idx, kind="stable")
    same_node = idx[order][1:] == idx[order][:-1]
    conflict = np.flatnonzero(same_node & (lab[order][1:] != lab[order][:-1]))
    if conflict.size:
        first, again = order[conflict[0]], order[conflict[0] + 1]
        raise NetworkFileError(
            f"labels file {labels_path}: line {nos[again]}: node {nodes[again]!r} already has "
            f"a different label (line {nos[first]})"
        )
    block = np.zeros(ids.size, dtype=np.int64)
    block[idx] = lab
    seen = np.zeros(ids.size, dtype=bool)
    seen[idx] = True
    if not seen.all():
        missing = int(np.count_nonzero(~seen))
        example = ids[int(np.flatnonzero(~seen)[0])]
        raise NetworkFileError(
            f"labels file {labels_path}: {missing} node(s) of the edge list have no label "
            f"(e.g. node {example!r})"
        )
    return block.astype(np.int32)


def read_edge_list(path: str | Path, labels_path: str | Path | None = None) -> EdgeList:
    """Read a real network from an edge-list file (plain text, or the same gzipped as .gz).

    Format, decided from the file itself:

    * one tie per line, the first two fields being the node ids; further fields (weight,
      rating, time) are ignored;
    * fields separated by whitespace, or by commas if the first data line has a comma (CSV);
    * ``#`` and ``%`` start a comment anywhere on a line; blank lines are skipped;
    * the first data line is a header, and skipped, if its ids are not integers while the
      next line's are, or if both its fields are usual column names ("source", "target",
      "from", "to", "u", "v", "node", ...);
    * node ids are integers (any 64-bit values, not necessarily contiguous), numbered
      ``0..n-1`` in ascending order; or, if the first data line's ids are not integers,
      text, numbered in order of first appearance. The original ids are kept in ``ids``.

    Lines are read as undirected ties: ``u v`` and ``v u`` give one tie; self-loops and
    repeated lines are dropped (a node that appears only in a self-loop stays, isolated).

    ``labels_path`` optionally names a file of ``node label`` lines in the same format,
    giving every node a community label (``block``, numbered ``0..B-1`` in ascending order
    of integer labels, else by first appearance).

    Raises
    ------
    NetworkFileError
        One line naming the file and the problem: missing or unreadable file, malformed
        line (with its number), fewer than two nodes or no ties, labels not matching.
    """
    path = Path(path)
    a, b, int_ids = _read_pairs(path, "edge list")
    ids, u, v = _relabel(a, b, int_ids)
    n = int(ids.size)
    if n < 2 or not np.any(u != v):
        raise NetworkFileError(
            f"edge list file {path} has no ties between two distinct nodes ({n} node(s))"
        )
    block = None
    if labels_path is not None:
        block = _read_labels(Path(labels_path), ids, int_ids)
    return EdgeList.from_pairs(n, u, v, block=block, ids=ids)


def builtin_network_path(name: str) -> Path:
    """Path of a network file shipped in ``simnet/data/`` (see ``BUILTIN_NETWORKS``).

    ``"email-eu-core"``: email-Eu-core (1,005 nodes, 16,064 ties, with department labels);
    ``"facebook"``: ego-Facebook (4,039 nodes, 88,234 ties). Names are case-insensitive.
    """
    return _data_file(_builtin_entry(name)[0])


def builtin_labels_path(name: str) -> Path | None:
    """Path of the community labels shipped with a built-in network, or None."""
    labels = _builtin_entry(name)[1]
    return None if labels is None else _data_file(labels)


def _builtin_entry(name: str) -> tuple[str, str | None]:
    key = str(name).strip().lower()
    if key not in BUILTIN_NETWORKS:
        known = ", ".join(sorted(BUILTIN_NETWORKS))
        raise NetworkFileError(f"unknown built-in network {name!r}; known networks: {known}")
    return BUILTIN_NETWORKS[key]


def _data_file(filename: str) -> Path:
    return Path(str(resources.files("simnet").joinpath("data", filename)))


def resolve_network_file(path_or_name: str | Path) -> tuple[Path, Path | None]:
    """Edge file and labels file (or None) for an existing file path or a built-in name.

    An existing file wins over a built-in name of the same spelling. Cheap (reads nothing),
    so configuration code can call it to validate a ``path`` early.

    Raises
    ------
    NetworkFileError
        If it is neither an existing file nor a built-in name.
    """
    p = Path(path_or_name)
    if p.is_file():
        return p, None
    key = str(path_or_name).strip().lower()
    if key in BUILTIN_NETWORKS:
        return builtin_network_path(key), builtin_labels_path(key)
    known = ", ".join(sorted(BUILTIN_NETWORKS))
    if p.is_dir():
        raise NetworkFileError(f"edge list file {p} is a directory, not a file")
    if p.exists():
        raise NetworkFileError(f"edge list file {p} is not a regular file (a device, FIFO "
                               "or socket)")
    raise NetworkFileError(
        f"edge list file not found: {p} (nor is it a built-in network: {known})"
    )
