"""The Bitcoin OTC ratings as simnet reads them, and the held-out splits.

The file ``simnet/data/soc-sign-bitcoinotc.csv`` (SNAP; Kumar, Spezzano, Subrahmanian and
Faloutsos, ICDM 2016) has one rating a line, ``SOURCE,TARGET,RATING,TIME``: trader SOURCE
rated TARGET after a deal, RATING a whole number in -10..10 (never 0), TIME in seconds since
1970 (UTC). Reading it verifies its SHA-256 against ``simnet/data/SHA256SUMS``.

A rating becomes evidence the rater *saw* about the ratee: good if positive, bad if
negative, with weight ``|RATING| / 10`` (so in (0, 1]; see :data:`WEIGHT_SCALE`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from simnet.config import ConfigError

DATASETS = {"bitcoin_otc": "soc-sign-bitcoinotc.csv"}
WEIGHT_SCALE = 10.0  # |rating| / WEIGHT_SCALE is the evidence weight; rating / 10 is in [-1, 1]


class ValidationError(ConfigError):
    """Bad input to the validation (an unknown data set, a corrupt file, an unwritable
    output folder): one line for the user (the command exits with status 2)."""


@dataclass(frozen=True)
class Ratings:
    """A signed, weighted, directed, time-stamped rating list over ``n`` nodes, sorted by time.

    ``rater``, ``ratee`` int32[m] (node indices 0..n-1), ``rating`` int8[m] (-10..10, not 0),
    ``time`` float64[m] (seconds since 1970, ascending), ``ids`` int64[n] (the file's node id
    of each index).
    """

    n: int
    rater: np.ndarray
    ratee: np.ndarray
    rating: np.ndarray
    time: np.ndarray
    ids: np.ndarray

    def __len__(self) -> int:
        return int(self.rater.size)

    @property
    def weight(self) -> np.ndarray:
        """float64[m]: the signed weight ``rating / 10`` in [-1, 1] (Kumar et al.'s W)."""
        return self.rating.astype(np.float64) / WEIGHT_SCALE

    @property
    def is_bad(self) -> np.ndarray:
        """bool[m]: negative ratings (bad evidence)."""
        return self.rating < 0

    def subset(self, index: np.ndarray) -> Ratings:
        """The ratings at ``index`` (int array, or bool mask), same nodes, time order kept."""
        index = np.asarray(index)
        if index.dtype != bool:
            index = np.sort(index)
        return Ratings(self.n, self.rater[index], self.ratee[index], self.rating[index],
                       self.time[index], self.ids)


def data_path(dataset: str) -> Path:
    """The shipped file of a data set name (``"bitcoin_otc"``)."""
    if dataset not in DATASETS:
        raise ValidationError(f"unknown data set {dataset!r}; known: {', '.join(DATASETS)}")
    return Path(str(resources.files("simnet").joinpath("data", DATASETS[dataset])))


def _expected_digest(path: Path) -> str | None:
    sums = path.parent / "SHA256SUMS"
    if not sums.is_file():
        return None
    for line in sums.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == path.name:
            return parts[0]
    return None


def load_ratings(dataset: str = "bitcoin_otc", path: str | Path | None = None,
                 verify: bool = True) -> Ratings:
    """Read a rating list (the shipped ``dataset``, or the CSV at ``path``).

    The shipped file is checked against its SHA-256 in ``SHA256SUMS`` (``verify``); a file
    that does not match, or a line that is not four numbers with a rating in -10..10, raises
    :class:`ValidationError`. Node ids are relabelled 0..n-1 in ascending id order.
    """
    if path is None:
        path = data_path(dataset)
        expected = _expected_digest(path) if verify else None
        if verify and expected is None:
            raise ValidationError(f"{path.name}: no checksum in SHA256SUMS")
    else:
        path, expected = Path(path), None
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValidationError(f"cannot read {path}: {err.strerror or err}") from None
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        raise ValidationError(f"{path}: SHA-256 does not match SHA256SUMS (the file was "
                              f"changed or damaged)")
    try:
        table = np.loadtxt(data.decode("utf-8").splitlines(), delimiter=",",
                           dtype=np.float64, ndmin=2, comments="#")
    except (ValueError, UnicodeDecodeError) as err:
        raise ValidationError(f"{path}: not a SOURCE,TARGET,RATING,TIME list ({err})") from None
    if table.shape[1] != 4 or table.shape[0] == 0:
        raise ValidationError(f"{path}: expected 4 columns SOURCE,TARGET,RATING,TIME")
    rating = table[:, 2]
    if (np.abs(rating) > 10).any() or (rating != np.round(rating)).any():
        raise ValidationError(f"{path}: ratings must be whole numbers in -10..10")
    order = np.argsort(table[:, 3], kind="stable")
    table = table[order]
    ids, inverse = np.unique(table[:, :2].astype(np.int64), return_inverse=True)
    inverse = inverse.reshape(-1, 2)
    return Ratings(int(ids.size), inverse[:, 0].astype(np.int32),
                   inverse[:, 1].astype(np.int32), table[:, 2].astype(np.int8),
                   table[:, 3].copy(), ids)


# --------------------------------------------------------------------------- splits

def random_split(m: int, test_share: float, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(train, test)`` int64 index arrays (ascending): a uniformly random ``test_share``
    of ``m`` ratings held out, drawn from ``rng``."""
    k = round(test_share * m)
    test = np.sort(rng.choice(m, size=k, replace=False))
    mask = np.ones(m, dtype=bool)
    mask[test] = False
    return np.flatnonzero(mask), test


def time_split(m: int, test_share: float) -> tuple[np.ndarray, np.ndarray]:
    """``(train, test)`` for ratings sorted by time: the last ``test_share`` held out."""
    k = round(test_share * m)
    return np.arange(m - k, dtype=np.int64), np.arange(m - k, m, dtype=np.int64)


def time_blocks(test: np.ndarray, blocks: int) -> list[np.ndarray]:
    """The time-ordered ``test`` indices cut into ``blocks`` consecutive, equal parts (the
    units a time split's confidence interval is computed over)."""
    return [b for b in np.array_split(np.asarray(test), blocks) if b.size]
